// SHA256SUMS per version (sha256sum format, re-issued by each attach, existing lines unchanged) and its
// minisign signature, checked here with WebCrypto against the published key (the Debian minisign binary
// checks the same files in test/blackbox/plugins.test.ts).
import { blake2b } from "@noble/hashes/blake2.js";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, callWithEnv, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { attachPlugins, hexSha256, pluginArchive, pluginsPath } from "./plugin-helpers";

let acme: OrgTokens;
beforeAll(async () => {
  acme = await orgWithTokens("acme");
});

const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** minisign -V, written out: key number match, Ed25519 over BLAKE2b-512 of the file, and the global signature over the trusted comment. */
async function verify(publicKeyFile: string, signatureFile: string, file: Uint8Array): Promise<boolean> {
  const pk = unb64(publicKeyFile.split("\n")[1]!);
  const [, sigLine, trusted, globalLine] = signatureFile.split("\n");
  const sig = unb64(sigLine!);
  if (new TextDecoder().decode(sig.subarray(0, 2)) !== "ED" || new TextDecoder().decode(pk.subarray(0, 2)) !== "Ed") return false;
  if (sig.subarray(2, 10).join() !== pk.subarray(2, 10).join()) return false;
  const key = await crypto.subtle.importKey("raw", pk.subarray(10), { name: "Ed25519" }, false, ["verify"]);
  const signature = sig.subarray(10);
  if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, signature, blake2b(file, { dkLen: 64 })))) return false;
  const comment = new TextEncoder().encode(trusted!.slice("trusted comment: ".length));
  const global = new Uint8Array([...signature, ...comment]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, unb64(globalLine!), global);
}

describe("SHA256SUMS and its signature", () => {
  it("lists every archive in sha256sum format, is re-issued by an attach with its old lines kept, and verifies with the published key", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/signed", "1.2.3", { waitForDocs: false });
    const base = pluginsPath("pulumi/acme/signed", "1.2.3");
    expectError(await callJson(`${base}/SHA256SUMS`), 404);
    const darwin = await pluginArchive("signed", "darwin-arm64");
    const linux = await pluginArchive("signed", "linux-amd64");
    await attachPlugins(acme.publisher, "pulumi/acme/signed", "1.2.3", { "linux-amd64": linux });
    const first = await (await call(`${base}/SHA256SUMS`)).text();
    expect(first).toBe(`${await hexSha256(linux)}  pulumi-resource-signed-v1.2.3-linux-amd64.tar.gz\n`);
    await attachPlugins(acme.publisher, "pulumi/acme/signed", "1.2.3", { "darwin-arm64": darwin });
    const r = await call(`${base}/SHA256SUMS`);
    expect(r.headers.get("Cache-Control")).toBe("public, no-cache");
    const sums = await r.text();
    expect(sums).toBe(`${await hexSha256(darwin)}  pulumi-resource-signed-v1.2.3-darwin-arm64.tar.gz\n${first}`);
    expect((await call(`${base}/SHA256SUMS`, { headers: { "If-None-Match": r.headers.get("ETag")! } })).status).toBe(304);

    const signature = await (await call(`${base}/SHA256SUMS.minisig`)).text();
    expect(signature).toMatch(/^untrusted comment: signature from edge-registry key 0ABCD319B21F4C51\n/);
    expect(signature).toContain("trusted comment: edge-registry pulumi/acme/signed v1.2.3 SHA256SUMS\n");
    // Deterministic: the same sums, the same signature.
    expect(await (await call(`${base}/SHA256SUMS.minisig`)).text()).toBe(signature);
    const keyFile = await (await call("/.well-known/plugin-signing.pub")).text();
    expect(keyFile).toMatch(/^untrusted comment: minisign public key 0ABCD319B21F4C51\n[A-Za-z0-9+/=]{56}\n$/);
    expect(await (await call("/.well-known/plugin-signing/0ABCD319B21F4C51.pub")).text()).toBe(keyFile);

    const bytes = new TextEncoder().encode(sums);
    expect(await verify(keyFile, signature, bytes)).toBe(true);
    const tampered = new TextEncoder().encode(sums.replace(/^./, (c) => (c === "0" ? "1" : "0")));
    expect(await verify(keyFile, signature, tampered)).toBe(false);
    const otherComment = signature.replace("v1.2.3", "v1.2.4");
    expect(await verify(keyFile, otherComment, bytes)).toBe(false);
  });

  it("after a rotation the old public key stays published by its key id; without a key there is no signature", async () => {
    const previous = "1122334455667788:ux5wivVk9kqSTwdUtoFyI4VulEvcbfqUIP2eVJAiQFU";
    const old = await callWithEnv({ PLUGIN_PREVIOUS_PUBLIC_KEYS: previous }, "/.well-known/plugin-signing/1122334455667788.pub");
    expect(old.status).toBe(200);
    expect(old.body).toMatch(/^untrusted comment: minisign public key 1122334455667788\n/);
    expectError(await callJson("/.well-known/plugin-signing/1122334455667788.pub"), 404);
    expectError(await callJson("/.well-known/plugin-signing/not-a-key.pub"), 404);
    await publishPackage(acme.publisher, "pulumi/acme/unsigned", "1.0.0", { waitForDocs: false });
    await attachPlugins(acme.publisher, "pulumi/acme/unsigned", "1.0.0", { "linux-amd64": await pluginArchive("unsigned") });
    const path = `${pluginsPath("pulumi/acme/unsigned", "1.0.0")}/SHA256SUMS.minisig`;
    expect((await callWithEnv({}, path)).status).toBe(200);
    expectError(await callWithEnv({ PLUGIN_SIGNING_KEY: undefined }, path), 404);
    expectError(await callWithEnv({ PLUGIN_SIGNING_KEY: undefined }, "/.well-known/plugin-signing.pub"), 404);
  });
});

// Provider plugin archives attached to a published package version: start → presigned PUT per platform →
// complete, the registry's own SHA-256, the list, the download the CLI's https source makes, the version's
// checksums and pluginDownloadURL; every refusal leaves nothing behind.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { call, callJson, callWithEnv, countObjects, expectError, orgWithTokens, writeSnapshot, type OrgTokens } from "./helpers";
import { publishPackage, put, schemaFor } from "./publish-helpers";
import { attachPlugins, completeAttach, hexSha256, pluginArchive, pluginsPath, startAttach } from "./plugin-helpers";
import { concat, gzip, tar } from "../unit/tar-fixtures";

let acme: OrgTokens;
let other: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
});

async function auditOf(target: string) {
  return env.DB.prepare("SELECT action, version, outcome, detail FROM audit_log WHERE target = ? AND action = 'package.plugin.attach' ORDER BY id").bind(target).all<{
    action: string;
    version: string;
    outcome: number;
    detail: string;
  }>();
}

describe("attaching plugin archives", () => {
  it("stores each platform with the SHA-256 the registry computed, lists and serves them as the CLI asks", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/tool", "1.0.0", { waitForDocs: false });
    const linux = await pluginArchive("tool", "linux-amd64");
    const windows = await pluginArchive("tool", "windows-amd64");
    const done = await attachPlugins(acme.publisher, "pulumi/acme/tool", "1.0.0", { "linux-amd64": linux, "windows-amd64": windows });
    expect(done.status).toBe(201);
    const linuxSum = await hexSha256(linux);
    const windowsSum = await hexSha256(windows);
    expect(done.body.plugins).toEqual([
      { platform: "linux-amd64", size: linux.length, sha256: linuxSum },
      { platform: "windows-amd64", size: windows.length, sha256: windowsSum },
    ]);

    const version = await callJson("/api/registry/packages/pulumi/acme/tool/versions/1.0.0");
    expect(version.body.checksums).toEqual({ "linux-amd64": linuxSum, "windows-amd64": windowsSum });
    const base = "http://gateway.test/api/registry/packages/pulumi/acme/tool/versions/1.0.0/plugins";
    expect(version.body.pluginDownloadURL).toBe(base);

    const list = await callJson(pluginsPath("pulumi/acme/tool", "1.0.0"));
    expect(list.status).toBe(200);
    expect(list.body.plugins).toEqual([
      { platform: "linux-amd64", file: "pulumi-resource-tool-v1.0.0-linux-amd64.tar.gz", size: linux.length, sha256: linuxSum, attachedAt: expect.any(String), url: `${base}/pulumi-resource-tool-v1.0.0-linux-amd64.tar.gz` },
      { platform: "windows-amd64", file: "pulumi-resource-tool-v1.0.0-windows-amd64.tar.gz", size: windows.length, sha256: windowsSum, attachedAt: expect.any(String), url: `${base}/pulumi-resource-tool-v1.0.0-windows-amd64.tar.gz` },
    ]);

    // What the CLI's https source requests: <pluginDownloadURL>/<file>, no credentials.
    const r = await call(`${version.body.pluginDownloadURL}/pulumi-resource-tool-v1.0.0-linux-amd64.tar.gz`);
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Length")).toBe(String(linux.length));
    expect(r.headers.get("Content-Encoding")).toBeNull();
    expect(r.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(linux);
    const head = await call(`${version.body.pluginDownloadURL}/pulumi-resource-tool-v1.0.0-linux-amd64.tar.gz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Length")).toBe(String(linux.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const entries = (await auditOf("package/pulumi/acme/tool")).results;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ version: "1.0.0", outcome: 201 });
    expect(JSON.parse(entries[0]!.detail)).toEqual({ platforms: ["linux-amd64", "windows-amd64"] });
  });

  it("adds platforms later, never replaces one, and a version without plugins keeps the CLI's fallback", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/later", "1.0.0", { waitForDocs: false });
    const bare = await callJson("/api/registry/packages/pulumi/acme/later/versions/1.0.0");
    expect(bare.body.pluginDownloadURL).toBeUndefined();
    expect(bare.body.checksums).toBeUndefined();
    expect((await callJson(pluginsPath("pulumi/acme/later", "1.0.0"))).body.plugins).toEqual([]);

    expect((await attachPlugins(acme.publisher, "pulumi/acme/later", "1.0.0", { "darwin-arm64": await pluginArchive("later", "darwin-arm64") })).status).toBe(201);
    expect((await attachPlugins(acme.publisher, "pulumi/acme/later", "1.0.0", { "linux-arm64": await pluginArchive("later", "linux-arm64") })).status).toBe(201);
    const before = await writeSnapshot();
    const again = await startAttach(acme.publisher, "pulumi/acme/later", "1.0.0", ["linux-arm64"]);
    expectError(again, 409);
    expect(again.body.message).toMatch(/linux-arm64 attached; an attached artifact is never replaced/);
    expect(await writeSnapshot()).toEqual(before);
    const version = await callJson("/api/registry/packages/pulumi/acme/later/versions/1.0.0");
    expect(Object.keys(version.body.checksums)).toEqual(["darwin-arm64", "linux-arm64"]);
  });

  it("two attach operations racing for one platform: the second complete is refused and leaves nothing", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/race", "1.0.0", { waitForDocs: false });
    const archive = await pluginArchive("race");
    const first = await startAttach(acme.publisher, "pulumi/acme/race", "1.0.0", ["linux-amd64"]);
    const second = await startAttach(acme.publisher, "pulumi/acme/race", "1.0.0", ["linux-amd64"]);
    await put(first.body.uploadURLs["linux-amd64"], archive);
    await put(second.body.uploadURLs["linux-amd64"], await pluginArchive("race", "linux-amd64", [{ name: "extra.txt", data: "x" }]));
    expect((await completeAttach(acme.publisher, "pulumi/acme/race", "1.0.0", first.body.operationID)).status).toBe(201);
    const objects = await countObjects("packages/pulumi/acme/race/");
    expectError(await completeAttach(acme.publisher, "pulumi/acme/race", "1.0.0", second.body.operationID), 409);
    expect(await countObjects("packages/pulumi/acme/race/")).toBe(objects);
    expect(await countObjects(`staging/${second.body.operationID}/`)).toBe(0);
    const served = await call(`${pluginsPath("pulumi/acme/race", "1.0.0")}/pulumi-resource-race-v1.0.0-linux-amd64.tar.gz`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(archive);
  });

  it("deleting the version removes its archives; the routes then answer 404", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/gone", "1.0.0", { waitForDocs: false });
    await publishPackage(acme.publisher, "pulumi/acme/gone", "1.1.0", { waitForDocs: false });
    await attachPlugins(acme.publisher, "pulumi/acme/gone", "1.0.0", { "linux-amd64": await pluginArchive("gone") });
    const withPlugin = await countObjects("packages/pulumi/acme/gone/1.0.0/");
    expect((await call("/api/registry/packages/pulumi/acme/gone/versions/1.0.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect(withPlugin).toBeGreaterThan(0);
    expect(await countObjects("packages/pulumi/acme/gone/1.0.0/")).toBe(0);
    expectError(await callJson(`${pluginsPath("pulumi/acme/gone", "1.0.0")}/pulumi-resource-gone-v1.0.0-linux-amd64.tar.gz`), 404);
    expectError(await callJson(pluginsPath("pulumi/acme/gone", "1.0.0")), 404);
    expectError(await startAttach(acme.publisher, "pulumi/acme/gone", "1.0.0", ["linux-amd64"]), 404);
  });
});

describe("refused attaches leave nothing behind", () => {
  beforeAll(async () => {
    await publishPackage(acme.publisher, "pulumi/acme/strict", "1.0.0", { waitForDocs: false });
    await publishPackage(acme.publisher, "private/acme/secret", "1.0.0", { waitForDocs: false });
  });

  async function refusedArchive(bytes: Uint8Array, message: RegExp, platform = "linux-amd64") {
    const before = await writeSnapshot();
    const started = await startAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", [platform]);
    expect(started.status).toBe(202);
    expect((await put(started.body.uploadURLs[platform], bytes)).status).toBe(200);
    const r = await completeAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", started.body.operationID);
    expectError(r, 400);
    expect(r.body.message).toMatch(message);
    expect(await writeSnapshot()).toEqual(before);
    expect((await callJson("/api/registry/packages/pulumi/acme/strict/versions/1.0.0")).body.checksums).toBeUndefined();
  }

  const exe = (extra: Record<string, unknown> = {}) => ({ name: "pulumi-resource-strict", data: "#!/bin/sh\n", mode: 0o755, ...extra });

  it("not gzip", () => refusedArchive(tar([exe()]), /not gzip-compressed/));
  it("gzip but not tar", async () => refusedArchive(await gzip(new TextEncoder().encode("just text, not a tar archive")), /not a tar archive/));
  it("no executable", async () => refusedArchive(await gzip(tar([{ name: "README.md", data: "hi" }])), /has no pulumi-resource-strict at its root/));
  it("the executable in a folder", async () => refusedArchive(await gzip(tar([exe({ name: "bin/pulumi-resource-strict" })])), /has no pulumi-resource-strict at its root/));
  it("an executable named for another plugin", async () => refusedArchive(await gzip(tar([exe({ name: "pulumi-resource-aws" })])), /pulumi-resource-aws, the executable of another plugin/));
  it("the executable without an executable bit", async () => refusedArchive(await gzip(tar([exe({ mode: 0o644 })])), /is not executable \(mode 0644\)/));
  it("Windows needs the .exe", async () => refusedArchive(await gzip(tar([exe()])), /pulumi-resource-strict.exe/, "windows-amd64"));
  it("a .. path", async () => refusedArchive(await gzip(tar([exe(), { name: "../evil", data: "x" }])), /'\.\.\/evil'/));
  it("an absolute path", async () => refusedArchive(await gzip(tar([exe(), { name: "/etc/evil", data: "x" }])), /absolute path/));
  it("a symbolic link out of the root", async () => refusedArchive(await gzip(tar([exe(), { name: "link", type: "2", linkname: "../../etc/passwd" }])), /symbolic link/));
  it("a hard link", async () => refusedArchive(await gzip(tar([exe(), { name: "hard", type: "1", linkname: "/etc/passwd" }])), /hard link/));
  it("a truncated archive", async () => {
    const whole = await pluginArchive("strict");
    await refusedArchive(whole.subarray(0, Math.floor(whole.length / 2)), /truncated|not a valid gzip stream/);
  });
  it("a tar cut inside the executable", async () => {
    const t = tar([exe({ data: "x".repeat(5000) })]);
    await refusedArchive(await gzip(t.subarray(0, 2048)), /truncated/);
  });

  it("an archive over MAX_PLUGIN_BYTES: refused at upload (gateway mode) and at complete (R2 mode uploads are not bounded)", async () => {
    const archive = await pluginArchive("strict", "linux-amd64", [{ name: "pad.bin", data: crypto.getRandomValues(new Uint8Array(4096)) }]);
    const before = await writeSnapshot();
    const started = await startAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", ["linux-amd64"]);
    const uploadPath = new URL(started.body.uploadURLs["linux-amd64"]).pathname + new URL(started.body.uploadURLs["linux-amd64"]).search;
    const small = { MAX_PLUGIN_BYTES: "1024" };
    const refusedUpload = await callWithEnv(small, uploadPath, { method: "PUT", rawBody: archive, headers: { "Content-Length": String(archive.length) } });
    expectError(refusedUpload, 413);
    expect((await put(started.body.uploadURLs["linux-amd64"], archive)).status).toBe(200);
    const r = await callWithEnv(small, `${pluginsPath("pulumi/acme/strict", "1.0.0")}/complete`, { method: "POST", token: acme.publisher, body: { operationID: started.body.operationID } });
    expectError(r, 400);
    expect(r.body.message).toMatch(new RegExp(`is ${archive.length} bytes; the limit is 1024`));
    expect(await writeSnapshot()).toEqual(before);
  });

  it("an archive unpacking past MAX_PLUGIN_UNPACKED_BYTES (a gzip bomb's shape)", async () => {
    const archive = await pluginArchive("strict", "linux-amd64", [{ name: "zeros.bin", data: new Uint8Array(256 * 1024) }]);
    expect(archive.length).toBeLessThan(4096);
    const before = await writeSnapshot();
    const started = await startAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", ["linux-amd64"]);
    expect((await put(started.body.uploadURLs["linux-amd64"], archive)).status).toBe(200);
    const r = await callWithEnv({ MAX_PLUGIN_UNPACKED_BYTES: String(64 * 1024) }, `${pluginsPath("pulumi/acme/strict", "1.0.0")}/complete`, {
      method: "POST",
      token: acme.publisher,
      body: { operationID: started.body.operationID },
    });
    expectError(r, 400);
    expect(r.body.message).toMatch(/unpacks to more than 65536 bytes \(at entry 'zeros\.bin'\)/);
    expect(await writeSnapshot()).toEqual(before);
  });

  it("a platform outside the list, a repeated one, an empty list", async () => {
    const before = await writeSnapshot();
    for (const platforms of [["linux-386"], ["freebsd-amd64"], ["linux-amd64", "linux-amd64"], [], "linux-amd64", [7]]) {
      expectError(await startAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", platforms), 400);
    }
    expect(await writeSnapshot()).toEqual(before);
  });

  it("a missing upload, an unknown operation, a publish operation used as an attach", async () => {
    const started = await startAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", ["linux-arm64"]);
    const missing = await completeAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", started.body.operationID);
    expectError(missing, 400);
    expect(missing.body.message).toMatch(/no upload of the linux-arm64 plugin archive/);
    expectError(await completeAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", "0".repeat(32)), 404);
    const publish = await callJson("/api/registry/packages/pulumi/acme/strict/versions", { method: "POST", token: acme.publisher, body: { version: "9.0.0" } });
    expectError(await completeAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", publish.body.operationID), 404);
    // …and an attach operation is not a publish operation.
    const r = await callJson("/api/registry/packages/pulumi/acme/strict/versions/1.0.0/complete", { method: "POST", token: acme.publisher, body: { operationID: started.body.operationID } });
    expect(r.status).toBe(404);
  });

  it("no token, a reader token, another org, an absent version; a private package of another org is absent", async () => {
    const before = await writeSnapshot();
    expectError(await startAttach("", "pulumi/acme/strict", "1.0.0", ["linux-amd64"]), 401);
    expectError(await startAttach(acme.reader, "pulumi/acme/strict", "1.0.0", ["linux-amd64"]), 403);
    expectError(await startAttach(other.publisher, "pulumi/acme/strict", "1.0.0", ["linux-amd64"]), 403);
    expectError(await startAttach(acme.publisher, "pulumi/acme/strict", "2.0.0", ["linux-amd64"]), 404);
    expectError(await startAttach(acme.publisher, "pulumi/acme/nothing", "1.0.0", ["linux-amd64"]), 404);
    const hidden = await startAttach(other.publisher, "private/acme/secret", "1.0.0", ["linux-amd64"]);
    const absent = await startAttach(other.publisher, "private/acme/nothing", "1.0.0", ["linux-amd64"]);
    expect(hidden.status).toBe(absent.status);
    expect(hidden.body.message.replace("secret", "X")).toBe(absent.body.message.replace("nothing", "X"));
    expect(await writeSnapshot()).toEqual(before);
  });

  it("another org cannot complete an operation it did not start", async () => {
    const started = await startAttach(acme.publisher, "pulumi/acme/strict", "1.0.0", ["darwin-amd64"]);
    await put(started.body.uploadURLs["darwin-amd64"], await pluginArchive("strict", "darwin-amd64"));
    expect((await completeAttach(other.publisher, "pulumi/acme/strict", "1.0.0", started.body.operationID)).status).toBe(404);
  });
});

describe("serving", () => {
  it("an absent platform, another version's file name, another plugin's: 404", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/serve", "1.0.0", { waitForDocs: false });
    await attachPlugins(acme.publisher, "pulumi/acme/serve", "1.0.0", { "linux-amd64": await pluginArchive("serve") });
    const base = pluginsPath("pulumi/acme/serve", "1.0.0");
    for (const file of ["pulumi-resource-serve-v1.0.0-darwin-arm64.tar.gz", "pulumi-resource-serve-v1.0.1-linux-amd64.tar.gz", "pulumi-resource-aws-v1.0.0-linux-amd64.tar.gz", "SHA256SUMS.txt"]) {
      expectError(await callJson(`${base}/${file}`), 404);
    }
  });

  it("a schema that names another host keeps it; the checksums still describe the archives here", async () => {
    const schema = schemaFor("hosted", "1.0.0", { pluginDownloadURL: "https://example.com/releases" });
    await publishPackage(acme.publisher, "pulumi/acme/hosted", "1.0.0", { waitForDocs: false, schema });
    const archive = await pluginArchive("hosted");
    await attachPlugins(acme.publisher, "pulumi/acme/hosted", "1.0.0", { "linux-amd64": archive });
    const version = await callJson("/api/registry/packages/pulumi/acme/hosted/versions/1.0.0");
    expect(version.body.pluginDownloadURL).toBe("https://example.com/releases");
    expect(version.body.checksums).toEqual({ "linux-amd64": await hexSha256(archive) });
  });

  it("a large archive's hash is the hash of every byte (chunks streamed through the digest)", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/big", "1.0.0", { waitForDocs: false });
    const noise = crypto.getRandomValues(new Uint8Array(65536));
    const blob = concat(Array.from({ length: 48 }, () => noise));
    const archive = await pluginArchive("big", "linux-amd64", [{ name: "data.bin", data: blob }]);
    const r = await attachPlugins(acme.publisher, "pulumi/acme/big", "1.0.0", { "linux-amd64": archive });
    expect(r.body.plugins[0].sha256).toBe(await hexSha256(archive));
  });
});

describe("private packages: the gitlab:// source with a registry token as the bearer", () => {
  it("points pluginDownloadURL at gitlab://<host>/<project>; serves the archive and latest tag with the token, 404 without or for another org", async () => {
    await publishPackage(acme.publisher, "private/acme/inner", "1.0.0", { waitForDocs: false });
    await publishPackage(acme.publisher, "private/acme/inner", "1.1.0", { waitForDocs: false });
    const archive = await pluginArchive("inner");
    await attachPlugins(acme.publisher, "private/acme/inner", "1.0.0", { "linux-amd64": archive });
    const version = await callJson("/api/registry/packages/private/acme/inner/versions/1.0.0", { token: acme.reader });
    expect(version.body.pluginDownloadURL).toBe("gitlab://gateway.test/private~acme~inner");
    expect(version.body.checksums).toEqual({ "linux-amd64": await hexSha256(archive) });
    // Without plugins, no URL: the CLI's usual fallback (and a publisher sees why the install fails).
    expect((await callJson("/api/registry/packages/private/acme/inner/versions/1.1.0", { token: acme.reader })).body.pluginDownloadURL).toBeUndefined();

    const file = "pulumi-resource-inner-v1.0.0-linux-amd64.tar.gz";
    const path = `/api/v4/projects/private~acme~inner/releases/v1.0.0/downloads/${file}`;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const r = await call(path, { headers: bearer(acme.reader) });
    expect(r.status).toBe(200);
    expect(r.headers.get("Cache-Control")).toBe("private, no-store");
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(archive);
    const latest = await callJson("/api/v4/projects/private~acme~inner/releases/permalink/latest", { headers: bearer(acme.reader) });
    expect(latest.body).toEqual({ tag_name: "v1.1.0" });

    const absent = await callJson(`/api/v4/projects/private~acme~nothing/releases/v1.0.0/downloads/pulumi-resource-nothing-v1.0.0-linux-amd64.tar.gz`, { headers: bearer(other.reader) });
    expectError(absent, 404);
    for (const headers of [{}, bearer(other.reader)]) {
      const hidden = await callJson(path, { headers });
      expectError(hidden, 404);
      expect(hidden.body.message.replace("inner", "nothing")).toBe(absent.body.message);
      expectError(await callJson("/api/v4/projects/private~acme~inner/releases/permalink/latest", { headers }), 404);
    }
    expectError(await callJson(path, { headers: bearer("not-a-token") }), 401);
    expectError(await callJson(`/api/v4/projects/private~acme~inner/releases/v1.0.0/downloads/pulumi-resource-inner-v1.0.0-darwin-arm64.tar.gz`, { headers: bearer(acme.reader) }), 404);
    expectError(await callJson(`/api/v4/projects/private~acme~inner/releases/1.0.0/downloads/${file}`, { headers: bearer(acme.reader) }), 404);
    expectError(await callJson(`/api/v4/projects/private~acme/releases/v1.0.0/downloads/${file}`, { headers: bearer(acme.reader) }), 404);
    expectError(await callJson(`/api/v4/projects/%E0%A4%A/releases/v1.0.0/downloads/${file}`, { headers: bearer(acme.reader) }), 404);
  });
});

describe("the package page", () => {
  it("shows the platforms with size and checksum, a Pulumi.yaml packages block with checksums, and the minisign command", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/paged", "2.0.0", { waitForDocs: false });
    const bare = await (await call("/packages/pulumi/acme/paged/2.0.0", { headers: { Accept: "text/html" } })).text();
    expect(bare).not.toContain('id="plugins"');
    const archive = await pluginArchive("paged", "darwin-arm64");
    await attachPlugins(acme.publisher, "pulumi/acme/paged", "2.0.0", { "darwin-arm64": archive });
    const r = await call("/packages/pulumi/acme/paged/2.0.0", { headers: { Accept: "text/html" } });
    expect(r.status).toBe(200);
    const html = await r.text();
    const sha = await hexSha256(archive);
    expect(html).toContain('<h2 id="plugins">Provider plugin</h2>');
    expect(html).toContain(`<code class="checksum">${sha}</code>`);
    expect(html).toContain(`href="http://gateway.test/api/registry/packages/pulumi/acme/paged/versions/2.0.0/plugins/pulumi-resource-paged-v2.0.0-darwin-arm64.tar.gz"`);
    expect(html).toContain(`packages:\n  paged:\n    source: pulumi/acme/paged\n    version: 2.0.0\n    checksums:\n      darwin-arm64: ${sha}\n`);
    expect(html).toContain("minisign -V -p plugin-signing.pub -m SHA256SUMS");
    expect(html).toContain("http://gateway.test/.well-known/plugin-signing.pub");
  });
});

describe("the package.plugin_attached webhook event", () => {
  it("is delivered once an attach committed, naming the platforms; a refused attach sends nothing", async () => {
    const receiver = inject("receiverUrl");
    const hook = await callJson("/api/orgs/acme/registry/webhooks", { method: "POST", token: acme.admin, body: { url: `${receiver}/hook/plugin-attached`, events: ["package.plugin_attached"] } });
    expect(hook.status).toBe(201);
    await publishPackage(acme.publisher, "pulumi/acme/hooked", "1.0.0", { waitForDocs: false });
    const bad = await startAttach(acme.publisher, "pulumi/acme/hooked", "1.0.0", ["linux-amd64"]);
    await put(bad.body.uploadURLs["linux-amd64"], await gzip(tar([{ name: "README.md", data: "no executable" }])));
    expectError(await completeAttach(acme.publisher, "pulumi/acme/hooked", "1.0.0", bad.body.operationID), 400);
    await attachPlugins(acme.publisher, "pulumi/acme/hooked", "1.0.0", { "darwin-amd64": await pluginArchive("hooked", "darwin-amd64") });
    const deadline = Date.now() + 15_000;
    let got: Array<{ body: string; headers: Record<string, string> }> = [];
    while (got.length === 0 && Date.now() < deadline) {
      got = (await (await fetch(`${receiver}/received/plugin-attached`)).json()) as typeof got;
      if (!got.length) await new Promise((r) => setTimeout(r, 100));
    }
    // Give a (wrong) second delivery the time to arrive before counting.
    await new Promise((r) => setTimeout(r, 500));
    got = (await (await fetch(`${receiver}/received/plugin-attached`)).json()) as typeof got;
    expect(got).toHaveLength(1);
    expect(got[0]!.headers["x-registry-event"]).toBe("package.plugin_attached");
    expect(JSON.parse(got[0]!.body)).toMatchObject({
      type: "package.plugin_attached",
      org: "acme",
      target: { kind: "package", source: "pulumi", publisher: "acme", name: "hooked", version: "1.0.0" },
      platforms: ["darwin-amd64"],
    });
  });
});

// Provider plugin archives against `wrangler dev`: attached as a publisher does (archives made by the
// system's tar), installed exactly the way the Pulumi CLI's https source does, and SHA256SUMS verified by
// Debian's minisign (installed by .ci/run) with the key the registry publishes; a tampered file fails.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, gateway, publishOverHttp, setupOrg, upload } from "./client";

let tokens: { reader: string; publisher: string; admin: string };
const PATH = "pulumi/bb-plug/bbtool";
const NAME = "bbtool";
const VERSION = "1.2.3";

beforeAll(async () => {
  tokens = await setupOrg("bb-plug");
  const schema = JSON.stringify({ name: NAME, version: VERSION, displayName: "BB tool", description: "plugin test" });
  const done = await publishOverHttp(tokens.publisher, "/api/registry", PATH, VERSION, schema);
  if (done.status !== 201) throw new Error(`publish: ${done.status} ${done.text}`);
});

/** A plugin archive as goreleaser makes one: the executable (a shell script here) at the root, made by tar. */
function buildArchive(platform: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "plugin-src-"));
  const exe = `pulumi-resource-${NAME}${platform.startsWith("windows") ? ".exe" : ""}`;
  writeFileSync(join(dir, exe), `#!/bin/sh\necho "${NAME} ${VERSION} ${platform}"\n`);
  chmodSync(join(dir, exe), 0o755);
  writeFileSync(join(dir, "PulumiPlugin.yaml"), "runtime: go\n");
  writeFileSync(join(dir, "LICENSE"), "Apache-2.0\n");
  const out = join(dir, "..", `${platform}-${Date.now()}.tar.gz`);
  execFileSync("tar", ["-czf", out, "-C", dir, exe, "PulumiPlugin.yaml", "LICENSE"]);
  return readFileSync(out);
}

async function attach(platforms: Record<string, Buffer>) {
  const start = await cli("POST", `/api/registry/packages/${PATH}/versions/${VERSION}/plugins`, { token: tokens.publisher, body: { platforms: Object.keys(platforms) } });
  expect(start.status).toBe(202);
  for (const [platform, bytes] of Object.entries(platforms)) expect(await upload(start.body.uploadURLs[platform], bytes, start.body.requiredHeaders ?? {})).toBe(200);
  return cli("POST", `/api/registry/packages/${PATH}/versions/${VERSION}/plugins/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
}

/** The CLI's https source (pkg/workspace/plugins.go): interpolate, drop a trailing '/', append the query-escaped file name, GET. */
async function installLikeTheCli(pluginDownloadURL: string, name: string, version: string, platform: string, dir: string) {
  const [os, arch] = platform.split("-") as [string, string];
  const base = pluginDownloadURL.replaceAll("${NAME}", name).replaceAll("${VERSION}", version).replaceAll("${OS}", os).replaceAll("${ARCH}", arch).replace(/\/$/, "");
  const file = `pulumi-resource-${name}-v${version}-${os}-${arch}.tar.gz`;
  const response = await fetch(`${base}/${encodeURIComponent(file)}`, { headers: { "User-Agent": `pulumi-cli/1 (v3.231.0; ${os})` }, redirect: "follow" });
  if (!response.ok) return { status: response.status };
  const body = Buffer.from(await response.arrayBuffer());
  // Go checks the body against Content-Length; a Content-Encoding would make it un-gzip and lose the length.
  expect(response.headers.get("content-encoding")).toBeNull();
  expect(Number(response.headers.get("content-length"))).toBe(body.length);
  const archive = join(dir, file);
  writeFileSync(archive, body);
  const target = join(dir, platform);
  mkdirSync(target);
  execFileSync("tar", ["-xzf", archive, "-C", target]);
  return { status: response.status, body, file, target };
}

describe("plugins through wrangler dev", () => {
  it("attached, then installed as the CLI's https source does; the SHA-256 matches the checksums published; minisign verifies SHA256SUMS", async () => {
    const linux = buildArchive("linux-amd64");
    const darwin = buildArchive("darwin-arm64");
    const done = await attach({ "linux-amd64": linux, "darwin-arm64": darwin });
    expect(done.status).toBe(201);

    const version = await cli("GET", `/api/preview/registry/packages/${PATH}/versions/latest`);
    expect(version.body.pluginDownloadURL).toBe(`${gateway()}/api/registry/packages/${PATH}/versions/${VERSION}/plugins`);
    const dir = mkdtempSync(join(tmpdir(), "plugin-install-"));
    const installed = await installLikeTheCli(version.body.pluginDownloadURL, NAME, VERSION, "linux-amd64", dir);
    expect(installed.status).toBe(200);
    const sha = createHash("sha256").update(installed.body!).digest("hex");
    expect(version.body.checksums).toEqual({ "darwin-arm64": createHash("sha256").update(darwin).digest("hex"), "linux-amd64": sha });
    const exe = join(installed.target!, `pulumi-resource-${NAME}`);
    expect(statSync(exe).mode & 0o111).not.toBe(0);
    expect(execFileSync(exe).toString()).toBe(`${NAME} ${VERSION} linux-amd64\n`);

    const absent = await installLikeTheCli(version.body.pluginDownloadURL, NAME, VERSION, "windows-arm64", dir);
    expect(absent.status).toBe(404);

    // SHA256SUMS + its signature + the published key: minisign -V, then sha256sum -c over the download.
    const sumsURL = `${version.body.pluginDownloadURL}/SHA256SUMS`;
    writeFileSync(join(dir, "SHA256SUMS"), await (await fetch(sumsURL)).text());
    writeFileSync(join(dir, "SHA256SUMS.minisig"), await (await fetch(`${sumsURL}.minisig`)).text());
    writeFileSync(join(dir, "plugin-signing.pub"), await (await fetch(`${gateway()}/.well-known/plugin-signing.pub`)).text());
    const verified = spawnSync("minisign", ["-V", "-p", "plugin-signing.pub", "-m", "SHA256SUMS"], { cwd: dir, encoding: "utf8" });
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`Trusted comment: edge-registry ${PATH} v${VERSION} SHA256SUMS`);
    const checked = spawnSync("sha256sum", ["--ignore-missing", "-c", "SHA256SUMS"], { cwd: dir, encoding: "utf8" });
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout).toContain(`${installed.file}: OK`);

    const sums = readFileSync(join(dir, "SHA256SUMS"), "utf8");
    writeFileSync(join(dir, "SHA256SUMS"), sums.replace(/[0-9a-f]/, (c) => (c === "0" ? "1" : "0")));
    const tampered = spawnSync("minisign", ["-V", "-p", "plugin-signing.pub", "-m", "SHA256SUMS"], { cwd: dir, encoding: "utf8" });
    expect(tampered.status).not.toBe(0);
    expect(tampered.stderr).toMatch(/Signature verification failed/);
  });

  it("refusals over HTTP: hostile archive, a reader token, another org; a deleted version's archives are gone", async () => {
    const strangers = await setupOrg("bb-plug-other");
    const start = await cli("POST", `/api/registry/packages/${PATH}/versions/${VERSION}/plugins`, { token: tokens.publisher, body: { platforms: ["linux-arm64"] } });
    const dir = mkdtempSync(join(tmpdir(), "plugin-evil-"));
    writeFileSync(join(dir, "evil"), "x");
    execFileSync("tar", ["-czf", join(dir, "evil.tar.gz"), "-C", dir, "--transform", "s,^,../,", "evil"]);
    expect(await upload(start.body.uploadURLs["linux-arm64"], readFileSync(join(dir, "evil.tar.gz")), start.body.requiredHeaders ?? {})).toBe(200);
    const refused = await cli("POST", `/api/registry/packages/${PATH}/versions/${VERSION}/plugins/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/'\.\.\/evil'/);
    expect((await cli("POST", `/api/registry/packages/${PATH}/versions/${VERSION}/plugins`, { token: tokens.reader, body: { platforms: ["linux-arm64"] } })).status).toBe(403);
    expect((await cli("POST", `/api/registry/packages/${PATH}/versions/${VERSION}/plugins`, { token: strangers.publisher, body: { platforms: ["linux-arm64"] } })).status).toBe(403);

    const file = `pulumi-resource-${NAME}-v${VERSION}-linux-amd64.tar.gz`;
    const url = `${gateway()}/api/registry/packages/${PATH}/versions/${VERSION}/plugins/${file}`;
    expect((await fetch(url)).status).toBe(200);
    expect((await cli("DELETE", `/api/registry/packages/${PATH}/versions/${VERSION}`, { token: tokens.publisher })).status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
  });

  it("a private package through the CLI's gitlab source: a registry token as GITLAB_TOKEN; absent without it or for another org", async () => {
    // The CLI's gitlab source always asks https://<host>; this stand-in asks http:// of the same host and
    // path with the same Bearer header. TLS is terminated in front of the Worker in production (wrangler dev's
    // --local-protocol https only adds a self-signed certificate the client would have to trust), so the
    // registry sees exactly these requests either way.
    const path = "private/bb-plug/bbpriv";
    const schema = JSON.stringify({ name: "bbpriv", version: "0.1.0", displayName: "BB private" });
    expect((await publishOverHttp(tokens.publisher, "/api/registry", path, "0.1.0", schema)).status).toBe(201);
    const start = await cli("POST", `/api/registry/packages/${path}/versions/0.1.0/plugins`, { token: tokens.publisher, body: { platforms: ["linux-amd64"] } });
    const dir = mkdtempSync(join(tmpdir(), "plugin-priv-"));
    writeFileSync(join(dir, "pulumi-resource-bbpriv"), "#!/bin/sh\necho private\n");
    chmodSync(join(dir, "pulumi-resource-bbpriv"), 0o755);
    execFileSync("tar", ["-czf", join(dir, "a.tar.gz"), "-C", dir, "pulumi-resource-bbpriv"]);
    const archive = readFileSync(join(dir, "a.tar.gz"));
    expect(await upload(start.body.uploadURLs["linux-amd64"], archive, start.body.requiredHeaders ?? {})).toBe(200);
    expect((await cli("POST", `/api/registry/packages/${path}/versions/0.1.0/plugins/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } })).status).toBe(201);

    const version = await cli("GET", `/api/registry/packages/${path}/versions/0.1.0`, { token: tokens.reader });
    const source = new URL(version.body.pluginDownloadURL);
    expect(source.protocol).toBe("gitlab:");
    expect(source.host).toBe(new URL(gateway()).host);
    const project = source.pathname.slice(1);
    expect(project).not.toContain("/");
    const base = `http://${source.host}/api/v4/projects/${project}`;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, "User-Agent": "pulumi-cli/1 (v3.231.0; linux)" });
    const latest = await fetch(`${base}/releases/permalink/latest`, { headers: bearer(tokens.reader) });
    expect(await latest.json()).toEqual({ tag_name: "v0.1.0" });
    const file = "pulumi-resource-bbpriv-v0.1.0-linux-amd64.tar.gz";
    const got = await fetch(`${base}/releases/v0.1.0/downloads/${encodeURIComponent(file)}`, { headers: bearer(tokens.reader) });
    expect(got.status).toBe(200);
    const body = Buffer.from(await got.arrayBuffer());
    expect(Number(got.headers.get("content-length"))).toBe(body.length);
    expect(got.headers.get("content-encoding")).toBeNull();
    expect(createHash("sha256").update(body).digest("hex")).toBe(version.body.checksums["linux-amd64"]);
    writeFileSync(join(dir, file), body);
    mkdirSync(join(dir, "out"));
    execFileSync("tar", ["-xzf", join(dir, file), "-C", join(dir, "out")]);
    expect(execFileSync(join(dir, "out", "pulumi-resource-bbpriv")).toString()).toBe("private\n");

    const strangers = await setupOrg("bb-plug-gl");
    const anonymous = await fetch(`${base}/releases/v0.1.0/downloads/${file}`);
    const otherOrg = await fetch(`${base}/releases/v0.1.0/downloads/${file}`, { headers: bearer(strangers.reader) });
    const wrong = await fetch(`${base}/releases/v0.1.0/downloads/${file}`, { headers: bearer("pul-not-a-token") });
    const absentPlatform = await fetch(`${base}/releases/v0.1.0/downloads/pulumi-resource-bbpriv-v0.1.0-darwin-arm64.tar.gz`, { headers: bearer(tokens.reader) });
    expect([anonymous.status, otherOrg.status, wrong.status, absentPlatform.status]).toEqual([404, 404, 401, 404]);
  });
});

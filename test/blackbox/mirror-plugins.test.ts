// Plugin archives of mirrored versions, against two `wrangler dev` servers: an upstream (this registry,
// with plugin archives attached, and versions whose pluginDownloadURL points at GitHub-style releases,
// at nothing, or at another host) and a mirror of it. A local Node server stands in for GitHub's releases
// API and get.pulumi.com, with a request log, so what the mirror fetched (and how often) is visible.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";
import { cli, publishOverHttp, setupOrg, upload } from "./client";

type DevServer = { url: string; adminToken: string; stop(): Promise<void> };

const PLATFORM = "linux-amd64";
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const fileOf = (name: string, version: string, platform = PLATFORM) => `pulumi-resource-${name}-v${version}-${platform}.tar.gz`;

/** A plugin archive made by the system's tar: the executable at the root (a shell script), a marker to tell archives apart. */
function buildArchive(name: string, marker: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "mirror-plugin-"));
  const exe = `pulumi-resource-${name}`;
  writeFileSync(join(dir, exe), `#!/bin/sh\necho "${name} ${marker}"\n`);
  chmodSync(join(dir, exe), 0o755);
  writeFileSync(join(dir, "PulumiPlugin.yaml"), "runtime: go\n");
  const out = join(dir, "plugin.tar.gz");
  execFileSync("tar", ["-czf", out, "-C", dir, exe, "PulumiPlugin.yaml"]);
  return readFileSync(out);
}

/**
 * GitHub's releases API (`/repos/<org>/<repo>/releases/tags/<tag>` → assets; an asset with
 * `Accept: application/octet-stream` → a redirect to its bytes), get.pulumi.com (`/releases/plugins/<file>`)
 * and a plain file host (`/files/<file>`), logging every request.
 */
class PluginHosts {
  readonly log: string[] = [];
  readonly releases = new Map<string, Record<string, Buffer>>();
  readonly getPulumi = new Map<string, Buffer>();
  readonly files = new Map<string, Buffer>();
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    const assets: Buffer[] = [];
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      this.log.push(`${req.method} ${path}${req.headers.authorization ? " (with Authorization)" : ""}`);
      const send = (status: number, body: Buffer | string, type = "application/octet-stream") => {
        res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
        res.end(body);
      };
      let m = /^\/repos\/([^/]+)\/([^/]+)\/releases\/tags\/([^/]+)$/.exec(path);
      if (m) {
        const release = this.releases.get(`${m[1]}/${m[2]}@${decodeURIComponent(m[3]!)}`);
        if (!release) return send(404, JSON.stringify({ message: "Not Found" }), "application/json");
        const listed = Object.entries(release).map(([name, bytes]) => {
          assets.push(bytes);
          return { name, url: `${this.url}/repos/${m![1]}/${m![2]}/releases/assets/${assets.length - 1}`, browser_download_url: `${this.url}/unused/${name}` };
        });
        return send(200, JSON.stringify({ tag_name: decodeURIComponent(m[3]!), assets: listed }), "application/json");
      }
      m = /^\/repos\/[^/]+\/[^/]+\/releases\/assets\/(\d+)$/.exec(path);
      if (m) {
        if (req.headers.accept !== "application/octet-stream") return send(200, "{}", "application/json");
        res.writeHead(302, { Location: `${this.url}/objects/${m[1]}` });
        return res.end();
      }
      m = /^\/objects\/(\d+)$/.exec(path);
      if (m && assets[Number(m[1])]) return send(200, assets[Number(m[1])]!);
      m = /^\/releases\/plugins\/([^/]+)$/.exec(path);
      if (m && this.getPulumi.has(decodeURIComponent(m[1]!))) return send(200, this.getPulumi.get(decodeURIComponent(m[1]!))!);
      m = /^\/files\/([^/]+)$/.exec(path);
      if (m && this.files.has(decodeURIComponent(m[1]!))) return send(200, this.files.get(decodeURIComponent(m[1]!))!);
      send(404, "not found", "text/plain");
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const hosts = new PluginHosts();
let upstream: DevServer;
let mirror: DevServer;
let mirrorTokens: { reader: string; publisher: string; admin: string };
let upstreamTokens: { reader: string; publisher: string; admin: string };
const archives = {
  hosted: buildArchive("hosted", "upstream-hosted"),
  ghtool: buildArchive("ghtool", "github-release"),
  plain: buildArchive("plain", "get-pulumi"),
  badsumAttached: buildArchive("badsum", "attached-upstream"),
  badsumServed: buildArchive("badsum", "served-elsewhere"),
};

function logFor(name: string) {
  const path = join(process.cwd(), ".tmp", `blackbox-${name}.log`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, "");
  return (line: string) => appendFileSync(path, line + "\n");
}

/** Attaches archives to a version on the upstream, as a publisher does (start, presigned PUTs, complete). */
async function attachOnUpstream(token: string, path: string, version: string, platforms: Record<string, Buffer>) {
  const base = `${upstream.url}/api/registry/packages/${path}/versions/${version}/plugins`;
  const start = await cli("POST", base, { token, body: { platforms: Object.keys(platforms) } });
  if (start.status !== 202) throw new Error(`attach start: ${start.status} ${start.text}`);
  for (const [platform, bytes] of Object.entries(platforms)) expect(await upload(start.body.uploadURLs[platform], bytes, start.body.requiredHeaders ?? {})).toBe(200);
  const done = await cli("POST", `${base}/complete`, { token, body: { operationID: start.body.operationID } });
  if (done.status !== 201) throw new Error(`attach complete: ${done.status} ${done.text}`);
}

const schemaOf = (name: string, version: string, pluginDownloadURL?: string) =>
  JSON.stringify({ name, version, displayName: name, description: "mirror plugin test", ...(pluginDownloadURL ? { pluginDownloadURL } : {}) });

/** A download exactly as the CLI's https source makes it; the body must match its Content-Length, with no Content-Encoding. */
async function download(url: string) {
  const response = await fetch(url, { headers: { "User-Agent": "pulumi-cli/1 (v3.231.0; linux)" } });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.ok) {
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(Number(response.headers.get("content-length"))).toBe(body.length);
  }
  return { status: response.status, body, text: body.toString("utf8") };
}

/** A version's answer on the mirror, read with a token (never an edge-cached answer). */
const mirrorAnswer = (name: string, version: string) => cli("GET", mirrorVersion(name, version), { token: mirrorTokens.reader });
const mirrorVersion = (name: string, version: string) => `${mirror.url}/api/registry/packages/pulumi/pulumi/${name}/versions/${version}`;

beforeAll(async () => {
  await hosts.start();
  upstream = await startDevServer({ name: "mirror-plugins-upstream", uploadMode: "r2", log: logFor("mirror-plugins-upstream") });
  const config = [
    {
      id: "up",
      url: `${upstream.url}/api/registry`,
      serves: ["pulumi/pulumi/*"],
      org: "pulumi",
      plugins: { github: hosts.url, getPulumi: `${hosts.url}/releases/plugins`, hosts: [new URL(hosts.url).host] },
    },
  ];
  mirror = await startDevServer({
    name: "mirror-plugins-mirror",
    uploadMode: "r2",
    vars: { MIRROR_UPSTREAMS: JSON.stringify(config), MIRROR_ALLOW_LOCAL_HTTP: "true" },
    log: logFor("mirror-plugins-mirror"),
  });
  mirrorTokens = await setupOrg("pulumi", mirror);

  const tokens = (upstreamTokens = await setupOrg("pulumi", upstream));
  const publish = async (name: string, version: string, pluginDownloadURL?: string) => {
    const done = await publishOverHttp(tokens.publisher, `${upstream.url}/api/registry`, `pulumi/pulumi/${name}`, version, schemaOf(name, version, pluginDownloadURL));
    if (done.status !== 201) throw new Error(`publish ${name}: ${done.status} ${done.text}`);
  };
  await publish("hosted", "1.0.0");
  await attachOnUpstream(tokens.publisher, "pulumi/pulumi/hosted", "1.0.0", { [PLATFORM]: archives.hosted });
  await publish("ghtool", "1.0.0", "github://api.github.com/acme");
  hosts.releases.set("acme/pulumi-ghtool@v1.0.0", { [fileOf("ghtool", "1.0.0")]: archives.ghtool });
  await publish("plain", "2.0.0");
  hosts.getPulumi.set(fileOf("plain", "2.0.0"), archives.plain);
  await publish("badsum", "1.0.0", `${hosts.url}/files`);
  await attachOnUpstream(tokens.publisher, "pulumi/pulumi/badsum", "1.0.0", { [PLATFORM]: archives.badsumAttached });
  hosts.files.set(fileOf("badsum", "1.0.0"), archives.badsumServed);
}, 240_000);

afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop(), hosts.stop()]);
});

describe("plugin archives of mirrored versions", () => {
  it("an archive hosted on the upstream registry: fetched on the first download, verified against the upstream's checksum, then listed, summed and served from here", async () => {
    const upstreamAnswer = await cli("GET", `${upstream.url}/api/registry/packages/pulumi/pulumi/hosted/versions/1.0.0`);
    expect(upstreamAnswer.body.checksums[PLATFORM]).toBe(sha256(archives.hosted));

    const answer = await mirrorAnswer("hosted", "1.0.0");
    expect(answer.status).toBe(200);
    expect(answer.body.pluginDownloadURL).toBe(`${mirrorVersion("hosted", "1.0.0")}/plugins`);
    const before = await cli("GET", `${mirrorVersion("hosted", "1.0.0")}/plugins`);
    expect(before.body.plugins).toEqual([]);

    const first = await download(`${answer.body.pluginDownloadURL}/${fileOf("hosted", "1.0.0")}`);
    expect(first.status).toBe(200);
    expect(sha256(first.body)).toBe(sha256(archives.hosted));

    const listed = await cli("GET", `${mirrorVersion("hosted", "1.0.0")}/plugins`);
    expect(listed.body.plugins).toHaveLength(1);
    expect(listed.body.plugins[0]).toMatchObject({ platform: PLATFORM, file: fileOf("hosted", "1.0.0"), size: archives.hosted.length, sha256: sha256(archives.hosted) });
    const sums = await cli("GET", `${mirrorVersion("hosted", "1.0.0")}/plugins/SHA256SUMS`);
    expect(sums.text).toBe(`${sha256(archives.hosted)}  ${fileOf("hosted", "1.0.0")}\n`);
    const after = await mirrorAnswer("hosted", "1.0.0");
    expect(after.body.checksums).toEqual({ [PLATFORM]: sha256(archives.hosted) });
    expect(after.body.provenance.plugins[PLATFORM]).toMatchObject({
      url: `${upstream.url}/api/registry/packages/pulumi/pulumi/hosted/versions/1.0.0/plugins/${fileOf("hosted", "1.0.0")}`,
      size: archives.hosted.length,
      sha256: sha256(archives.hosted),
    });

    const second = await download(`${answer.body.pluginDownloadURL}/${fileOf("hosted", "1.0.0")}`);
    expect(second.status).toBe(200);
    expect(second.body.equals(first.body)).toBe(true);
    // The upstream has no archive for this platform: a plain 404.
    const absent = await download(`${answer.body.pluginDownloadURL}/${fileOf("hosted", "1.0.0", "darwin-arm64")}`);
    expect(absent.status).toBe(404);
  });

  it("a github:// source: concurrent first downloads fetch the release asset once; later downloads are served from here", async () => {
    hosts.log.length = 0;
    const url = `${mirrorVersion("ghtool", "1.0.0")}/plugins/${fileOf("ghtool", "1.0.0")}`;
    const [a, b] = await Promise.all([download(url), download(url)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(sha256(a.body)).toBe(sha256(archives.ghtool));
    expect(b.body.equals(a.body)).toBe(true);
    const again = await download(url);
    expect(again.status).toBe(200);
    expect(hosts.log).toEqual(["GET /repos/acme/pulumi-ghtool/releases/tags/v1.0.0", "GET /repos/acme/pulumi-ghtool/releases/assets/0", "GET /objects/0"]);
    // Through the override route the CLI's github:// source is sent to: the stored archive, no new fetch.
    const overridden = await download(`${mirror.url}/api/mirror/plugins/pulumi/pulumi/ghtool/${fileOf("ghtool", "1.0.0")}`);
    expect(overridden.status).toBe(200);
    expect(overridden.body.equals(a.body)).toBe(true);
    expect(hosts.log).toHaveLength(3);
    const answer = await mirrorAnswer("ghtool", "1.0.0");
    expect(answer.body.provenance.plugins[PLATFORM].url).toBe(`${hosts.url}/repos/acme/pulumi-ghtool/releases/assets/0`);
  });

  it("an empty pluginDownloadURL, through the get.pulumi.com override route (which pulls the version through first): GitHub's pulumi/pulumi-<name> (absent), then get.pulumi.com", async () => {
    hosts.log.length = 0;
    const file = fileOf("plain", "2.0.0");
    const served = await download(`${mirror.url}/api/mirror/get.pulumi.com/${file}`);
    expect(served.status).toBe(200);
    expect(sha256(served.body)).toBe(sha256(archives.plain));
    expect(hosts.log).toEqual(["GET /repos/pulumi/pulumi-plain/releases/tags/v2.0.0", `GET /releases/plugins/${file}`]);
    const listed = await cli("GET", `${mirrorVersion("plain", "2.0.0")}/plugins`);
    expect(listed.body.plugins.map((p: { sha256: string }) => p.sha256)).toEqual([sha256(archives.plain)]);
    // A file name that is not an archive of this package: 404 without asking anyone.
    expect((await download(`${mirror.url}/api/mirror/plugins/pulumi/pulumi/plain/pulumi-resource-other-v2.0.0-linux-amd64.tar.gz`)).status).toBe(404);
    expect((await download(`${mirror.url}/api/mirror/get.pulumi.com/README.md`)).status).toBe(404);
    expect(hosts.log).toHaveLength(2);
  });

  it("the override routes pull an unmirrored version through before its plugin", async () => {
    hosts.log.length = 0;
    // hosted@1.0.0 is mirrored; a fresh upstream version is not, until the override route asks for it.
    const done = await publishOverHttp(upstreamTokens.publisher, `${upstream.url}/api/registry`, "pulumi/pulumi/hosted", "1.1.0", schemaOf("hosted", "1.1.0"));
    expect(done.status).toBe(201);
    const archive = buildArchive("hosted", "one-one");
    await attachOnUpstream(upstreamTokens.publisher, "pulumi/pulumi/hosted", "1.1.0", { [PLATFORM]: archive });
    const served = await download(`${mirror.url}/api/mirror/get.pulumi.com/${fileOf("hosted", "1.1.0")}`);
    expect(served.status).toBe(200);
    expect(sha256(served.body)).toBe(sha256(archive));
    const answer = await mirrorAnswer("hosted", "1.1.0");
    expect(answer.body.provenance.upstream).toBe("up");
    expect(answer.body.checksums).toEqual({ [PLATFORM]: sha256(archive) });
    expect(hosts.log).toEqual([]);
  });

  it("an archive that disagrees with the upstream's checksum: 502, nothing stored", async () => {
    hosts.log.length = 0;
    const url = `${mirrorVersion("badsum", "1.0.0")}/plugins/${fileOf("badsum", "1.0.0")}`;
    const refused = await download(url);
    expect(refused.status).toBe(502);
    expect(JSON.parse(refused.text).message).toContain(`the upstream's checksum is ${sha256(archives.badsumAttached)}`);
    expect(hosts.log).toEqual([`GET /files/${fileOf("badsum", "1.0.0")}`]);
    const listed = await cli("GET", `${mirrorVersion("badsum", "1.0.0")}/plugins`);
    expect(listed.body.plugins).toEqual([]);
    expect((await cli("GET", `${mirrorVersion("badsum", "1.0.0")}/plugins/SHA256SUMS`)).status).toBe(404);
    const answer = await mirrorAnswer("badsum", "1.0.0");
    expect(answer.body.checksums).toBeUndefined();
    expect(answer.body.provenance.plugins).toBeUndefined();
    // Asked again within failureHoldSeconds: the same 502 from memory, nothing fetched, still nothing stored.
    const again = await download(url);
    expect(again.status).toBe(502);
    expect(JSON.parse(again.text).message).toMatch(/the upstream's checksum is .*remembered/);
    expect(hosts.log).toHaveLength(1);
    expect((await cli("GET", `${mirrorVersion("badsum", "1.0.0")}/plugins`)).body.plugins).toEqual([]);
  });

  it("a mirrored version refuses a plugin attach by a token of the org that owns it (409)", async () => {
    const start = await cli("POST", `${mirrorVersion("hosted", "1.0.0")}/plugins`, { token: mirrorTokens.publisher, body: { platforms: ["darwin-arm64"] } });
    expect(start.status).toBe(409);
    expect(start.body.message).toContain("mirrored from upstream 'up'");
  });
});

// The stand-ins the mirror's black-box tests use as upstreams: checked here, against what Pulumi's registry API
// and plugin hosts answer (spec/api.md §3-4, spec/ga-registry.md §1, spec/plugins.md §1), so they can be trusted.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pluginFileName, startPluginHostsStandIn, type PluginHostsStandIn } from "./stand-ins/plugin-hosts";
import { providerSchema } from "./stand-ins/provider-schema";
import { startRegistryStandIn, type RegistryStandIn } from "./stand-ins/pulumi-registry";

async function get(url: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
  const response = await fetch(url, { headers: { Accept: "application/vnd.pulumi+9", ...headers }, ...init });
  const bytes = Buffer.from(await response.arrayBuffer());
  let body: any;
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, bytes, body };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("the upstream registry stand-in", () => {
  let registry: RegistryStandIn;
  const versions = ["1.0.0", "1.2.0", "2.0.0", "2.1.0-beta.1", "0.9.0"];

  beforeAll(async () => {
    registry = await startRegistryStandIn();
    for (const version of versions) {
      registry.addPackage({
        publisher: "acme",
        schema: providerSchema({ name: "widgets", version, pluginDownloadURL: "https://plugins.example.com/widgets" }),
        readme: `# widgets ${version}\n`,
        createdAt: "2026-05-07T04:25:34.582Z",
      });
    }
    registry.addPackage({ publisher: "other", schema: providerSchema({ name: "Widgets", version: "3.0.0", keywords: ["category/database", "kind/component"] }) });
    registry.addPackage({ publisher: "acme", schema: providerSchema({ name: "gadgets", version: "0.1.0-alpha.2" }) });
    registry.addPackage({ publisher: "acme", schema: providerSchema({ name: "gadgets", version: "0.1.0-alpha.10" }) });
  });
  afterAll(() => registry.close());

  it("answers a version as Pulumi's PackageMetadata, with artifact URLs that serve the bytes with a Content-Length", async () => {
    expect(registry.url).toBe(`${registry.origin}/api/registry`);
    const r = await get(`${registry.url}/packages/pulumi/acme/widgets/versions/1.2.0`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(Object.keys(r.body).sort()).toEqual(
      ["name", "publisher", "source", "version", "title", "description", "repoUrl", "category", "isFeatured", "packageTypes", "packageStatus", "readmeURL", "schemaURL", "pluginDownloadURL", "createdAt", "visibility"].sort(),
    );
    expect(r.body).toMatchObject({
      name: "widgets",
      publisher: "acme",
      source: "pulumi",
      version: "1.2.0",
      title: "Widgets",
      description: "A provider for widgets.",
      repoUrl: "https://github.com/example/pulumi-widgets",
      category: "cloud",
      isFeatured: false,
      packageTypes: ["native"],
      packageStatus: "ga",
      pluginDownloadURL: "https://plugins.example.com/widgets",
      createdAt: "2026-05-07T04:25:34.582Z",
      visibility: "public",
    });
    expect(r.body.readmeURL.startsWith(`${registry.origin}/artifacts/`)).toBe(true);
    const schema = await get(r.body.schemaURL);
    expect(schema.status).toBe(200);
    expect(Number(schema.headers.get("content-length"))).toBe(schema.bytes.length);
    expect(schema.body).toMatchObject({ name: "widgets", version: "1.2.0" });
    expect(Object.keys(schema.body.resources)).toEqual(["widgets:index:Widget0", "widgets:index:Widget1"]);
    expect(schema.bytes.equals(registry.artifacts("pulumi/acme/widgets", "1.2.0").schema)).toBe(true);
    const readme = await get(r.body.readmeURL);
    expect(readme.bytes.toString()).toBe("# widgets 1.2.0\n");
    expect(Number(readme.headers.get("content-length"))).toBe(readme.bytes.length);
    expect((await get(`${registry.url}/packages/pulumi/acme/widgets/versions/0.9.0`)).body.packageStatus).toBe("public_preview");
    expect((await get(`${registry.origin}/api/preview/registry/packages/pulumi/acme/widgets/versions/1.0.0`)).body.version).toBe("1.0.0");
  });

  it("resolves latest to the highest non-prerelease, or the highest prerelease when there is none", async () => {
    expect((await get(`${registry.url}/packages/pulumi/acme/widgets/versions/latest`)).body.version).toBe("2.0.0");
    expect((await get(`${registry.url}/packages/pulumi/acme/gadgets/versions/latest`)).body.version).toBe("0.1.0-alpha.10");
  });

  it("answers 404 in Pulumi's error shape for what it does not have", async () => {
    for (const path of ["pulumi/acme/widgets/versions/9.9.9", "pulumi/acme/absent/versions/latest", "opentofu/acme/widgets/versions/1.0.0"]) {
      const r = await get(`${registry.url}/packages/${path}`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe(404);
      expect(typeof r.body.message).toBe("string");
    }
    expect((await get(`${registry.url}/packages/pulumi/acme/widgets/versions/9.9.9`)).body.message).toBe("package version 'pulumi/acme/widgets@9.9.9' not found");
    expect((await get(`${registry.url}/packages/pulumi/acme/absent/versions`)).status).toBe(404);
  });

  it("lists a package's versions newest first, paged by limit with tokens of [A-Za-z0-9_-] and none on the last page", async () => {
    const all = await get(`${registry.url}/packages/pulumi/acme/widgets/versions`);
    expect(all.body.packages.map((p: any) => p.version)).toEqual(["2.1.0-beta.1", "2.0.0", "1.2.0", "1.0.0", "0.9.0"]);
    expect("continuationToken" in all.body).toBe(false);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await get(`${registry.url}/packages/pulumi/acme/widgets/versions?limit=2${token ? `&continuationToken=${token}` : ""}`);
      expect(r.status).toBe(200);
      expect(r.body.packages.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.packages.map((p: any) => p.version));
      token = r.body.continuationToken;
      if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(["2.1.0-beta.1", "2.0.0", "1.2.0", "1.0.0", "0.9.0"]);
    expect((await get(`${registry.url}/packages/pulumi/acme/widgets/versions?limit=0`)).status).toBe(400);
    expect((await get(`${registry.url}/packages/pulumi/acme/widgets/versions?continuationToken=bogus`)).status).toBe(400);
    const first = await get(`${registry.url}/packages/pulumi/acme/widgets/versions?limit=1`);
    expect((await get(`${registry.url}/packages/pulumi/acme/gadgets/versions?continuationToken=${first.body.continuationToken}`)).status).toBe(400);
  });

  it("lists packages by name: one entry per package at its latest, name matched on the canonical form, paged", async () => {
    const r = await get(`${registry.url}/packages?name=widgets`);
    expect(r.status).toBe(200);
    expect(r.body.packages.map((p: any) => `${p.publisher}/${p.name}@${p.version}`)).toEqual(["acme/widgets@2.0.0", "other/Widgets@3.0.0"]);
    expect(r.body.packages[1]).toMatchObject({ category: "database", packageTypes: ["component"] });
    const page1 = await get(`${registry.url}/packages?name=widgets&limit=1`);
    expect(page1.body.packages).toHaveLength(1);
    const page2 = await get(`${registry.url}/packages?name=widgets&limit=1&continuationToken=${page1.body.continuationToken}`);
    expect(page2.body.packages.map((p: any) => p.publisher)).toEqual(["other"]);
    expect(page2.body.continuationToken).toBeUndefined();
    expect((await get(`${registry.url}/packages?name=absent`)).body).toEqual({ packages: [] });
  });

  it("serves the readme and installation docs routes as JSON, or markdown when asked", async () => {
    const local = await startRegistryStandIn();
    try {
      local.addPackage({ publisher: "acme", schema: providerSchema({ name: "docs", version: "1.0.0" }), readme: "# docs\n", installation: "npm i docs\n" });
      local.addPackage({ publisher: "acme", schema: providerSchema({ name: "docs", version: "1.1.0" }) });
      const base = `${local.url}/packages/pulumi/acme/docs/versions`;
      expect((await get(`${base}/1.0.0/readme`)).body).toMatchObject({ content: [{ kind: "text", markdown: "# docs\n" }], version: "1.0.0" });
      expect((await get(`${base}/1.0.0/installation`, { Accept: "text/markdown" })).bytes.toString()).toBe("npm i docs\n");
      expect((await get(`${base}/1.1.0/installation`)).status).toBe(404);
    } finally {
      await local.close();
    }
  });

  it("removes versions and deprecates as this registry does: `deprecation` on the answer, latest moved off a deprecated version", async () => {
    const local = await startRegistryStandIn();
    try {
      for (const version of ["1.0.0", "1.1.0", "2.0.0"]) local.addPackage({ publisher: "acme", schema: providerSchema({ name: "dep", version }) });
      const path = "pulumi/acme/dep";
      local.deprecate(path, { version: "2.0.0", message: "regression", replacement: "pulumi/acme/dep@1.1.0", deprecatedAt: "2026-06-01T00:00:00.000Z" });
      const pinned = await get(`${local.url}/packages/${path}/versions/2.0.0`);
      expect(pinned.body.deprecation).toEqual({ message: "regression", replacement: "pulumi/acme/dep@1.1.0", deprecatedAt: "2026-06-01T00:00:00.000Z" });
      expect((await get(`${local.url}/packages/${path}/versions/latest`)).body.version).toBe("1.1.0");
      expect((await get(`${local.url}/packages/${path}/versions/1.0.0`)).body.deprecation).toBeUndefined();
      local.deprecate(path, { message: "use another", deprecatedAt: "2026-06-02T00:00:00.000Z" });
      expect((await get(`${local.url}/packages/${path}/versions/1.0.0`)).body.deprecation).toEqual({ message: "use another", deprecatedAt: "2026-06-02T00:00:00.000Z" });
      local.undeprecate(path);
      local.undeprecate(path, "2.0.0");
      expect((await get(`${local.url}/packages/${path}/versions/latest`)).body.version).toBe("2.0.0");
      expect((await get(`${local.url}/packages/${path}/versions/2.0.0`)).body.deprecation).toBeUndefined();

      local.removeVersion(path, "2.0.0");
      expect((await get(`${local.url}/packages/${path}/versions/2.0.0`)).status).toBe(404);
      expect((await get(`${local.url}/packages/${path}/versions/latest`)).body.version).toBe("1.1.0");
      local.removeVersion(path, "1.1.0");
      local.removeVersion(path, "1.0.0");
      expect((await get(`${local.url}/packages/${path}/versions`)).status).toBe(404);
      expect((await get(`${local.url}/packages?name=dep`)).body.packages).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it("with a token: every route needs `Authorization: token <t>`, versions are private, and artifacts on a separate origin need none", async () => {
    const secured = await startRegistryStandIn({ token: "up-secret" });
    const split = await startRegistryStandIn({ token: "up-secret", separateArtifactOrigin: true });
    try {
      for (const s of [secured, split]) s.addPackage({ publisher: "acme", schema: providerSchema({ name: "priv", version: "1.0.0" }) });
      const url = `${secured.url}/packages/pulumi/acme/priv/versions/latest`;
      for (const headers of [{}, { Authorization: "token wrong" }, { Authorization: "Bearer up-secret" }] as Array<Record<string, string>>) {
        const r = await get(url, headers);
        expect(r.status).toBe(401);
        expect(r.body.code).toBe(401);
      }
      const ok = await get(url, { Authorization: "token up-secret" });
      expect(ok.status).toBe(200);
      expect(ok.body.visibility).toBe("private");
      expect((await get(`${secured.url}/packages?name=priv`)).status).toBe(401);
      expect((await get(ok.body.schemaURL)).status).toBe(401);
      expect((await get(ok.body.schemaURL, { Authorization: "token up-secret" })).status).toBe(200);
      expect(secured.requests.map((r) => r.authorization)).toEqual([undefined, "token wrong", "Bearer up-secret", "token up-secret", undefined, undefined, "token up-secret"]);

      const meta = await get(`${split.url}/packages/pulumi/acme/priv/versions/1.0.0`, { Authorization: "token up-secret" });
      expect(split.artifactOrigin).not.toBe(split.origin);
      expect(meta.body.schemaURL.startsWith(`${split.artifactOrigin}/`)).toBe(true);
      expect((await get(meta.body.schemaURL)).status).toBe(200);
      expect(split.requests.map((r) => [r.host, r.authorization])).toEqual([
        ["api", "token up-secret"],
        ["artifacts", undefined],
      ]);
    } finally {
      await Promise.all([secured.close(), split.close()]);
    }
  });

  describe("faults", () => {
    let faulty: RegistryStandIn;
    let versionUrl: string;
    beforeAll(async () => {
      faulty = await startRegistryStandIn();
      faulty.addPackage({ publisher: "acme", schema: providerSchema({ name: "flaky", version: "1.0.0", resources: 40 }) });
      versionUrl = `${faulty.url}/packages/pulumi/acme/flaky/versions/1.0.0`;
    });
    afterAll(() => faulty.close());

    it("down: the connection is dropped without an answer, once", async () => {
      faulty.fault({ type: "down" }, { times: 1 });
      await expect(fetch(versionUrl)).rejects.toThrow();
      expect((await get(versionUrl)).status).toBe(200);
      expect(faulty.requests.slice(-2).map((r) => r.fault)).toEqual(["down", undefined]);
    });

    it("status and 429: Pulumi's error shape, Retry-After on the 429; persistent until cleared, counting hits", async () => {
      const fault = faulty.fault({ type: "status", status: 503 });
      for (let i = 0; i < 2; i++) {
        const r = await get(versionUrl);
        expect(r.status).toBe(503);
        expect(r.body.code).toBe(503);
      }
      expect(fault.hits).toBe(2);
      fault.clear();
      expect((await get(versionUrl)).status).toBe(200);
      faulty.fault({ type: "429", retryAfter: 7 }, { times: 1 });
      const limited = await get(versionUrl);
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("7");
      expect(limited.body.code).toBe(429);
      expect((await get(versionUrl)).status).toBe(200);
    });

    it("a path pattern limits a fault to the requests it matches", async () => {
      const fault = faulty.fault({ type: "status", status: 500 }, { path: "/api/registry/packages/*/versions/latest" });
      expect((await get(`${faulty.url}/packages/pulumi/acme/flaky/versions/latest`)).status).toBe(500);
      expect((await get(versionUrl)).status).toBe(200);
      fault.clear();
      const regex = faulty.fault({ type: "status", status: 502 }, { path: /\/artifacts\/.*schema\.json$/, times: 1 });
      const meta = await get(versionUrl);
      expect(meta.status).toBe(200);
      expect((await get(meta.body.schemaURL)).status).toBe(502);
      expect((await get(meta.body.readmeURL)).status).toBe(200);
      expect(regex.hits).toBe(1);
    });

    it("slow: the answer comes after the others, and is the normal one", async () => {
      faulty.fault({ type: "slow", ms: 300 }, { path: "*/versions/1.0.0", times: 1 });
      const order: string[] = [];
      const slow = get(versionUrl).then((r) => {
        order.push("slow");
        return r;
      });
      // Wait until the slow request has arrived, then make a fast one.
      while (!faulty.requests.some((r) => r.fault === "slow")) await new Promise((resolve) => setTimeout(resolve, 10));
      await get(`${faulty.url}/packages/pulumi/acme/flaky/versions/latest`).then(() => order.push("fast"));
      const r = await slow;
      expect(order).toEqual(["fast", "slow"]);
      expect(r.status).toBe(200);
      expect(r.body.version).toBe("1.0.0");
    });

    it("truncate: the Content-Length promises more than arrives, and the body fails to read", async () => {
      const meta = await get(versionUrl);
      faulty.fault({ type: "truncate" }, { path: /schema\.json$/, times: 1 });
      const response = await fetch(meta.body.schemaURL);
      expect(response.status).toBe(200);
      expect(Number(response.headers.get("content-length"))).toBe(faulty.artifacts("pulumi/acme/flaky", "1.0.0").schema.length);
      await expect(response.arrayBuffer()).rejects.toThrow();
    });

    it("wrongBytes: a schema of another version (or the bytes given), with a matching Content-Length", async () => {
      const meta = await get(versionUrl);
      faulty.fault({ type: "wrongBytes" }, { path: /schema\.json$/, times: 1 });
      const wrong = await get(meta.body.schemaURL);
      expect(wrong.status).toBe(200);
      expect(wrong.body.name).toBe("flaky");
      expect(wrong.body.version).not.toBe("1.0.0");
      expect(Number(wrong.headers.get("content-length"))).toBe(wrong.bytes.length);
      faulty.fault({ type: "wrongBytes" }, { path: /versions\/1\.0\.0$/, times: 1 });
      expect((await get(versionUrl)).body.version).not.toBe("1.0.0");
      faulty.fault({ type: "wrongBytes", body: "not json" }, { path: /readme\.md$/, times: 1 });
      expect((await get(meta.body.readmeURL)).bytes.toString()).toBe("not json");
      expect((await get(meta.body.schemaURL)).body.version).toBe("1.0.0");
    });
  });
});

describe("the plugin hosts stand-in", () => {
  let hosts: PluginHostsStandIn;
  beforeAll(async () => {
    hosts = await startPluginHostsStandIn();
    hosts.addPlugin({ name: "widgets", version: "1.2.0" });
    hosts.addPlugin({ name: "gadgets", version: "2.0.0+build.5", platforms: ["linux-amd64", "windows-amd64"], org: "acme", repo: "gadgets-provider", github: true, getPulumi: true });
  });
  afterAll(() => hosts.close());

  it("serves GitHub's release by tag, whose asset URL redirects (302) to another host that serves the archive", async () => {
    const release = await get(`${hosts.githubApi}/repos/pulumi/pulumi-widgets/releases/tags/v1.2.0`, { Accept: "application/vnd.github+json" });
    expect(release.status).toBe(200);
    expect(release.body.tag_name).toBe("v1.2.0");
    expect(release.body.assets).toHaveLength(6);
    const file = pluginFileName("widgets", "1.2.0", "linux-amd64");
    const asset = release.body.assets.find((a: any) => a.name === file);
    expect(asset).toMatchObject({ name: file, size: hosts.archive("widgets", "1.2.0", "linux-amd64")!.size });
    expect(typeof asset.url).toBe("string");
    expect(typeof asset.browser_download_url).toBe("string");

    const redirect = await fetch(asset.url, { headers: { Accept: "application/octet-stream" }, redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")!.startsWith(`${hosts.objectsOrigin}/`)).toBe(true);
    await redirect.arrayBuffer();

    const followed = await get(asset.url, { Accept: "application/octet-stream", Authorization: "token gh-token" });
    expect(followed.status).toBe(200);
    expect(Number(followed.headers.get("content-length"))).toBe(followed.bytes.length);
    expect(sha256(followed.bytes)).toBe(hosts.sha256("widgets", "1.2.0", "linux-amd64"));
    // The redirect crossed to another origin: the client dropped the token, as Go's does.
    expect(hosts.requests.slice(-2).map((r) => [r.host, r.authorization])).toEqual([
      ["github", "token gh-token"],
      ["objects", undefined],
    ]);
    const viaBrowserUrl = await get(asset.browser_download_url);
    expect(sha256(viaBrowserUrl.bytes)).toBe(hosts.sha256("widgets", "1.2.0", "linux-amd64"));
    const assetJson = await get(asset.url, { Accept: "application/vnd.github+json" });
    expect(assetJson.body.name).toBe(file);

    const other = await get(`${hosts.githubApi}/repos/acme/gadgets-provider/releases/tags/v2.0.0+build.5`);
    expect(other.body.assets.map((a: any) => a.name).sort()).toEqual(["pulumi-resource-gadgets-v2.0.0+build.5-linux-amd64.tar.gz", "pulumi-resource-gadgets-v2.0.0+build.5-windows-amd64.tar.gz"]);
    const missing = await get(`${hosts.githubApi}/repos/pulumi/pulumi-widgets/releases/tags/v9.9.9`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe("Not Found");
  });

  it("serves get.pulumi.com's releases/plugins/<file>, query-escaped as the CLI asks, with a Content-Length and no Content-Encoding", async () => {
    const r = await get(`${hosts.getPulumi}/${encodeURIComponent(pluginFileName("gadgets", "2.0.0+build.5", "windows-amd64"))}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-encoding")).toBeNull();
    expect(Number(r.headers.get("content-length"))).toBe(r.bytes.length);
    expect(sha256(r.bytes)).toBe(hosts.sha256("gadgets", "2.0.0+build.5", "windows-amd64"));
    expect((await get(`${hosts.getPulumi}/${pluginFileName("widgets", "9.9.9", "linux-amd64")}`)).status).toBe(404);
  });

  it("archives are gzip tars holding the executable at the root (with .exe on Windows) and a PulumiPlugin.yaml", () => {
    const dir = mkdtempSync(join(tmpdir(), "stand-in-plugin-"));
    const linux = join(dir, "linux.tar.gz");
    writeFileSync(linux, hosts.archive("widgets", "1.2.0", "linux-amd64")!.bytes);
    const listing = execFileSync("tar", ["-tzf", linux]).toString().trim().split("\n").sort();
    expect(listing).toEqual(["LICENSE", "PulumiPlugin.yaml", "README.md", "pulumi-resource-widgets"]);
    execFileSync("tar", ["-xzf", linux, "-C", dir]);
    const exe = join(dir, "pulumi-resource-widgets");
    expect(statSync(exe).mode & 0o111).not.toBe(0);
    expect(execFileSync(exe).toString()).toBe("widgets 1.2.0 linux-amd64\n");
    expect(readFileSync(join(dir, "PulumiPlugin.yaml"), "utf8")).toBe("runtime: go\n");
    const windows = join(dir, "windows.tar.gz");
    writeFileSync(windows, hosts.archive("gadgets", "2.0.0+build.5", "windows-amd64")!.bytes);
    expect(execFileSync("tar", ["-tzf", windows]).toString()).toContain("pulumi-resource-gadgets.exe\n");
  });

  it("with a GitHub token: none → 404, another → 401 Bad credentials, the right one → 200", async () => {
    const secured = await startPluginHostsStandIn({ githubToken: "gh-secret" });
    try {
      secured.addPlugin({ name: "priv", version: "1.0.0", platforms: ["linux-amd64"] });
      const url = `${secured.githubApi}/repos/pulumi/pulumi-priv/releases/tags/v1.0.0`;
      expect((await get(url)).status).toBe(404);
      expect((await get(url, { Authorization: "token nope" })).status).toBe(401);
      const ok = await get(url, { Authorization: "token gh-secret" });
      expect(ok.status).toBe(200);
      const bytes = await get(ok.body.assets[0].url, { Authorization: "token gh-secret", Accept: "application/octet-stream" });
      expect(sha256(bytes.bytes)).toBe(secured.sha256("priv", "1.0.0", "linux-amd64"));
    } finally {
      await secured.close();
    }
  });

  it("faults: truncate, wrongBytes (a valid archive of other content), status, per host", async () => {
    const file = pluginFileName("widgets", "1.2.0", "darwin-arm64");
    const url = `${hosts.getPulumi}/${file}`;
    hosts.fault({ type: "truncate" }, { host: "get.pulumi.com", times: 1 });
    const truncated = await fetch(url);
    await expect(truncated.arrayBuffer()).rejects.toThrow();

    hosts.fault({ type: "wrongBytes" }, { path: `*/${file}`, times: 1 });
    const wrong = await get(url);
    expect(wrong.status).toBe(200);
    expect(sha256(wrong.bytes)).not.toBe(hosts.sha256("widgets", "1.2.0", "darwin-arm64"));
    const dir = mkdtempSync(join(tmpdir(), "stand-in-wrong-"));
    writeFileSync(join(dir, "w.tar.gz"), wrong.bytes);
    expect(execFileSync("tar", ["-tzf", join(dir, "w.tar.gz")]).toString()).toContain("pulumi-resource-widgets\n");

    const objectsDown = hosts.fault({ type: "status", status: 503 }, { host: "objects" });
    const release = await get(`${hosts.githubApi}/repos/pulumi/pulumi-widgets/releases/tags/v1.2.0`);
    expect(release.status).toBe(200);
    expect((await get(release.body.assets[0].url, { Accept: "application/octet-stream" })).status).toBe(503);
    objectsDown.clear();
    expect(sha256((await get(url)).bytes)).toBe(hosts.sha256("widgets", "1.2.0", "darwin-arm64"));
  });
});

// The mirror, black-box: this registry mirroring another instance of itself, each a real `wrangler dev`,
// with a proxy between them that counts what the mirror asks and injects an upstream's faults.
// Pull-through on a get and on a version list, concurrent misses fetched once, remembered misses, `latest`
// freshness, identity rules (mirrored items refuse publishes; a local item is never mirrored over), a
// token upstream's items private to the named org, faults leaving nothing stored, offline mode.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, docsReady, publishOverHttp, setupOrg } from "./client";
import { startUpstreamProxy, type UpstreamProxy } from "./upstream-proxy";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

type Server = { url: string; adminToken: string; state: string; signingSecret: string; tokenKeys: string; stop(o?: { keepState?: boolean }): Promise<void> };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small provider schema written for these tests. */
function schemaOf(name: string, version: string): string {
  return JSON.stringify({
    name,
    version,
    displayName: `Mirror test ${name}`,
    description: `The ${name} provider, published upstream for the mirror's tests.`,
    keywords: ["category/cloud", "kind/native"],
    resources: {
      [`${name}:index:Widget`]: {
        description: "A widget.",
        properties: { size: { type: "integer" } },
        inputProperties: { size: { type: "integer", description: "How big." } },
      },
    },
  });
}
const readmeOf = (name: string, version: string) => `# ${name} ${version}\n\nMirrored in tests.\n`;

let upstream: Server;
let mirror: Server | undefined;
let proxy: UpstreamProxy;
let up: { pulumi: { publisher: string }; corp: { reader: string; publisher: string } };
let mirrorTokens: { pulumi: { publisher: string }; mirrorcorp: { reader: string; publisher: string } };
let mirrorVars: Record<string, string>;

const API = "/api/registry/packages";
const publishUp = async (path: string, version: string, token = up.pulumi.publisher) => {
  const name = path.split("/")[2]!;
  const done = await publishOverHttp(token, `${upstream.url}/api/registry`, path, version, schemaOf(name, version), readmeOf(name, version));
  expect(done.status, done.text).toBe(201);
};
const metadataAsks = (path: string, version: string) => proxy.requests.filter((r) => r.path === `/api/registry/packages/${path}/versions/${version}`).length;

beforeAll(async () => {
  proxy = await startUpstreamProxy(() => upstream.url);
  // The upstream names the proxy in its URLs, so the mirror fetches the artifacts through it too.
  upstream = await startDevServer({ name: "mirror-upstream", vars: { RATE_LIMITS: "off", PUBLIC_URL: proxy.origin } });
  up = { pulumi: await setupOrg("pulumi", upstream), corp: await setupOrg("corp", upstream) };
  await publishUp("pulumi/pulumi/widgets", "1.0.0");
  await publishUp("pulumi/pulumi/widgets", "1.1.0");
  await publishUp("pulumi/pulumi/gadgets", "0.3.0");
  await publishUp("private/corp/secretpkg", "1.0.0", up.corp.publisher);
  const upstreams = [
    // failureHoldSeconds 0: the fault tests ask again at once after the fault clears (the hold is test/workers/rate-limits.test.ts's).
    { id: "up", url: `${proxy.origin}/api/registry`, serves: ["pulumi/*/*"], negativeSeconds: 3, latestFreshnessSeconds: 2, timeoutMs: 2500, requestsPerMinute: 1000, failureHoldSeconds: 0 },
    { id: "corp", url: `${proxy.origin}/api/registry`, serves: ["private/corp/*"], org: "mirrorcorp", tokenSecret: "MIRROR_TOKEN_CORP" },
  ];
  mirrorVars = { RATE_LIMITS: "off", MIRROR_ALLOW_LOCAL_HTTP: "true", MIRROR_UPSTREAMS: JSON.stringify(upstreams), MIRROR_TOKEN_CORP: up.corp.reader };
  mirror = await startDevServer({ name: "mirror", vars: mirrorVars });
  mirrorTokens = { pulumi: await setupOrg("pulumi", mirror!), mirrorcorp: await setupOrg("mirrorcorp", mirror!) };
}, 300_000);

afterAll(async () => {
  await mirror?.stop();
  await upstream?.stop();
  await proxy?.close();
});

describe("pull-through", () => {
  it("a get of a version the mirror lacks fetches it from the upstream, stores it with its provenance, and serves the same bytes", async () => {
    const got = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/1.0.0`);
    expect(got.status, got.text).toBe(200);
    expect(got.body).toMatchObject({ name: "widgets", publisher: "pulumi", source: "pulumi", version: "1.0.0", visibility: "public" });
    const provenance = got.body.provenance;
    expect(provenance).toMatchObject({ upstream: "up", url: `${proxy.origin}/api/registry` });
    expect(provenance.artifacts.schema.sha256).toBe(sha256(schemaOf("widgets", "1.0.0")));
    expect(provenance.artifacts.index.sha256).toBe(sha256(readmeOf("widgets", "1.0.0")));
    expect(new Date(provenance.fetchedAt).getTime()).toBeGreaterThan(Date.now() - 120_000);
    // The URLs are the mirror's own, and answer the upstream's bytes.
    expect(got.body.schemaURL.startsWith(mirror!.url)).toBe(true);
    expect(await (await fetch(got.body.schemaURL)).text()).toBe(schemaOf("widgets", "1.0.0"));
    expect(await (await fetch(got.body.readmeURL)).text()).toBe(readmeOf("widgets", "1.0.0"));
    // Its docs are derived like a publish's.
    expect(await docsReady(mirrorTokens.pulumi.publisher, "pulumi/pulumi/widgets", "1.0.0", mirror!.url)).toBe("ready");
    // A second read is local.
    const asked = proxy.requests.length;
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/1.0.0`)).status).toBe(200);
    expect(proxy.requests.length).toBe(asked);
  });

  it("shows the provenance on the version's page", async () => {
    const page = await fetch(`${mirror!.url}/packages/pulumi/pulumi/widgets/1.0.0`, { headers: { Accept: "text/html" } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Mirrored from");
    expect(html).toContain(sha256(schemaOf("widgets", "1.0.0")));
  });

  it("concurrent misses of one version fetch it once", async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/1.1.0`)));
    for (const a of answers) expect(a.status, a.text).toBe(200);
    expect(metadataAsks("pulumi/pulumi/widgets", "1.1.0")).toBe(1);
    expect(proxy.count("/widgets/versions/1.1.0/raw/schema")).toBe(1);
  });

  it("a version list of a package the mirror lacks pulls its latest version", async () => {
    const list = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/gadgets/versions`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.packages.map((p: { version: string }) => p.version)).toEqual(["0.3.0"]);
  });

  it("a list by name (how `pulumi package add <name>` resolves) pulls the upstream's package of that name", async () => {
    await publishUp("pulumi/pulumi/doohickey", "2.0.0");
    const listed = await cli("GET", `${mirror!.url}/api/registry/packages?limit=499&name=doohickey`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.packages).toHaveLength(1);
    expect(listed.body.packages[0]).toMatchObject({ name: "doohickey", version: "2.0.0", provenance: { upstream: "up" } });
    const again = await cli("GET", `${mirror!.url}/api/registry/packages?limit=499&name=doohickey`, { token: mirrorTokens.pulumi.publisher });
    expect(again.body.packages).toHaveLength(1);
    expect(proxy.count("name=doohickey")).toBe(1);
    // A name no upstream has is an empty list, and the miss is remembered.
    for (let i = 0; i < 2; i++) expect((await cli("GET", `${mirror!.url}/api/registry/packages?name=nosuchthing`, { token: mirrorTokens.pulumi.publisher })).body.packages).toEqual([]);
    expect(proxy.count("name=nosuchthing")).toBe(1);
  });

  it("an upstream miss is a 404, remembered for negativeSeconds", async () => {
    const first = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/9.9.9`);
    expect(first.status).toBe(404);
    expect(first.body).toMatchObject({ code: 404 });
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/9.9.9`)).status).toBe(404);
    expect(metadataAsks("pulumi/pulumi/widgets", "9.9.9")).toBe(1);
    await sleep(3_500);
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/9.9.9`)).status).toBe(404);
    expect(metadataAsks("pulumi/pulumi/widgets", "9.9.9")).toBe(2);
  });

  it("latest is re-checked after the freshness period", async () => {
    const before = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/latest`, { token: mirrorTokens.pulumi.publisher });
    expect(before.body.version).toBe("1.1.0");
    await publishUp("pulumi/pulumi/widgets", "1.2.0");
    const fresh = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/latest`, { token: mirrorTokens.pulumi.publisher });
    // Checked within the period (the pull of 1.1.0 set it): answered from what is stored.
    expect(["1.1.0", "1.2.0"]).toContain(fresh.body.version);
    // After the period the upstream is asked again (its own edge cache may answer the old `latest` for a few seconds).
    let after = fresh;
    const deadline = Date.now() + 30_000;
    while (after.body?.version !== "1.2.0" && Date.now() < deadline) {
      await sleep(1_000);
      after = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/latest`, { token: mirrorTokens.pulumi.publisher });
      expect(after.status, after.text).toBe(200);
    }
    expect(after.body.version).toBe("1.2.0");
    expect(after.body.provenance.upstream).toBe("up");
  });
});

describe("identity and rights", () => {
  it("no token of the mirror can publish to a mirrored package, its owner org's included", async () => {
    for (const token of [mirrorTokens.pulumi.publisher, mirrorTokens.mirrorcorp.publisher]) {
      const start = await cli("POST", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions`, { token, body: { version: "5.0.0" } });
      expect([403, 409]).toContain(start.status);
    }
    const start = await cli("POST", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions`, { token: mirrorTokens.pulumi.publisher, body: { version: "5.0.0" } });
    expect(start.status).toBe(409);
    expect(start.body.message).toContain("mirrored from upstream 'up'");
  });

  it("a local package with the same identity wins: the upstream is never asked for it", async () => {
    const local = await publishOverHttp(mirrorTokens.pulumi.publisher, `${mirror!.url}/api/registry`, "pulumi/pulumi/localthing", "1.0.0", schemaOf("localthing", "1.0.0"));
    expect(local.status, local.text).toBe(201);
    await publishUp("pulumi/pulumi/localthing", "2.0.0");
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/localthing/versions/2.0.0`)).status).toBe(404);
    expect(proxy.count("/localthing")).toBe(0);
    const latest = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/localthing/versions/latest`);
    expect(latest.body.version).toBe("1.0.0");
    expect(latest.body.provenance).toBeUndefined();
  });

  it("what a token upstream serves is private to the named org, and only its callers trigger a fetch", async () => {
    const anonymous = await cli("GET", `${mirror!.url}${API}/private/corp/secretpkg/versions/1.0.0`);
    expect(anonymous.status).toBe(404);
    const other = await cli("GET", `${mirror!.url}${API}/private/corp/secretpkg/versions/1.0.0`, { token: mirrorTokens.pulumi.publisher });
    expect(other.status).toBe(404);
    expect(proxy.count("/secretpkg")).toBe(0);
    const member = await cli("GET", `${mirror!.url}${API}/private/corp/secretpkg/versions/1.0.0`, { token: mirrorTokens.mirrorcorp.reader });
    expect(member.status, member.text).toBe(200);
    expect(member.body).toMatchObject({ visibility: "private", provenance: { upstream: "corp" } });
    // The upstream token went to the upstream (metadata and artifacts), and only there.
    const asked = proxy.requests.filter((r) => r.path.includes("/secretpkg"));
    expect(asked.length).toBeGreaterThanOrEqual(3);
    for (const r of asked) expect(r.authorization).toBe(`token ${up.corp.reader}`);
    for (const r of proxy.requests.filter((r) => !r.path.includes("/secretpkg"))) expect(r.authorization).toBeUndefined();
    // Still invisible to anyone else once stored.
    expect((await cli("GET", `${mirror!.url}${API}/private/corp/secretpkg/versions/1.0.0`)).status).toBe(404);
  });
});

describe("upstream faults leave nothing stored", () => {
  const nothingStored = async (name: string) => {
    const versions = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/${name}/versions`, { token: mirrorTokens.pulumi.publisher });
    // The list would pull the latest if the fault were gone; with it still injected it fails again, storing nothing.
    expect(versions.status).not.toBe(200);
  };

  it("a 5xx answers 502 with a clear message; once the upstream recovers the version is fetched", async () => {
    await publishUp("pulumi/pulumi/faulty", "1.0.0");
    proxy.fault("/pulumi/pulumi/faulty/", { kind: "status", status: 500 });
    const r = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/faulty/versions/1.0.0`);
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ code: 502 });
    expect(r.body.message).toContain("upstream 'up'");
    await nothingStored("faulty");
    proxy.clearFaults();
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/faulty/versions/1.0.0`)).status).toBe(200);
  });

  it("a schema cut short of its Content-Length answers 502 and stores nothing", async () => {
    await publishUp("pulumi/pulumi/cutshort", "1.0.0");
    const meta = await cli("GET", `${upstream.url}${API}/pulumi/pulumi/cutshort/versions/1.0.0`);
    proxy.fault(new URL(meta.body.schemaURL).pathname, { kind: "truncate" });
    const r = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/cutshort/versions/1.0.0`);
    expect(r.status, r.text).toBe(502);
    await nothingStored("cutshort");
    proxy.clearFaults();
    const ok = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/cutshort/versions/1.0.0`);
    expect(ok.status).toBe(200);
    expect(ok.body.provenance.artifacts.schema.sha256).toBe(sha256(schemaOf("cutshort", "1.0.0")));
  });

  it("a schema that disagrees with the upstream's answer answers 502 and stores nothing", async () => {
    await publishUp("pulumi/pulumi/liar", "1.0.0");
    const meta = await cli("GET", `${upstream.url}${API}/pulumi/pulumi/liar/versions/1.0.0`);
    proxy.fault(new URL(meta.body.schemaURL).pathname, { kind: "replace", body: schemaOf("liar", "6.6.6") });
    const r = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/liar/versions/1.0.0`);
    expect(r.status, r.text).toBe(502);
    expect(r.body.message).toContain("refuses");
    await nothingStored("liar");
    proxy.clearFaults();
  });

  it("a slow upstream times out with 502", async () => {
    await publishUp("pulumi/pulumi/sluggish", "1.0.0");
    proxy.fault("/pulumi/pulumi/sluggish/", { kind: "slow", ms: 6_000 });
    const r = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/sluggish/versions/1.0.0`);
    expect(r.status).toBe(502);
    expect(r.body.message).toContain("did not answer within");
    proxy.clearFaults();
  });

  it("a 429 answers 503 with the upstream's Retry-After and holds every request to that upstream until then", async () => {
    await publishUp("pulumi/pulumi/throttled", "1.0.0");
    await publishUp("pulumi/pulumi/bystander", "1.0.0");
    proxy.fault("/pulumi/pulumi/throttled/", { kind: "status", status: 429, headers: { "Retry-After": "3" } });
    const r = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/throttled/versions/1.0.0`);
    expect(r.status).toBe(503);
    expect(Number(r.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    const held = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/bystander/versions/1.0.0`);
    expect(held.status).toBe(503);
    expect(proxy.count("/bystander")).toBe(0);
    proxy.clearFaults();
    await sleep(3_500);
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/bystander/versions/1.0.0`)).status).toBe(200);
  });

  it("an unreachable upstream leaves stored versions served, and `latest` is what is stored", async () => {
    proxy.fault("/", { kind: "down" });
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/1.0.0`)).status).toBe(200);
    await sleep(2_500);
    const latest = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/latest`, { token: mirrorTokens.pulumi.publisher });
    expect(latest.status).toBe(200);
    expect(latest.body.version).toBe("1.2.0");
    proxy.clearFaults();
  });
});

describe("offline mode", () => {
  it("serves what is stored and never asks the upstream", async () => {
    await publishUp("pulumi/pulumi/widgets", "3.0.0");
    await mirror!.stop({ keepState: true });
    const previous = mirror!;
    mirror = undefined;
    mirror = await startDevServer({ name: "mirror", vars: { ...mirrorVars, MIRROR_OFFLINE: "true" }, state: previous.state, adminToken: previous.adminToken, signingSecret: previous.signingSecret, tokenKeys: previous.tokenKeys });
    const asked = proxy.requests.length;
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/1.0.0`)).status).toBe(200);
    expect((await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/3.0.0`)).status).toBe(404);
    await sleep(2_500);
    const latest = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/widgets/versions/latest`, { token: mirrorTokens.pulumi.publisher });
    expect(latest.body.version).toBe("1.2.0");
    expect(proxy.requests.length).toBe(asked);
  }, 120_000);
});

// The mirror's scheduled sync survives kill -9: the mirror (wrangler and workerd) is killed while a sync is
// part-way through its versions, restarted on the same state, and the same run resumes from where its
// stored state says and completes: every version in range stored exactly once, with the upstream's bytes,
// none half-stored, and the upstream asked again for at most the one version that was cut off.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, cli, gateway, publishOverHttp, setupOrg } from "./client";
import { startUpstreamProxy, type UpstreamProxy } from "./upstream-proxy";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

type Server = { url: string; adminToken: string; state: string; signingSecret: string; tokenKeys: string; stop(o?: { keepState?: boolean }): Promise<void>; crash(): Promise<void> };

const ORG = "bb-mcrash";
const PKG = `pulumi/${ORG}/crashy`;
const VERSIONS = ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0"];
const schema = (version: string) => JSON.stringify({ name: "crashy", version, displayName: "Crashy", keywords: ["kind/native"], description: `crashy ${version}` });
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let mirror: Server | undefined;
let proxy: UpstreamProxy;
let vars: Record<string, string>;

beforeAll(async () => {
  const tokens = await setupOrg(ORG, { url: gateway(), adminToken: adminToken() });
  for (const v of VERSIONS) {
    const r = await publishOverHttp(tokens.publisher, `${gateway()}/api/registry`, PKG, v, schema(v));
    expect(r.status, r.text).toBe(201);
  }
  // The upstream answers its version list and version answers slowly, so the sync is caught part-way.
  proxy = await startUpstreamProxy(() => gateway());
  proxy.fault(`/packages/${PKG}/versions`, { kind: "slow", ms: 1500 });
  const upstreams = [{ id: "up", url: `${proxy.origin}/api/registry`, serves: [`pulumi/${ORG}/*`], syncMinutes: 600, sync: [{ package: PKG, versions: "^1.0.0" }] }];
  vars = { MIRROR_UPSTREAMS: JSON.stringify(upstreams), MIRROR_ALLOW_LOCAL_HTTP: "true", JOB_LEASE_SECONDS: "3", JOB_STALL_SECONDS: "2", RATE_LIMITS: "off" };
  mirror = await startDevServer({ name: "mirror-crash", vars });
}, 240_000);

afterAll(async () => {
  await mirror?.stop();
  await proxy?.close();
});

async function lastSync(s: Server) {
  const r = await cli("GET", `${s.url}/api/admin/mirror`, { token: s.adminToken });
  expect(r.status, r.text).toBe(200);
  return r.body.upstreams[0].lastSync;
}

const versionAsks = (version: string) => proxy.requests.filter((r) => r.path === `/api/registry/packages/${PKG}/versions/${version}`).length;

describe("a mirror sync interrupted by kill -9", () => {
  it("resumes the same run after a restart and stores every version in range once, nothing half-stored", async () => {
    const s = mirror!;
    const started = await cli("POST", `${s.url}/api/admin/mirror/up/sync`, { token: s.adminToken });
    expect(started.status, started.text).toBe(202);

    // Wait for "some versions fetched, some not", then crash at once.
    let seen = await lastSync(s);
    const deadline = Date.now() + 120_000;
    while (!(seen?.status === "pending" && seen.counts.fetched >= 2) && Date.now() < deadline) {
      expect(seen?.status ?? "pending").toBe("pending");
      await new Promise((r) => setTimeout(r, 50));
      seen = await lastSync(s);
    }
    await s.crash();
    expect(seen.status).toBe("pending");
    expect(seen.counts.fetched).toBeGreaterThanOrEqual(2);
    expect(seen.counts.fetched).toBeLessThan(VERSIONS.length);

    // Restart on the same state; only /healthz is asked (its re-drive resumes the job), and the report.
    mirror = await startDevServer({ name: "mirror-crash", vars, state: s.state, adminToken: s.adminToken, signingSecret: s.signingSecret, tokenKeys: s.tokenKeys });
    const restarted = mirror!;
    const until = Date.now() + 240_000;
    let after = await lastSync(restarted);
    while (after.status === "pending" && Date.now() < until) {
      expect((await fetch(`${restarted.url}/healthz`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      after = await lastSync(restarted);
    }
    expect(after.status).toBe("done");
    // The same run, resumed: not a new attempt, nothing failed, every listed version fetched or found stored.
    expect(after.attempt).toBe(1);
    expect(after.counts.listed).toBe(VERSIONS.length);
    expect(after.counts.failed).toBe(0);
    expect(after.counts.fetched + after.counts.skipped).toBe(VERSIONS.length);

    // Every version once, with the upstream's bytes.
    const listed = await cli("GET", `${restarted.url}/api/registry/packages/${PKG}/versions`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.packages.map((p: { version: string }) => p.version)).toEqual([...VERSIONS].reverse());
    for (const v of VERSIONS) {
      const one = await cli("GET", `${restarted.url}/api/registry/packages/${PKG}/versions/${v}`);
      expect(one.status, one.text).toBe(200);
      expect(one.body.provenance.artifacts.schema.sha256).toBe(sha256(schema(v)));
      const bytes = await fetch(one.body.schemaURL);
      expect(await bytes.text()).toBe(schema(v));
    }
    // The upstream was asked for each version once, and again for at most the one the crash cut off.
    const asks = VERSIONS.map(versionAsks);
    expect(asks.every((n) => n >= 1 && n <= 2), JSON.stringify(asks)).toBe(true);
    expect(asks.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(VERSIONS.length + 1);
  });
});

// The mirror's scheduled sync and deletion recheck, with two servers: the suite's gateway is the upstream,
// a second `wrangler dev` mirrors it (MIRROR_UPSTREAMS pointing at the gateway's /api/registry). A node:http
// receiver takes the mirror org's webhook deliveries.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, cli, gateway, publishOverHttp, setupOrg } from "./client";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

type Server = { url: string; adminToken: string; state: string; stop(o?: { keepState?: boolean }): Promise<void>; crash(): Promise<void> };

const ORG = "bb-msync";
const PKG = `pulumi/${ORG}/synced`;
const schema = (name: string, version: string) => JSON.stringify({ name, version, displayName: name, keywords: ["kind/native"] });

let mirror: Server | undefined;
let upstreamTokens: { reader: string; publisher: string; admin: string };
let mirrorOrg: { admin: string };
let receiver: HttpServer;
let receiverUrl: string;
const received: Array<{ type: string; target: { name: string; version?: string } }> = [];

beforeAll(async () => {
  upstreamTokens = await setupOrg(ORG, { url: gateway(), adminToken: adminToken() });
  for (const v of ["1.0.0", "1.1.0", "1.2.0", "2.0.0"]) {
    const r = await publishOverHttp(upstreamTokens.publisher, `${gateway()}/api/registry`, PKG, v, schema("synced", v));
    expect(r.status, r.text).toBe(201);
  }
  const upstreams = [
    { id: "up", url: `${gateway()}/api/registry`, serves: [`pulumi/${ORG}/*`], recheckHours: 0.0001, syncMinutes: 600, sync: [{ package: PKG, versions: "^1.0.0" }] },
  ];
  mirror = await startDevServer({
    name: "mirror-sync",
    testScheduled: true,
    vars: { MIRROR_UPSTREAMS: JSON.stringify(upstreams), MIRROR_ALLOW_LOCAL_HTTP: "true", JOB_LEASE_SECONDS: "3", JOB_STALL_SECONDS: "2", RATE_LIMITS: "off", WEBHOOK_ALLOW_LOCAL_HTTP: "true" },
  });
  // The org mirrored items belong to (the upstream's `org`, "mirror" by default) subscribes to deletions and deprecations.
  mirrorOrg = await setupOrg("mirror", mirror!);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}, 240_000);

afterAll(async () => {
  await mirror?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

async function report(s: Server) {
  const r = await cli("GET", `${s.url}/api/admin/mirror`, { token: s.adminToken });
  expect(r.status, r.text).toBe(200);
  return r.body.upstreams[0];
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe("the mirror's sync and recheck", () => {
  it("syncs exactly the versions in range, shows progress, and propagates an upstream deletion and deprecation", async () => {
    const s = mirror!;
    const unauth = await cli("GET", `${s.url}/api/admin/mirror`);
    expect(unauth.status).toBe(401);
    expect(unauth.body.code).toBe(401);
    const started = await cli("POST", `${s.url}/api/admin/mirror/up/sync`, { token: s.adminToken });
    expect(started.status, started.text).toBe(202);
    expect(started.text).not.toContain("token\":\"");
    expect((await cli("POST", `${s.url}/api/admin/mirror/nope/sync`, { token: s.adminToken })).status).toBe(404);
    const done = await until("sync", () => report(s), (u) => u.lastSync?.status !== "pending");
    expect(done.lastSync.status).toBe("done");
    expect(done.lastSync.counts).toEqual({ listed: 3, fetched: 3, skipped: 0, failed: 0 });
    expect(done.url).toBe(`${gateway()}/api/registry`);

    const mirrored = await cli("GET", `${s.url}/api/registry/packages/${PKG}/versions`);
    expect(mirrored.status, mirrored.text).toBe(200);
    expect(mirrored.body.packages.map((p: any) => p.version)).toEqual(["1.2.0", "1.1.0", "1.0.0"]);
    const one = await cli("GET", `${s.url}/api/registry/packages/${PKG}/versions/1.1.0`);
    expect(one.body.provenance).toMatchObject({ upstream: "up" });

    // A second run finds everything stored.
    expect((await cli("POST", `${s.url}/api/admin/mirror/up/sync`, { token: s.adminToken })).status).toBe(202);
    const again = await until("second sync", () => report(s), (u) => u.lastSync?.status !== "pending");
    expect(again.lastSync.attempt).toBe(2);
    expect(again.lastSync.counts).toEqual({ listed: 3, fetched: 0, skipped: 3, failed: 0 });

    const hook = await cli("POST", `${s.url}/api/orgs/mirror/registry/webhooks`, { token: mirrorOrg.admin, body: { url: `${receiverUrl}/hook`, events: ["package.deleted", "package.deprecated"] } });
    expect(hook.status, hook.text).toBe(201);

    // Upstream: 1.0.0 deleted, 1.1.0 deprecated. The cron's recheck propagates both.
    expect((await cli("DELETE", `${gateway()}/api/registry/packages/${PKG}/versions/1.0.0`, { token: upstreamTokens.publisher })).status).toBe(204);
    const dep = await cli("PUT", `${gateway()}/api/registry/packages/${PKG}/versions/1.1.0/deprecation`, { token: upstreamTokens.publisher, body: { message: "bad build" } });
    expect(dep.status, dep.text).toBe(204);
    const cron = await fetch(`${s.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(cron.status).toBe(200);
    await cron.text();
    const rechecked = await until("recheck", () => report(s), (u) => u.lastRecheck && u.lastRecheck.status !== "pending");
    expect(rechecked.lastRecheck.status).toBe("done");
    expect(rechecked.lastRecheck.counts).toMatchObject({ deleted: 1, deprecated: 1 });
    expect((await cli("GET", `${s.url}/api/registry/packages/${PKG}/versions/1.0.0`)).status).toBe(404);
    // Anonymous answers may come from the edge cache for up to EDGE_TTL_SECONDS (the cron's job knows no origin to reset).
    const deprecated = await until("deprecation", () => cli("GET", `${s.url}/api/registry/packages/${PKG}/versions/1.1.0`), (r) => r.body?.deprecation !== undefined, 30_000);
    expect(deprecated.body.deprecation).toMatchObject({ message: "bad build" });
    const audit = await cli("GET", `${s.url}/api/admin/audit?action=package.delete`, { token: s.adminToken });
    expect(audit.status, audit.text).toBe(200);
    expect(JSON.stringify(audit.body)).toContain("mirror:up");
    // …and the webhook events a delete and a deprecation make, delivered to the org's receiver.
    await until("webhook deliveries", async () => received.map((e) => `${e.type} ${e.target.version}`).sort(), (v) => v.length >= 2, 30_000);
    expect(received.map((e) => `${e.type} ${e.target.name} ${e.target.version}`).sort()).toEqual(["package.deleted synced 1.0.0", "package.deprecated synced 1.1.0"]);
  });
});

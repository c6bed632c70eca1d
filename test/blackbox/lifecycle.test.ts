// Version listings, deprecation and webhooks over HTTP against a real `wrangler dev`, whose local queue
// carries webhook events to a node:http receiver on 127.0.0.1.
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, publishOverHttp, setupOrg } from "./client";

let tokens: { reader: string; publisher: string; admin: string };
let server: Server;
let receiverUrl: string;
const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string; at: number }> = [];

beforeAll(async () => {
  tokens = await setupOrg("bb-life");
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      response.writeHead(request.url?.startsWith("/fail") ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const schema = (name: string, version: string) => JSON.stringify({ name, version, displayName: name, keywords: ["kind/native"] });

async function publish(path: string, version: string) {
  const r = await publishOverHttp(tokens.publisher, "/api/registry", path, version, schema(path.split("/")[2]!, version));
  expect(r.status, r.text).toBe(201);
}

async function waitFor<T>(what: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("version listings and deprecation over HTTP", () => {
  it("lists versions newest first, pages them, and moves latest off a deprecated version and back", async () => {
    for (const v of ["1.0.0", "2.0.0-beta.2", "2.0.0-beta.10", "1.5.0", "2.0.0"]) await publish("pulumi/bb-life/ver", v);
    for (const prefix of ["/api/preview/registry", "/api/registry"]) {
      const all = await cli("GET", `${prefix}/packages/pulumi/bb-life/ver/versions`);
      expect(all.status).toBe(200);
      expect(all.body.packages.map((p: any) => p.version)).toEqual(["2.0.0", "2.0.0-beta.10", "2.0.0-beta.2", "1.5.0", "1.0.0"]);
    }
    const first = await cli("GET", "/api/registry/packages/pulumi/bb-life/ver/versions?limit=3");
    const second = await cli("GET", `/api/registry/packages/pulumi/bb-life/ver/versions?limit=3&continuationToken=${first.body.continuationToken}`);
    expect([...first.body.packages, ...second.body.packages].map((p: any) => p.version)).toEqual(["2.0.0", "2.0.0-beta.10", "2.0.0-beta.2", "1.5.0", "1.0.0"]);
    expect(second.body.continuationToken).toBeUndefined();

    const put = await cli("PUT", "/api/registry/packages/pulumi/bb-life/ver/versions/2.0.0/deprecation", { token: tokens.publisher, body: { message: "regression", replacement: "pulumi/bb-life/ver@1.5.0" } });
    expect(put.status, put.text).toBe(204);
    expect(put.text).toBe("");
    expect((await cli("GET", "/api/registry/packages/pulumi/bb-life/ver/versions/latest")).body.version).toBe("1.5.0");
    const pinned = await cli("GET", "/api/registry/packages/pulumi/bb-life/ver/versions/2.0.0");
    expect(pinned.body.deprecation).toMatchObject({ message: "regression", replacement: "pulumi/bb-life/ver@1.5.0" });
    const listed = await cli("GET", "/api/registry/packages?name=ver&publisher=bb-life");
    expect(listed.body.packages.map((p: any) => p.version)).toEqual(["1.5.0"]);
    const bad = await cli("PUT", "/api/registry/packages/pulumi/bb-life/ver/versions/2.0.0/deprecation", { token: tokens.publisher, body: { message: "x", replacement: "pulumi/bb-life/absent" } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(400);
    expect((await cli("DELETE", "/api/registry/packages/pulumi/bb-life/ver/versions/2.0.0/deprecation", { token: tokens.publisher })).status).toBe(204);
    expect((await cli("GET", "/api/registry/packages/pulumi/bb-life/ver/versions/latest")).body.version).toBe("2.0.0");
  });
});

describe("webhooks through wrangler dev's local queue", () => {
  it("a publish is delivered to a local receiver, with a signature the receiver verifies", async () => {
    const hook = await cli("POST", "/api/orgs/bb-life/registry/webhooks", { token: tokens.admin, body: { url: `${receiverUrl}/ok`, events: ["package.published"] } });
    expect(hook.status, hook.text).toBe(201);
    const started = Date.now();
    await publish("pulumi/bb-life/hooked", "0.1.0");
    const delivery = await waitFor(() => received.find((r) => r.path === "/ok" && r.at >= started), 20_000);
    const timestamp = delivery.headers["x-registry-timestamp"] as string;
    const expected = `v1=${createHmac("sha256", hook.body.secret).update(`${timestamp}.${delivery.body}`).digest("hex")}`;
    expect(delivery.headers["x-registry-signature"]).toBe(expected);
    expect(JSON.parse(delivery.body)).toMatchObject({ type: "package.published", target: { source: "pulumi", publisher: "bb-life", name: "hooked", version: "0.1.0" } });
    const deliveries = await cli("GET", `/api/orgs/bb-life/registry/webhooks/${hook.body.id}/deliveries`, { token: tokens.admin });
    expect(deliveries.body.deliveries[0]).toMatchObject({ outcome: "delivered", status: 204, attempt: 1 });
    expect((await cli("DELETE", `/api/orgs/bb-life/registry/webhooks/${hook.body.id}`, { token: tokens.admin })).status).toBe(204);
  });

  it("a failing receiver is retried with growing delays, then the message is dead-lettered", async () => {
    const hook = await cli("POST", "/api/orgs/bb-life/registry/webhooks", { token: tokens.admin, body: { url: `${receiverUrl}/fail`, events: ["package.published"] } });
    expect(hook.status).toBe(201);
    const t0 = Date.now();
    await publish("pulumi/bb-life/failing", "1.0.0");
    // max_retries = 5 in wrangler.toml: six attempts, 1, 2, 4, 8, 16 s apart (WEBHOOK_RETRY_BASE_SECONDS=1).
    const attempts = await waitFor(() => {
      const got = received.filter((r) => r.path === "/fail" && r.at >= t0);
      return got.length >= 6 ? got : undefined;
    }, 90_000);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);
    expect(gaps[gaps.length - 1]!).toBeGreaterThanOrEqual(15_000);
    let list: any[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      list = (await cli("GET", `/api/orgs/bb-life/registry/webhooks/${hook.body.id}/deliveries`, { token: tokens.admin })).body.deliveries;
      if (list[0]?.outcome === "dead_lettered") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(list[0]).toMatchObject({ outcome: "dead_lettered", attempt: 6 });
    expect(list.slice(1).map((d) => d.retryDelaySeconds)).toEqual([32, 16, 8, 4, 2, 1]);
    expect(received.filter((r) => r.path === "/fail" && r.at >= t0)).toHaveLength(6);
  }, 150_000);
});

import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import worker from "../../src/index";
import { WEBHOOK_DLQ_NAME, WEBHOOK_QUEUE_NAME } from "../../src/webhooks/webhook-consumer";
import type { WebhookMessage } from "../../src/webhooks/webhook-events";
import { call, callJson, countRows, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { completePublish, publishPackage, put, schemaFor, startPublish } from "./publish-helpers";
import { goodArchive, publishTemplate } from "./template-helpers";

let acme: OrgTokens;
let other: OrgTokens;
const receiver = () => inject("receiverUrl");
const hooksPath = (org = "acme") => `/api/orgs/${org}/registry/webhooks`;

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
});

async function register(url: string, events: string[], token = acme.admin) {
  const r = await callJson(hooksPath(), { method: "POST", token, body: { url, events } });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; url: string; events: string[]; secret: string; createdAt: string };
}

async function receivedBy(name: string, atLeast = 1, timeoutMs = 15_000): Promise<Array<{ headers: Record<string, string>; body: string; at: number }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = (await (await fetch(`${receiver()}/received/${name}`)).json()) as any[];
    if (got.length >= atLeast || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("webhook endpoints", () => {
  it("an org admin registers one and sees the signing secret once; the list never shows it", async () => {
    const hook = await register("https://hooks.example.com/registry", ["package.published", "template.deleted"]);
    expect(hook).toMatchObject({ url: "https://hooks.example.com/registry", events: ["package.published", "template.deleted"] });
    expect(hook.id).toMatch(/^wh_[0-9a-f]{24}$/);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const list = await callJson(hooksPath(), { token: acme.admin });
    expect(list.body.webhooks).toEqual([{ id: hook.id, url: hook.url, events: hook.events, createdAt: hook.createdAt }]);
    expect(JSON.stringify(list.body)).not.toContain(hook.secret);
    // Nothing at rest holds the secret.
    const rows = await env.DB.prepare("SELECT * FROM webhooks").all();
    expect(JSON.stringify(rows.results)).not.toContain(hook.secret.slice(6));
    expect((await call(`${hooksPath()}/${hook.id}`, { method: "DELETE", token: acme.admin })).status).toBe(204);
    expect((await callJson(hooksPath(), { token: acme.admin })).body.webhooks).toEqual([]);
    expectError(await callJson(`${hooksPath()}/${hook.id}/deliveries`, { token: acme.admin }), 404);
  });

  it("needs an admin token of that org", async () => {
    const body = { url: "https://127.0.0.1:9/x", events: ["package.published"] };
    expectError(await callJson(hooksPath(), { method: "POST", body }), 401);
    expectError(await callJson(hooksPath(), { method: "POST", token: acme.publisher, body }), 403);
    expectError(await callJson(hooksPath(), { method: "POST", token: other.admin, body }), 403);
    expectError(await callJson(hooksPath(), { token: acme.reader }), 403);
    const theirs = await callJson(hooksPath("other"), { method: "POST", token: other.admin, body });
    expect(theirs.status).toBe(201);
    expectError(await callJson(`${hooksPath()}/${theirs.body.id}`, { method: "DELETE", token: acme.admin }), 404);
    expectError(await callJson(`${hooksPath()}/${theirs.body.id}/deliveries`, { token: acme.admin }), 404);
  });

  it("bad input is a 400 and writes nothing", async () => {
    const before = { hooks: await countRows("webhooks"), audit: await countRows("audit_log") };
    const bad = [
      { url: "https://hooks.example.com/x", events: ["package.exploded"] },
      { url: "https://hooks.example.com/x", events: [] },
      { url: "https://hooks.example.com/x", events: ["package.published", "package.published"] },
      { url: "https://hooks.example.com/x" },
      { url: "http://hooks.example.com/x", events: ["package.published"] },
      { url: "http://localhost:9000/x", events: ["package.published"] },
      { url: "ftp://127.0.0.1/x", events: ["package.published"] },
      { url: "https://user:pw@hooks.example.com/x", events: ["package.published"] },
      { url: "not a url", events: ["package.published"] },
      { events: ["package.published"] },
    ];
    for (const body of bad) expectError(await callJson(hooksPath(), { method: "POST", token: acme.admin, body }), 400);
    expect({ hooks: await countRows("webhooks"), audit: await countRows("audit_log") }).toEqual(before);
  });
});

describe("webhook delivery", () => {
  it("a publish is delivered through the queue to the receiver, signed so the receiver can verify it", async () => {
    const hook = await register(`${receiver()}/hook/ok-published`, ["package.published"]);
    const ignored = await register(`${receiver()}/hook/ok-deletes-only`, ["package.deleted"]);
    await publishPackage(acme.publisher, "pulumi/acme/hooked", "1.2.3");
    const [delivery] = await receivedBy("ok-published");
    expect(delivery).toBeDefined();
    const event = JSON.parse(delivery!.body);
    expect(event).toMatchObject({ type: "package.published", org: "acme", target: { kind: "package", source: "pulumi", publisher: "acme", name: "hooked", version: "1.2.3" } });
    expect(event.id).toMatch(/^evt_/);
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["x-registry-event"]).toBe("package.published");
    const timestamp = delivery!.headers["x-registry-timestamp"]!;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(delivery!.headers["x-registry-signature"]).toBe(`v1=${await hmacHex(hook.secret, `${timestamp}.${delivery!.body}`)}`);
    // A receiver that checks would refuse the same body under another timestamp.
    expect(delivery!.headers["x-registry-signature"]).not.toBe(`v1=${await hmacHex(hook.secret, `${Number(timestamp) + 1}.${delivery!.body}`)}`);
    const deliveries = await callJson(`${hooksPath()}/${hook.id}/deliveries`, { token: acme.admin });
    expect(deliveries.body.deliveries).toEqual([
      { eventId: event.id, event: "package.published", attempt: 1, outcome: "delivered", status: 200, durationMs: expect.any(Number), at: expect.any(String) },
    ]);
    expect(await receivedBy("ok-deletes-only", 1, 500)).toEqual([]);
    expect((await callJson(`${hooksPath()}/${ignored.id}/deliveries`, { token: acme.admin })).body.deliveries).toEqual([]);
  });

  it("deletes and (un)deprecations are events too, carrying what changed", async () => {
    await register(`${receiver()}/hook/ok-lifecycle`, ["package.deleted", "package.deprecated", "package.undeprecated"]);
    await publishPackage(acme.publisher, "pulumi/acme/cycle", "1.0.0");
    await publishPackage(acme.publisher, "pulumi/acme/cycle", "1.1.0");
    const url = "/api/registry/packages/pulumi/acme/cycle";
    expect((await call(`${url}/versions/1.1.0/deprecation`, { method: "PUT", token: acme.publisher, body: { message: "bad", replacement: "pulumi/acme/cycle@1.0.0" } })).status).toBe(204);
    expect((await call(`${url}/versions/1.1.0/deprecation`, { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect((await call(`${url}/versions/1.1.0`, { method: "DELETE", token: acme.publisher })).status).toBe(204);
    const got = (await receivedBy("ok-lifecycle", 3)).map((d) => JSON.parse(d.body));
    expect(got.map((e) => e.type).sort()).toEqual(["package.deleted", "package.deprecated", "package.undeprecated"]);
    const deprecated = got.find((e) => e.type === "package.deprecated");
    expect(deprecated.target.version).toBe("1.1.0");
    expect(deprecated.deprecation).toEqual({ message: "bad", replacement: "pulumi/acme/cycle@1.0.0", deprecatedAt: expect.any(String) });
  });

  it("template publishes are events of their own", async () => {
    await register(`${receiver()}/hook/ok-templates`, ["template.published"]);
    expect((await publishTemplate(acme.publisher, "private/acme/hooked-tpl", "0.1.0", await goodArchive())).status).toBe(201);
    const [delivery] = await receivedBy("ok-templates");
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: "template.published", target: { kind: "template", source: "private", publisher: "acme", name: "hooked-tpl", version: "0.1.0" } });
  });

  it("another org's webhooks hear nothing of acme's changes", async () => {
    const r = await callJson(hooksPath("other"), { method: "POST", token: other.admin, body: { url: `${receiver()}/hook/ok-other`, events: ["package.published"] } });
    expect(r.status).toBe(201);
    await publishPackage(acme.publisher, "pulumi/acme/private-news", "1.0.0");
    await publishPackage(other.publisher, "pulumi/other/their-news", "1.0.0");
    await receivedBy("ok-other", 1);
    // Read again after a pause, so a leaked acme event arriving second would be seen.
    await new Promise((r) => setTimeout(r, 500));
    const got = (await receivedBy("ok-other", 1)).map((d) => JSON.parse(d.body));
    expect(got.map((e) => e.target.name)).toEqual(["their-news"]);
  });

  it("a failing receiver is retried with growing delays and then dead-lettered, each attempt recorded", async () => {
    const hook = await register(`${receiver()}/hook/fail-always`, ["package.published"]);
    const event: WebhookMessage["event"] = {
      id: "evt_retrytest",
      type: "package.published",
      createdAt: new Date().toISOString(),
      org: "acme",
      target: { kind: "package", source: "pulumi", publisher: "acme", name: "x", version: "1.0.0" },
    };
    for (let attempts = 1; attempts <= 6; attempts++) {
      const batch = createMessageBatch<WebhookMessage>(WEBHOOK_QUEUE_NAME, [{ id: `m${attempts}`, timestamp: new Date(), attempts, body: { webhookId: hook.id, event } }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([]);
      // retry() was called; the delay it was given is recorded below (the test harness does not keep it).
      expect(result.retryMessages.map((m) => m.msgId)).toEqual([`m${attempts}`]);
    }
    expect(await receivedBy("fail-always", 6)).toHaveLength(6);
    // After the last retry the runtime moves the message to the dead-letter queue; its consumer records the end.
    const dead = createMessageBatch<WebhookMessage>(WEBHOOK_DLQ_NAME, [{ id: "d1", timestamp: new Date(), attempts: 1, body: { webhookId: hook.id, event } }]);
    const ctx = createExecutionContext();
    await worker.queue(dead, env, ctx);
    expect((await getQueueResult(dead, ctx)).explicitAcks).toEqual(["d1"]);
    const list = (await callJson(`${hooksPath()}/${hook.id}/deliveries`, { token: acme.admin })).body.deliveries;
    expect(list[0]).toMatchObject({ eventId: "evt_retrytest", outcome: "dead_lettered", attempt: 6 });
    expect(list.slice(1).map((d: any) => [d.attempt, d.outcome, d.status, d.retryDelaySeconds])).toEqual([
      [6, "failed", 500, 960],
      [5, "failed", 500, 480],
      [4, "failed", 500, 240],
      [3, "failed", 500, 120],
      [2, "failed", 500, 60],
      [1, "failed", 500, 30],
    ]);
    const paged = await callJson(`${hooksPath()}/${hook.id}/deliveries?limit=4`, { token: acme.admin });
    const rest = await callJson(`${hooksPath()}/${hook.id}/deliveries?limit=4&continuationToken=${paged.body.continuationToken}`, { token: acme.admin });
    expect([...paged.body.deliveries, ...rest.body.deliveries]).toEqual(list);
  });

  it("a message for a deleted webhook is acknowledged and delivered nowhere", async () => {
    const hook = await register(`${receiver()}/hook/ok-deleted`, ["package.published"]);
    expect((await call(`${hooksPath()}/${hook.id}`, { method: "DELETE", token: acme.admin })).status).toBe(204);
    const event = { id: "evt_gone", type: "package.published" as const, createdAt: new Date().toISOString(), org: "acme", target: { kind: "package" as const, source: "pulumi", publisher: "acme", name: "x" } };
    const batch = createMessageBatch<WebhookMessage>(WEBHOOK_QUEUE_NAME, [{ id: "g1", timestamp: new Date(), attempts: 1, body: { webhookId: hook.id, event } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["g1"]);
    expect(await receivedBy("ok-deleted", 1, 300)).toEqual([]);
  });

  it("a publish whose webhook target is down or hanging still answers 201 at its usual speed", async () => {
    const timeComplete = async (name: string, version: string) => {
      const started = await startPublish(acme.publisher, `pulumi/acme/${name}`, version);
      await put(started.body.uploadURLs.schema, schemaFor(name, version));
      await put(started.body.uploadURLs.index, "# readme\n");
      const t0 = Date.now();
      const done = await completePublish(acme.publisher, `pulumi/acme/${name}`, version, started.body.operationID);
      return { status: done.status, ms: Date.now() - t0 };
    };
    const baseline = await timeComplete("speed-baseline", "1.0.0");
    await register("http://127.0.0.1:9/down", ["package.published"]);
    await register(`${receiver()}/hook/hang-forever`, ["package.published"]);
    const withHooks = await timeComplete("speed-hooked", "1.0.0");
    expect(baseline.status).toBe(201);
    expect(withHooks.status).toBe(201);
    // The hanging receiver holds its connection for the 10 s delivery timeout; the publish does not wait for it.
    expect(withHooks.ms).toBeLessThan(baseline.ms + 1500);
    expect(await receivedBy("hang-forever", 1)).toHaveLength(1);
  });
});

// Webhook targets under abuse: re-checked at every delivery, a deliveries log that cannot tell an open
// port from a closed one, a per-org cap that holds under concurrent registrations, and a 400 that says
// how to allow local targets.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { NO_ANSWER, WEBHOOK_QUEUE_NAME } from "../../src/webhooks/webhook-consumer";
import type { WebhookMessage } from "../../src/webhooks/webhook-events";
import { MAX_WEBHOOKS_PER_ORG } from "../../src/webhooks/webhook-routes";
import { callJson, callWithEnv, countRows, expectError, orgWithTokens, writeSnapshot, type OrgTokens } from "./helpers";
import { freeLoopbackPort } from "./webhook-receiver-port";

let hooks: OrgTokens;
const receiver = () => inject("receiverUrl");
const hooksPath = (org = "hooks") => `/api/orgs/${org}/registry/webhooks`;

beforeAll(async () => {
  hooks = await orgWithTokens("hooks");
});

async function register(url: string, org = "hooks", token = hooks.admin) {
  const r = await callJson(hooksPath(org), { method: "POST", token, body: { url, events: ["package.published"] } });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string };
}

async function deliverOnce(webhookId: string, vars: Partial<Env> = {}, eventId = `evt_${crypto.randomUUID()}`) {
  const event: WebhookMessage["event"] = {
    id: eventId,
    type: "package.published",
    createdAt: new Date().toISOString(),
    org: "hooks",
    target: { kind: "package", source: "pulumi", publisher: "hooks", name: "x", version: "1.0.0" },
  };
  const batch = createMessageBatch<WebhookMessage>(WEBHOOK_QUEUE_NAME, [{ id: "m1", timestamp: new Date(), attempts: 1, body: { webhookId, event } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...(env as unknown as Env), ...vars }, ctx);
  return getQueueResult(batch, ctx);
}

const deliveries = async (id: string) => (await callJson(`${hooksPath()}/${id}/deliveries`, { token: hooks.admin })).body.deliveries as Array<Record<string, unknown>>;

describe("webhook targets", () => {
  it("a target accepted while local targets were allowed receives nothing once they are not", async () => {
    const hook = await register(`${receiver()}/hook/ok-revalidated`);
    const result = await deliverOnce(hook.id, { WEBHOOK_ALLOW_LOCAL_HTTP: "false" });
    // Acknowledged, not retried: only a change of settings could make it deliverable.
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(result.retryMessages).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await (await fetch(`${receiver()}/received/ok-revalidated`)).json()).toEqual([]);
    const [attempt] = await deliveries(hook.id);
    expect(attempt).toMatchObject({ outcome: "failed", attempt: 1 });
    expect(attempt!.error).toMatch(/^not delivered: .*WEBHOOK_ALLOW_LOCAL_HTTP/);
    // With the setting back, the same target is delivered to.
    expect((await deliverOnce(hook.id)).explicitAcks).toEqual(["m1"]);
  });

  it("the deliveries log says the same for a closed port, an unknown host and a receiver that never answers", async () => {
    const closed = await register(`http://127.0.0.1:${await freeLoopbackPort()}/closed`);
    const unknownHost = await register("https://no-such-host.invalid/hook");
    const hanging = await register(`${receiver()}/hook/hang-oracle`);
    const facts = [];
    for (const hook of [closed, unknownHost, hanging]) {
      const result = await deliverOnce(hook.id, { WEBHOOK_TIMEOUT_MS: "300" });
      expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
      const [attempt] = await deliveries(hook.id);
      const { at: _at, eventId: _e, ...shown } = attempt!;
      facts.push(shown);
    }
    expect(facts).toEqual(Array(3).fill({ event: "package.published", attempt: 1, outcome: "failed", error: NO_ANSWER, retryDelaySeconds: 30 }));
  });

  it(`the per-org cap of ${MAX_WEBHOOKS_PER_ORG} holds when registrations arrive at once`, async () => {
    const capped = await orgWithTokens("hookcap");
    const before = await countRows("audit_log");
    const results = await Promise.all(
      Array.from({ length: MAX_WEBHOOKS_PER_ORG + 8 }, (_, i) =>
        callJson(hooksPath("hookcap"), { method: "POST", token: capped.admin, body: { url: `https://hooks.example.com/${i}`, events: ["package.published"] } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_WEBHOOKS_PER_ORG);
    for (const r of results.filter((r) => r.status !== 201)) expectError(r, 409);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM webhooks WHERE org_login = 'hookcap'").first<{ n: number }>();
    expect(stored?.n).toBe(MAX_WEBHOOKS_PER_ORG);
    // A refused registration leaves no audit entry either.
    expect((await countRows("audit_log")) - before).toBe(MAX_WEBHOOKS_PER_ORG);
  });

  it("a local target without the local setting is a 400 that names WEBHOOK_ALLOW_LOCAL_HTTP and the restart it needs; nothing written", async () => {
    const before = await writeSnapshot();
    for (const url of [`${receiver()}/hook/x`, "https://[::1]/x", "https://localhost/x"]) {
      const r = await callWithEnv({ WEBHOOK_ALLOW_LOCAL_HTTP: "false" }, hooksPath(), { method: "POST", token: hooks.admin, body: { url, events: ["package.published"] } });
      expectError(r, 400);
      expect(r.body.message).toMatch(/WEBHOOK_ALLOW_LOCAL_HTTP=true/);
      expect(r.body.message).toMatch(/\.dev\.vars.*restart `npm start`/);
    }
    for (const url of ["https://hooks.example.com:8443/x", "https://10.1.2.3/x", "https://[2001:db8::1]/"]) {
      expectError(await callWithEnv({ WEBHOOK_ALLOW_LOCAL_HTTP: "false" }, hooksPath(), { method: "POST", token: hooks.admin, body: { url, events: ["package.published"] } }), 400);
    }
    expect(await writeSnapshot()).toEqual(before);
  });
});

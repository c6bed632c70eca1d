// Registry events for webhooks: after a change has committed, one queue message per subscribed endpoint
// of the owning org. Enqueued in waitUntil, so a slow or failing queue never delays or fails the change.
import { and, eq, sql } from "drizzle-orm";
import { webhooks, nowIso } from "../db/schema";
import type { RequestContext } from "../http/context";
import type { Deprecation, Identity } from "../registry/publish-coordinator";
import { randomId } from "../identity/secrets";

export const WEBHOOK_EVENTS = [
  "package.published",
  "package.deleted",
  "package.deprecated",
  "package.undeprecated",
  "template.published",
  "template.deleted",
  "template.deprecated",
  "template.undeprecated",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The JSON body a receiver gets. */
export interface RegistryEvent {
  id: string;
  type: WebhookEvent;
  createdAt: string;
  org: string;
  /** What changed; `version` is absent when a whole package or template was (un)deprecated. */
  target: { kind: "package" | "template"; source: string; publisher: string; name: string; version?: string };
  deprecation?: Deprecation;
}

export interface WebhookMessage {
  webhookId: string;
  event: RegistryEvent;
}

export interface EventInput {
  type: WebhookEvent;
  /** The owning org: whose webhooks hear about it. */
  org: string;
  identity: Identity;
  version?: string;
  deprecation?: Deprecation;
}

export function buildEvent(input: EventInput): RegistryEvent {
  const { kind, source, publisher, name } = input.identity;
  return {
    id: `evt_${randomId(12)}`,
    type: input.type,
    createdAt: nowIso(),
    org: input.org,
    target: { kind, source, publisher, name, ...(input.version ? { version: input.version } : {}) },
    ...(input.deprecation ? { deprecation: input.deprecation } : {}),
  };
}

/** Fans the event out to the org's subscribed endpoints; call only once the change has committed. */
export function enqueueEvent(context: RequestContext, input: EventInput): void {
  const queue = context.env.WEBHOOK_QUEUE;
  if (!queue) return;
  const event = buildEvent(input);
  const work = (async () => {
    const hooks = await context.db
      .select({ id: webhooks.id })
      .from(webhooks)
      .where(and(eq(webhooks.orgLogin, input.org), sql`exists (select 1 from json_each(${webhooks.events}) where value = ${input.type})`))
      .all();
    for (let i = 0; i < hooks.length; i += 100) {
      await queue.sendBatch(hooks.slice(i, i + 100).map((h) => ({ body: { webhookId: h.id, event } satisfies WebhookMessage, contentType: "json" as const })));
    }
  })().catch((error: unknown) => {
    // Never the change's failure: it has committed. The log line lets an operator see the lost event.
    console.log(JSON.stringify({ requestId: context.requestId, webhookEnqueueFailed: event.id, error: String(error) }));
  });
  context.ctx.waitUntil(work);
}

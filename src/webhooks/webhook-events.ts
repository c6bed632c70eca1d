// Registry events for webhooks: after a change has committed, one queue message per subscribed endpoint
// of the owning org. Enqueued in waitUntil, so a slow or failing queue never delays or fails the change.
import { and, eq, sql } from "drizzle-orm";
import { webhooks, nowIso } from "../db/schema";
import type { Database } from "../db/client";
import { kindEventTypes, type KindEventType } from "../core/vocabulary/kind-actions";
import { REGISTERED_KINDS } from "../registered-kinds";
import type { Deprecation } from "../core/vocabulary/deprecation";
import type { Identity, Kind } from "../core/vocabulary/identity";
import { randomId } from "../identity/secrets";

/** Each registered kind's events (`${kind}.published`, …; src/core/vocabulary/kind-actions.ts). */
/** Events that are not derived from a kind's name: a provider plugin archive attached to a package version. */
export const PLUGIN_ATTACHED = "package.plugin_attached";
const [firstEvent, ...otherEvents] = kindEventTypes(REGISTERED_KINDS);
export type WebhookEvent = KindEventType | typeof PLUGIN_ATTACHED;
export const WEBHOOK_EVENTS: [WebhookEvent, ...WebhookEvent[]] = [firstEvent!, ...otherEvents, PLUGIN_ATTACHED];

/** The JSON body a receiver gets. */
export interface RegistryEvent {
  id: string;
  type: WebhookEvent;
  createdAt: string;
  org: string;
  /** What changed; `version` is absent when a whole package or template was (un)deprecated. */
  target: { kind: Kind; source: string; publisher: string; name: string; version?: string };
  deprecation?: Deprecation;
  platforms?: string[];
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
  /** For `package.plugin_attached`: the platforms attached. */
  platforms?: string[];
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
    ...(input.platforms ? { platforms: input.platforms } : {}),
  };
}

/** Fans the event out to the org's subscribed endpoints; call only once the change has committed. */
/** What enqueueing needs of a request (or any other caller that committed a change). */
export interface EventContext {
  env: { WEBHOOK_QUEUE?: Queue<WebhookMessage> };
  db: Database;
  ctx: { waitUntil(promise: Promise<unknown>): void };
  requestId: string;
}

export function enqueueEvent(context: EventContext, input: EventInput): void {
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

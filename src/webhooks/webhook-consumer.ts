// Queue consumer: delivers one event to one endpoint per message, signed; a failure is retried with
// exponential backoff (message.retry), and after the last try the runtime moves the message to the
// dead-letter queue, whose consumer records the final failure. Every attempt is recorded. The target is
// checked again before each attempt, under the settings of now (docs/webhooks.md).
import { and, count, eq } from "drizzle-orm";
import { database, type Database } from "../db/client";
import { nowIso, webhookDeliveries, webhooks } from "../db/schema";
import { signingSecret, webhookSettings, type Env } from "../env";
import type { WebhookMessage } from "./webhook-events";
import { signDelivery, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSecret } from "./webhook-signing";
import { checkWebhookUrl } from "./webhook-targets";
import { ApiError } from "../http/api-error";

/**
 * What the deliveries log says when no HTTP answer came: one sentence, no timing, whatever the cause
 * (unknown host, closed port, refused or reset connection, TLS failure, timeout), so the log cannot
 * tell an open port from a closed one. The cause goes to the Worker's own log, for the operator.
 */
export const NO_ANSWER = "no HTTP answer from the receiver (unreachable, refused, failed TLS or timed out)";

/** Must match the queue names in wrangler.toml. */
export const WEBHOOK_QUEUE_NAME = "edge-registry-webhooks";
export const WEBHOOK_DLQ_NAME = "edge-registry-webhooks-dlq";

const MAX_DELAY_SECONDS = 3600;

/** Delay before retry n (n = the attempt that just failed, from 1): base, 2·base, 4·base, … capped. */
export function retryDelaySeconds(failedAttempt: number, baseSeconds: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.round(baseSeconds * 2 ** (failedAttempt - 1)));
}

interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number | null;
}

async function attemptDelivery(env: Env, hook: { id: string; url: string; secretSalt: string }, message: WebhookMessage): Promise<AttemptResult> {
  const body = JSON.stringify(message.event);
  const timestamp = Math.floor(Date.now() / 1000);
  const secret = await webhookSecret(signingSecret(env), hook.id, hook.secretSalt);
  const started = Date.now();
  try {
    const response = await fetch(hook.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "edge-registry-webhooks/1",
        "X-Registry-Event": message.event.type,
        "X-Registry-Delivery": message.event.id,
        "X-Registry-Webhook": hook.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: await signDelivery(secret, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(webhookSettings(env).timeoutMs),
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return { ok, status: response.status, error: ok ? null : `receiver answered ${response.status}`, durationMs: Date.now() - started };
  } catch (error) {
    const cause = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : String(error);
    console.log(JSON.stringify({ webhook: hook.id, event: message.event.id, deliveryError: cause }));
    return { ok: false, status: null, error: NO_ANSWER, durationMs: null };
  }
}

type AttemptFacts = Omit<typeof webhookDeliveries.$inferInsert, "id" | "webhookId" | "eventId" | "event" | "at">;

function recordAttempt(db: Database, { webhookId, event }: WebhookMessage, facts: AttemptFacts) {
  return db
    .insert(webhookDeliveries)
    .values({ webhookId, eventId: event.id, event: event.type, at: nowIso(), ...facts })
    .run();
}

async function deliver(env: Env, db: Database, message: Message<WebhookMessage>): Promise<void> {
  const hook = await db.select().from(webhooks).where(eq(webhooks.id, message.body.webhookId)).get();
  // Deleted since the event was enqueued: nobody to tell.
  if (!hook) return message.ack();
  const settings = webhookSettings(env);
  try {
    // A target accepted under other settings (local targets allowed then, not now) receives nothing.
    checkWebhookUrl(hook.url, settings.allowLocalHttp);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    await recordAttempt(db, message.body, { attempt: message.attempts, outcome: "failed", error: `not delivered: ${error.message}` });
    // Retrying cannot help until the settings change; the org sees why in the log and can re-register.
    return message.ack();
  }
  const result = await attemptDelivery(env, hook, message.body);
  const delay = result.ok ? null : retryDelaySeconds(message.attempts, settings.retryBaseSeconds);
  await recordAttempt(db, message.body, {
    attempt: message.attempts,
    outcome: result.ok ? "delivered" : "failed",
    status: result.status,
    error: result.error,
    retryDelaySeconds: delay,
    durationMs: result.durationMs,
  });
  if (result.ok) message.ack();
  else message.retry({ delaySeconds: delay! });
}

/** A message that exhausted its retries: recorded as dead-lettered, then acknowledged. */
async function recordDeadLetter(db: Database, message: Message<WebhookMessage>): Promise<void> {
  const { webhookId, event } = message.body;
  const tried = await db
    .select({ n: count() })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.eventId, event.id), eq(webhookDeliveries.outcome, "failed")))
    .get();
  await recordAttempt(db, message.body, {
    attempt: tried?.n ?? 0,
    outcome: "dead_lettered",
    error: "gave up after the last retry; the message is in the dead-letter queue",
  });
  message.ack();
}

export async function handleWebhookBatch(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const db = database(env.DB);
  const deadLetters = batch.queue === WEBHOOK_DLQ_NAME;
  // Messages are independent: one endpoint's slowness does not hold another's delivery back.
  await Promise.all(batch.messages.map((message) => (deadLetters ? recordDeadLetter(db, message) : deliver(env, db, message))));
}

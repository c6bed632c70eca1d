// Webhook endpoints of an org (admin tokens only): register (the secret is shown once), list, delete,
// and each endpoint's delivery attempts, newest first.
import { and, asc, count, desc, eq, lt } from "drizzle-orm";
import type { IRequest } from "itty-router";
import { z } from "zod";
import { requireOrgAdminToken } from "../identity/operator-auth";
import { actorOf, auditEntry, auditEntryIfChanged, stampFor } from "../audit/audit-log";
import { nowIso, webhookDeliveries, webhooks, type WebhookRow } from "../db/schema";
import { signingSecret, webhookSettings } from "../env";
import { badRequest, conflict, notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { readBody } from "../http/json-body";
import { json, noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { randomId } from "../identity/secrets";
import { decodeSingleKey, encodeContinuation } from "../core/continuation";
import { decodeSegment, printable } from "../core/vocabulary/names";
import { parsePageParams } from "../http/query-params";
import { WEBHOOK_EVENTS } from "./webhook-events";
import { newSecretSalt, webhookSecret } from "./webhook-signing";

export const MAX_WEBHOOKS_PER_ORG = 20;

export const RegisterWebhook = z.object({
  url: z.string({ error: "is required and must be a string" }).min(1).max(2048),
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { error: `must be one of ${WEBHOOK_EVENTS.join(", ")}` }), { error: "is required and must be an array" })
    .min(1, "must name at least one event")
    .refine((events) => new Set(events).size === events.length, "must not repeat an event"),
});

/**
 * Loopback, private, link-local, shared and unspecified addresses (and `localhost` names): a
 * registry's webhooks must not reach the network it runs beside. `URL` has already normalised IPv4
 * literals (`0x7f000001` → `127.0.0.1`) and bracketed IPv6.
 */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (host.startsWith("[")) {
    const v6 = host.slice(1, -1);
    return v6 === "::" || v6 === "::1" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || v6.startsWith("::ffff:");
  }
  return false;
}

/**
 * https to a public host; `http://127.0.0.1` (and internal https hosts) only when
 * WEBHOOK_ALLOW_LOCAL_HTTP=true, for local development. No credentials in the URL.
 */
export function checkWebhookUrl(raw: string, allowLocalHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`invalid webhook url '${printable(raw)}': not a URL`);
  }
  if (url.username || url.password) throw badRequest("invalid webhook url: it must not carry credentials");
  if (url.protocol === "https:") {
    if (isInternalHost(url.hostname) && !allowLocalHttp) throw badRequest(`invalid webhook url '${printable(raw)}': it names a loopback, private or link-local host`);
    return url.toString();
  }
  if (url.protocol === "http:" && allowLocalHttp && url.hostname === "127.0.0.1") return url.toString();
  throw badRequest(`invalid webhook url '${printable(raw)}': only https URLs are accepted${allowLocalHttp ? " (or http://127.0.0.1)" : ""}`);
}

const view = (row: WebhookRow) => ({ id: row.id, url: row.url, events: JSON.parse(row.events) as string[], createdAt: row.createdAt });

async function orgAdmin(request: IRequest, context: RequestContext) {
  const org = decodeSegment(request.params.org, "organization");
  const caller = await requireOrgAdminToken(context, org);
  return { org, stamp: stampFor(context, actorOf(caller)) };
}

async function findHook(request: IRequest, context: RequestContext, org: string): Promise<WebhookRow> {
  const id = decodeSegment(request.params.id, "webhook id");
  const hook = await context.db.select().from(webhooks).where(and(eq(webhooks.id, id), eq(webhooks.orgLogin, org))).get();
  if (!hook) throw notFound(`webhook '${id}' not found in organization '${org}'`);
  return hook;
}

async function register(request: IRequest, context: RequestContext) {
  const { org, stamp } = await orgAdmin(request, context);
  const body = await readBody(request, RegisterWebhook, "webhook");
  const url = checkWebhookUrl(body.url, webhookSettings(context.env).allowLocalHttp);
  const existing = await context.db.select({ n: count() }).from(webhooks).where(eq(webhooks.orgLogin, org)).get();
  if ((existing?.n ?? 0) >= MAX_WEBHOOKS_PER_ORG) throw conflict(`organization '${org}' already has ${MAX_WEBHOOKS_PER_ORG} webhooks, the most it may have`);
  const row: WebhookRow = { id: `wh_${randomId(12)}`, orgLogin: org, url, events: JSON.stringify(body.events), secretSalt: newSecretSalt(), createdAt: nowIso() };
  const secret = await webhookSecret(signingSecret(context.env), row.id, row.secretSalt);
  const db = context.db;
  await db.batch([
    db.insert(webhooks).values(row),
    auditEntry(db, stamp, { action: "webhook.create", org, target: `webhook/${row.id}`, outcome: 201, detail: { url, events: body.events } }),
  ]);
  // The secret is shown this once; it is derived again for each delivery and never stored.
  return json({ ...view(row), secret }, 201);
}

async function list(request: IRequest, context: RequestContext) {
  const { org } = await orgAdmin(request, context);
  const rows = await context.db.select().from(webhooks).where(eq(webhooks.orgLogin, org)).orderBy(asc(webhooks.createdAt), asc(webhooks.id)).all();
  return json({ webhooks: rows.map(view) });
}

async function remove(request: IRequest, context: RequestContext) {
  const { org, stamp } = await orgAdmin(request, context);
  const hook = await findHook(request, context, org);
  const db = context.db;
  await db.batch([
    db.delete(webhooks).where(eq(webhooks.id, hook.id)),
    auditEntryIfChanged(db, stamp, { action: "webhook.delete", org, target: `webhook/${hook.id}`, outcome: 204 }),
    db.delete(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.id)),
  ]);
  return noContent();
}

async function deliveries(request: IRequest, context: RequestContext) {
  const { org } = await orgAdmin(request, context);
  const hook = await findHook(request, context, org);
  const page = parsePageParams(new URL(request.url).searchParams);
  const scope = JSON.stringify({ deliveriesOf: hook.id });
  const secret = signingSecret(context.env);
  const before = await decodeSingleKey(secret, scope, page.continuationToken, "number");
  const conditions = [eq(webhookDeliveries.webhookId, hook.id)];
  if (before !== undefined) conditions.push(lt(webhookDeliveries.id, before));
  const rows = await context.db
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.id))
    .limit(page.limit + 1)
    .all();
  const shown = rows.slice(0, page.limit);
  const body: Record<string, unknown> = {
    deliveries: shown.map((d) => ({
      eventId: d.eventId,
      event: d.event,
      attempt: d.attempt,
      outcome: d.outcome,
      ...(d.status !== null ? { status: d.status } : {}),
      ...(d.error !== null ? { error: d.error } : {}),
      ...(d.retryDelaySeconds !== null ? { retryDelaySeconds: d.retryDelaySeconds } : {}),
      ...(d.durationMs !== null ? { durationMs: d.durationMs } : {}),
      at: d.at,
    })),
  };
  const last = shown[shown.length - 1];
  if (rows.length > page.limit && last) body.continuationToken = await encodeContinuation(secret, scope, [last.id]);
  return json(body);
}

export const webhookRoutes: Array<[string, RouteMethods]> = [
  ["/api/orgs/:org/registry/webhooks", { POST: register, GET: list }],
  ["/api/orgs/:org/registry/webhooks/:id", { DELETE: remove }],
  ["/api/orgs/:org/registry/webhooks/:id/deliveries", { GET: deliveries }],
];

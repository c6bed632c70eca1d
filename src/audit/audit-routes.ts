// Reading the audit log: an org's admin tokens see the entries about their org, the operator sees all.
// Filters by action, target and time range; newest first, keyset-paged on the entry id.
import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import type { IRequest } from "itty-router";
import { requireOperator, requireOrgAdminToken } from "../identity/operator-auth";
import { auditLog, type AuditRow } from "../db/schema";
import type { Database } from "../db/client";
import { auditRetentionDays, signingSecret, type Env } from "../env";
import { badRequest } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { json } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { decodeSingleKey, encodeContinuation } from "../core/continuation";
import { decodeSegment, printable } from "../core/vocabulary/names";
import { parseEnumParam, parsePageParams } from "../http/query-params";
import { AUDIT_ACTIONS } from "./audit-log";
import { database } from "../db/client";

/** What the `target` filter may be: an entry's target such as `package/private/acme/vpc` or `webhook/wh_…`. */
export const AUDIT_TARGET_PATTERN = /^[A-Za-z0-9._/+-]{1,600}$/;

function timeParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null || value === "") return undefined;
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw badRequest(`invalid ${name} '${printable(value)}': must be an RFC 3339 timestamp`);
  return new Date(at).toISOString();
}

function entryView(row: AuditRow) {
  return {
    id: String(row.id),
    at: row.at,
    actor: row.actorKind === "operator" ? { kind: "operator" } : { kind: "token", org: row.actorOrg, tokenId: row.actorTokenId },
    ...(row.org ? { org: row.org } : {}),
    action: row.action,
    target: row.target,
    ...(row.version ? { version: row.version } : {}),
    outcome: row.outcome,
    requestId: row.requestId,
    ...(row.detail ? { detail: JSON.parse(row.detail) } : {}),
  };
}

async function auditPage(request: IRequest, context: RequestContext, org: string | undefined) {
  const query = new URL(request.url).searchParams;
  const page = parsePageParams(query);
  const action = parseEnumParam(query, "action", AUDIT_ACTIONS);
  const rawTarget = query.get("target");
  if (rawTarget !== null && rawTarget !== "" && !AUDIT_TARGET_PATTERN.test(rawTarget)) throw badRequest(`invalid target filter '${printable(rawTarget)}'`);
  const target = rawTarget || undefined;
  const since = timeParam(query, "since");
  const until = timeParam(query, "until");
  if (since && until && since > until) throw badRequest("invalid time range: 'since' is after 'until'");
  const scope = JSON.stringify({ audit: org ?? null, action: action ?? null, target: target ?? null, since: since ?? null, until: until ?? null });
  const secret = signingSecret(context.env);
  const before = await decodeSingleKey(secret, scope, page.continuationToken, "number");
  const conditions: SQL[] = [];
  if (org !== undefined) conditions.push(eq(auditLog.org, org));
  if (action) conditions.push(eq(auditLog.action, action));
  if (target) conditions.push(eq(auditLog.target, target));
  if (since) conditions.push(gte(auditLog.at, since));
  if (until) conditions.push(lte(auditLog.at, until));
  if (before !== undefined) conditions.push(lt(auditLog.id, before));
  const rows = await context.db
    .select()
    .from(auditLog)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(page.limit + 1)
    .all();
  const shown = rows.slice(0, page.limit);
  const body: Record<string, unknown> = { entries: shown.map(entryView) };
  const last = shown[shown.length - 1];
  if (rows.length > page.limit && last) body.continuationToken = await encodeContinuation(secret, scope, [last.id]);
  return json(body);
}

/** Deletes entries older than AUDIT_RETENTION_DAYS; run by the daily cron trigger. */
export async function pruneAuditLog(env: Env, now = Date.now(), db: Database = database(env.DB)): Promise<number> {
  const cutoff = new Date(now - auditRetentionDays(env) * 86_400_000).toISOString();
  const deleted = await db.delete(auditLog).where(lt(auditLog.at, cutoff)).returning({ id: auditLog.id }).all();
  return deleted.length;
}

export const auditRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/orgs/:org/registry/audit",
    {
      async GET(request, context) {
        const org = decodeSegment(request.params.org, "organization");
        await requireOrgAdminToken(context, org);
        return auditPage(request, context, org);
      },
    },
  ],
  [
    "/api/admin/audit",
    {
      async GET(request, context) {
        await requireOperator(request, context);
        return auditPage(request, context, undefined);
      },
    },
  ],
];

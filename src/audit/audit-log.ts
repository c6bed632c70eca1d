// Audit log writes: one entry per accepted change, as a statement the caller adds to the SAME D1 batch
// as the change, so neither can exist without the other. Rejected requests write nothing (see README).
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { auditLog, nowIso } from "../db/schema";
import type { Caller } from "../identity/rights";
import { kindAuditActions, type KindAuditAction } from "../core/vocabulary/kind-actions";
import { REGISTERED_KINDS } from "../registered-kinds";
import type { Identity } from "../core/vocabulary/identity";

/** Who made a change: an org token (its id and org, never the secret) or the operator's ADMIN_TOKEN. */
export type Actor = { kind: "token"; org: string; tokenId: string } | { kind: "operator" };

/** Actions that are not about a kind's items (and a few kind-specific ones: operator features, VCS templates). */
const OTHER_ACTIONS = [
  "org.create",
  "token.create",
  "token.revoke",
  "package.featured",
  "package.plugin.attach",
  "template.vcs.register",
  "template.vcs.unregister",
  "usage.report",
  "usage.delete",
  "webhook.create",
  "webhook.delete",
] as const;
export type AuditAction = (typeof OTHER_ACTIONS)[number] | KindAuditAction;

/** Every action an entry may record: the others, and each registered kind's own (src/core/vocabulary/kind-actions.ts). */
export const AUDIT_ACTIONS: [AuditAction, ...AuditAction[]] = [OTHER_ACTIONS[0], ...OTHER_ACTIONS.slice(1), ...kindAuditActions(REGISTERED_KINDS)];

/** Plain data, so it can travel into the publish coordinator with the change it belongs to. */
export interface AuditStamp {
  actor: Actor;
  requestId: string;
}

export interface AuditFacts {
  action: AuditAction;
  /** The organization the change concerns: whose admins may read the entry. */
  org: string | null;
  target: string;
  version?: string | null;
  /** The HTTP status the change answers with. */
  outcome: number;
  detail?: Record<string, unknown>;
}

export function actorOf(caller: Extract<Caller, { kind: "org" }>): Actor {
  return { kind: "token", org: caller.org, tokenId: caller.tokenId };
}

export function stampFor(context: { requestId: string }, actor: Actor): AuditStamp {
  return { actor, requestId: context.requestId };
}

/** `package/private/acme/vpc`: the target of an entry about a package or template (canonical name). */
export function itemTarget(id: Pick<Identity, "kind" | "source" | "publisher" | "canonicalName">): string {
  return `${id.kind}/${id.source}/${id.publisher}/${id.canonicalName}`;
}

function row(stamp: AuditStamp, facts: AuditFacts) {
  return {
    at: nowIso(),
    org: facts.org,
    actorKind: stamp.actor.kind,
    actorOrg: stamp.actor.kind === "token" ? stamp.actor.org : null,
    actorTokenId: stamp.actor.kind === "token" ? stamp.actor.tokenId : null,
    action: facts.action,
    target: facts.target,
    version: facts.version ?? null,
    outcome: facts.outcome,
    requestId: stamp.requestId,
    detail: facts.detail ? JSON.stringify(facts.detail) : null,
  };
}

/** The entry, for a batch whose every statement is the change. */
export function auditEntry(db: Database, stamp: AuditStamp, facts: AuditFacts) {
  return db.insert(auditLog).values(row(stamp, facts));
}

/**
 * The entry only if the statement just before it in the batch changed a row (SQLite `changes()`):
 * for conditional changes (an insert that may conflict, an update that may match nothing), so a
 * refused change leaves no entry. Must directly follow the statement it records.
 */
export function auditEntryIfChanged(db: Database, stamp: AuditStamp, facts: AuditFacts) {
  const r = row(stamp, facts);
  // Columns in the table's order; null id → the next autoincrement id.
  return db.insert(auditLog).select(sql`
    select null, ${r.at}, ${r.org}, ${r.actorKind}, ${r.actorOrg}, ${r.actorTokenId}, ${r.action}, ${r.target},
      ${r.version}, ${r.outcome}, ${r.requestId}, ${r.detail}
    where changes() > 0`);
}

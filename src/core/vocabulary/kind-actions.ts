// Webhook event types and audit actions about an item are derived from its kind's name
// (`${kind}.published`, `${kind}.publish.start`, …): a new kind brings its own without a closed list.
import type { Kind } from "./identity";

export const KIND_EVENT_VERBS = ["published", "deleted", "deprecated", "undeprecated"] as const;
export type KindEventVerb = (typeof KIND_EVENT_VERBS)[number];
export type KindEventType = `${Kind}.${KindEventVerb}`;

export const KIND_AUDIT_VERBS = ["publish.start", "publish.complete", "delete", "deprecate", "undeprecate"] as const;
export type KindAuditVerb = (typeof KIND_AUDIT_VERBS)[number];
export type KindAuditAction = `${Kind}.${KindAuditVerb}`;

export const kindEvent = (kind: Kind, verb: KindEventVerb): KindEventType => `${kind}.${verb}`;
export const kindAuditAction = (kind: Kind, verb: KindAuditVerb): KindAuditAction => `${kind}.${verb}`;

/** Every event type of these kinds, kind by kind. */
export function kindEventTypes(kinds: readonly Kind[]): KindEventType[] {
  return kinds.flatMap((kind) => KIND_EVENT_VERBS.map((verb) => kindEvent(kind, verb)));
}

/** Every audit action of these kinds, kind by kind. */
export function kindAuditActions(kinds: readonly Kind[]): KindAuditAction[] {
  return kinds.flatMap((kind) => KIND_AUDIT_VERBS.map((verb) => kindAuditAction(kind, verb)));
}

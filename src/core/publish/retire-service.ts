// Deleting: one version (it disappears, `latest` moves, its number stays taken) or a whole item (every
// live version at once, one audit entry, one event). Both serialized by the identity's coordinator.
import { forbidden, notFound } from "../../http/api-error";
import { findItem } from "../catalog/lookups";
import { canPublish, type Caller } from "../../identity/rights";
import { actorOf, stampFor, type Actor } from "../../audit/audit-log";
import { enqueueEvent } from "../../webhooks/webhook-events";
import type { AnyKind } from "../kind";
import { readerFor, resolveVersion, type ResolvedVersion } from "../resolve-version";
import { canSee } from "../visibility";
import type { CoreContext } from "../vocabulary/core-context";
import { describeIdentity, type Identity } from "../vocabulary/identity";
import { kindEvent } from "../vocabulary/kind-actions";
import { unwrap } from "../vocabulary/outcome";
import type { ParsedVersion } from "../vocabulary/versions";
import { coordinatorFor } from "./coordinator-stub";
import { requirePublisher, type OrgCaller } from "./publisher-rights";

/**
 * The caller may change what `version` names: an org token (401), the item visible to it (404: absent
 * and invisible look the same), the publisher role (403), and the item its org's to change (403).
 */
export async function authorizeChange(
  context: CoreContext,
  kind: AnyKind,
  caller: Caller,
  identity: Identity,
  version: ParsedVersion | "latest",
  /** `doing` for the 401 (`deleting a version`), `verb` for the 403 (`delete`), `shown`: the version as given. */
  what: { doing: string; verb: string; shown?: string },
): Promise<{ org: OrgCaller; resolved: ResolvedVersion }> {
  if (caller.kind !== "org") requirePublisher(caller, `${what.doing} requires an org token with the publisher or admin role`);
  const { resolved } = await resolveVersion(readerFor(context.db, caller), { identity, version });
  if (!resolved || !canSee(caller, resolved.item)) throw notFound(`${describeIdentity(identity, what.shown)} not found`);
  // Visible but not theirs to change: 403 (the caller already knows it exists).
  const org = requirePublisher(caller);
  const right = canPublish(org, { source: identity.source, publisher: identity.publisher, existingOwner: resolved.item.ownerOrg });
  if (!right.ok) throw forbidden(`may not ${what.verb} ${describeIdentity(identity, what.shown)}: ${right.reason}`);
  return { org, resolved };
}

/** Retires one version. `force` is needed for the last live version of a kind with `lastVersionNeedsForce`. */
export async function retireVersion(context: CoreContext, kind: AnyKind, caller: Caller, identity: Identity, version: ParsedVersion, options: { force: boolean }): Promise<void> {
  const { org, resolved } = await authorizeChange(context, kind, caller, identity, version, { doing: "deleting a version", verb: "delete", shown: version.raw });
  unwrap(
    await coordinatorFor(context.env, identity).retire({
      ...identity,
      version: version.raw,
      precedenceKey: version.precedenceKey,
      org: org.org,
      lastNeedsForce: kind.lastVersionNeedsForce,
      force: kind.lastVersionNeedsForce ? options.force : false,
      audit: stampFor(context, actorOf(org)),
    }),
  );
  enqueueEvent(context, { type: kindEvent(kind.kind, "deleted"), org: resolved.item.ownerOrg, identity, version: version.raw });
  await context.catalogChanged();
}

/**
 * Deletes a whole item: every live version retired at once (no `force` needed: asking for the item is the
 * intent). An item without live versions is a 404. The event carries no version.
 */
export async function deleteItem(context: CoreContext, kind: AnyKind, caller: Caller, identity: Identity): Promise<{ retired: string[] }> {
  const { org, resolved } = await authorizeChange(context, kind, caller, identity, "latest", { doing: `deleting a ${kind.noun}`, verb: "delete" });
  if (!resolved.version) throw notFound(`${describeIdentity(identity)} not found`);
  const result = unwrap(await coordinatorFor(context.env, identity).retireItem({ ...identity, org: org.org, audit: stampFor(context, actorOf(org)) }));
  enqueueEvent(context, { type: kindEvent(kind.kind, "deleted"), org: result.ownerOrg, identity });
  await context.catalogChanged();
  return { retired: result.retired };
}

/**
 * The operator's delete of one version of any package (moderation; a mirrored version the upstream pulled
 * as malicious, before the recheck gets to it): no org rights asked, the last version needs no force.
 */
export async function operatorRetireVersion(context: CoreContext, kind: AnyKind, actor: Actor, identity: Identity, version: ParsedVersion): Promise<void> {
  const item = await findItem(context.db, identity.kind, identity.source, identity.publisher, identity.canonicalName);
  if (!item) throw notFound(`${describeIdentity(identity, version.raw)} not found`);
  unwrap(
    await coordinatorFor(context.env, identity).retire({
      ...identity,
      version: version.raw,
      precedenceKey: version.precedenceKey,
      org: item.ownerOrg,
      lastNeedsForce: false,
      force: true,
      audit: stampFor(context, actor),
    }),
  );
  enqueueEvent(context, { type: kindEvent(kind.kind, "deleted"), org: item.ownerOrg, identity, version: version.raw });
  await context.catalogChanged();
}

/**
 * The operator's delete of a whole item: every live version retired, and a mirrored item released (it is
 * never mirrored again; its org may publish to it as to any local item). A mirrored item without live
 * versions is released alone.
 */
export async function operatorDeleteItem(context: CoreContext, kind: AnyKind, actor: Actor, identity: Identity): Promise<{ retired: string[]; released?: string }> {
  const item = await findItem(context.db, identity.kind, identity.source, identity.publisher, identity.canonicalName);
  if (!item) throw notFound(`${describeIdentity(identity)} not found`);
  const result = unwrap(await coordinatorFor(context.env, identity).retireItem({ ...identity, org: item.ownerOrg, audit: stampFor(context, actor), releaseMirror: true }));
  if (result.retired.length) enqueueEvent(context, { type: kindEvent(kind.kind, "deleted"), org: result.ownerOrg, identity });
  await context.catalogChanged();
  return { retired: result.retired, ...(item.mirror ? { released: item.mirror } : {}) };
}

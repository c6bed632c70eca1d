// Deprecating (or undoing it for) one version or a whole item, with an optional replacement that must
// exist in this registry; serialized by the identity's coordinator with completes and deletes.
import { ApiError, badRequest } from "../../http/api-error";
import type { Caller } from "../../identity/rights";
import { actorOf, stampFor } from "../../audit/audit-log";
import { enqueueEvent } from "../../webhooks/webhook-events";
import type { AnyKind } from "../kind";
import { readerFor, resolveVersion } from "../resolve-version";
import { visibilityForSource } from "../visibility";
import type { CoreContext } from "../vocabulary/core-context";
import type { Deprecation } from "../vocabulary/deprecation";
import { describeIdentity, type Identity } from "../vocabulary/identity";
import { kindEvent } from "../vocabulary/kind-actions";
import { printable } from "../vocabulary/names";
import { unwrap } from "../vocabulary/outcome";
import { parseVersion, type ParsedVersion } from "../vocabulary/versions";
import { coordinatorFor } from "./coordinator-stub";
import { authorizeChange } from "./retire-service";

interface Replacement {
  identity: Identity;
  version?: ParsedVersion;
}

/** `source/publisher/name[@version]`, parsed with the kind's own path rules; anything else is a 400. */
function parseReplacement(kind: AnyKind, raw: string): Replacement {
  const invalid = (why: string) => badRequest(`invalid replacement '${printable(raw)}': ${why}; expected 'source/publisher/name[@version]'`);
  const at = raw.indexOf("@");
  const path = at === -1 ? raw : raw.slice(0, at);
  const versionText = at === -1 ? undefined : raw.slice(at + 1);
  const parts = path.split("/");
  if (parts.length < 3) throw invalid("too few parts");
  let identity: Identity;
  try {
    identity = kind.identity({ source: parts[0], publisher: encodeURIComponent(parts[1]!), name: parts.slice(2).map(encodeURIComponent).join("/") });
  } catch (error) {
    if (error instanceof ApiError) throw invalid(error.message);
    throw error;
  }
  if (versionText === undefined) return { identity };
  const version = parseVersion(versionText);
  if (!version) throw invalid("the version is not SemVer 2.0");
  return { identity, version };
}

/** The replacement must exist in this registry, be visible to the caller, and not be the thing deprecated. */
async function checkReplacement(context: CoreContext, kind: AnyKind, caller: Caller, raw: string, target: Identity, targetVersion?: ParsedVersion): Promise<string> {
  const { identity, version } = parseReplacement(kind, raw);
  const { resolved } = await resolveVersion(readerFor(context.db, caller), { identity, version: version ?? "latest" });
  if (!resolved || !resolved.version) throw badRequest(`invalid replacement: ${describeIdentity(identity, version?.raw)} not found in this registry`);
  // Everyone who can see a public item sees its deprecation, so its replacement must be public too.
  if (resolved.visibility === "private" && visibilityForSource(target.source) === "public") {
    throw badRequest("invalid replacement: a public package or template cannot name a private replacement");
  }
  const sameItem = identity.source === target.source && identity.publisher === target.publisher && identity.canonicalName === target.canonicalName;
  if (sameItem && (!targetVersion || !version || version.precedenceKey === targetVersion.precedenceKey)) {
    throw badRequest("invalid replacement: it names what is being deprecated");
  }
  return `${resolved.item.source}/${resolved.item.publisher}/${resolved.item.name}${version ? `@${version.raw}` : ""}`;
}

export interface DeprecationRequest {
  /** The version to (un)deprecate; absent for the whole item. */
  version?: ParsedVersion;
  /**
   * Null undoes a deprecation. A function is called once the caller is known to be allowed, so an
   * adapter can read and validate its body after the 401/404/403 checks, in the order the API answers them.
   */
  deprecation: DeprecationFields | null | (() => Promise<DeprecationFields>);
}

export interface DeprecationFields {
  message: string;
  replacement?: string;
}

/** Sets or clears a deprecation; `changed` is false when there was nothing to undo. */
export async function setDeprecation(context: CoreContext, kind: AnyKind, caller: Caller, identity: Identity, request: DeprecationRequest): Promise<{ changed: boolean }> {
  const { version } = request;
  const { org } = await authorizeChange(context, kind, caller, identity, version ?? "latest", {
    doing: `deprecating a ${kind.noun}`,
    verb: "change the deprecation of",
    shown: version?.raw,
  });
  const fields = typeof request.deprecation === "function" ? await request.deprecation() : request.deprecation;
  let deprecation: Omit<Deprecation, "deprecatedAt"> | null = null;
  if (fields) {
    deprecation = { message: fields.message };
    if (fields.replacement !== undefined) deprecation.replacement = await checkReplacement(context, kind, caller, fields.replacement, identity, version);
  }
  const result = unwrap(
    await coordinatorFor(context.env, identity).deprecate({
      ...identity,
      ...(version ? { version: { raw: version.raw, precedenceKey: version.precedenceKey } } : {}),
      deprecation,
      org: org.org,
      audit: stampFor(context, actorOf(org)),
    }),
  );
  if (result.changed) {
    await context.catalogChanged();
    enqueueEvent(context, {
      type: kindEvent(kind.kind, fields ? "deprecated" : "undeprecated"),
      org: result.ownerOrg,
      identity,
      version: version?.raw,
      ...(result.deprecation ? { deprecation: result.deprecation } : {}),
    });
  }
  return { changed: result.changed };
}

// Deprecation of one version or a whole package/template: PUT {"message","replacement"?} / DELETE on
// `…/versions/{version}/deprecation` and `…/deprecation`. Publisher rights as for delete; the change runs
// in the identity's PublishCoordinator, so it serializes with completes and deletes.
import type { IRequest } from "itty-router";
import { z } from "zod";
import { actorOf, stampFor } from "../audit/audit-log";
import { ApiError, badRequest, forbidden, notFound, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { readBody } from "../http/json-body";
import { noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { canPublish, type Caller } from "../identity/rights";
import { canSee, visibilityForSource } from "../core/visibility";
import { getEntry } from "../core/catalog/entries";
import type { RegistryKind } from "../core/kind";
import { printable } from "../core/vocabulary/names";
import { describeIdentity, type Identity } from "../core/vocabulary/identity";
import { type Deprecation } from "../core/vocabulary/deprecation";
import { coordinator } from "./registry-routes";
import { unwrap } from "../core/vocabulary/outcome";
import { parseVersionParam, requirePublisherCaller, type RouteParams } from "./request-parsing";
import { parseVersion, type ParsedVersion } from "../core/vocabulary/versions";
import { enqueueEvent } from "../webhooks/webhook-events";
import { catalogChanged } from "../http/edge-cache";

export const DeprecateBody = z.object({
  message: z.string({ error: "is required and must be a string" }).trim().min(1, "must not be empty").max(1000, "must be at most 1000 characters"),
  replacement: z.string({ error: "must be a string" }).max(600).optional(),
});

interface Replacement {
  identity: Identity;
  version?: ParsedVersion;
}

/** `source/publisher/name[@version]`, parsed with the kind's own path rules; anything else is a 400. */
function parseReplacement(raw: string, identityOf: (params: RouteParams) => Identity): Replacement {
  const invalid = (why: string) => badRequest(`invalid replacement '${printable(raw)}': ${why}; expected 'source/publisher/name[@version]'`);
  const at = raw.indexOf("@");
  const path = at === -1 ? raw : raw.slice(0, at);
  const versionText = at === -1 ? undefined : raw.slice(at + 1);
  const parts = path.split("/");
  if (parts.length < 3) throw invalid("too few parts");
  let identity: Identity;
  try {
    identity = identityOf({ source: parts[0], publisher: encodeURIComponent(parts[1]!), name: parts.slice(2).map(encodeURIComponent).join("/") });
  } catch (error) {
    if (error instanceof ApiError) throw invalid(error.message);
    throw error;
  }
  if (versionText === undefined) return { identity };
  const version = parseVersion(versionText);
  if (!version) throw invalid("the version is not SemVer 2.0");
  return { identity, version };
}

export function deprecationRoutes(kind: RegistryKind, identityOf: (params: RouteParams) => Identity, namePattern: ":name" | ":name+" = ":name"): Array<[string, RouteMethods]> {
  /** The replacement must exist in this registry, be visible to the caller, and not be the thing deprecated. */
  async function checkReplacement(context: RequestContext, caller: Caller, raw: string, target: Identity, targetVersion?: ParsedVersion): Promise<string> {
    const replacement = parseReplacement(raw, identityOf);
    const { identity, version } = replacement;
    const entry = await getEntry(context.db, { ...identity, version: version ? { precedenceKey: version.precedenceKey } : "latest" }, caller);
    if (!entry || !entry.version) throw badRequest(`invalid replacement: ${describeIdentity(identity, version?.raw)} not found in this registry`);
    // Everyone who can see a public item sees its deprecation, so its replacement must be public too.
    if (entry.item.visibility === "private" && visibilityForSource(target.source) === "public") {
      throw badRequest("invalid replacement: a public package or template cannot name a private replacement");
    }
    const sameItem = identity.source === target.source && identity.publisher === target.publisher && identity.canonicalName === target.canonicalName;
    if (sameItem && (!targetVersion || !version || version.precedenceKey === targetVersion.precedenceKey)) {
      throw badRequest("invalid replacement: it names what is being deprecated");
    }
    return `${entry.item.source}/${entry.item.publisher}/${entry.item.name}${version ? `@${version.raw}` : ""}`;
  }

  function handler(scope: "version" | "item", undo: boolean) {
    return async (request: IRequest, context: RequestContext) => {
      const caller = await context.caller();
      if (caller.kind !== "org") throw unauthorized(`deprecating a ${kind.noun} requires an org token with the publisher or admin role`);
      const identity = identityOf(request.params as RouteParams);
      const version = scope === "version" ? parseVersionParam(request.params.version, false) : undefined;
      // Absent and invisible look the same (404), then rights as for delete (403).
      const entry = await getEntry(context.db, { ...identity, version: version ? { precedenceKey: version.precedenceKey } : "latest" }, caller);
      if (!entry || !canSee(caller, entry.item)) throw notFound(`${describeIdentity(identity, version?.raw)} not found`);
      const org = await requirePublisherCaller(context);
      const right = canPublish(org, { source: identity.source, publisher: identity.publisher, existingOwner: entry.item.ownerOrg });
      if (!right.ok) throw forbidden(`may not change the deprecation of ${describeIdentity(identity, version?.raw)}: ${right.reason}`);
      let deprecation: Omit<Deprecation, "deprecatedAt"> | null = null;
      if (!undo) {
        const body = await readBody(request, DeprecateBody, "deprecation");
        deprecation = { message: body.message };
        if (body.replacement !== undefined) deprecation.replacement = await checkReplacement(context, caller, body.replacement, identity, version);
      }
      const result = unwrap(
        await coordinator(context, identity).deprecate({
          ...identity,
          ...(version ? { version: { raw: version.raw, precedenceKey: version.precedenceKey } } : {}),
          deprecation,
          org: org.org,
          audit: stampFor(context, actorOf(org)),
        }),
      );
      if (result.changed) {
        await catalogChanged(request);
        enqueueEvent(context, {
          type: `${kind.kind}.${undo ? "undeprecated" : "deprecated"}`,
          org: result.ownerOrg,
          identity,
          version: version?.raw,
          ...(result.deprecation ? { deprecation: result.deprecation } : {}),
        });
      }
      return noContent();
    };
  }

  const base = `/${kind.collection}/:source/:publisher/${namePattern}`;
  // The version route first: a template's `:name+` would otherwise swallow `…/versions/{v}`.
  return [
    [`${base}/versions/:version/deprecation`, { PUT: handler("version", false), DELETE: handler("version", true) }],
    [`${base}/deprecation`, { PUT: handler("item", false), DELETE: handler("item", true) }],
  ];
}

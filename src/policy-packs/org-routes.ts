// What the stock CLI's `pulumi policy publish|ls|rm` call: `/api/orgs/{org}/policypacks…`. Adapters on
// the core's publish, retire and resolve services for the identity `private/{org}/{name}`.
import { and, asc, eq, sql } from "drizzle-orm";
import type { IRequest } from "itty-router";
import { items, versions } from "../db/schema";
import { forbidden, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { parseWith, readJsonObject } from "../http/json-body";
import { json, noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import type { Caller } from "../identity/rights";
import { enforceRateLimit, rateLimitKey } from "../rate-limits/rate-limit";
import { requirePublisher } from "../core/publish/publisher-rights";
import { completePublish, startPublish } from "../core/publish/publish-service";
import { deleteItem, retireVersion } from "../core/publish/retire-service";
import { readerFor, requireVersionOf } from "../core/resolve-version";
import { decodeSegment } from "../core/vocabulary/names";
import { orgPackIdentity, packMetadataOf, policyPackKind, POLICY_PACK_KIND } from "./policy-pack-kind";
import { OrgPublishBody } from "./policy-pack-schemas";
import { versionForNumber, versionForPublishedTag, versionForTag } from "./version-tags";

/** The CLI sends every policy with its config schema: more than the usual 64 KiB for a large pack. */
export const ORG_PUBLISH_BODY_BYTES = 256 * 1024;

/** The org in the path must be the token's: anonymous 401, another org's token 403 (as the usage routes). */
async function orgCaller(request: IRequest, context: RequestContext, what: string): Promise<{ org: string; caller: Extract<Caller, { kind: "org" }> }> {
  const caller = await context.caller();
  if (caller.kind !== "org") throw unauthorized(`${what} requires an org token`);
  const org = decodeSegment(request.params.org, "organization");
  if (caller.org !== org) throw forbidden(`a token of organization '${caller.org}' may not ${what} of '${org}'`);
  return { org, caller };
}

/**
 * Every version row of a pack (retired too), in publish order: a version's integer is its position here.
 * Retired rows stay, so integers never shift or repeat.
 */
async function publishOrder(context: RequestContext, where: { org: string; canonicalName?: string }) {
  return context.db
    .select({ name: items.name, canonicalName: items.canonicalName, version: versions.version, retired: versions.retired, displayName: sql<string | null>`json_extract(${versions.metadata}, '$.displayName')` })
    .from(versions)
    .innerJoin(items, eq(items.id, versions.itemId))
    .where(
      and(
        eq(items.kind, POLICY_PACK_KIND),
        eq(items.source, "private"),
        eq(items.ownerOrg, where.org),
        where.canonicalName === undefined ? undefined : eq(items.canonicalName, where.canonicalName),
      ),
    )
    .orderBy(asc(items.canonicalName), asc(versions.createdAt), asc(versions.id))
    .all();
}

async function publish(request: IRequest, context: RequestContext) {
  // The same publish budget as a registry start.
  await enforceRateLimit(context.env, "publish", await rateLimitKey(request));
  const { org, caller } = await orgCaller(request, context, "publish policy packs");
  const publisher = requirePublisher(caller);
  const body = parseWith(OrgPublishBody, await readJsonObject(request, ORG_PUBLISH_BODY_BYTES), "policy pack");
  const identity = orgPackIdentity(org, encodeURIComponent(body.name));
  const number = (await publishOrder(context, { org, canonicalName: identity.canonicalName })).length + 1;
  const version = body.versionTag === undefined ? versionForNumber(number) : versionForPublishedTag(body.versionTag);
  const { versionTag: _tag, name: _name, runtime: _runtime, ...extension } = body;
  const started = await startPublish(context, policyPackKind, publisher, identity, { version, extension });
  return json({ version: number, uploadURI: started.uploadURLs.archive });
}

async function complete(request: IRequest, context: RequestContext) {
  const { org, caller } = await orgCaller(request, context, "publish policy packs");
  const publisher = requirePublisher(caller);
  const identity = orgPackIdentity(org, request.params.name);
  const version = versionForTag(decodeSegment(request.params.versionTag, "version tag"));
  // No operation id in a body-less complete: the coordinator picks this org's newest pending operation
  // of the version (404 when there is none).
  await completePublish(context, policyPackKind, publisher, identity, version);
  return noContent();
}

async function list(request: IRequest, context: RequestContext) {
  const { org } = await orgCaller(request, context, "list the policy packs");
  const rows = await publishOrder(context, { org });
  const packs = new Map<string, { name: string; displayName: string; versions: number[]; versionTags: string[]; position: number }>();
  for (const row of rows) {
    const pack = packs.get(row.canonicalName) ?? { name: row.name, displayName: row.name, versions: [], versionTags: [], position: 0 };
    pack.position += 1;
    if (!row.retired) {
      pack.versions.push(pack.position);
      pack.versionTags.push(row.version);
      // The newest live version's display name stands for the pack.
      pack.displayName = row.displayName || row.name;
    }
    packs.set(row.canonicalName, pack);
  }
  const policyPacks = [...packs.values()].filter((p) => p.versions.length).map(({ position: _p, ...p }) => p);
  return json({ policyPacks });
}

async function removePack(request: IRequest, context: RequestContext) {
  const { org, caller } = await orgCaller(request, context, "delete policy packs");
  await deleteItem(context, policyPackKind, caller, orgPackIdentity(org, request.params.name));
  return noContent();
}

async function removeVersion(request: IRequest, context: RequestContext) {
  const { org, caller } = await orgCaller(request, context, "delete policy packs");
  const version = versionForTag(decodeSegment(request.params.versionTag, "version tag"));
  await retireVersion(context, policyPackKind, caller, orgPackIdentity(org, request.params.name), version, { force: false });
  return noContent();
}

async function configSchema(request: IRequest, context: RequestContext) {
  const { org, caller } = await orgCaller(request, context, "read the policy packs");
  const identity = orgPackIdentity(org, request.params.name);
  const version = versionForTag(decodeSegment(request.params.versionTag, "version tag"));
  const { resolved } = await requireVersionOf(policyPackKind, readerFor(context.db, caller), { identity, version });
  const schemas = packMetadataOf(resolved.entry).policies.flatMap((p) => (p.configSchema ? [[p.name, p.configSchema] as const] : []));
  return json({ configSchema: Object.fromEntries(schemas) });
}

export const ORG_PACKS = "/api/orgs/:org/policypacks";

export const policyPackOrgRoutes: Array<[string, RouteMethods]> = [
  [ORG_PACKS, { GET: list, POST: publish }],
  [`${ORG_PACKS}/:name`, { DELETE: removePack }],
  [`${ORG_PACKS}/:name/versions/:versionTag`, { DELETE: removeVersion }],
  [`${ORG_PACKS}/:name/versions/:versionTag/complete`, { POST: complete }],
  [`${ORG_PACKS}/:name/versions/:versionTag/schema`, { GET: configSchema }],
];

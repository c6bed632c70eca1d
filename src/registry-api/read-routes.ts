// The registry's read routes for one kind: list, one item's versions, one version, its artifact downloads.
// Parse → call the core (list planning, resolveVersion) → present, through the edge cache.
import type { IRequest } from "itty-router";
import { badRequest, notFound, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { canonicalKey, edgeCached } from "../http/edge-cache";
import { parsePageParams } from "../http/query-params";
import { json } from "../http/respond";
import { signingSecret } from "../env";
import { decodeSingleKey, encodeContinuation } from "../core/continuation";
import { listVersions } from "../core/catalog/entries";
import { planList } from "../core/catalog/list-service";
import type { AnyKind, RouteParams } from "../core/kind";
import { requireVersionOf } from "../core/resolve-version";
import { pulledByName, pulledLatest, resolveWithMirror } from "../mirror/mirrored-resolve";
import { describeIdentity } from "../core/vocabulary/identity";
import { renderViews } from "../core/views";
import { apiReader } from "./api-reader";
import { parseVersionParam } from "./request-parsing";

export async function list(kind: AnyKind, request: IRequest, context: RequestContext): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const page = parsePageParams(query);
  const filters = kind.listFilters(query);
  if ((filters.usage !== undefined || filters.sort === "usageTotal") && !request.headers.has("Authorization")) {
    throw unauthorized(`${filters.usage !== undefined ? "usage" : "sort=usageTotal"} is about the caller's org's stacks and needs an org token`);
  }
  // The whole request is validated (the continuation token too) before the cache is consulted; the
  // parsed filters are both the continuation scope and the cache key.
  const planned = await planList(context.env, kind, filters, page);
  const key = canonicalKey(request, [
    ["q", planned.scope],
    ["limit", page.limit],
    ["continuationToken", page.continuationToken],
  ]);
  return edgeCached(request, context, key, async (context) => {
    const reader = apiReader(context);
    let { entries, continuationToken } = await planned.page(await reader.read(planned.build));
    // `pulumi package add <name>` lists by name: a name nothing here has may be pulled through a mirror.
    if (!entries.length && filters.canonicalName !== undefined && !page.continuationToken && (await pulledByName(context, kind, filters.canonicalName))) {
      ({ entries, continuationToken } = await planned.page((await context.readAs(planned.build, context.primaryDb)).value));
    }
    const caller = await reader.caller();
    const body: Record<string, unknown> = { [kind.collection]: await renderViews(context, kind, entries, caller) };
    if (continuationToken) body.continuationToken = continuationToken;
    if (kind.listExtras) Object.assign(body, await kind.listExtras(filters, caller, context));
    return json(body);
  });
}

/** One item's versions, newest first; the same tokens, private rules and 404 as a get. */
export async function itemVersions(kind: AnyKind, request: IRequest, context: RequestContext): Promise<Response> {
  const identity = kind.identity(request.params as RouteParams);
  const page = parsePageParams(new URL(request.url).searchParams);
  const scope = JSON.stringify({ kind: kind.kind, versionsOf: [identity.source, identity.publisher, identity.canonicalName] });
  const key = canonicalKey(request, [
    ["q", scope],
    ["limit", page.limit],
    ["continuationToken", page.continuationToken],
  ]);
  const secret = signingSecret(context.env);
  const after = await decodeSingleKey(secret, scope, page.continuationToken, "string");
  return edgeCached(request, context, key, async (context) => {
    const caller = await context.caller();
    let found = await listVersions(context.db, { ...identity, limit: page.limit, after }, caller);
    // A package the mirror would serve is pulled through at its latest version, then listed.
    if (!found && !after && (await pulledLatest(context, kind, identity))) found = await listVersions(context.primaryDb, { ...identity, limit: page.limit, after }, caller);
    if (!found) throw notFound(`${describeIdentity(identity)} not found`);
    if (found.item.backing === "vcs") throw badRequest(`${kind.noun} '${identity.source}/${identity.publisher}/${identity.name}' is VCS-backed and has no versions`);
    const body: Record<string, unknown> = { [kind.collection]: await renderViews(context, kind, found.entries, caller) };
    if (found.next) body.continuationToken = await encodeContinuation(secret, scope, [found.next]);
    return json(body);
  });
}

/** The version a read route names, as the caller may see it. */
export async function resolveRouteVersion(kind: AnyKind, request: IRequest, context: RequestContext) {
  const identity = kind.identity(request.params as RouteParams);
  const version = parseVersionParam(request.params.version, true);
  const reader = apiReader(context);
  const { resolved } = await requireVersionOf(kind, reader.read, { identity, version }, {}, (read, query, options) => resolveWithMirror(context, kind, read, query, reader.caller, options));
  return { identity, version, resolved, caller: reader.caller };
}

export async function getVersion(kind: AnyKind, request: IRequest, context: RequestContext): Promise<Response> {
  // Validated first (400/404 are never cached); keyed by the canonical identity and version.
  const identity = kind.identity(request.params as RouteParams);
  const version = parseVersionParam(request.params.version, true);
  const url = new URL(request.url);
  const prefix = url.pathname.slice(0, url.pathname.indexOf(`/${kind.collection}/`));
  const path = [prefix, kind.collection, identity.source, identity.publisher, identity.canonicalName, "versions", version === "latest" ? "latest" : version.precedenceKey]
    .map((p, i) => (i === 0 ? p : encodeURIComponent(p)))
    .join("/");
  return edgeCached(request, context, canonicalKey(request, [], path), async (context) => {
    const { resolved, caller } = await resolveRouteVersion(kind, request, context);
    const [view] = await renderViews(context, kind, [resolved.entry], await caller());
    return json(kind.presentVersion ? kind.presentVersion(view!, resolved.entry) : view);
  });
}

export function download(kind: AnyKind, path: string, artifact: string, contentType: string) {
  return async (request: IRequest, context: RequestContext): Promise<Response> => {
    const { resolved, identity, version } = await resolveRouteVersion(kind, request, context);
    const key = resolved.version ? (JSON.parse(resolved.version.artifacts) as Record<string, string>)[artifact] : undefined;
    const object = key ? await context.env.ARTIFACTS.get(key) : null;
    if (!object) throw notFound(`${describeIdentity(identity, version === "latest" ? "latest" : version.raw)} has no ${path}`);
    const headers = new Headers({
      "Content-Type": contentType,
      "Content-Length": String(object.size),
      ETag: object.httpEtag,
      // Private artifacts are never shared-cached; public ones are revalidated every time, since a
      // delete or a moving `latest` must take effect at once.
      "Cache-Control": resolved.visibility === "public" ? "public, no-cache" : "private, no-store",
    });
    return new Response(object.body, { headers });
  };
}

// The one registry core: list, get, start, complete, delete and artifact downloads for any kind.
// A kind descriptor (packages/, templates/) supplies artifact slots, inspection and the JSON view.
import type { IRequest } from "itty-router";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { versions } from "../db/schema";
import { randomId } from "../identity/secrets";
import { allowVersionReuse, signingSecret } from "../env";
import { ApiError, badRequest, forbidden, notFound, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { readBody } from "../http/json-body";
import { json, noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { canPublish, type Caller } from "../identity/rights";
import { canSee } from "../core/visibility";
import { encodeKey, uploadSigner } from "../artifacts/upload-signing";
import { publishedPrefix, stagingKey, stagingPrefix } from "../artifacts/storage-keys";
import { entryPlan, getEntry, listVersions } from "../core/catalog/entries";
import { listPlan } from "../core/catalog/list";
import { runPlan, type ReadPlan } from "../core/vocabulary/read-plan";
import { type CatalogEntry } from "../core/vocabulary/catalog-entry";
import { type ListQuery, type ListResult } from "../core/catalog/list-query";
import { type Viewer } from "../core/vocabulary/viewer";
import { canonicalKey, catalogChanged, edgeCached } from "../http/edge-cache";
import { viewerOf } from "../identity/authenticate";
import { decodeContinuation, decodeSingleKey, encodeContinuation } from "../core/continuation";
import type { RegistryKind, ViewContext } from "../core/kind";
import { coordinatorName, deletePrefix } from "../core/publish/coordinator";
import { describeIdentity, type Identity } from "../core/vocabulary/identity";
import { type Outcome } from "../core/vocabulary/outcome";
import {
  parseBooleanParam,
  parseIdentity,
  parsePageParams,
  parseVersionParam,
  requirePublisherCaller,
  versionNotFound,
  type RouteParams,
} from "./request-parsing";
import { requireVersion } from "../core/vocabulary/versions";
import { actorOf, stampFor } from "../audit/audit-log";
import { enqueueEvent } from "../webhooks/webhook-events";
import { enforceRateLimit, rateLimitKey } from "../rate-limits/rate-limit";

export type ListFilters = Omit<ListQuery, "kind" | "limit" | "after">;

export interface KindRouteOptions {
  /** Parses the kind's list filters from the query string (400 on bad values). */
  listFilters(query: URLSearchParams): ListFilters;
  /** Resolves the path of a version route; templates widen it for VCS names. */
  identity?(params: RouteParams): Identity;
  /** Extra fields a kind adds to views (usage statistics for authenticated callers). */
  decorate?(entries: CatalogEntry[], caller: Caller, context: RequestContext): Promise<(view: Record<string, unknown>, entry: CatalogEntry) => void>;
  /** Templates: deleting the last version needs force=true. */
  lastVersionNeedsForce?: boolean;
  /** Route pattern of the name segment; templates use `:name+` because VCS names contain `/`. */
  namePattern?: ":name" | ":name+";
  /** Extra top-level fields of a list answer (templates: `vcsTemplateSourceTotals`). */
  listExtras?(filters: ListFilters, caller: Caller, context: RequestContext): Promise<Record<string, unknown>>;
}

export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new ApiError(outcome.status, outcome.message);
  return outcome.value;
}

async function committedWithPrefix(context: RequestContext, operationId: string, prefix: string): Promise<boolean> {
  const row = await context.db
    .select({ id: versions.id })
    .from(versions)
    .where(and(eq(versions.operationId, operationId), sql`instr(${versions.artifacts}, ${prefix}) > 0`))
    .get();
  return row !== undefined;
}

export function coordinator(context: RequestContext, identity: Identity) {
  const ns = context.env.PUBLISH_COORDINATOR;
  return ns.get(ns.idFromName(coordinatorName(identity)));
}

export function viewContext(kind: RegistryKind, context: RequestContext, entry: CatalogEntry): ViewContext {
  const { item, version } = entry;
  const base = `${context.origin}/api/registry/${kind.collection}/${item.source}/${item.publisher}/${encodeKey(item.name)}/versions/${encodeURIComponent(version?.version ?? "latest")}`;
  return { origin: context.origin, artifactUrl: (path) => `${base}/${path}` };
}

export const StartBody = z.object({
  version: z.string({ error: "is required and must be a string" }),
  publishedAt: z.iso.datetime({ offset: true, error: "must be an RFC 3339 timestamp" }).optional(),
});

export const CompleteBody = z.object({
  operationID: z.string({ error: "is required and must be a string" }).min(1).max(200),
});

/**
 * One page of a kind's listing with its continuation token, for the web pages. The token is MACed with
 * the kind and filters exactly as the API list does, so the API and the pages hand out interchangeable
 * tokens for the same query.
 */
export async function listPage(
  kind: RegistryKind,
  filters: ListFilters,
  page: { limit: number; continuationToken?: string },
  viewer: Viewer,
  context: RequestContext,
  /** How the read runs: alone by default; a page batches it with its session lookup. */
  run: (plan: ReadPlan<ListResult>) => Promise<ListResult> = (plan) => runPlan(context.db, plan),
): Promise<{ entries: CatalogEntry[]; continuationToken?: string }> {
  const scope = JSON.stringify({ kind: kind.kind, ...filters });
  const secret = signingSecret(context.env);
  const after = page.continuationToken ? await decodeContinuation(secret, scope, page.continuationToken) : undefined;
  const { entries, next } = await run(listPlan(context.db, { kind: kind.kind, ...filters, limit: page.limit, after }, viewer));
  return next ? { entries, continuationToken: await encodeContinuation(secret, scope, next) } : { entries };
}

/** The version a read route names, as the caller may see it; absent and invisible are the same 404. */
export async function loadVisibleVersion(kind: RegistryKind, identityOf: (params: RouteParams) => Identity, request: IRequest, context: RequestContext) {
  const identity = identityOf(request.params as RouteParams);
  const version = parseVersionParam(request.params.version, true);
  // The token lookup is batched with the read (one D1 round trip).
  const { caller, value: entry } = await context.readAs(
    (viewer, db) => entryPlan(db, { ...identity, version: version === "latest" ? "latest" : { precedenceKey: version.precedenceKey } }, viewer),
    context.db,
  );
  const shown = version === "latest" ? "latest" : version.raw;
  if (!entry) throw versionNotFound(identity, shown);
  if (!entry.version && version !== "latest") {
    throw badRequest(`${kind.noun} '${identity.source}/${identity.publisher}/${identity.name}' is VCS-backed and has no versions; ask for 'latest'`);
  }
  return { caller, identity, version, entry };
}

const MAX_PUBLISHED_AT_SKEW_MS = 5 * 60_000;

export function registryKindRoutes(kind: RegistryKind, options: KindRouteOptions): Array<[string, RouteMethods]> {
  const identityOf = options.identity ?? ((params: RouteParams) => parseIdentity(kind, params));
  const c = `/${kind.collection}`;

  async function render(entries: CatalogEntry[], caller: Caller, context: RequestContext) {
    const decorate = options.decorate ? await options.decorate(entries, caller, context) : undefined;
    return entries.map((entry) => {
      const view = kind.view(entry, viewContext(kind, context, entry));
      // A whole-item deprecation applies to every version and is shown in preference to the version's own.
      const deprecation = entry.item.deprecation ?? entry.version?.deprecation;
      if (deprecation) view.deprecation = JSON.parse(deprecation);
      decorate?.(view, entry);
      return view;
    });
  }

  async function list(request: IRequest, context: RequestContext) {
    const query = new URL(request.url).searchParams;
    const page = parsePageParams(query);
    const filters = options.listFilters(query);
    if ((filters.usage !== undefined || filters.sort === "usageTotal") && !request.headers.has("Authorization")) {
      throw unauthorized(`${filters.usage !== undefined ? "usage" : "sort=usageTotal"} is about the caller's org's stacks and needs an org token`);
    }
    // The filters as parsed (fixed key order, defaults filled in) are both the continuation scope and the cache key.
    const scope = JSON.stringify({ kind: kind.kind, ...filters });
    const key = canonicalKey(request, [
      ["q", scope],
      ["limit", page.limit],
      ["continuationToken", page.continuationToken],
    ]);
    // The whole request is validated (the continuation token too) before the cache is consulted.
    const secret = signingSecret(context.env);
    const after = page.continuationToken ? await decodeContinuation(secret, scope, page.continuationToken) : undefined;
    return edgeCached(request, context, key, async (context) => {
      const { caller, value } = await context.readAs((viewer, db) => listPlan(db, { kind: kind.kind, ...filters, limit: page.limit, after }, viewer), context.db);
      const body: Record<string, unknown> = { [kind.collection]: await render(value.entries, caller, context) };
      if (value.next) body.continuationToken = await encodeContinuation(secret, scope, value.next);
      if (options.listExtras) Object.assign(body, await options.listExtras(filters, caller, context));
      return json(body);
    });
  }

  /** One item's versions, newest first; the same tokens, private rules and 404 as a get. */
  async function itemVersions(request: IRequest, context: RequestContext) {
    const identity = identityOf(request.params as RouteParams);
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
      const found = await listVersions(context.db, { ...identity, limit: page.limit, after }, caller);
      if (!found) throw notFound(`${describeIdentity(identity)} not found`);
      if (found.item.backing === "vcs") throw badRequest(`${kind.noun} '${identity.source}/${identity.publisher}/${identity.name}' is VCS-backed and has no versions`);
      const body: Record<string, unknown> = { [kind.collection]: await render(found.entries, caller, context) };
      if (found.next) body.continuationToken = await encodeContinuation(secret, scope, [found.next]);
      return json(body);
    });
  }

  const loadVisible = (request: IRequest, context: RequestContext) => loadVisibleVersion(kind, identityOf, request, context);

  async function get(request: IRequest, context: RequestContext) {
    // Validated first (400/404 are never cached); keyed by the canonical identity and version.
    const identity = identityOf(request.params as RouteParams);
    const version = parseVersionParam(request.params.version, true);
    const url = new URL(request.url);
    const prefix = url.pathname.slice(0, url.pathname.indexOf(`/${kind.collection}/`));
    const path = [prefix, kind.collection, identity.source, identity.publisher, identity.canonicalName, "versions", version === "latest" ? "latest" : version.precedenceKey]
      .map((p, i) => (i === 0 ? p : encodeURIComponent(p)))
      .join("/");
    return edgeCached(request, context, canonicalKey(request, [], path), async (context) => {
      const { caller, entry } = await loadVisible(request, context);
      const [view] = await render([entry], caller, context);
      return json(view);
    });
  }

  async function start(request: IRequest, context: RequestContext) {
    await enforceRateLimit(context.env, "publish", await rateLimitKey(request));
    const caller = await requirePublisherCaller(context);
    const identity = identityOf(request.params as RouteParams);
    if (!kind.publishSources.includes(identity.source)) {
      throw badRequest(`${kind.noun}s cannot be published to source '${identity.source}'; publish to ${kind.publishSources.map((s) => `'${s}'`).join(" or ")}`);
    }
    const body = await readBody(request, StartBody, "publish request");
    const version = requireVersion(body.version);
    let publishedAt: string | undefined;
    if (body.publishedAt) {
      const at = Date.parse(body.publishedAt);
      if (at > Date.now() + MAX_PUBLISHED_AT_SKEW_MS) throw badRequest("invalid publishedAt: it is in the future");
      publishedAt = new Date(at).toISOString();
    }
    // Ownership of an existing name is checked inside the coordinator, where it cannot race.
    const right = canPublish(caller, identity);
    if (!right.ok) throw forbidden(right.reason);
    const ttlMs = context.limits.operationTtlMs;
    const started = unwrap(
      await coordinator(context, identity).start({
        ...identity,
        version: version.raw,
        precedenceKey: version.precedenceKey,
        prerelease: version.prerelease,
        org: caller.org,
        publishedAt,
        ttlMs,
        allowReuse: allowVersionReuse(context.env),
        audit: stampFor(context, actorOf(caller)),
      }),
    );
    const signer = uploadSigner(context.env, context.origin);
    // The URLs live as long as the operation.
    const expiresSeconds = Math.floor(ttlMs / 1000);
    const uploadURLs: Record<string, string> = {};
    for (const slot of kind.slots) uploadURLs[slot.name] = await signer.sign(stagingKey(started.operationId, slot.name), "PUT", expiresSeconds);
    return json({ operationID: started.operationId, uploadURLs }, 202);
  }

  async function complete(request: IRequest, context: RequestContext) {
    const caller = await requirePublisherCaller(context);
    const identity = identityOf(request.params as RouteParams);
    const version = parseVersionParam(request.params.version, false);
    const { operationID } = await readBody(request, CompleteBody, "complete request");
    const stub = coordinator(context, identity);
    const allowReuse = allowVersionReuse(context.env);
    const op = unwrap(await stub.beginComplete({ ...identity, operationId: operationID, version: version.raw, org: caller.org, allowReuse }));
    const bucket = context.env.ARTIFACTS;

    const missing = kind.slots.filter((slot) => slot.required).map((slot) => slot.name);
    const heads = await Promise.all(missing.map((name) => bucket.head(stagingKey(op.id, name))));
    const absent = missing.filter((_, i) => !heads[i]);
    if (absent.length) throw badRequest(`cannot complete: missing upload of ${absent.join(" and ")}`);

    // Promote to immutable keys first, then inspect what was promoted: a leaked upload URL cannot
    // change the bytes between inspection and publication. The prefix is unique to this attempt, so
    // two concurrent completes of one operation never share (or clean up) each other's copies.
    const prefix = publishedPrefix({ ...identity, version: version.raw }, `${op.id}/${randomId(8)}`);
    const artifacts: Record<string, string> = {};
    let outcome: Outcome<{ versionId: string }> | undefined;
    try {
      for (const slot of kind.slots) {
        const staged = await bucket.get(stagingKey(op.id, slot.name));
        if (!staged) {
          if (slot.required) throw badRequest(`cannot complete: the ${slot.name} upload disappeared; start a new publish`);
          continue;
        }
        // Checked on the object being copied: in R2 mode nothing limited the upload itself.
        const max = slot.maxBytes(context.limits);
        if (staged.size > max) {
          await staged.body.cancel();
          throw badRequest(`the uploaded ${slot.name} is ${staged.size} bytes; the limit is ${max}`);
        }
        const key = prefix + slot.name;
        await bucket.put(key, staged.body.pipeThrough(new FixedLengthStream(staged.size)), { httpMetadata: { contentType: slot.contentType } });
        artifacts[slot.name] = key;
      }
      const inspection = await kind.inspect({
        bucket,
        identity: { source: identity.source, publisher: identity.publisher, name: identity.name, version: version.raw },
        artifacts,
        prefix,
        limits: context.limits,
      });
      outcome = await stub.commit({
        operationId: op.id,
        org: caller.org,
        metadata: JSON.stringify(inspection.metadata),
        artifacts: { ...artifacts, ...inspection.derived },
        searchText: inspection.searchText ?? "",
        packageTypes: [...(inspection.packageTypes ?? [])].sort().join(","),
        allowReuse,
        audit: stampFor(context, actorOf(caller)),
      });
      unwrap(outcome);
    } catch (error) {
      // Remove this attempt's copies unless its version is live: a commit that threw (a dropped
      // connection, say) may still have committed, and then the copies are the version's artifacts.
      const refused = outcome !== undefined && !outcome.ok;
      if (refused || !(await committedWithPrefix(context, op.id, prefix))) await deletePrefix(bucket, prefix);
      throw error;
    }
    await catalogChanged(request);
    context.ctx.waitUntil(deletePrefix(bucket, stagingPrefix(op.id)));
    // Only now that the version is committed; delivery happens later, off this request's path.
    enqueueEvent(context, { type: `${kind.kind}.published`, org: caller.org, identity, version: version.raw });
    return json({}, 201);
  }

  async function remove(request: IRequest, context: RequestContext) {
    const caller = await context.caller();
    if (caller.kind !== "org") throw unauthorized("deleting a version requires an org token with the publisher or admin role");
    const identity = identityOf(request.params as RouteParams);
    const version = parseVersionParam(request.params.version, false);
    const query = new URL(request.url).searchParams;
    const force = options.lastVersionNeedsForce ? (parseBooleanParam(query, "force") ?? false) : false;
    const entry = await getEntry(context.db, { ...identity, version: { precedenceKey: version.precedenceKey } }, viewerOf(caller));
    if (!entry || !canSee(caller, entry.item)) throw versionNotFound(identity, version.raw);
    // Visible but not theirs to delete: 403 (the caller already knows it exists).
    const org = await requirePublisherCaller(context);
    const right = canPublish(org, { source: identity.source, publisher: identity.publisher, existingOwner: entry.item.ownerOrg });
    if (!right.ok) throw forbidden(`may not delete ${describeIdentity(identity, version.raw)}: ${right.reason}`);
    unwrap(
      await coordinator(context, identity).retire({
        ...identity,
        version: version.raw,
        precedenceKey: version.precedenceKey,
        org: org.org,
        lastNeedsForce: Boolean(options.lastVersionNeedsForce),
        force,
        audit: stampFor(context, actorOf(org)),
      }),
    );
    enqueueEvent(context, { type: `${kind.kind}.deleted`, org: entry.item.ownerOrg, identity, version: version.raw });
    await catalogChanged(request);
    return noContent();
  }

  function download(path: string, artifact: string, contentType: string) {
    return async (request: IRequest, context: RequestContext) => {
      const { entry, identity, version } = await loadVisible(request, context);
      const key = entry.version ? (JSON.parse(entry.version.artifacts) as Record<string, string>)[artifact] : undefined;
      const object = key ? await context.env.ARTIFACTS.get(key) : null;
      if (!object) throw notFound(`${describeIdentity(identity, version === "latest" ? "latest" : version.raw)} has no ${path}`);
      const headers = new Headers({
        "Content-Type": contentType,
        "Content-Length": String(object.size),
        ETag: object.httpEtag,
        // Private artifacts are never shared-cached; public ones are revalidated every time, since a
        // delete or a moving `latest` must take effect at once.
        "Cache-Control": entry.item.visibility === "public" ? "public, no-cache" : "private, no-store",
      });
      return new Response(object.body, { headers });
    };
  }

  const name = options.namePattern ?? ":name";
  const versionPath = `${c}/:source/:publisher/${name}/versions/:version`;
  const table: Array<[string, RouteMethods]> = [
    // Validated before the edge cache is consulted: only 200s are stored, so a 304 stands only where a 200 would.
    [c, { GET: list }],
    [`${c}/:source/:publisher/${name}/versions`, { GET: itemVersions, POST: start }],
    [`${versionPath}/complete`, { POST: complete }],
    [versionPath, { GET: get, DELETE: remove }],
  ];
  for (const d of kind.downloads) table.push([`${versionPath}/${d.path}`, { GET: download(d.path, d.artifact, d.contentType) }]);
  return table;
}

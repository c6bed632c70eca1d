// What every page handler shares: the shell, rendering for the person looking (edge-cached when
// anonymous), and loading one visible package version.
import type { IRequest } from "itty-router";
import { ApiError } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { ANONYMOUS, type Caller } from "../identity/rights";
import { resolveWithMirror } from "../mirror/mirrored-resolve";
import { packageKind } from "../packages/package-kind";
import { runPlan, runPlans, type ReadPlan } from "../core/vocabulary/read-plan";
import { type CatalogEntry, type LiveVersion } from "../core/vocabulary/catalog-entry";
import { type Viewer } from "../core/vocabulary/viewer";
import { canonicalKey, edgeCached } from "../http/edge-cache";
import { viewOf } from "../core/views";
import type { ScopedReader } from "../core/resolve-version";
import { versionNotFound } from "../core/identity-parsing";
import { type RouteParams } from "../core/kind";
import { parseVersionParam } from "../registry-api/request-parsing";
import type { PackageDetail } from "./item-pages";
import type { RawHtml } from "./jsx";
import type { PageShell } from "./layout";
import { htmlResponse } from "./page-response";
import { clearSessionCookie, sessionCookie, sessionPlan, type WebIdentity } from "./session";
import { assetPaths } from "./static-assets";
import { deprecationOf } from "./deprecation";
import { renderCapped, renderOnce, type RenderedContent } from "./rendered-content";

/** Per request being rendered by page(): its path with only the query parameters the page reads. */
const canonicalPaths = new WeakMap<Request, string>();

export async function shellFor(request: Request, caller: Caller | Promise<Caller>, title: string): Promise<PageShell> {
  const url = new URL(request.url);
  // A shared (cached) page must not carry one visitor's unknown parameters into everyone's sign-in link.
  return { title, caller: await caller, assets: await assetPaths(), path: canonicalPaths.get(request) ?? url.pathname };
}

/** Query parameters as `[name, value]` pairs, in a fixed order. */
export type QueryPairs = ReadonlyArray<readonly [string, string | number | boolean | undefined]>;

/**
 * What a page reads of its query: `params`, the parameters by name (validated by the caller), in the
 * order given; `key`, the validated values its cache entry is keyed by, when they are not `params`
 * themselves (a list page keys by its parsed filters). Nothing else varies or busts the cache.
 */
export interface PageQuery {
  params?: QueryPairs;
  key?: QueryPairs;
}

/** The values of the named parameters, in the order named, empty ones dropped (a form's "Any"). */
export function knownParams(request: Request, names: readonly string[]): Array<[string, string]> {
  const query = new URL(request.url).searchParams;
  return names.flatMap((name) => query.getAll(name).filter((v) => v !== "").map((v): [string, string] => [name, v]));
}

/**
 * Who a page is for, and how it reads. `viewer` is what its catalog reads pass to SQL: for a signed-in
 * cookie the session itself, checked inside each query (the session's org only while the session and its
 * token are live). `read` runs plans in one D1 batch, and the first batch also carries the session lookup,
 * so a signed-in page costs the round trips an anonymous one does. `caller()` is that lookup's answer, for
 * what the page says about the person and what only an org may ask for; a revoked token's session reads
 * and renders as anonymous.
 */
export interface Looker {
  viewer: Viewer;
  caller(): Promise<Caller>;
  read<T extends readonly unknown[]>(...plans: { [K in keyof T]: ReadPlan<T[K]> }): Promise<T>;
}

function sessionLooker(context: RequestContext, idHash: string): Looker & { identity(): Promise<WebIdentity> } {
  let identity: Promise<WebIdentity> | undefined;
  const read = <T extends readonly unknown[]>(...plans: { [K in keyof T]: ReadPlan<T[K]> }): Promise<T> => {
    if (identity) return runPlans<T>(context.db, plans);
    // The first batch: the session lookup goes in front of the page's reads.
    const both = runPlans<[WebIdentity, ...T]>(context.db, [sessionPlan(context, idHash), ...plans] as never);
    identity = both.then(([who]) => who);
    return both.then(([, ...values]) => values);
  };
  const lookUp = () => (identity ??= runPlan(context.db, sessionPlan(context, idHash)));
  return {
    viewer: { kind: "session", idHash, now: new Date().toISOString() },
    read,
    caller: () => lookUp().then((w) => w.caller),
    identity: lookUp,
  };
}

function anonymousLooker(context: RequestContext): Looker {
  return { viewer: ANONYMOUS, caller: () => Promise.resolve(ANONYMOUS), read: (...plans) => runPlans(context.db, plans) };
}

/**
 * Renders a page for whoever is looking. Anonymous: through the edge cache (README "Edge cache": a
 * write shows at once in its location and everywhere within EDGE_TTL_SECONDS). Signed in: rendered for them, `private, no-store`.
 * A build may answer a Response instead of a page (a redirect).
 */
export async function page(request: IRequest, context: RequestContext, build: (looker: Looker) => Promise<RawHtml | Response>, query: PageQuery = {}): Promise<Response> {
  const params = (query.params ?? []).filter((p): p is readonly [string, string | number | boolean] => p[1] !== undefined);
  const search = new URLSearchParams(params.map(([k, v]) => [k, String(v)])).toString();
  canonicalPaths.set(request, new URL(request.url).pathname + (search ? `?${search}` : ""));
  const cookie = await sessionCookie(request, context);
  if (typeof cookie === "object") {
    const looker = sessionLooker(context, cookie.idHash);
    const html = await build(looker).catch(async (error: unknown) => {
      // An error page seen with a dead session clears its cookie too.
      throw (await looker.identity().then((w) => w.staleCookie, () => false)) ? clearingCookie(error, context) : error;
    });
    const { staleCookie } = await looker.identity();
    // Rendered for this cookie whatever it turned out to be: never shared-cached.
    const response = html instanceof Response ? new Response(html.body, html) : htmlResponse(html, { personal: true });
    response.headers.set("Cache-Control", "private, no-store");
    if (staleCookie) response.headers.append("Set-Cookie", clearSessionCookie(context));
    return response;
  }
  // Keyed by path and the parameters the page reads, validated, in a fixed order: unknown parameters,
  // their order and their spelling never make a new entry (docs/page-cache-keys.md).
  // Pages never read an Authorization header (people sign in with a cookie), so one does not skip the cache.
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  const cacheable = new Request(request.url, { method: request.method, headers });
  const response = await edgeCached(cacheable, context, canonicalKey(request, [["page", "html"], ...(query.key ?? params)]), async (fill) => {
    // A miss reads D1's primary, as every edge-cache fill does (the freshness bound in the README).
    context.db = fill.db;
    const built = await build(anonymousLooker(context));
    return built instanceof Response ? built : htmlResponse(built);
  }).catch((error: unknown) => {
    throw cookie === "forged" ? clearingCookie(error, context) : error;
  });
  if (cookie === "forged") {
    const out = new Response(response.body, response);
    out.headers.append("Set-Cookie", clearSessionCookie(context));
    return out;
  }
  return response;
}

/**
 * Who is looking, for a response that is not a page and never goes through the edge cache (a download):
 * the session's looker, or anonymous (no cookie, or a forged one). `personal` says the answer is theirs alone.
 */
export async function lookerFor(request: Request, context: RequestContext): Promise<{ looker: Looker; personal: boolean }> {
  const cookie = await sessionCookie(request, context);
  return typeof cookie === "object" ? { looker: sessionLooker(context, cookie.idHash), personal: true } : { looker: anonymousLooker(context), personal: false };
}

/** resolveVersion's reader for a page: plans built for the looker's viewer, batched with its session lookup. */
export function lookerReader(context: RequestContext, looker: Looker): ScopedReader {
  return (build) => looker.read(build(looker.viewer, context.db)).then(([value]) => value);
}

/** The same error, its page also clearing the session cookie (an ApiError's headers go on its page). */
function clearingCookie(error: unknown, context: RequestContext): unknown {
  if (!(error instanceof ApiError)) return error;
  return new ApiError(error.status, error.message, error.errors, { ...error.headers, "Set-Cookie": clearSessionCookie(context) });
}

/** A version's markdown artifact (a template's README) rendered once per content and capped (rendered-content.ts). */
export async function renderedArtifact(context: RequestContext, entry: CatalogEntry, slot: string): Promise<RenderedContent | undefined> {
  const key = entry.version ? (JSON.parse(entry.version.artifacts) as Record<string, string>)[slot] : undefined;
  if (!key) return undefined;
  return renderOnce(context.env.ARTIFACTS, key, slot, async (object) => ({ value: { ...renderCapped([await object.text()]), languages: [], oses: [] }, everyVariant: false }));
}

export interface PackagePageData {
  entry: CatalogEntry;
  detail: PackageDetail;
  /** Every live version, newest first, for the version selector (read beside the entry). */
  versions: LiveVersion[];
}

/** One visible package version and the package's live versions, for its page and its docs pages; absent and private look the same. */
export async function loadPackage(request: IRequest, context: RequestContext, looker: Looker): Promise<PackagePageData> {
  const identity = packageKind.identity(request.params as RouteParams);
  const version = parseVersionParam(request.params.version ?? "latest", true);
  // One batch: the versions are read by identity, under the same visibility check as the entry.
  const { resolved, versions } = await resolveWithMirror(context, packageKind, lookerReader(context, looker), { identity, version }, () => looker.caller(), { withVersions: true });
  if (!resolved?.version) throw versionNotFound(identity, version === "latest" ? "latest" : version.raw);
  const detail: PackageDetail = viewOf(packageKind, context.origin, resolved.entry);
  const deprecation = deprecationOf(resolved.entry);
  if (deprecation) detail.deprecation = deprecation;
  return { entry: resolved.entry, detail, versions };
}

// What every page handler shares: the shell, rendering for the person looking (edge-cached when
// anonymous), and loading one visible package version.
import type { IRequest } from "itty-router";
import type { RequestContext } from "../http/context";
import { ANONYMOUS, type Caller } from "../identity/rights";
import { packageKind } from "../packages/package-kind";
import { getEntry, listLiveVersionsOf, type CatalogEntry, type LiveVersion, type Viewer } from "../registry/catalog";
import { canonicalKey, edgeCached } from "../registry/edge-cache";
import { viewContext } from "../registry/registry-routes";
import { parseIdentity, parseVersionParam, versionNotFound, type RouteParams } from "../registry/request-parsing";
import type { PackageDetail } from "./item-pages";
import type { RawHtml } from "./jsx";
import type { PageShell } from "./layout";
import { htmlResponse } from "./page-response";
import { clearSessionCookie, lookUpSession, sessionCookie } from "./session";
import { assetPaths } from "./static-assets";

export async function shellFor(request: Request, caller: Caller | Promise<Caller>, title: string): Promise<PageShell> {
  const url = new URL(request.url);
  return { title, caller: await caller, assets: await assetPaths(), path: url.pathname + url.search };
}

/**
 * Who a page is for. `viewer` is what its catalog reads pass to SQL: for a signed-in cookie the session
 * itself, checked inside each query, so the reads start at once instead of after the session lookup.
 * `caller` is that lookup, run beside them, for what the page says about the person (and for what only an
 * org may ask); a revoked token's session reads and renders as anonymous either way.
 */
export interface Looker {
  viewer: Viewer;
  caller: Promise<Caller>;
}

/**
 * Renders a page for whoever is looking. Anonymous: through the edge cache (README "Edge cache": a
 * write shows at once in its location and everywhere within EDGE_TTL_SECONDS). Signed in: rendered for them, `private, no-store`.
 */
export async function page(request: IRequest, context: RequestContext, build: (looker: Looker) => Promise<RawHtml>): Promise<Response> {
  const cookie = await sessionCookie(request, context);
  if (typeof cookie === "object") {
    const session = lookUpSession(context, cookie.idHash);
    session.catch(() => undefined); // awaited below; handled if the build fails first
    const html = await build({ viewer: { kind: "session", idHash: cookie.idHash, now: new Date().toISOString() }, caller: session.then((s) => s.caller) });
    const { staleCookie } = await session;
    // Rendered for this cookie whatever it turned out to be: never shared-cached.
    const response = htmlResponse(html, { personal: true });
    if (staleCookie) response.headers.append("Set-Cookie", clearSessionCookie(context));
    return response;
  }
  const anonymous = { viewer: ANONYMOUS, caller: Promise.resolve(ANONYMOUS) };
  // Keyed by path and query parameters in a fixed order, so their order never makes a new entry.
  const params = [...new URL(request.url).searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Pages never read an Authorization header (people sign in with a cookie), so one does not skip the cache.
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  const cacheable = new Request(request.url, { method: request.method, headers });
  const response = await edgeCached(cacheable, context, canonicalKey(request, [["page", "html"], ...params]), async (fill) => {
    // A miss reads D1's primary, as every edge-cache fill does (the freshness bound in the README).
    context.db = fill.db;
    return htmlResponse(await build(anonymous));
  });
  if (cookie === "forged") {
    const out = new Response(response.body, response);
    out.headers.append("Set-Cookie", clearSessionCookie(context));
    return out;
  }
  return response;
}

export async function artifactText(context: RequestContext, entry: CatalogEntry, slot: string): Promise<string | undefined> {
  const key = entry.version ? (JSON.parse(entry.version.artifacts) as Record<string, string>)[slot] : undefined;
  if (!key) return undefined;
  const object = await context.env.ARTIFACTS.get(key);
  return object ? object.text() : undefined;
}

export interface PackagePageData {
  entry: CatalogEntry;
  detail: PackageDetail;
  /** Every live version, newest first, for the version selector (read beside the entry). */
  versions: LiveVersion[];
}

/** One visible package version and the package's live versions, for its page and its docs pages; absent and private look the same. */
export async function loadPackage(request: IRequest, context: RequestContext, viewer: Viewer): Promise<PackagePageData> {
  const identity = parseIdentity(packageKind, request.params as RouteParams);
  const version = parseVersionParam(request.params.version ?? "latest", true);
  // Both in parallel: the versions are read by identity, under the same visibility check as the entry.
  const [entry, versions] = await Promise.all([
    getEntry(context.db, { ...identity, version: version === "latest" ? "latest" : { precedenceKey: version.precedenceKey } }, viewer),
    listLiveVersionsOf(context.db, identity, viewer),
  ]);
  if (!entry?.version) throw versionNotFound(identity, version === "latest" ? "latest" : version.raw);
  const detail = packageKind.view(entry, viewContext(packageKind, context, entry)) as unknown as PackageDetail;
  return { entry, detail, versions };
}


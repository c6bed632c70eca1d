// What every page handler shares: the shell, rendering for the person looking (edge-cached when
// anonymous), and loading one visible package version.
import type { IRequest } from "itty-router";
import type { RequestContext } from "../http/context";
import type { Caller } from "../identity/rights";
import { packageKind } from "../packages/package-kind";
import { getEntry, type CatalogEntry } from "../registry/catalog";
import { canonicalKey, edgeCached } from "../registry/edge-cache";
import { viewContext } from "../registry/registry-routes";
import { parseIdentity, parseVersionParam, versionNotFound, type RouteParams } from "../registry/request-parsing";
import type { PackageDetail } from "./item-pages";
import type { RawHtml } from "./jsx";
import type { PageShell } from "./layout";
import { htmlResponse } from "./page-response";
import { clearSessionCookie, readSession } from "./session";
import { assetPaths } from "./static-assets";

export async function shellFor(request: Request, caller: Caller, title: string): Promise<PageShell> {
  const url = new URL(request.url);
  return { title, caller, assets: await assetPaths(), path: url.pathname + url.search };
}

/**
 * Renders a page for whoever is looking. Anonymous: through the edge cache (README "Edge cache": a
 * write shows at once in its location and everywhere within EDGE_TTL_SECONDS). Signed in: rendered for them, `private, no-store`.
 */
export async function page(request: IRequest, context: RequestContext, build: (caller: Caller) => Promise<RawHtml>): Promise<Response> {
  const { caller, staleCookie } = await readSession(request, context);
  if (caller.kind === "org") return htmlResponse(await build(caller), { personal: true });
  // Keyed by path and query parameters in a fixed order, so their order never makes a new entry.
  const params = [...new URL(request.url).searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Pages never read an Authorization header (people sign in with a cookie), so one does not skip the cache.
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  const anonymous = new Request(request.url, { method: request.method, headers });
  const response = await edgeCached(anonymous, context, canonicalKey(request, [["page", "html"], ...params]), async (fill) => {
    // A miss reads D1's primary, as every edge-cache fill does (the freshness bound in the README).
    context.db = fill.db;
    return htmlResponse(await build(caller));
  });
  if (staleCookie) {
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
  caller: Caller;
  entry: CatalogEntry;
  detail: PackageDetail;
}

/** One visible package version, for its page and its docs pages; absent and private look the same. */
export async function loadPackage(request: IRequest, context: RequestContext, caller: Caller): Promise<PackagePageData> {
  const identity = parseIdentity(packageKind, request.params as RouteParams);
  const version = parseVersionParam(request.params.version ?? "latest", true);
  const entry = await getEntry(context.db, { ...identity, version: version === "latest" ? "latest" : { precedenceKey: version.precedenceKey } }, caller);
  if (!entry?.version) throw versionNotFound(identity, version === "latest" ? "latest" : version.raw);
  const detail = packageKind.view(entry, viewContext(packageKind, context, entry)) as unknown as PackageDetail;
  return { caller, entry, detail };
}


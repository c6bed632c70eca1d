// The browsable registry: HTML pages on the same Worker, built from the registry core's catalog reads.
// Anonymous pages go through the same edge cache as anonymous API reads; signed-in pages never do.
import type { IRequest } from "itty-router";
import { ApiError, notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { readLimited } from "../http/json-body";
import type { RouteMethods } from "../http/routes";
import { ANONYMOUS, type Caller } from "../identity/rights";
import { packageKind, packageListFilters } from "../packages/package-kind";
import { getEntry, listLatest, listLiveVersions, type CatalogEntry } from "../registry/catalog";
import { anonymousCached } from "../registry/edge-cache";
import { listPage, viewContext } from "../registry/registry-routes";
import { parseIdentity, parseVersionParam, versionNotFound, type RouteParams } from "../registry/request-parsing";
import type { RegistryKind } from "../registry/kind";
import { requireVersion } from "../registry/versions";
import { templateIdentity, templateKind, templateListFilters } from "../templates/template-kind";
import { HomePage, PackageListPage, TemplateListPage } from "./catalog-pages";
import { packagePath, type PackageSummary, type TemplateSummary } from "./components";
import { Markdown, MissingText, PackagePage, TemplatePage, type PackageDetail, type TemplateDetail } from "./item-pages";
import { h, type RawHtml } from "./jsx";
import type { PageShell } from "./layout";
import { ErrorPage, SignInPage } from "./notice-pages";
import { htmlResponse } from "./page-response";
import { clearSessionCookie, readSession, requireSameOrigin, signIn, signOut } from "./session";
import { assetPaths, staticAsset } from "./static-assets";

const PAGE_SIZE = 24;
const HOME_LIST = 6;

async function shellFor(request: Request, caller: Caller, title: string): Promise<PageShell> {
  const url = new URL(request.url);
  return { title, caller, assets: await assetPaths(), path: url.pathname + url.search };
}

/**
 * Renders a page for whoever is looking. Anonymous: through the edge cache (the catalog generation
 * keys it, so a publish or delete shows at once). Signed in: rendered for them, `private, no-store`.
 */
async function page(request: IRequest, context: RequestContext, build: (caller: Caller) => Promise<RawHtml>): Promise<Response> {
  const { caller, staleCookie } = await readSession(request, context);
  if (caller.kind === "org") return htmlResponse(await build(caller), { personal: true });
  const response = await anonymousCached(request, context, async () => htmlResponse(await build(caller)));
  if (staleCookie) {
    const out = new Response(response.body, response);
    out.headers.append("Set-Cookie", clearSessionCookie(context));
    return out;
  }
  return response;
}

function views(kind: RegistryKind, context: RequestContext, entries: CatalogEntry[]) {
  return entries.map((entry) => kind.view(entry, viewContext(kind, context, entry)));
}

const packageSummaries = (context: RequestContext, entries: CatalogEntry[]) => views(packageKind, context, entries) as unknown as PackageSummary[];
const templateSummaries = (context: RequestContext, entries: CatalogEntry[]) => views(templateKind, context, entries) as unknown as TemplateSummary[];

async function home(request: IRequest, context: RequestContext) {
  return page(request, context, async (caller) => {
    const packages = { kind: "package" as const, backings: ["registry" as const], limit: HOME_LIST };
    const [featured, recent, templates] = await Promise.all([
      listLatest(context.db, { ...packages, featured: true, sort: "name", asc: true }, caller),
      listLatest(context.db, { ...packages, sort: "createdAt", asc: false }, caller),
      listLatest(context.db, { kind: "template", backings: ["registry"], limit: HOME_LIST, sort: "createdAt", asc: false }, caller),
    ]);
    return (
      <HomePage
        shell={await shellFor(request, caller, "Home")}
        featured={packageSummaries(context, featured.entries)}
        recent={packageSummaries(context, recent.entries)}
        templates={templateSummaries(context, templates.entries)}
      />
    );
  });
}

/** The web list speaks the API's query parameters, so its filters, sorts and continuation tokens are the API's. */
async function packageList(request: IRequest, context: RequestContext) {
  return page(request, context, async (caller) => {
    const query = new URL(request.url).searchParams;
    const filters = packageListFilters(query);
    const continuationToken = query.get("continuationToken") || undefined;
    const { entries, continuationToken: next } = await listPage(packageKind, filters, { limit: PAGE_SIZE, continuationToken }, caller, context);
    const state = {
      search: query.get("search") ?? "",
      publisher: query.get("publisher") ?? "",
      visibility: query.get("visibility") ?? "",
      sort: query.get("sort") ?? "",
    };
    return <PackageListPage shell={await shellFor(request, caller, "Packages")} state={state} packages={packageSummaries(context, entries)} next={next} />;
  });
}

async function templateList(request: IRequest, context: RequestContext) {
  return page(request, context, async (caller) => {
    const query = new URLSearchParams(new URL(request.url).search);
    // Both kinds of templates a person can use: published ones and operator-registered VCS ones.
    if (!query.has("backing")) ["registry", "vcs"].forEach((b) => query.append("backing", b));
    const continuationToken = query.get("continuationToken") || undefined;
    const { entries, continuationToken: next } = await listPage(templateKind, templateListFilters(query), { limit: PAGE_SIZE, continuationToken }, caller, context);
    return <TemplateListPage shell={await shellFor(request, caller, "Templates")} search={query.get("search") ?? ""} templates={templateSummaries(context, entries)} next={next} />;
  });
}

async function artifactText(context: RequestContext, entry: CatalogEntry, slot: string): Promise<string | undefined> {
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

async function packagePage(request: IRequest, context: RequestContext) {
  const chosen = new URL(request.url).searchParams.get("version");
  if (chosen !== null) {
    // The version selector without JavaScript: a GET form naming the version, answered with its page's URL.
    const identity = parseIdentity(packageKind, request.params as RouteParams);
    const version = requireVersion(chosen);
    return new Response(null, { status: 303, headers: { Location: packagePath(identity, version.raw) } });
  }
  return page(request, context, async (caller) => {
    const { entry, detail } = await loadPackage(request, context, caller);
    const [versions, readme, installation] = await Promise.all([
      listLiveVersions(context.db, entry.item.id),
      artifactText(context, entry, "index"),
      artifactText(context, entry, "installationConfiguration"),
    ]);
    return (
      <PackagePage
        shell={await shellFor(request, caller, detail.title ?? detail.name)}
        pkg={detail}
        versions={versions}
        readme={readme ? <Markdown text={readme} /> : <MissingText what="README" />}
        installation={installation ? <Markdown text={installation} /> : <MissingText what="installation text" />}
        apiDocs={<p class="muted">API documentation is not available for this package yet.</p>}
      />
    );
  });
}

async function templatePage(request: IRequest, context: RequestContext) {
  return page(request, context, async (caller) => {
    const identity = templateIdentity(request.params as RouteParams);
    const entry = await getEntry(context.db, { ...identity, version: "latest" }, caller);
    if (!entry) throw versionNotFound(identity, "latest");
    const detail = templateKind.view(entry, viewContext(templateKind, context, entry)) as unknown as TemplateDetail;
    const readme = await artifactText(context, entry, "readme");
    return (
      <TemplatePage
        shell={await shellFor(request, caller, detail.displayName)}
        template={detail}
        readme={readme ? <Markdown text={readme} /> : <MissingText what="README" />}
      />
    );
  });
}

/** Where to go after signing in: a path on this site only, never another origin. */
function safeNext(value: string | null): string {
  return value && /^\/(?![/\\])/.test(value) && value.length <= 2000 ? value : "/";
}

const MAX_FORM_BYTES = 4096;

async function signInForm(request: IRequest, context: RequestContext) {
  const { caller } = await readSession(request, context);
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  return htmlResponse(<SignInPage shell={await shellFor(request, caller, "Sign in")} next={next} />, { personal: true });
}

async function signInSubmit(request: IRequest, context: RequestContext) {
  requireSameOrigin(request, context);
  if (!(request.headers.get("Content-Type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new ApiError(415, "sign-in expects a form submission");
  }
  const form = new URLSearchParams(new TextDecoder().decode(await readLimited(request, MAX_FORM_BYTES)));
  const next = safeNext(form.get("next"));
  const secret = (form.get("token") ?? "").trim();
  const session = secret && secret.length <= 512 ? await signIn(context, secret) : null;
  if (!session) {
    const shell = await shellFor(request, ANONYMOUS, "Sign in");
    return htmlResponse(<SignInPage shell={shell} next={next} error="That token was not accepted: it is unknown, expired or revoked." />, { status: 401, personal: true });
  }
  return new Response(null, { status: 303, headers: { Location: next, "Set-Cookie": session.setCookie, "Cache-Control": "private, no-store" } });
}

async function signOutSubmit(request: IRequest, context: RequestContext) {
  requireSameOrigin(request, context);
  return new Response(null, { status: 303, headers: { Location: "/", "Set-Cookie": await signOut(request, context), "Cache-Control": "private, no-store" } });
}

async function staticFile(request: IRequest) {
  const asset = await staticAsset(new URL(request.url).pathname);
  if (!asset) throw notFound("no such static file");
  return asset;
}

export const webRoutes: Array<[string, RouteMethods]> = [
  ["/", { GET: home }],
  ["/packages", { GET: packageList }],
  ["/packages/:source/:publisher/:name", { GET: packagePage }],
  ["/packages/:source/:publisher/:name/:version", { GET: packagePage }],
  ["/templates", { GET: templateList }],
  ["/templates/:source/:publisher/:name+", { GET: templatePage }],
  ["/sign-in", { GET: signInForm, POST: signInSubmit }],
  ["/sign-out", { POST: signOutSubmit }],
  ["/static/:file", { GET: staticFile }],
];

/** Browsers asking for a page get HTML errors; API paths (and anything not asking for HTML) keep JSON. */
export function wantsHtml(request: Request): boolean {
  const path = new URL(request.url).pathname;
  if (path.startsWith("/api/") || path === "/api" || path === "/healthz" || path.startsWith("/_artifacts/")) return false;
  return (request.headers.get("Accept") ?? "").toLowerCase().includes("text/html");
}

export async function htmlErrorResponse(request: Request, error: unknown, requestId: string): Promise<Response> {
  const status = error instanceof ApiError ? error.status : 500;
  const shell = await shellFor(request, ANONYMOUS, status === 404 ? "Not found" : "Error");
  const headers: Record<string, string> = { ...(error instanceof ApiError ? error.headers : {}), "Cache-Control": "no-store" };
  return htmlResponse(<ErrorPage shell={shell} status={status} requestId={status >= 500 ? requestId : undefined} />, { status, headers });
}

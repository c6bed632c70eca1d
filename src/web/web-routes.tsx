// The browsable registry: HTML pages on the same Worker, built from the registry core's catalog reads.
// Anonymous pages go through the same edge cache as anonymous API reads; signed-in pages never do.
import type { IRequest } from "itty-router";
import { ApiError, badRequest, notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { readLimited } from "../http/json-body";
import type { RouteMethods } from "../http/routes";
import { ANONYMOUS } from "../identity/rights";
import { packageKind } from "../packages/package-kind";
import { featuredPlan } from "../core/catalog/featured";
import { listPlan } from "../core/catalog/list";
import { type CatalogEntry } from "../core/vocabulary/catalog-entry";
import { listPage } from "../core/catalog/list-service";
import { resolveVersion } from "../core/resolve-version";
import { viewOf } from "../core/views";
import { decodeOnce, versionNotFound } from "../core/identity-parsing";
import type { RouteParams } from "../core/kind";
import { parseVersionParam } from "../registry-api/request-parsing";
import { requireVersion } from "../core/vocabulary/versions";
import { templateKind, VCS_SOURCES } from "../templates/template-kind";
import { HomePage, PackageListPage, TemplateListPage } from "./catalog-pages";
import { packagePath, templatePath, type PackageSummary, type TemplateSummary } from "./components";
import { DocsNotice, docsUnavailable } from "./docs-status";
import { InstallSection, MissingText, PackagePage, TemplatePage, VersionsPage, type PackageDetail, type TemplateArchive, type TemplateDetail } from "./item-pages";
import { PluginSection } from "./plugin-section";
import { pluginList } from "../plugins/plugin-view";
import { viewContext } from "../core/views";
import { templateFileList } from "../templates/template-derived";
import { installChoices } from "./install-commands";
import { Fragment, h, trustedHtml } from "./jsx";
import { ErrorPage, SignInPage } from "./notice-pages";
import { htmlResponse } from "./page-response";
import { readSession, requireSameOrigin, signIn, signOut } from "./session";
import { knownParams, renderedArtifact, loadPackage, lookerFor, lookerReader, page, shellFor } from "./page-kit";
import { apiDocsPageRoutes, navOutline, packageDocs, parseLanguage, parseOs, renderedDocsContent } from "./api-docs-routes";
import { type RenderedContent } from "./rendered-content";
import type { Os } from "../api-docs/content";
import { apiPath, LanguageTabs, MAX_LISTED_MODULES } from "./api-docs-pages";
import { DEFAULT_LANGUAGE } from "../api-docs/views";
import type { Language } from "../api-docs/languages";
import { items, orgs } from "../db/schema";
import { and, eq, exists, sql } from "drizzle-orm";
import { visibleTo } from "../core/visibility";
import type { Viewer } from "../core/vocabulary/viewer";
import { isValidSegment, printable } from "../core/vocabulary/names";
import { favicon, packageLogo, staticAsset } from "./static-assets";
import { deprecationOf } from "./deprecation";
import { clientAddressKey, enforceRateLimit } from "../rate-limits/rate-limit";

const PAGE_SIZE = 24;
const HOME_LIST = 6;

/** A card's fields: the kind's view, the publisher by its display name (the same on packages and templates), the deprecation in force. */
function cardFields(entry: CatalogEntry) {
  const deprecation = deprecationOf(entry);
  return { ...(entry.publisherDisplayName ? { publisherDisplayName: entry.publisherDisplayName } : {}), ...(deprecation ? { deprecation } : {}) };
}

const packageSummaries = (context: RequestContext, entries: CatalogEntry[]): PackageSummary[] =>
  entries.map((entry) => ({ ...viewOf(packageKind, context.origin, entry), ...cardFields(entry) }));
const templateSummaries = (context: RequestContext, entries: CatalogEntry[]): TemplateSummary[] =>
  entries.map((entry) => ({ ...viewOf(templateKind, context.origin, entry), ...cardFields(entry) }));

async function home(request: IRequest, context: RequestContext) {
  return page(request, context, async (looker) => {
    const packages = { kind: "package" as const, backings: ["registry" as const], limit: HOME_LIST };
    const { viewer } = looker;
    const [featured, recent, templates] = await looker.read(
      featuredPlan(context.db, viewer, HOME_LIST),
      listPlan(context.db, { ...packages, sort: "createdAt", asc: false }, viewer),
      listPlan(context.db, { kind: "template", backings: ["registry"], limit: HOME_LIST, sort: "createdAt", asc: false }, viewer),
    );
    return (
      <HomePage
        shell={await shellFor(request, looker.caller(), "Home")}
        featured={packageSummaries(context, featured)}
        recent={packageSummaries(context, recent.entries)}
        templates={templateSummaries(context, templates.entries)}
      />
    );
  });
}

const PACKAGE_LIST_PARAMS = ["name", "publisher", "orgLogin", "visibility", "packageType", "category", "search", "usage", "sort", "asc", "continuationToken"];
const TEMPLATE_LIST_PARAMS = ["backing", "name", "orgLogin", "search", "continuationToken"];

/**
 * The login of the org whose display name is `name` (case-insensitively), if exactly one has it among the
 * orgs that publish a package `viewer` may see: the display name of an org whose packages are all
 * private (or that has none) is not a way to learn its login.
 */
async function publisherByDisplayName(context: RequestContext, viewer: Viewer, name: string): Promise<string | undefined> {
  if (name.length > 200) return undefined;
  const shown = context.db
    .select({ one: sql`1` })
    .from(items)
    .where(and(eq(items.kind, "package"), eq(items.ownerOrg, orgs.login), eq(items.publisher, orgs.login), visibleTo(viewer)));
  const rows = await context.db
    .select({ login: orgs.login })
    .from(orgs)
    .where(and(sql`${orgs.displayName} = ${name.trim()} collate nocase`, exists(shown)))
    .limit(2);
  return rows.length === 1 ? rows[0]!.login : undefined;
}

/** The web list speaks the API's query parameters, so its filters, sorts and continuation tokens are the API's. */
async function packageList(request: IRequest, context: RequestContext) {
  // Only the API's parameters; a filter form's "Any" submits an empty value: that filter is not asked for
  // (the API would call "" a bad value). Validated before the cache is consulted, keyed as parsed.
  const params = knownParams(request, PACKAGE_LIST_PARAMS);
  const query = new URLSearchParams(params);
  const publisher = query.get("publisher");
  if (publisher !== null && !isValidSegment(publisher)) {
    // Not a login: the name cards show ("Acme Corp") is looked up, for who is looking, and the list asked for by login.
    return page(request, context, async (looker) => {
      const login = await publisherByDisplayName(context, looker.viewer, publisher);
      if (!login) throw badRequest(`no publisher is named '${printable(publisher)}': filter by the publisher's login (as in a package's path) or by its name as shown on its packages`);
      query.set("publisher", login);
      return new Response(null, { status: 303, headers: { Location: `/packages?${query.toString()}` } });
    }, { params });
  }
  const filters = packageKind.listFilters(query);
  const key = [["q", JSON.stringify(filters)], ["continuationToken", query.get("continuationToken") ?? undefined]] as const;
  return page(request, context, async (looker) => {
    if ((filters.usage !== undefined || filters.sort === "usageTotal") && (await looker.caller()).kind !== "org") {
      throw new ApiError(401, `${filters.usage !== undefined ? "usage" : "sort=usageTotal"} is about your org's stacks: sign in first`);
    }
    const continuationToken = query.get("continuationToken") || undefined;
    const { entries, continuationToken: next } = await listPage(context.env, packageKind, filters, { limit: PAGE_SIZE, continuationToken }, lookerReader(context, looker));
    if (publisher && !entries.length && !continuationToken) {
      // A login-shaped display name ("Acme"): nothing is listed under that login, but a publisher is shown by that name.
      const login = await publisherByDisplayName(context, looker.viewer, publisher);
      if (login && login !== publisher) {
        query.set("publisher", login);
        return new Response(null, { status: 303, headers: { Location: `/packages?${query.toString()}` } });
      }
    }
    const state = {
      search: query.get("search") ?? "",
      publisher: query.get("publisher") ?? "",
      visibility: query.get("visibility") ?? "",
      packageType: query.get("packageType") ?? "",
      category: query.get("category") ?? "",
      sort: query.get("sort") ?? "",
    };
    return <PackageListPage shell={await shellFor(request, looker.caller(), "Packages")} state={state} query={query} packages={packageSummaries(context, entries)} next={next} />;
  }, { params, key });
}

async function templateList(request: IRequest, context: RequestContext) {
  const params = knownParams(request, TEMPLATE_LIST_PARAMS);
  const query = new URLSearchParams(params);
  // Both kinds of templates a person can use: published ones and operator-registered VCS ones.
  if (!query.has("backing")) ["registry", "vcs"].forEach((b) => query.append("backing", b));
  const continuationToken = query.get("continuationToken") || undefined;
  const filters = templateKind.listFilters(query);
  return page(
    request,
    context,
    async (looker) => {
      const { entries, continuationToken: next } = await listPage(context.env, templateKind, filters, { limit: PAGE_SIZE, continuationToken }, lookerReader(context, looker));
      return <TemplateListPage shell={await shellFor(request, looker.caller(), "Templates")} search={query.get("search") ?? ""} query={query} templates={templateSummaries(context, entries)} next={next} />;
    },
    { params, key: [["q", JSON.stringify(filters)], ["continuationToken", continuationToken]] },
  );
}

/** `then` from a docs page's version selector: a path below the version, in the shape the docs pages use. */
/** The version selector's `then`: a subpath of the package version's pages, never a dot-segment that climbs out. */
function safeThen(value: string | null): string {
  if (!value || !/^(api|types)(\/[A-Za-z0-9._-]{1,200}){0,12}$/.test(value)) return "";
  return value.split("/").some((part) => part === "." || part === "..") ? "" : "/" + value;
}

const OS_LABELS: Record<Os, string> = { linux: "Linux", macos: "macOS", windows: "Windows" };

const kib = (chars: number) => `${Math.ceil(chars / 1024)} KiB`;

/** A section's text as rendered once (rendered-content.ts); past the render cap, a notice and a link to the whole text. */
function ContentSection(props: { content?: RenderedContent; missing: string; hrefFor: (l: Language) => string; osHrefFor: (os: Os) => string; label: string; fullText: string }) {
  const { content } = props;
  if (!content || !content.html) return <MissingText what={props.missing} />;
  return (
    <>
      {content.language && content.languages.length > 1 ? <LanguageTabs languages={content.languages} current={content.language} hrefFor={props.hrefFor} label={`${props.label} language`} /> : null}
      {content.os && content.oses.length > 1 ? (
        <nav aria-label={`${props.label} operating system`}>
          <ul class="tabs">
            {content.oses.map((os) => (
              <li>
                <a href={props.osHrefFor(os)} aria-current={os === content.os ? "page" : undefined}>
                  {OS_LABELS[os]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {trustedHtml(content.html)}
      {content.renderedChars < content.chars ? (
        <p class="muted truncated">
          {`This ${props.missing} is ${kib(content.chars)} of markdown; the first ${kib(content.renderedChars)} are shown. `}
          <a href={props.fullText}>{`The whole ${props.missing}`}</a>
          {" (JSON, or markdown with Accept: text/markdown)."}
        </p>
      ) : null}
    </>
  );
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** The provider plugin section of a version's page (nothing without attached archives). */
function pluginSectionOf(context: RequestContext, entry: CatalogEntry, detail: PackageDetail) {
  const base = viewContext(packageKind, context.origin, entry).artifactUrl("plugins");
  return <PluginSection pkg={detail} plugins={pluginList(entry.version?.plugins ?? null, base)} base={base} origin={context.origin} />;
}

async function packagePage(request: IRequest, context: RequestContext) {
  const query = new URL(request.url).searchParams;
  const chosen = query.get("version");
  if (chosen !== null) {
    // The version selector without JavaScript: a GET form naming the version, answered with its page's URL.
    const identity = packageKind.identity(request.params as RouteParams);
    const version = requireVersion(chosen);
    const lang = parseLanguage(request);
    const location = packagePath(identity, version.raw) + safeThen(query.get("then")) + (lang ? `?lang=${lang}` : "");
    return new Response(null, { status: 303, headers: { Location: location } });
  }
  // Validated before the cache is consulted: the page reads these two parameters and no other.
  const lang = parseLanguage(request);
  const os = parseOs(request);
  return page(request, context, async (looker) => {
    const data = await loadPackage(request, context, looker);
    const { detail } = data;
    const docs = packageDocs(request, context, data, lang);
    const unavailable = await docsUnavailable(docs.ready);
    if (unavailable) {
      // The version is published; its README, installation text and API come with its docs.
      const notice = <DocsNotice status={unavailable} />;
      return (
        <PackagePage
          shell={await shellFor(request, looker.caller(), detail.title ?? detail.name)}
          pkg={detail}
          versions={await data.versions}
          readme={notice}
          installation={null}
          apiDocs={notice}
          plugins={pluginSectionOf(context, data.entry, detail)}
        />
      );
    }
    const wanted = lang ?? DEFAULT_LANGUAGE;
    const [versions, readme, installation, outline, derived] = await Promise.all([
      data.versions,
      renderedDocsContent(context, docs, "readme.json", wanted, os),
      renderedDocsContent(context, docs, "installation.json", wanted, os),
      navOutline(context, docs),
      docs.ready,
    ]);
    const here = packagePath(detail, detail.version);
    const query = (l: Language | undefined, o: Os | undefined) => `?${new URLSearchParams([...(l ? [["lang", l]] : []), ...(o ? [["os", o]] : [])]).toString()}`;
    const apiLang = readme?.language ?? wanted;
    const choices = installChoices(derived.manifest.package, detail.version);
    // The first modules by name (nav-head.json's, bounded), the totals for all: the page's size does not grow with the package.
    const modules = outline.first.filter((m) => m.resources + m.functions > 0).slice(0, MAX_LISTED_MODULES);
    return (
      <PackagePage
        shell={await shellFor(request, looker.caller(), detail.title ?? detail.name)}
        pkg={detail}
        versions={versions}
        facts={derived.manifest.package}
        install={<InstallSection choices={choices} current={lang} hrefFor={(l) => `${here}${query(l, os)}#install`} />}
        plugins={pluginSectionOf(context, data.entry, detail)}
        readme={<ContentSection content={readme} missing="README" hrefFor={(l) => `${here}${query(l, os)}#readme`} osHrefFor={(o) => `${here}${query(lang, o)}#readme`} label="README" fullText={`${docs.links.base}/readme${query(wanted, os)}`} />}
        installation={
          <ContentSection content={derived.manifest.hasInstallation ? installation : undefined} missing="installation text" hrefFor={(l) => `${here}${query(l, os)}#installation`} osHrefFor={(o) => `${here}${query(lang, o)}#installation`} label="Installation" fullText={`${docs.links.base}/installation${query(wanted, os)}`} />
        }
        apiDocs={
          modules.length ? (
            <>
              <p>
                <a href={`${apiPath(detail)}?lang=${apiLang}`}>Browse the API</a>:{" "}
                {`${count(outline.modules, "module")}, ${count(outline.resources, "resource")} and ${count(outline.functions, "function")}.`}
              </p>
              {outline.modules > modules.length ? <p class="muted">{`The first ${modules.length} of ${outline.modules} modules are listed; browse the API to filter them or open the others.`}</p> : null}
              <ul>
                {modules.map((m) => (
                  <li>
                    <a href={`${apiPath(detail, m.name)}?lang=${apiLang}`}>{m.name}</a> <span class="muted">{`${count(m.resources, "resource")}, ${count(m.functions, "function")}`}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p class="muted">This package documents no resources or functions.</p>
          )
        }
      />
    );
  }, { params: [["lang", lang], ["os", os]] });
}

/** Every live version of a package with its date, pre-releases and deprecated versions marked: one D1 batch. */
async function packageVersionsPage(request: IRequest, context: RequestContext) {
  return page(request, context, async (looker) => {
    const { detail, versions } = await loadPackage(request, context, looker);
    return <VersionsPage shell={await shellFor(request, looker.caller(), `${detail.title ?? detail.name} versions`)} pkg={detail} versions={versions} />;
  });
}

/** A template version's page: `/templates/{source}/{publisher}/{name}/versions/{version}`. */
export function templateVersionPath(t: { source: string; publisher: string; name: string }, version: string): string {
  return `${templatePath(t)}/versions/${encodeURIComponent(version)}`;
}

/** The template page at its latest version, or at the version its path names; with every live version to switch to. */
async function templatePage(request: IRequest, context: RequestContext) {
  const chosen = new URL(request.url).searchParams.get("version");
  if (chosen !== null) {
    // The version selector without JavaScript: a GET form naming the version, answered with its page's URL.
    const identity = templateKind.identity(request.params as RouteParams);
    return new Response(null, { status: 303, headers: { Location: templateVersionPath(identity, requireVersion(chosen).raw) } });
  }
  return page(request, context, async (looker) => {
    const params = { ...(request.params as RouteParams) };
    // VCS-backed templates have no versions, and their names have several segments: `…/versions/x` is part of the name.
    if (params.version !== undefined && (VCS_SOURCES as readonly string[]).includes(decodeOnce(params.source, "source"))) {
      params.name = `${params.name}/versions/${params.version}`;
      delete params.version;
    }
    const identity = templateKind.identity(params);
    const version = params.version === undefined ? "latest" : parseVersionParam(params.version, false);
    // The versions beside the entry, by identity (none for a VCS-backed template, which has no versions).
    const { resolved, versions } = await resolveVersion(lookerReader(context, looker), { identity, version }, { withVersions: true });
    if (!resolved || (version !== "latest" && !resolved.version)) throw versionNotFound(identity, version === "latest" ? "latest" : version.raw);
    const entry = resolved.entry;
    const detail: TemplateDetail = viewOf(templateKind, context.origin, entry);
    // VCS-backed templates have no versions to list.
    const [readme, files] = await Promise.all([renderedArtifact(context, entry, "readme"), entry.version ? templateFileList(context.env.ARTIFACTS, entry) : undefined]);
    const deprecation = deprecationOf(entry);
    const archive: TemplateArchive | undefined = detail.version ? { href: `${templateVersionPath(detail, detail.version)}/archive`, ...(files ? { files } : {}) } : undefined;
    return (
      <TemplatePage
        shell={await shellFor(request, looker.caller(), detail.version && version !== "latest" ? `${detail.displayName} ${detail.version}` : detail.displayName)}
        template={detail}
        versions={versions}
        deprecation={deprecation}
        archive={archive}
        readme={<ContentSection content={readme} missing="README" hrefFor={() => ""} osHrefFor={() => ""} label="README" fullText={detail.readmeURL ?? ""} />}
      />
    );
  });
}

/**
 * `/templates/{source}/{publisher}/{name}/versions/{version}/archive`: the page's download link, answered to
 * whoever may see the page (a signed-in session sees its org's private templates; the API's download route
 * wants a token). Never edge-cached: an archive is no page. A VCS-backed template's name may have these
 * segments, so for a VCS source the path is its page.
 */
async function templateArchive(request: IRequest, context: RequestContext) {
  const params = { ...(request.params as RouteParams) };
  if ((VCS_SOURCES as readonly string[]).includes(decodeOnce(params.source, "source"))) {
    request.params.name = `${params.name}/versions/${params.version}/archive`;
    delete request.params.version;
    return templatePage(request, context);
  }
  const identity = templateKind.identity(params);
  const version = parseVersionParam(params.version, false);
  const { looker, personal } = await lookerFor(request, context);
  const { resolved } = await resolveVersion(lookerReader(context, looker), { identity, version });
  const key = resolved?.version ? (JSON.parse(resolved.version.artifacts) as Record<string, string>).archive : undefined;
  const object = key ? await context.env.ARTIFACTS.get(key) : null;
  if (!resolved?.version || !object) throw versionNotFound(identity, version.raw);
  const file = `${identity.name}-${resolved.version.version}.tar.gz`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(object.body, {
    headers: {
      "Content-Type": "application/gzip",
      "Content-Length": String(object.size),
      "Content-Disposition": `attachment; filename="${file}"`,
      "Cache-Control": personal || resolved.visibility !== "public" ? "private, no-store" : "public, no-cache",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** Where to go after signing in: a path on this site only, never another origin. */
export function safeNext(value: string | null): string {
  // Browsers drop tabs and newlines from URLs ("/\t/evil.example" is "//evil.example"), and CR/LF cannot
  // be a header value: anything but printable, space-free ASCII after a single leading "/" goes home.
  return value && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) && value.length <= 2000 ? value : "/";
}

const MAX_FORM_BYTES = 4096;

async function signInForm(request: IRequest, context: RequestContext) {
  const { caller } = await readSession(request, context);
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  return htmlResponse(<SignInPage shell={await shellFor(request, caller, "Sign in")} next={next} />, { personal: true });
}

async function signInSubmit(request: IRequest, context: RequestContext) {
  requireSameOrigin(request, context);
  // Stricter than reads, per client address: each attempt counts, so pasted-token guessing is slow.
  await enforceRateLimit(context.env, "signIn", clientAddressKey(request));
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
  // Before `:version`: "versions" is no version (a version starts with a digit).
  ["/packages/:source/:publisher/:name/versions", { GET: packageVersionsPage }],
  ["/packages/:source/:publisher/:name/:version", { GET: packagePage }],
  ...apiDocsPageRoutes,
  ["/templates", { GET: templateList }],
  // Before the catch-all name: a VCS template's name may have several segments, a registry one's has one.
  ["/templates/:source/:publisher/:name+/versions/:version/archive", { GET: templateArchive }],
  ["/templates/:source/:publisher/:name+/versions/:version", { GET: templatePage }],
  ["/templates/:source/:publisher/:name+", { GET: templatePage }],
  ["/sign-in", { GET: signInForm, POST: signInSubmit }],
  ["/sign-out", { POST: signOutSubmit }],
  ["/static/package-logo.svg", { GET: async () => packageLogo() }],
  ["/static/:file", { GET: staticFile }],
  ["/favicon.ico", { GET: async () => favicon() }],
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
  // A refused request says why (the `{code, message}` message), as the API does; a 404 stays the same whether absent or private, and a 5xx says nothing of the inside.
  // Control characters a request smuggled into a message are shown as escapes, never as themselves.
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  const message = error instanceof ApiError && status >= 400 && status < 500 && status !== 404 ? error.message.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : undefined;
  return htmlResponse(<ErrorPage shell={shell} status={status} requestId={status >= 500 ? requestId : undefined} message={message} />, { status, headers });
}

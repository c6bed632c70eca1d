// The five docs routes under …/versions/{version|latest}/ (readme, installation, nav, docs/{token}, examples) and the operator's backfill.
import type { IRequest } from "itty-router";
import { ApiError, badRequest, notFound } from "../http/api-error";
import { noneMatchHits } from "../http/conditional";
import type { RequestContext } from "../http/context";
import { json } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { requireOperator } from "../identity/operator-auth";
import { encodeKey } from "../http/url-path";
import { packageKind } from "../packages/package-kind";
import type { PackageMetadataFields } from "../packages/schema-metadata";
import type { CatalogEntry } from "../core/vocabulary/catalog-entry";
import { describeIdentity, type Identity } from "../core/vocabulary/identity";
import { resolveRouteVersion } from "../registry-api/read-routes";
import { readerFor, resolveVersion } from "../core/resolve-version";
import { decodeOnce, parseIdentity, versionNotFound } from "../core/identity-parsing";
import { type RouteParams } from "../core/kind";
import { parseVersionParam } from "../registry-api/request-parsing";
import { sha256Hex } from "../identity/secrets";
import { findItem } from "../core/catalog/lookups";
import { printable } from "../core/vocabulary/names";
import { edgeCached } from "./cache";
import type { ContentNode } from "./content";
import { docsJobReport, rederiveDocs, startDocsJobIfAbsent, upgradeDocs } from "./docs-job";
import { type Nav, type NavModule, type NavSummary } from "./derive";
import { searchIndex, SEARCH_CAPS, type SearchAnswer, type SearchHead } from "./search-index";
import type { Language } from "./languages";
import { negotiate } from "./negotiate";
import { ContentQuery, DocsQuery, ExamplesQuery, NavQuery, parseDocsQuery, type ParsedDocsQuery, type QuerySchema } from "./query";
import { DOCS_LAYOUT, artifactName, docsPrefixOf, getImmutableJson, getJson, parseExampleLines, lookup, readMemberDocuments, readManifest, readPacked, type IndexEntry, type Manifest } from "./storage";
import { contentText } from "./utf8";
import { contentAnswer, DEFAULT_LANGUAGE, docsAnswer, examplesAnswer, MAX_NAV_ITEMS, MAX_NAV_MODULES, navAnswer, selectExamples, type Answer, type Links, type NavMatches } from "./views";
import { readOutline, type ModuleLine, type NavOutline } from "./nav-outline";
import { filterNav, readNavRun, readNavSlice, scanBudget } from "./nav-slice";
import { readMembersRun } from "./nav-members";

const IMMUTABLE_SECONDS = 7 * 24 * 3600;
const MAX_TOKEN = 512;

/** The token of `docs/{token}`: percent-encoded or half-encoded; once decoded, the same thing. */
function parseToken(raw: string | undefined): string {
  const token = decodeOnce(raw, "token");
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (token === "" || token.length > MAX_TOKEN || /[\u0000-\u001f\u007f]/.test(token)) throw badRequest(`invalid token '${printable(token)}'`);
  return token;
}

export interface VersionDocs {
  prefix: string;
  manifest: Manifest;
}

/** Seconds a client is asked to wait before asking again for docs being derived. */
export const DOCS_RETRY_AFTER_SECONDS = 5;

/**
 * The docs of a visible version, once derived. Docs are never derived here (docs/operator/durable-jobs.md):
 * while a job derives them the answer is 503 with Retry-After; a derivation that failed is a 422 naming the
 * operator's re-drive; a version stored before docs were derived off the request path, with none, gets its
 * job started now (once) and the same 503.
 */
export async function docsOf(context: RequestContext, entry: CatalogEntry, identity: Identity): Promise<VersionDocs> {
  const row = entry.version!;
  const artifacts = JSON.parse(row.artifacts) as Record<string, string>;
  const prefix = docsPrefixOf(artifacts);
  if (!prefix) throw notFound(`${describeIdentity(identity, row.version)} has no schema to document`);
  if (artifacts[artifactName("manifest.json")]) {
    const manifest = await readManifest(context.env.ARTIFACTS, prefix);
    if (manifest) {
      if ((manifest.layout ?? 0) < DOCS_LAYOUT) startUpgrade(context, row.id, artifacts[artifactName("manifest.json")]!);
      return { prefix, manifest };
    }
  }
  if (row.docsStatus === "failed") throw docsFailed(identity, row.version);
  if (row.docsStatus !== "pending") await startBackfill(context, row.id);
  throw docsPending(identity, row.version);
}

export function docsPending(identity: Identity, version: string): ApiError {
  return new ApiError(503, `the documentation of ${describeIdentity(identity, version)} is being generated; retry in ${DOCS_RETRY_AFTER_SECONDS} seconds`, undefined, {
    "Retry-After": String(DOCS_RETRY_AFTER_SECONDS),
  });
}

export function docsFailed(identity: Identity, version: string): ApiError {
  return new ApiError(422, `the documentation of ${describeIdentity(identity, version)} could not be derived from its schema; the registry's operator can derive it again (POST /api/admin/…/docs)`);
}

/** Docs in an earlier layout: derived again in the background (docs-job.ts upgradeDocs), served as they are meanwhile. */
function startUpgrade(context: RequestContext, versionId: string, manifestKey: string): void {
  context.ctx.waitUntil(
    upgradeDocs(context.env, versionId, manifestKey).then(
      (started) => started && console.log(JSON.stringify({ requestId: context.requestId, docsUpgradeStarted: versionId })),
      (error) => console.log(JSON.stringify({ requestId: context.requestId, docsUpgradeFailed: String(error) })),
    ),
  );
}

/** A version without docs and without a job (stored by an earlier release): its derivation starts, once. */
async function startBackfill(context: RequestContext, versionId: string): Promise<void> {
  if (await startDocsJobIfAbsent(context.env, versionId)) {
    console.log(JSON.stringify({ requestId: context.requestId, docsBackfillStarted: versionId }));
  }
}

interface Prepared {
  /** Validation that reads storage (a token's index line); done before any 304. */
  entry?: IndexEntry;
}

interface DocsRoute {
  path: string;
  /** Its query parameters: parsed with this schema, and declared by it in the OpenAPI document. */
  query: QuerySchema;
  prepare?(request: IRequest, docs: VersionDocs, context: RequestContext): Promise<Prepared>;
  answer(input: { request: IRequest; context: RequestContext; docs: VersionDocs; query: ParsedDocsQuery; links: Links; entry: CatalogEntry; identity: Identity; prepared: Prepared }): Promise<Answer>;
}

async function contentObject(context: RequestContext, docs: VersionDocs, object: "readme.json" | "installation.json"): Promise<ContentNode[] | undefined> {
  return getJson<ContentNode[]>(context.env.ARTIFACTS, docs.prefix + object);
}

const docsRoutes: DocsRoute[] = [
  {
    path: "readme",
    query: ContentQuery,
    async answer({ context, docs, query, links }) {
      return contentAnswer((await contentObject(context, docs, "readme.json")) ?? [], links, query.lang, query.os);
    },
  },
  {
    path: "installation",
    query: ContentQuery,
    async prepare(request, docs) {
      if (!docs.manifest.hasInstallation) throw notFound(`package version has no installation text`);
      return {};
    },
    async answer({ context, docs, query, links }) {
      const nodes = await contentObject(context, docs, "installation.json");
      if (!nodes) throw notFound("package version has no installation text");
      return contentAnswer(nodes, links, query.lang, query.os);
    },
  },
  {
    path: "nav",
    query: NavQuery,
    async answer({ context, docs, query, links, entry, identity }) {
      const bucket = context.env.ARTIFACTS;
      const m = JSON.parse(entry.version!.metadata) as PackageMetadataFields;
      const input = { identity: { source: identity.source, publisher: identity.publisher, name: entry.item.name }, title: m.title ?? entry.item.name, description: m.description, hasInstallation: docs.manifest.hasInstallation };
      if (query.q) {
        const indexed = await navBounded(context, docs, entry, query.q, query.lang);
        if (indexed) return navAnswer({ ...input, nav: indexed.nav }, links, query.lang, query.q, query.full, undefined, false, indexed.matches);
        const nav = (await getJson<Nav>(bucket, docs.prefix + "nav.json")) ?? { modules: [] };
        return navAnswer({ ...input, nav }, links, query.lang, query.q, query.full);
      }
      // Without q: at most MAX_NAV_MODULES modules (and MAX_NAV_ITEMS members with depth=full), read from
      // nav-head.json and nav-modules.tsv blocks (and, for depth=full, those modules' slices of nav.json).
      const outline = await readOutline(bucket, docs.prefix);
      // The first page: the head's first modules, which NAV_HEAD_FIRST_BYTES may cut short of MAX_NAV_MODULES (long
      // names), so `more` is whether the package has modules past those listed, not past MAX_NAV_MODULES.
      const firstPage = outline.first.slice(0, MAX_NAV_MODULES);
      const picked = query.after !== undefined ? await outline.after(query.after, MAX_NAV_MODULES) : { modules: firstPage, more: outline.modules > firstPage.length };
      let { modules, more } = picked;
      if (query.full) {
        // Whole modules up to MAX_NAV_ITEMS members (at least one; navAnswer lists at most that many of its members).
        let items = 0;
        const k = modules.findIndex((mod, i) => (items += mod.resources + mod.functions) > MAX_NAV_ITEMS && i > 0);
        if (k > 0) [modules, more] = [modules.slice(0, k), true];
      }
      const nav: Nav | NavSummary = query.full ? await fullNavOf(bucket, docs.prefix, outline, modules) : { modules };
      const cut = more || query.after !== undefined;
      const last = modules[modules.length - 1]?.name;
      const next = more && last !== undefined ? nextNavUrl(links, query, last) : undefined;
      const page = cut ? { total: outline.modules, ...(query.after !== undefined ? { after: query.after } : {}), ...(next ? { nextUrl: next } : {}) } : undefined;
      // At most MAX_NAV_ITEMS members in all, whether the modules are cut or not (one module may hold more).
      return navAnswer({ ...input, nav }, links, query.lang, undefined, query.full, page, true);
    },
  },
  {
    path: "docs/:token+",
    query: DocsQuery,
    async prepare(request, docs, context) {
      const token = parseToken(request.params.token);
      const entry = await lookup(context.env.ARTIFACTS, docs.prefix, docs.manifest, token);
      if (!entry) throw notFound(`no resource or function '${printable(token)}' in this package version`);
      return { entry };
    },
    async answer({ context, docs, query, links, prepared }) {
      const e = prepared.entry!;
      const { doc, types, supporting } = await readMemberDocuments(context.env.ARTIFACTS, docs.prefix, docs.manifest, e);
      return docsAnswer(doc, types, links, query.lang ?? DEFAULT_LANGUAGE, supporting);
    },
  },
  {
    path: "examples",
    query: ExamplesQuery,
    async answer({ context, docs, query, links }) {
      const lang = query.lang ?? DEFAULT_LANGUAGE;
      // At most limits.examplesBytes of the index: a bigger one is read from its start, to its last whole line.
      const key = docs.prefix + "examples.tsv";
      const head = await context.env.ARTIFACTS.head(key);
      const whole = !head || head.size <= context.limits.examplesBytes;
      const object = head ? await context.env.ARTIFACTS.get(key, whole ? undefined : { range: { offset: 0, length: context.limits.examplesBytes } }) : null;
      const text = object ? await contentText(object) : "";
      const all = parseExampleLines(whole ? text : text.slice(0, text.lastIndexOf("\n") + 1));
      const selection = selectExamples(all, lang, query.q, query.limit, whole);
      const code = await readPacked<string>(context.env.ARTIFACTS, docs.prefix, selection.page.map((e) => e.code[lang]!));
      return examplesAnswer(selection, code, links, lang);
    },
  },
];

const packageIdentity = (params: RouteParams) => parseIdentity(packageKind, params);

/** The nav with `q` lists at most this many matching members when it searches a big package through its index. */
export const MAX_NAV_MATCHES = 200;
/** ... and only those whose modules' lines lie in at most this many blocks of nav-modules.tsv (one range read each). */
export const MAX_NAV_MATCH_BLOCKS = 16;

/**
 * The nav with `q` of a big package (its modules' part of nav.json over MAX_FILTER_NAV_BYTES): the matches the
 * search index finds within its caps (search-index.ts), or, for a `q` under 3 characters and docs derived
 * before the index, those among the first modules that fit MAX_FILTER_NAV_BYTES (nav-slice.ts's filterNav, as
 * the page's filter) — at most MAX_NAV_MATCHES, as a nav of their modules (with the modules' totals) and names.
 * Undefined for a small package (and docs derived before nav.json's ranges were kept): the caller reads
 * nav.json whole, as before, so small packages answer byte for byte as they did.
 */
async function navBounded(context: RequestContext, docs: VersionDocs, entry: CatalogEntry, q: string, lang: Language | undefined): Promise<{ nav: Nav; matches?: NavMatches } | undefined> {
  const bucket = context.env.ARTIFACTS;
  const outline = await readOutline(bucket, docs.prefix);
  if (!outline.span || !outline.naming || outline.span[1] <= context.limits.filterNavBytes) return undefined;
  // Without lang the nav matches tokens (their last part, its shown name, is part of them) and no names: so do
  // the index and the scan, so that `matchesTotal` counts what the list would show.
  const language = lang ?? DEFAULT_LANGUAGE;
  const matchNames = lang !== undefined;
  const indexed = artifactName("search-head.json") in (JSON.parse(entry.version!.artifacts) as Record<string, string>);
  const head = indexed ? await getImmutableJson<SearchHead>(bucket, docs.prefix + "search-head.json") : undefined;
  const caps = { ...SEARCH_CAPS, postingBytes: context.limits.searchPostingBytes, candidates: context.limits.searchCandidates };
  let found: Pick<SearchAnswer, "matches" | "total" | "complete"> | undefined = head ? await searchIndex(bucket, docs.prefix, head, language, q, MAX_NAV_MATCHES, caps, matchNames) : undefined;
  if (!found) {
    const scanned = await filterNav(bucket, docs.prefix, outline, scanBudget(context, !!head), language, q, MAX_NAV_MATCHES, matchNames);
    if (!scanned) return undefined;
    const matches = scanned.modules.flatMap((m) => [
      ...m.resources.map((r) => ({ module: m.name, kind: "resource" as const, ...r })),
      ...m.functions.map((f) => ({ module: m.name, kind: "function" as const, ...f })),
    ]);
    found = { matches, total: scanned.total, complete: scanned.whole };
  }
  const naming = head?.naming ?? (await readNavSlice(bucket, docs.prefix, outline, []))?.naming;
  if (!naming) return undefined;
  // The matches (in module order) whose modules' totals lie in at most MAX_NAV_MATCH_BLOCKS blocks of nav-modules.tsv:
  // matches spread over a package of many modules would otherwise cost a range read each (review-21: 183 storage calls).
  found = { ...found, matches: found.matches.slice(0, await modulesWithinBlocks(outline, found.matches.map((m) => m.module))) };
  const lines = await outline.find([...new Set(found.matches.map((m) => m.module))]);
  const totals = new Map(lines.map((m) => [m.name, m]));
  const modules = new Map<string, NavModule>();
  const overrides: NonNullable<Nav["overrides"]> = {};
  for (const m of found.matches) {
    let module = modules.get(m.module);
    if (!module) {
      const line = totals.get(m.module);
      modules.set(m.module, (module = { name: m.module, resources: [], functions: [], totals: { resources: line?.resources ?? 0, functions: line?.functions ?? 0 } }));
    }
    (m.kind === "resource" ? module.resources : module.functions).push(m.token);
    if (lang) overrides[m.token] = { [lang]: m.name };
  }
  const nav: Nav = { naming, modules: [...modules.values()], ...(lang ? { overrides } : {}) };
  const cut = !found.complete || found.total > found.matches.length;
  return { nav, ...(cut ? { matches: { total: found.total, complete: found.complete } } : {}) };
}

/** How many of `modules` (names in order) lie in at most MAX_NAV_MATCH_BLOCKS blocks of nav-modules.tsv (a prefix of them). */
async function modulesWithinBlocks(outline: NavOutline, modules: readonly string[]): Promise<number> {
  const blocks = new Set<number>();
  for (const [k, name] of modules.entries()) {
    const i = await outline.blockOf(name);
    if (i < 0 || blocks.has(i)) continue;
    if (blocks.size >= MAX_NAV_MATCH_BLOCKS) return k;
    blocks.add(i);
  }
  return modules.length;
}

/**
 * The listed modules with their members (depth=full): from nav-members.tsv when the derivation wrote it (at
 * most MAX_NAV_ITEMS members and MAX_RUN_BYTES of lines, with their own name overrides), else their slices of
 * nav.json (and the package's overrides), else the whole nav.json of docs derived before its ranges were kept.
 */
async function fullNavOf(bucket: R2Bucket, prefix: string, outline: NavOutline, modules: readonly ModuleLine[]): Promise<Nav> {
  if (modules.length && modules.every((m) => m.members)) {
    const named = await readNavSlice(bucket, prefix, outline, []);
    if (named) return { naming: named.naming, ...(await readMembersRun(bucket, prefix + "nav-members.tsv", modules, MAX_NAV_ITEMS)) };
  }
  return (await readNavRun(bucket, prefix, outline, modules)) ?? (await wholeNavOf(bucket, prefix, modules));
}

/** Docs derived before nav.json's ranges were kept: the whole nav, as those releases read it, narrowed to `modules`. */
async function wholeNavOf(bucket: R2Bucket, prefix: string, modules: readonly ModuleLine[]): Promise<Nav> {
  const nav = (await getJson<Nav>(bucket, prefix + "nav.json")) ?? ({ modules: [] } as unknown as Nav);
  const names = new Set(modules.map((m) => m.name));
  return { ...nav, modules: nav.modules.filter((m) => names.has(m.name)) };
}

/** The nav answer that continues one cut after module `last`, with the same parameters. */
function nextNavUrl(links: Links, query: ParsedDocsQuery, last: string): string {
  const params = new URLSearchParams();
  if (query.lang) params.set("lang", query.lang);
  if (query.full) params.set("depth", "full");
  params.set("after", last);
  return `${links.base}/nav?${params}`;
}

async function etagFor(parts: unknown[]): Promise<string> {
  return `"docs-${(await sha256Hex(JSON.stringify(parts))).slice(0, 32)}"`;
}

// Rendered answers are immutable for a docs prefix (one publish attempt), so an isolate keeps recent
// ones: a token-bearing read then costs the visibility check alone. Bounded by total size.
const answers = new Map<string, { body: string; bytes: number }>();
const MAX_ANSWER_BYTES = 256 * 1024;
const MAX_CACHED_BYTES = 16 * 1024 * 1024;
let cachedBytes = 0;

function remember(key: string, body: string): void {
  const bytes = body.length * 2;
  if (bytes > MAX_ANSWER_BYTES) return;
  // Two concurrent misses store the same key: count it once.
  const old = answers.get(key);
  if (old) {
    answers.delete(key);
    cachedBytes -= old.bytes;
  }
  while (cachedBytes + bytes > MAX_CACHED_BYTES && answers.size) {
    const [oldest, value] = answers.entries().next().value!;
    answers.delete(oldest);
    cachedBytes -= value.bytes;
  }
  answers.set(key, { body, bytes });
  cachedBytes += bytes;
}

function canonicalUrl(url: URL, schema: QuerySchema): string {
  const out = new URL(url.origin + url.pathname);
  for (const p of Object.keys(schema.shape)) {
    const value = url.searchParams.get(p);
    if (value !== null) out.searchParams.set(p, value);
  }
  return out.toString();
}

/** Internal headers carrying the docs' own ETag and Cache-Control through the edge cache, which sets its own. */
const STASHED_ETAG = "X-Docs-ETag";
const STASHED_CACHE_CONTROL = "X-Docs-Cache-Control";

async function produce(route: DocsRoute, request: IRequest, context: RequestContext, url: URL, query: ParsedDocsQuery, format: "json" | "markdown"): Promise<Response> {
  const { resolved, identity, version } = await resolveRouteVersion(packageKind, request, context);
  const entry = resolved.entry;
  const docs = await docsOf(context, entry, identity);
  const row = entry.version!;
  const prefix = url.pathname.startsWith("/api/preview/registry") ? "/api/preview/registry" : "/api/registry";
  const links: Links = {
    version: row.version,
    base: `${context.origin}${prefix}/packages/${identity.source}/${identity.publisher}/${encodeKey(entry.item.name)}/versions/${encodeURIComponent(row.version)}`,
    langQuery: query.lang ? `?lang=${query.lang}` : "",
  };
  const subpath = url.pathname.replace(/^.*?\/versions\/[^/]+\//, "");
  const key = JSON.stringify([docs.prefix, links.base, subpath, query, format]);
  const etag = await etagFor([row.id, key]);
  const scope = entry.item.visibility === "public" ? "public" : "private";
  const headers: Record<string, string> = {
    [STASHED_ETAG]: etag,
    [STASHED_CACHE_CONTROL]: version !== "latest" ? `${scope}, max-age=${IMMUTABLE_SECONDS}, immutable` : `${scope}, no-cache`,
    Vary: "Accept, Authorization",
    "Content-Type": format === "json" ? "application/json" : "text/markdown; charset=utf-8",
  };
  // The same URL with only the parameters this route reads: the answer is cached under those alone.
  if (format === "json") headers.Link = `<${canonicalUrl(url, route.query)}>; rel="alternate"; type="text/markdown"`;
  let body = answers.get(key)?.body;
  if (body === undefined) {
    // Validation that reads storage (is the token there?) comes before any 304.
    const prepared = route.prepare ? await route.prepare(request, docs, context) : {};
    if (noneMatchHits(request.headers.get("If-None-Match"), etag)) return new Response(null, { status: 304, headers });
    const answer = await route.answer({ request, context, docs, query, links, entry, identity, prepared });
    body = format === "json" ? JSON.stringify(answer.json) : answer.markdown;
    remember(key, body);
  } else if (noneMatchHits(request.headers.get("If-None-Match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { headers });
}

function handler(route: DocsRoute) {
  return async (request: IRequest, context: RequestContext): Promise<Response> => {
    const url = new URL(request.url);
    // Everything that needs no storage is checked first: bad parameters and formats never touch it.
    const query = parseDocsQuery(url.searchParams, route.query);
    const format = negotiate(request.headers.get("Accept"));
    const response = await edgeCached(request, context, format, query, (context) => produce(route, request, context, url, query, format));
    const etag = response.headers.get(STASHED_ETAG);
    const out = new Response(response.status === 304 ? null : response.body, response);
    if (etag) out.headers.set("ETag", etag);
    const cacheControl = response.headers.get(STASHED_CACHE_CONTROL);
    if (cacheControl) out.headers.set("Cache-Control", cacheControl);
    out.headers.delete(STASHED_ETAG);
    out.headers.delete(STASHED_CACHE_CONTROL);
    // An edge hit was validated when it was stored (same canonical path, query, format and generation).
    if (out.status === 200 && etag && noneMatchHits(request.headers.get("If-None-Match"), etag)) {
      await out.body?.cancel();
      const notModified = new Response(null, { status: 304, headers: out.headers });
      notModified.headers.delete("Content-Type");
      return notModified;
    }
    return out;
  };
}

/** Routes relative to a registry prefix (wrap with registryRoutes). */
export const apiDocsRoutes: Array<[string, RouteMethods]> = docsRoutes.map((route) => [
  `/packages/:source/:publisher/:name/versions/:version/${route.path}`,
  { GET: handler(route) },
]);

/** The version an operator names, whoever owns it (looked up as its owner would). */
async function operatorVersion(request: IRequest, context: RequestContext) {
  await requireOperator(request, context);
  const identity = packageIdentity(request.params);
  const version = parseVersionParam(request.params.version, false);
  const item = await findItem(context.db, "package", identity.source, identity.publisher, identity.canonicalName);
  const found = item ? await resolveVersion(readerFor(context.db, { kind: "org", org: item.ownerOrg }), { identity, version }) : undefined;
  if (!found?.resolved?.version) throw versionNotFound(identity, version.raw);
  return { identity, row: found.resolved.entry.version! };
}

/**
 * The operator's view of a version's docs derivation (GET) and its re-drive (POST): a new attempt of the
 * durable job, whatever state the last one ended in. Docs already served stay served until it succeeds.
 */
export const apiDocsAdminRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/admin/packages/:source/:publisher/:name/versions/:version/docs",
    {
      async GET(request, context) {
        const { row } = await operatorVersion(request, context);
        return json(await docsJobReport(context.env, row));
      },
      async POST(request, context) {
        const { identity, row } = await operatorVersion(request, context);
        await rederiveDocs(context.env, identity, row.id, !!(JSON.parse(row.artifacts) as Record<string, string>)[artifactName("manifest.json")]);
        await context.catalogChanged();
        return json({ ...(await docsJobReport(context.env, row)), status: "pending" }, 202);
      },
    },
  ],
];

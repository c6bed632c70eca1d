// The five docs routes under …/versions/{version|latest}/ (readme, installation, nav, docs/{token}, examples) and the operator's backfill.
import type { IRequest } from "itty-router";
import { badRequest, notFound } from "../http/api-error";
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
import { coordinatorFor } from "../core/publish/coordinator-stub";
import { unwrap } from "../core/vocabulary/outcome";
import { decodeOnce, parseIdentity, versionNotFound } from "../core/identity-parsing";
import { type RouteParams } from "../core/kind";
import { parseVersionParam } from "../registry-api/request-parsing";
import { sha256Hex } from "../identity/secrets";
import { findItem } from "../core/catalog/lookups";
import { printable } from "../core/vocabulary/names";
import { edgeCached } from "./cache";
import type { ContentNode } from "./content";
import { deriveDocs, type Nav, type NavSummary, type StoredDoc, type StoredType } from "./derive";
import { negotiate } from "./negotiate";
import { ContentQuery, DocsQuery, ExamplesQuery, NavQuery, parseDocsQuery, type ParsedDocsQuery, type QuerySchema } from "./query";
import { artifactName, docsPrefix, getJson, parseExampleLines, lookup, readManifest, readPacked, type IndexEntry, type Manifest } from "./storage";
import { contentAnswer, DEFAULT_LANGUAGE, docsAnswer, examplesAnswer, navAnswer, selectExamples, type Answer, type Links } from "./views";

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

/**
 * The docs of a visible version. A version published before docs existed (or whose derived objects
 * are gone) gets them derived now, from its own immutable uploads, and recorded in its artifact map.
 */
export async function docsOf(context: RequestContext, entry: CatalogEntry, identity: Identity, force = false): Promise<VersionDocs> {
  const row = entry.version!;
  const artifacts = JSON.parse(row.artifacts) as Record<string, string>;
  if (!artifacts.schema) throw notFound(`${describeIdentity(identity, row.version)} has no schema to document`);
  const prefix = docsPrefix(artifacts.schema);
  const bucket = context.env.ARTIFACTS;
  if (!force && artifacts[artifactName("manifest.json")]) {
    const manifest = await readManifest(bucket, prefix);
    if (manifest) return { prefix, manifest };
  }
  let derived: Record<string, string>;
  try {
    derived = await deriveDocs(bucket, { schemaKey: artifacts.schema, readmeKey: artifacts.index, installationKey: artifacts.installationConfiguration });
  } catch (error) {
    console.log(JSON.stringify({ requestId: context.requestId, docsDerivationFailed: `${describeIdentity(identity, row.version)}: ${String(error)}` }));
    throw notFound(`${describeIdentity(identity, row.version)} has no docs: they could not be derived from its schema`);
  }
  // Recorded so that deleting the version removes them too (a retired version is left alone); through the
  // coordinator, like every write to a version's stored state.
  unwrap(await coordinatorFor(context.env, identity).recordArtifacts({ ...identity, versionId: row.id, artifacts: derived }));
  const manifest = await readManifest(bucket, prefix);
  if (!manifest) throw new Error(`docs manifest missing right after deriving ${prefix}`);
  return { prefix, manifest };
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
      const object = query.q || query.full ? "nav.json" : "nav-summary.json";
      const nav = (await getJson<Nav | NavSummary>(context.env.ARTIFACTS, docs.prefix + object)) ?? { modules: [] };
      const m = JSON.parse(entry.version!.metadata) as PackageMetadataFields;
      return navAnswer(
        { nav, identity: { source: identity.source, publisher: identity.publisher, name: entry.item.name }, title: m.title ?? entry.item.name, description: m.description, hasInstallation: docs.manifest.hasInstallation },
        links,
        query.lang,
        query.q,
        query.full,
      );
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
      const [doc, ...types] = await readPacked<StoredDoc | StoredType>(context.env.ARTIFACTS, docs.prefix, [e.range, ...e.types]);
      return docsAnswer(doc as StoredDoc, types as StoredType[], links, query.lang ?? DEFAULT_LANGUAGE);
    },
  },
  {
    path: "examples",
    query: ExamplesQuery,
    async answer({ context, docs, query, links }) {
      const lang = query.lang ?? DEFAULT_LANGUAGE;
      const object = await context.env.ARTIFACTS.get(docs.prefix + "examples.tsv");
      const all = object ? parseExampleLines(await object.text()) : [];
      const selection = selectExamples(all, lang, query.q, query.limit);
      const code = await readPacked<string>(context.env.ARTIFACTS, docs.prefix, selection.page.map((e) => e.code[lang]!));
      return examplesAnswer(selection, code, links, lang);
    },
  },
];

const packageIdentity = (params: RouteParams) => parseIdentity(packageKind, params);

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

/** Operator backfill: derive (or re-derive) one version's docs now. */
export const apiDocsAdminRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/admin/packages/:source/:publisher/:name/versions/:version/docs",
    {
      async POST(request, context) {
        await requireOperator(request, context);
        const identity = packageIdentity(request.params);
        const version = parseVersionParam(request.params.version, false);
        // The operator sees every version: look it up as its owner would.
        const item = await findItem(context.db, "package", identity.source, identity.publisher, identity.canonicalName);
        const found = item ? await resolveVersion(readerFor(context.db, { kind: "org", org: item.ownerOrg }), { identity, version }) : undefined;
        if (!found?.resolved?.version) throw versionNotFound(identity, version.raw);
        const docs = await docsOf(context, found.resolved.entry, identity, true);
        return json({ entries: docs.manifest.entries, examples: docs.manifest.examples, installation: docs.manifest.hasInstallation });
      },
    },
  ],
];

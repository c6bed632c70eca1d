// Docs for people: the package page's README and installation in a chosen language, the API index,
// module pages and one page per resource or function. Everything comes from the derived docs through
// the functions the JSON routes call (docsOf, storage reads, views.ts answers), never from the schema.
import type { IRequest } from "itty-router";
import { badRequest, notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import type { RouteMethods } from "../http/routes";
import { encodeKey } from "../http/url-path";
import { docsOf, type VersionDocs } from "../api-docs/routes";
import { OSES, type ContentNode, type Os } from "../api-docs/content";
import { renderContent, renderOnce, type RenderedContent } from "./rendered-content";
import type { Nav, NavHead, NavSummary, StoredType } from "../api-docs/derive";
import { LANGUAGES, type Language } from "../api-docs/languages";
import { artifactName, docsPrefixOf, getImmutableJson, lookup, readDocuments, readMemberDocuments, TYPE_KINDS } from "../api-docs/storage";
import { DEFAULT_LANGUAGE, docsAnswer, navAnswer, typeAnswer, type Links } from "../api-docs/views";
import type { PackageMetadataFields } from "../packages/schema-metadata";
import { packageKind } from "../packages/package-kind";
import { referencedPackages, type ReferencedPackage } from "../core/catalog/lookups";
import { type Viewer } from "../core/vocabulary/viewer";
import { canonicalName } from "../core/vocabulary/names";
import { parseEnumParam } from "../http/query-params";
import { parseIdentity } from "../core/identity-parsing";
import { type RouteParams } from "../core/kind";
import { parseVersion } from "../core/vocabulary/versions";
import { ApiIndexPage, apiPath, MemberPage, memberSegment, typeAnchor, TypePage, typePath, type DocAnswer, type DocProperty, type ModuleView, type NavEntry, type TreeModule, type TypeLinker, type ApiTreeView, MAX_LISTED_MODULES } from "./api-docs-pages";
import { filterNav, readNavSlice, scanBudget } from "../api-docs/nav-slice";
import { searchIndex, SEARCH_CAPS, type SearchHead } from "../api-docs/search-index";
import { outlineOfHead, outlineOfSummary, type ModuleLine, type NavOutline } from "../api-docs/nav-outline";
import { memberName, moduleOf, type PackageNaming } from "../api-docs/languages";
import { allMembers, findMember, firstMembers, MEMBER_LINES_WHOLE, type MemberLine } from "../api-docs/nav-members";
import type { PackageSummary } from "./components";
import { h } from "./jsx";
import { loadPackage, page, shellFor, type PackagePageData } from "./page-kit";

export function parseLanguage(request: Request): Language | undefined {
  return parseEnumParam(new URL(request.url).searchParams, "lang", LANGUAGES);
}

export interface PackageDocs {
  /** The version's docs (derived now if it predates them); resolves before any page is rendered. */
  ready: Promise<VersionDocs>;
  links: Links;
  /**
   * One derived object. The read starts at once, beside docsOf's manifest check (the docs prefix
   * follows from the schema key alone); when the object is not there yet it is read again once the
   * docs exist. A docsOf failure (no schema, underivable) is the page's failure either way.
   */
  read<T>(object: string): Promise<T | undefined>;
  /** Where the docs of the version are expected before docsOf answers (from its artifact map alone). */
  earlyPrefix?: string;
}

export function packageDocs(request: IRequest, context: RequestContext, data: PackagePageData, lang: Language | undefined): PackageDocs {
  const identity = parseIdentity(packageKind, request.params as RouteParams);
  const row = data.entry.version!;
  const earlyPrefix = docsPrefixOf(JSON.parse(row.artifacts) as Record<string, string>);
  const ready = docsOf(context, data.entry, identity);
  ready.catch(() => undefined); // awaited by every read and by the page; marked handled for the reads that finish first
  const bucket = context.env.ARTIFACTS;
  const links: Links = {
    version: row.version,
    base: `${context.origin}/api/registry/packages/${identity.source}/${identity.publisher}/${encodeKey(data.entry.item.name)}/versions/${encodeURIComponent(row.version)}`,
    langQuery: lang ? `?lang=${lang}` : "",
  };
  return {
    ready,
    links,
    ...(earlyPrefix ? { earlyPrefix } : {}),
    async read<T>(object: string) {
      // Derived objects are immutable: a warm isolate has them already (derived-cache.ts).
      const early = earlyPrefix ? await getImmutableJson<T>(bucket, earlyPrefix + object) : undefined;
      const docs = await ready;
      return early ?? getImmutableJson<T>(bucket, docs.prefix + object);
    },
  };
}

/**
 * README or installation text as the page shows it, rendered once per content (rendered-content.ts): read
 * where `read` would find it, rendered capped on the first request, the stored HTML on every later one.
 */
export async function renderedDocsContent(context: RequestContext, d: PackageDocs, object: "readme.json" | "installation.json", lang: Language, os?: Os): Promise<RenderedContent | undefined> {
  const label = object === "readme.json" ? "README" : "Installation";
  const render = async (o: R2ObjectBody) => renderContent(await o.json<ContentNode[]>(), d.links, label, lang, os);
  const variant = `${object.replace(/\.json$/, "")}-${lang}-${os ?? "default"}`;
  const bucket = context.env.ARTIFACTS;
  const early = d.earlyPrefix ? await renderOnce(bucket, d.earlyPrefix + object, variant, render) : undefined;
  if (early) return early;
  // Not there yet (a version published before docs, derived by this very request), or elsewhere: read again once the docs exist.
  const docs = await d.ready;
  return renderOnce(bucket, docs.prefix + object, variant, render);
}

export function parseOs(request: Request): Os | undefined {
  return parseEnumParam(new URL(request.url).searchParams, "os", OSES);
}

/**
 * What pages know of the version's modules (nav-outline.ts): from nav-head.json, bounded whatever the
 * package; docs derived before it was kept read nav-summary.json whole, as before.
 */
export async function navOutline(context: RequestContext, d: PackageDocs): Promise<NavOutline> {
  const head = await d.read<NavHead>("nav-head.json");
  if (head) return outlineOfHead(context.env.ARTIFACTS, (await d.ready).prefix, head);
  return outlineOfSummary((await d.read<NavSummary>("nav-summary.json")) ?? { modules: [] });
}

/** A module of the `nav` route's answer with `depth=full`; `totals` when the lists hold only its first members (and the page's own). */
interface NavModuleAnswer {
  name: string;
  resources: Array<{ name: string; token: string }>;
  functions: Array<{ name: string; token: string }>;
  totals?: { resources: number; functions: number };
  /** With `totals`: the page's own member when it is not among the first ones. */
  own?: { name: string; token: string; kind: "resource" | "function" };
}

/** The module navigation as the `nav` route answers it (depth=full, in the chosen language, after `q`) from a whole or partial nav. */
function navModulesOf(nav: Nav, d: PackageDocs, docs: VersionDocs, data: PackagePageData, language: Language, q?: string): NavModuleAnswer[] {
  const m = JSON.parse(data.entry.version!.metadata) as PackageMetadataFields;
  const item = data.entry.item;
  const answer = navAnswer(
    { nav, identity: { source: item.source, publisher: item.publisher, name: item.name }, title: m.title ?? item.name, description: m.description, hasInstallation: docs.manifest.hasInstallation },
    d.links,
    language,
    q,
    true,
  );
  return (answer.json as { modules: NavModuleAnswer[] }).modules;
}

interface FilterResult {
  modules: NavModuleAnswer[];
  total: number;
  searched?: { modules: number; of: number };
  short?: boolean;
  atLeast?: boolean;
}

/**
 * What the tree's filter shows: at most FILTER_MAX matches. Docs derived with the search index
 * (search-index.ts) are searched whole within its caps (`atLeast` when a cap left candidates unchecked);
 * a `q` too short for it (fewer than 3 characters), and docs derived before it, among the first modules
 * whose bytes fit `limits.filterNavBytes` (the whole package up to that), from one bounded read
 * (nav-slice.ts's filterNav), all their matches counted; docs derived before nav ranges were kept are
 * searched in the whole nav, as before.
 */
async function filterModules(context: RequestContext, d: PackageDocs, data: PackagePageData, language: Language, outline: NavOutline, q: string): Promise<FilterResult> {
  const docs = await d.ready;
  const bucket = context.env.ARTIFACTS;
  // Docs derived before the index do not list it in the version's artifact map: no read is spent looking for it.
  const listed = artifactName("search-head.json") in (JSON.parse(data.entry.version!.artifacts) as Record<string, string>);
  const head = listed ? await d.read<SearchHead>("search-head.json") : undefined;
  if (head) {
    const caps = { ...SEARCH_CAPS, postingBytes: context.limits.searchPostingBytes, candidates: context.limits.searchCandidates };
    const found = await searchIndex(bucket, docs.prefix, head, language, q, FILTER_MAX, caps);
    if (found) {
      const modules: NavModuleAnswer[] = [];
      for (const m of found.matches) {
        let module = modules[modules.length - 1];
        if (module?.name !== m.module) modules.push((module = { name: m.module, resources: [], functions: [] }));
        (m.kind === "resource" ? module.resources : module.functions).push({ name: m.name, token: m.token });
      }
      return { modules, total: found.total, ...(found.complete ? {} : { atLeast: true }) };
    }
  }
  const found = await filterNav(bucket, docs.prefix, outline, scanBudget(context, !!head), language, q, FILTER_MAX);
  if (!found) return capMembers(await fullNav(d, data, language, q), FILTER_MAX);
  return { modules: found.modules, total: found.total, ...(found.whole ? {} : { searched: { modules: found.searched, of: outline.modules }, ...(head ? { short: true } : {}) }) };
}

/** The whole nav (the filter, small packages, and docs derived before nav ranges were kept). */
async function fullNav(d: PackageDocs, data: PackagePageData, language: Language, q?: string): Promise<NavModuleAnswer[]> {
  const nav = (await d.read<Nav>("nav.json")) ?? { naming: { name: "", language: {} }, modules: [] };
  return navModulesOf(nav, d, await d.ready, data, language, q);
}

/**
 * The named modules only, read by range from nav.json (issue "bounded work": a page showing one member
 * reads its module's slice, not the package's whole navigation); the whole nav for older derivations.
 */
async function someModules(context: RequestContext, d: PackageDocs, data: PackagePageData, language: Language, outline: NavOutline, wanted: readonly ModuleLine[], own?: string): Promise<NavModuleAnswer[]> {
  if (!wanted.length) return [];
  const docs = await d.ready;
  if (wanted.every((m) => m.members)) {
    const naming = await namingOf(context, d, outline);
    return Promise.all(wanted.map((m) => moduleMembers(context, docs, naming, language, m, own)));
  }
  const names = wanted.map((m) => m.name);
  const slice = await readNavSlice(context.env.ARTIFACTS, docs.prefix, outline, wanted);
  const modules = slice ? navModulesOf(slice, d, docs, data, language) : await fullNav(d, data, language);
  return modules.filter((m) => names.includes(m.name));
}

/**
 * A module's members from nav-members.tsv (nav-members.ts): all of them when its lines are small, else its
 * first EXPANDED_MAX and the member whose URL name is `own` (found by bisection), with the module's totals.
 * Names as the nav route gives them: the member's own override in `language`, else the naming rules'.
 */
async function moduleMembers(context: RequestContext, docs: VersionDocs, naming: PackageNaming, language: Language, m: ModuleLine, own: string | undefined): Promise<NavModuleAnswer> {
  const bucket = context.env.ARTIFACTS;
  const key = docs.prefix + "nav-members.tsv";
  const range = m.members!;
  const whole = range[1] <= MEMBER_LINES_WHOLE;
  const lines = whole ? await allMembers(bucket, key, range) : await firstMembers(bucket, key, range, EXPANDED_MAX);
  let past: MemberLine | undefined;
  if (!whole && own !== undefined) {
    const named = (l: MemberLine) => memberSegment(l.token) === own;
    // The prefix holds every resource when it reaches a function: a match there is the one bisection would find.
    const found = lines.find((l) => l.kind === "resource" && named(l)) ?? lines.find((l) => l.kind === "function" && named(l)) ?? (await findMember(bucket, key, range, own));
    if (found && !lines.includes(found)) past = found;
  }
  const item = (l: MemberLine) => ({ name: l.override?.[language] ?? memberName(language, naming, l.token, l.kind), token: l.token });
  return {
    name: m.name,
    resources: lines.filter((l) => l.kind === "resource").map(item),
    functions: lines.filter((l) => l.kind === "function").map(item),
    ...(whole ? {} : { totals: { resources: m.resources, functions: m.functions } }),
    ...(past ? { own: { ...item(past), kind: past.kind } } : {}),
  };
}

/** A package's naming options: read by range when the summary says where they lie. */
async function namingOf(context: RequestContext, d: PackageDocs, outline: NavOutline): Promise<PackageNaming> {
  const docs = await d.ready;
  const slice = await readNavSlice(context.env.ARTIFACTS, docs.prefix, outline, []);
  return (slice ?? (await d.read<Nav>("nav.json")))?.naming ?? { name: "", language: {} };
}

function entriesOf(pkg: PackageSummary, m: NavModuleAnswer): NavEntry[] {
  return [
    ...m.resources.map((r) => ({ name: r.name, href: apiPath(pkg, `${m.name}/${memberSegment(r.token)}`), kind: "resource" as const })),
    ...m.functions.map((f) => ({ name: f.name, href: apiPath(pkg, `${m.name}/${memberSegment(f.token)}`), kind: "function" as const })),
  ];
}

function modulesView(pkg: PackageSummary, modules: NavModuleAnswer[]): ModuleView[] {
  return modules
    .filter((m) => m.resources.length + m.functions.length > 0)
    .map((m) => {
      const entries = entriesOf(pkg, m);
      return { name: m.name, href: apiPath(pkg, m.name), resources: entries.filter((e) => e.kind === "resource"), functions: entries.filter((e) => e.kind === "function") };
    });
}

/** Above this many members in what a page would list, modules are shown collapsed (names and counts from the summary). */
export const EXPANDED_MAX = 400;
/** The filter lists at most this many matches. */
export const FILTER_MAX = 200;
const MAX_FILTER_CHARS = 100;

/**
 * An expanded module's members in the tree: at most EXPANDED_MAX (and the page's own member when it is
 * past them), so a module of 80,000 resources gives a tree of the same size as one of 400.
 */
function treeItems(pkg: PackageSummary, m: NavModuleAnswer, current?: string): Pick<TreeModule, "items" | "notShown"> {
  const all = entriesOf(pkg, m);
  if (m.totals) {
    // Only the module's first members were read, and the page's own when it is past them: listed as the whole module would be.
    const items = all.slice(0, EXPANDED_MAX);
    if (m.own) items.push({ name: m.own.name, href: apiPath(pkg, `${m.name}/${memberSegment(m.own.token)}`), kind: m.own.kind });
    return { items, notShown: m.totals.resources + m.totals.functions - items.length };
  }
  if (all.length <= EXPANDED_MAX) return { items: all };
  const items = all.slice(0, EXPANDED_MAX);
  const own = current === undefined ? undefined : all.find((e, i) => i >= EXPANDED_MAX && e.href === current);
  if (own) items.push(own);
  return { items, notShown: all.length - items.length };
}

/**
 * The tree beside every API page: the first modules (nav-head.json), the `expanded` ones with their members. At most
 * MAX_LISTED_MODULES are listed (the expanded ones always, then the first others in order): a package
 * of 80,000 modules gives a page of the same size as one of 300 (docs/route-budgets.md).
 */
function treeOf(pkg: PackageSummary, outline: NavOutline, expanded: NavModuleAnswer[], current?: string): ApiTreeView {
  const open = new Map(expanded.map((m) => [m.name, m]));
  const names = new Set(outline.first.map((m) => m.name));
  const room = Math.max(0, MAX_LISTED_MODULES - expanded.length);
  let others = 0;
  const listed = outline.first.filter((m) => open.has(m.name) || others++ < room);
  const out: TreeModule[] = listed.map((m) => {
    const shown = open.get(m.name);
    return { name: m.name, href: apiPath(pkg, m.name), resources: m.resources, functions: m.functions, ...(shown ? treeItems(pkg, shown, current) : {}) };
  });
  // Expanded modules past the first ones (a member's own module, filter matches), and filter matches in
  // modules an older summary does not list, still show: with their shown members' counts.
  let past = 0;
  for (const m of expanded) {
    if (names.has(m.name) || !(m.resources.length + m.functions.length)) continue;
    out.push({ name: m.name, href: apiPath(pkg, m.name), resources: m.totals?.resources ?? m.resources.length, functions: m.totals?.functions ?? m.functions.length, ...treeItems(pkg, m, current) });
    past++;
  }
  return { modules: out, more: Math.max(0, outline.modules - listed.length - past) };
}

/** At most `max` members in all, in module order: what a filter shows. */
function capMembers(modules: NavModuleAnswer[], max: number): { modules: NavModuleAnswer[]; total: number } {
  let left = max;
  let total = 0;
  const out: NavModuleAnswer[] = [];
  for (const m of modules) {
    total += m.resources.length + m.functions.length;
    if (left <= 0) continue;
    const resources = m.resources.slice(0, left);
    left -= resources.length;
    const functions = m.functions.slice(0, Math.max(0, left));
    left -= functions.length;
    if (resources.length + functions.length) out.push({ ...m, resources, functions });
  }
  return { modules: out, total };
}

const PATH_SEGMENT = /^[A-Za-z0-9._-]{1,200}$/;

function apiRest(raw: string | undefined): string[] {
  const parts = (raw ?? "").split("/").map((p) => {
    let value: string;
    try {
      value = decodeURIComponent(p);
    } catch {
      throw badRequest("invalid API docs path: malformed percent-encoding");
    }
    if (!PATH_SEGMENT.test(value) || value === "." || value === "..") throw notFound("no such API docs page");
    return value;
  });
  if (parts.length > 12) throw notFound("no such API docs page");
  return parts;
}

/** At most this many other packages (and referenced versions) are looked up for one page; types of the rest show unlinked. */
const MAX_LINKED_PACKAGES = 40;

/**
 * A type in another package links to its type page in that package in this registry: the package of
 * that name under this package's own publisher (its source, then private) and owned by this package's
 * org (on the shared `opentofu` namespace another org's same-named package never matches), else pulumi/pulumi/<name>, else
 * pulumi/<name>/<name> (never any other publisher's same-named package: see referencedPackages); the
 * referenced version when it is live, else its latest. Absent or invisible → no link. One D1 round
 * trip for the whole page.
 */
async function externalLinks(context: RequestContext, viewer: Viewer, home: PackageSummary & { ownerOrg: string }, props: DocProperty[], lang: Language): Promise<Map<string, string>> {
  const refs = props.flatMap((p) => (p.typeRef?.package ? [{ ...p.typeRef, package: p.typeRef.package }] : []));
  const out = new Map<string, string>();
  if (!refs.length) return out;
  const names = [...new Set(refs.map((r) => canonicalName(r.package)))].slice(0, MAX_LINKED_PACKAGES);
  const keyOf = (version: string | undefined) => (version ? parseVersion(version.replace(/^v/, ""))?.precedenceKey : undefined);
  const wanted = [...new Set(refs.flatMap((r) => keyOf(r.version) ?? []))].slice(0, MAX_LINKED_PACKAGES);
  const found = await referencedPackages(context.db, names, home, wanted, viewer);
  // This package's own publisher first (its source, then private), then Pulumi's, then the publisher named like the package.
  const rank = (p: ReferencedPackage) =>
    p.item.publisher === home.publisher ? (p.item.source === home.source ? 0 : 1) : p.item.publisher === "pulumi" ? 2 : 3;
  found.sort((a, b) => rank(a) - rank(b));
  for (const ref of refs) {
    const target = found.find((p) => p.item.canonicalName === canonicalName(ref.package));
    if (!target) continue;
    const key = keyOf(ref.version);
    const version = target.live.find((v) => v.precedenceKey === key)?.version ?? target.latest;
    const path = version ? typePath(target.item, version, ref.token) : undefined;
    if (path) out.set(`${ref.package}|${ref.token}`, `${path}?lang=${lang}`);
  }
  return out;
}

/** The member pages of a package version, by token. */
function memberPaths(pkg: PackageSummary, modules: NavModuleAnswer[]): Map<string, string> {
  return new Map(modules.flatMap((m) => [...m.resources, ...m.functions].map((i) => [i.token, apiPath(pkg, `${m.name}/${memberSegment(i.token)}`)] as const)));
}

/** The filter of the API tree (`q`): trimmed and bounded; absent when empty. */
export function parseFilter(request: Request): string | undefined {
  const q = (new URL(request.url).searchParams.get("q") ?? "").trim();
  return q ? q.slice(0, MAX_FILTER_CHARS) : undefined;
}

const memberCount = (modules: readonly ModuleLine[]) => modules.reduce((n, m) => n + m.resources + m.functions, 0);

async function apiPage(request: IRequest, context: RequestContext) {
  // The parameters these pages read (language, the tree's filter), validated before the cache is consulted.
  const lang = parseLanguage(request);
  const q = parseFilter(request);
  return page(request, context, async (looker) => {
    const language = lang ?? DEFAULT_LANGUAGE;
    const data = await loadPackage(request, context, looker);
    const rest = request.params.path === undefined ? [] : apiRest(request.params.path);
    const d = packageDocs(request, context, data, language);
    const bucket = context.env.ARTIFACTS;
    const [outline, docs] = await Promise.all([navOutline(context, d), d.ready]);
    const versions = data.versions;
    const pkg = data.detail;
    const frame = { pkg, versions, language, q };
    if (!rest.length) {
      const shell = await shellFor(request, looker.caller(), `${pkg.title ?? pkg.name} API`);
      if (q) {
        // Names in every language are matched, as the nav route's `q` does, in the whole nav or (a big package) its first modules; it lists at most FILTER_MAX.
        const { modules, total, ...how } = await filterModules(context, d, data, language, outline, q);
        return <ApiIndexPage {...frame} shell={shell} subpath="api" modules={modulesView(pkg, modules)} tree={treeOf(pkg, outline, modules)} filtered={{ total, shown: Math.min(total, FILTER_MAX), ...how }} />;
      }
      // A small package is listed whole; a big one by module (each module's page lists its members).
      const expanded = outline.resources + outline.functions <= EXPANDED_MAX ? await fullNav(d, data, language) : [];
      const collapsed = expanded.length ? undefined : { modules: outline.first, total: outline.modules };
      return <ApiIndexPage {...frame} shell={shell} subpath="api" modules={modulesView(pkg, expanded)} collapsed={collapsed} tree={treeOf(pkg, outline, expanded)} />;
    }
    const joined = rest.join("/");
    const memberModule = rest.slice(0, -1).join("/");
    const ownModule = memberModule ? await outline.find([memberModule]) : [];
    const [inModule] = ownModule.length ? await someModules(context, d, data, language, outline, ownModule, rest[rest.length - 1]) : [];
    const member = inModule ? [...inModule.resources, ...inModule.functions, ...(inModule.own ? [inModule.own] : [])].find((i) => memberSegment(i.token) === rest[rest.length - 1]) : undefined;
    if (!member) {
      // A module page: the module itself, or (for a link made from a type token) its nearest documented ancestor.
      for (let n = rest.length; n > 0; n--) {
        const name = rest.slice(0, n).join("/");
        const { modules: shown, more } = await outline.under(name, MAX_LISTED_MODULES);
        if (shown.length) {
          const expanded = !more && memberCount(shown) <= EXPANDED_MAX ? await someModules(context, d, data, language, outline, shown) : [];
          return (
            <ApiIndexPage
              {...frame}
              shell={await shellFor(request, looker.caller(), `Module ${name}`)}
              subpath={`api/${joined}`}
              module={name}
              modules={modulesView(pkg, expanded)}
              collapsed={expanded.length ? undefined : { modules: shown, total: more ? undefined : shown.length }}
              tree={treeOf(pkg, outline, expanded)}
            />
          );
        }
      }
      throw notFound("no such API docs page");
    }
    const entry = await lookup(bucket, docs.prefix, docs.manifest, member.token);
    if (!entry) throw notFound("no such API docs page");
    const read = await readMemberDocuments(bucket, docs.prefix, docs.manifest, entry);
    const answer: DocAnswer = docsAnswer(read.doc, read.types, d.links, language, read.supporting).json;
    const supporting = new Set(answer.supportingTypes.map((t) => t.token));
    const props = [...answer.inputs, ...answer.outputs, ...answer.supportingTypes.flatMap((t) => t.properties ?? [])];
    const external = await externalLinks(context, looker.viewer, { ...pkg, ownerOrg: data.entry.item.ownerOrg }, props, language);
    const link = typeLinker(pkg, memberPaths(pkg, [inModule!]), external, language, supporting);
    const here = apiPath(pkg, `${memberModule}/${memberSegment(member.token)}`);
    return (
      <MemberPage
        {...frame}
        shell={await shellFor(request, looker.caller(), `${answer.name[language]} · ${pkg.title ?? pkg.name}`)}
        subpath={`api/${joined}`}
        doc={answer}
        module={memberModule}
        link={link}
        tree={treeOf(pkg, outline, [inModule!], here)}
        current={here}
      />
    );
  }, { params: [["lang", lang], ["q", q]] });
}

/**
 * Where a property's type links: a type in another package to its page there; a supporting type shown on
 * this page to its heading; a resource of this package to its page; any other type of it to its type page.
 */
function typeLinker(pkg: PackageSummary, members: Map<string, string>, external: Map<string, string>, language: Language, onThisPage = new Set<string>()): TypeLinker {
  return (ref) => {
    if (!ref) return undefined;
    if (ref.package) return external.get(`${ref.package}|${ref.token}`);
    if (onThisPage.has(ref.token)) return `#${typeAnchor(ref.token)}`;
    const path = members.get(ref.token) ?? typePath(pkg, pkg.version, ref.token);
    return path ? `${path}?lang=${language}` : undefined;
  };
}

/**
 * A type's page: `…/{version}/types/{module…}/{Name}` shows the type `{package}:{module…}:{Name}`. A token
 * that names only a resource (a reference can point at one) redirects to the resource's page.
 */
async function typePage(request: IRequest, context: RequestContext) {
  // The one parameter these pages read, validated before the cache is consulted.
  const lang = parseLanguage(request);
  return page(request, context, async (looker) => {
    const language = lang ?? DEFAULT_LANGUAGE;
    const data = await loadPackage(request, context, looker);
    const rest = apiRest(request.params.path);
    if (rest.length < 2) throw notFound("no such API docs page");
    const token = `${data.entry.item.name}:${rest.slice(0, -1).join("/")}:${rest[rest.length - 1]}`;
    const d = packageDocs(request, context, data, language);
    const bucket = context.env.ARTIFACTS;
    const [docs, outline] = await Promise.all([d.ready, navOutline(context, d)]);
    const entry = await lookup(bucket, docs.prefix, docs.manifest, token, TYPE_KINDS);
    const pkg = data.detail;
    if (!entry) {
      // A reference may name a resource: its page is under its module, which the naming rules give.
      const member = await lookup(bucket, docs.prefix, docs.manifest, token);
      if (member) return new Response(null, { status: 303, headers: { Location: `${apiPath(pkg, `${moduleOf(await namingOf(context, d, outline), token)}/${memberSegment(token)}`)}?lang=${language}` } });
      throw notFound("no such API docs page");
    }
    const [stored] = (await readDocuments(bucket, docs.prefix, docs.manifest, [entry.range])) as StoredType[];
    const type = typeAnswer(stored!, language, d.links);
    const external = await externalLinks(context, looker.viewer, { ...pkg, ownerOrg: data.entry.item.ownerOrg }, type.properties ?? [], language);
    return (
      <TypePage
        pkg={pkg}
        versions={data.versions}
        language={language}
        shell={await shellFor(request, looker.caller(), `${type.name[language]} · ${pkg.title ?? pkg.name}`)}
        subpath={`types/${rest.join("/")}`}
        type={type}
        link={typeLinker(pkg, new Map(), external, language)}
        tree={treeOf(pkg, outline, [])}
      />
    );
  }, { params: [["lang", lang]] });
}

export const apiDocsPageRoutes: Array<[string, RouteMethods]> = [
  ["/packages/:source/:publisher/:name/:version/api", { GET: apiPage }],
  ["/packages/:source/:publisher/:name/:version/api/:path+", { GET: apiPage }],
  ["/packages/:source/:publisher/:name/:version/types/:path+", { GET: typePage }],
];

// API documentation pages: module navigation and one page per resource or function, in a chosen
// language, rendered from the answers of the docs JSON routes (src/api-docs/views.ts).
import { Fragment, h, type Child, type RawHtml } from "./jsx";
import { Layout, type PageShell } from "./layout";
import { Markdown, packagePath, type PackageSummary } from "./components";
import { VersionSelector } from "./item-pages";
import { DeprecationBanner } from "./deprecation";
import { LanguageTabs } from "./language-tabs";
import { splitImport } from "../api-docs/import-section";

export { LanguageTabs };
import type { LiveVersion } from "../core/vocabulary/catalog-entry";
import { LANGUAGES, type Language } from "../api-docs/languages";
import type { ContentNode } from "../api-docs/content";
import type { DocsAnswerJson, PropertyJson, SupportingTypeJson } from "../openapi/api-docs-schemas";

export type PerLanguage = Record<Language, string>;

/** The pages show the docs routes' JSON answers, typed by their schemas (src/openapi/api-docs-schemas.ts). */
export type DocProperty = PropertyJson;
export type DocSupportingType = SupportingTypeJson;
export type DocAnswer = DocsAnswerJson;

export interface NavEntry {
  name: string;
  href: string;
  kind: "resource" | "function";
}

export interface ModuleView {
  name: string;
  href: string;
  resources: NavEntry[];
  functions: NavEntry[];
}

/**
 * One path segment of an API docs link from a schema token's parts, which the publisher chose: `.` and
 * `..` would be dot-segments that a browser resolves (even percent-encoded), climbing out of the
 * package, so they become `-`, a page that does not exist.
 */
const segment = (part: string) => (part === "." || part === ".." ? "-" : encodeURIComponent(part));

export function apiPath(pkg: PackageSummary, rest = ""): string {
  return `${packagePath(pkg, pkg.version)}/api${rest ? "/" + rest.split("/").map(segment).join("/") : ""}`;
}

/** The member's last token part: `acmecloud:s3/bucket:Bucket` → `Bucket`. */
export function memberSegment(token: string): string {
  return token.slice(token.lastIndexOf(":") + 1);
}

export function typeAnchor(token: string): string {
  return "type-" + token.replace(/[^A-Za-z0-9_-]+/g, "-");
}

export function ContentNodes({ nodes }: { nodes: ContentNode[] }): RawHtml {
  return (
    <>
      {nodes.map((n) => (
        <Markdown text={n.markdown} />
      ))}
    </>
  );
}

function Breadcrumbs({ items }: { items: Array<{ label: string; href?: string }> }): RawHtml {
  return (
    <nav aria-label="Breadcrumb">
      <p class="muted">
        {items.map((item, i) => (
          <>
            {i ? " › " : ""}
            {item.href ? <a href={item.href}>{item.label}</a> : <span aria-current="page">{item.label}</span>}
          </>
        ))}
      </p>
    </nav>
  );
}

interface DocsFrame {
  shell: PageShell;
  pkg: PackageSummary;
  versions: LiveVersion[];
  language: Language;
  /** This page's path below `…/{version}/`, kept when switching version or language. */
  subpath: string;
  /** The API tree beside the page: the modules (at most MAX_LISTED_MODULES of them, see treeOf), some expanded. */
  tree?: ApiTreeView;
  /** The page shown in the tree as current (a member's path). */
  current?: string;
  /** The tree's filter, as asked. */
  q?: string;
}

/** The API tree: the modules listed, and how many more the package has (not listed: the page's size stays bounded). */
export interface ApiTreeView {
  modules: TreeModule[];
  more: number;
}

/** A module in the API tree: its totals, and its members when it is expanded. */
export interface TreeModule {
  name: string;
  href: string;
  resources: number;
  functions: number;
  items?: NavEntry[];
  /** Members of an expanded module the tree does not list (past the first ones shown). */
  notShown?: number;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/**
 * Modules → resources and functions, with a filter that is a GET form (the server re-renders the tree
 * filtered, no JavaScript needed); the site script also filters the shown entries as one types.
 */
function ApiTree({ frame }: { frame: DocsFrame }): RawHtml {
  const { pkg, language } = frame;
  return (
    <nav class="api-tree" aria-label="API navigation">
      <form method="get" action={apiPath(pkg)} role="search" class="tree-filter">
        <label for="api-filter">Filter resources and functions</label>
        <div class="tree-filter-row">
          <input id="api-filter" type="search" name="q" value={frame.q ?? ""} maxlength="100" data-tree-filter="" />
          <input type="hidden" name="lang" value={language} />
          <button type="submit">Filter</button>
        </div>
      </form>
      <ul class="tree">
        {(frame.tree?.modules ?? []).map((m) => (
          <li data-name={m.name.toLowerCase()}>
            <a href={`${m.href}?lang=${language}`}>{m.name}</a> <span class="muted">{`(${m.resources + m.functions})`}</span>
            {m.items?.length ? (
              <ul>
                {m.items.map((i) => (
                  <li class={i.kind === "function" ? "fn" : "res"} data-name={i.name.toLowerCase()}>
                    <a href={`${i.href}?lang=${language}`} aria-current={i.href === frame.current ? "page" : undefined}>
                      {i.name}
                    </a>
                    {i.kind === "function" ? <span class="sr-only"> (function)</span> : null}
                  </li>
                ))}
                {m.notShown ? <li class="muted">{`${m.notShown} more not listed: filter by name to find them.`}</li> : null}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      {frame.tree?.more ? <p class="muted">{`${plural(frame.tree.more, "more module")} not listed: filter by name to find their resources and functions.`}</p> : null}
    </nav>
  );
}

function langHref(frame: DocsFrame, lang: Language): string {
  // The subpath's segments were validated as URL-safe when the page was routed.
  return `${packagePath(frame.pkg, frame.pkg.version)}/${frame.subpath}?lang=${lang}`;
}

function Frame(props: DocsFrame & { title: string; crumbs: Array<{ label: string; href?: string }>; children?: Child }): RawHtml {
  return (
    <Layout {...props.shell}>
      <Breadcrumbs items={props.crumbs} />
      <h1>{props.title}</h1>
      {props.pkg.deprecation ? <DeprecationBanner deprecation={props.pkg.deprecation} kind="package" /> : null}
      <div class="inline-form">
        <VersionSelector pkg={props.pkg} versions={props.versions} then={props.subpath} lang={props.language} />
      </div>
      <LanguageTabs languages={LANGUAGES} current={props.language} hrefFor={(l) => langHref(props, l)} label="Language" />
      <div class="docs-layout">
        <div class="docs-main">{props.children}</div>
        <ApiTree frame={props} />
      </div>
    </Layout>
  );
}

function crumbsFor(frame: DocsFrame, more: Array<{ label: string; href?: string }>) {
  return [{ label: frame.pkg.title ?? frame.pkg.name, href: `${packagePath(frame.pkg, frame.pkg.version)}?lang=${frame.language}` }, ...more];
}

function ModuleList({ modules, language }: { modules: ModuleView[]; language: Language }): RawHtml {
  return (
    <nav class="modules" aria-label="Modules">
      <ul>
        {modules.map((m) => (
          <li>
            <h2 id={`module-${m.name.replace(/[^A-Za-z0-9_-]+/g, "-")}`}>
              <a href={`${m.href}?lang=${language}`}>{m.name}</a>
            </h2>
            {m.resources.length ? (
              <>
                <h3>Resources</h3>
                <ul>
                  {m.resources.map((r) => (
                    <li>
                      <a href={`${r.href}?lang=${language}`}>{r.name}</a>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {m.functions.length ? (
              <>
                <h3>Functions</h3>
                <ul>
                  {m.functions.map((f) => (
                    <li>
                      <a href={`${f.href}?lang=${language}`}>{f.name}</a>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Modules by name and totals only (a big package's index): each module's page lists its members. */
/** At most this many modules are listed by name on one page (the collapsed list, the tree): a page's bytes do not grow with the package. */
export const MAX_LISTED_MODULES = 300;

/** Modules by name and totals, at most MAX_LISTED_MODULES of them; `total` absent when only "more than those" is known. */
export interface CollapsedList {
  modules: ReadonlyArray<{ name: string; resources: number; functions: number }>;
  total?: number;
}

function CollapsedModules({ pkg, list, language }: { pkg: PackageSummary; list: CollapsedList; language: Language }): RawHtml {
  const { modules, total } = list;
  const cut = total === undefined || total > MAX_LISTED_MODULES;
  const of = total === undefined ? "more than" : "";
  return (
    <nav class="modules" aria-label="Modules">
      {cut ? <p class="muted">{`The first ${MAX_LISTED_MODULES} of ${of ? `${of} ${MAX_LISTED_MODULES}` : total} modules; filter by name to find the others' resources and functions.`}</p> : null}
      <ul>
        {modules.slice(0, MAX_LISTED_MODULES).map((m) => (
          <li>
            <a href={`${apiPath(pkg, m.name)}?lang=${language}`}>{m.name}</a> <span class="muted">{`${plural(m.resources, "resource")}, ${plural(m.functions, "function")}`}</span>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function ApiIndexPage(
  props: DocsFrame & {
    modules: ModuleView[];
    module?: string;
    /** Set when the modules are shown by name only (too many members to list). */
    collapsed?: CollapsedList;
    /**
     * Set when the tree's filter chose the members shown; `searched` when only the first modules were searched
     * (`short`: because `q` is too short for the search index); `atLeast` when the index's caps stopped the
     * search before every candidate was checked (the total is a lower bound).
     */
    filtered?: { total: number; shown: number; searched?: { modules: number; of: number }; short?: boolean; atLeast?: boolean };
  },
): RawHtml {
  const crumbs = props.module
    ? crumbsFor(props, [{ label: "API", href: `${apiPath(props.pkg)}?lang=${props.language}` }, { label: props.module }])
    : crumbsFor(props, [{ label: "API" }]);
  return (
    <Frame {...props} title={props.module ? `Module ${props.module}` : `${props.pkg.title ?? props.pkg.name} API`} crumbs={crumbs}>
      {props.filtered ? (
        <p role="status">
          {props.filtered.total === 0
            ? `Nothing matches “${props.q ?? ""}”.`
            : `${props.filtered.atLeast ? "At least " : ""}${props.filtered.total === 1 ? "1 match" : `${props.filtered.total} matches`} for “${props.q ?? ""}”${props.filtered.shown < props.filtered.total ? `; the first ${props.filtered.shown} are shown` : ""}.`}{" "}
          {props.filtered.atLeast ? "The filter matches too many members to check them all: type more of the name to narrow it. " : ""}
          {props.filtered.searched
            ? props.filtered.short
              ? `A filter of fewer than 3 characters searches only the first ${props.filtered.searched.modules} of its ${props.filtered.searched.of} modules; type 3 or more to search them all. `
              : `The package is too big to search whole: the first ${props.filtered.searched.modules} of its ${props.filtered.searched.of} modules were searched; open a module to see all its members. `
            : ""}
          <a href={`${apiPath(props.pkg)}?lang=${props.language}`}>Clear the filter</a>
        </p>
      ) : null}
      {props.collapsed ? (
        <CollapsedModules pkg={props.pkg} list={props.collapsed} language={props.language} />
      ) : props.modules.length ? (
        <ModuleList modules={props.modules} language={props.language} />
      ) : props.filtered ? null : (
        <p>This package documents no resources or functions.</p>
      )}
    </Frame>
  );
}

/** Where a property's type links: a supporting type on this page, a member page, or another package. */
export type TypeLinker = (ref: DocProperty["typeRef"]) => string | undefined;

function PropertyTable({ props, language, link, caption }: { props: DocProperty[]; language: Language; link: TypeLinker; caption: string }): RawHtml {
  if (!props.length) return <p class="muted">None.</p>;
  return (
    <table class="props">
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {props.map((p) => {
          const href = link(p.typeRef);
          return (
            <tr>
              <td>
                <code>{p.name[language]}</code>
                <br />
                <span class="badge">{p.required ? "required" : "optional"}</span>
                {p.replaceOnChanges ? <span class="badge warn">replaces on change</span> : null}
              </td>
              <td>{href ? <a href={href}><code>{p.type[language]}</code></a> : <code>{p.type[language]}</code>}</td>
              <td>
                {p.deprecated ? <p class="badge warn">{`Deprecated: ${p.deprecated}`}</p> : null}
                {p.description[language] ? <Markdown text={p.description[language]} /> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MemberPage(props: DocsFrame & { doc: DocAnswer; module: string; link: TypeLinker }): RawHtml {
  const { doc, language } = props;
  const name = doc.name[language];
  const { description, importMarkdown } = splitImport(doc.description);
  return (
    <Frame
      {...props}
      title={name}
      crumbs={crumbsFor(props, [
        { label: "API", href: `${apiPath(props.pkg)}?lang=${language}` },
        { label: props.module, href: `${apiPath(props.pkg, props.module)}?lang=${language}` },
        { label: name },
      ])}
    >
      <p class="muted">
        {doc.kind === "resource" ? "Resource" : "Function"} <code>{doc.token}</code>
      </p>
      <ContentNodes nodes={description} />
      <CutNotice truncated={doc.truncated} />
      {doc.constructorSyntax?.length ? (
        <section aria-labelledby="constructor-syntax">
          <h2 id="constructor-syntax">Constructor syntax</h2>
          <ContentNodes nodes={doc.constructorSyntax} />
        </section>
      ) : null}
      <section aria-labelledby="inputs">
        <h2 id="inputs">Inputs</h2>
        <PropertyTable props={doc.inputs} language={language} link={props.link} caption={`Inputs of ${name}`} />
        <ShownOf shown={doc.inputs.length} total={doc.inputsTotal} what="inputs" />
      </section>
      <section aria-labelledby="outputs">
        <h2 id="outputs">Outputs</h2>
        <PropertyTable props={doc.outputs} language={language} link={props.link} caption={`Outputs of ${name}`} />
        <ShownOf shown={doc.outputs.length} total={doc.outputsTotal} what="outputs" />
      </section>
      {importMarkdown ? (
        <section aria-labelledby="import">
          <h2 id="import">Import</h2>
          <Markdown text={importMarkdown} />
        </section>
      ) : null}
      <section aria-labelledby="supporting-types">
        <h2 id="supporting-types">Supporting types</h2>
        {doc.supportingTypes.length ? null : <p class="muted">None.</p>}
        {doc.supportingTypes.map((t) => (
          <section aria-labelledby={typeAnchor(t.token)}>
            <h3 id={typeAnchor(t.token)} tabindex="-1">
              {t.name[language]} <span class="badge">{t.kind === "enum" ? "enum" : "object"}</span>
            </h3>
            <TypeBody type={t} language={language} link={props.link} />
          </section>
        ))}
      </section>
    </Frame>
  );
}

/** A type's token, and its properties or enum values: under its heading on a member page, or on its own page. */
/** A type's token (unless its page already shows it by the title), properties or values. */
function TypeBody({ type: t, language, link, withToken = true }: { type: DocSupportingType; language: Language; link: TypeLinker; withToken?: boolean }): RawHtml {
  return (
    <>
      {withToken ? (
        <p class="muted">
          <code>{t.token}</code>
        </p>
      ) : null}
      {t.properties ? <PropertyTable props={t.properties} language={language} link={link} caption={`Properties of ${t.name[language]}`} /> : null}
      <ShownOf shown={t.properties?.length ?? 0} total={t.propertiesTotal} what="properties" />
      {t.values ? (
        <ul>
          {t.values.map((v) => (
            <li>
              <code>{v.name[language]}</code> = <code>{JSON.stringify(v.value)}</code> {v.description[language] ? <Markdown text={v.description[language]} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <ShownOf shown={t.values?.length ?? 0} total={t.valuesTotal} what="values" />
    </>
  );
}

/** Under a list cut by the caps (api-docs/entry-caps.ts): how much of it is shown. */
function ShownOf({ shown, total, what }: { shown: number; total: number | undefined; what: string }): RawHtml | null {
  if (total === undefined) return null;
  return <p class="muted truncated">{`The first ${shown.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} ${what} are shown.`}</p>;
}

/** What a huge entry's page leaves out, and a link to the schema that holds it whole. */
function CutNotice({ truncated }: { truncated: { notice: string; schemaUrl: string } | undefined }): RawHtml | null {
  if (!truncated) return null;
  const at = truncated.notice.lastIndexOf(truncated.schemaUrl);
  return (
    <p class="muted truncated" role="note">
      {at > 0 ? truncated.notice.slice(0, at) : `${truncated.notice} `}
      <a href={truncated.schemaUrl}>{truncated.schemaUrl}</a>
    </p>
  );
}

/** The page of one object type or enum, in the chosen language. */
export function TypePage(props: DocsFrame & { type: DocSupportingType & { description: ContentNode[]; truncated?: { notice: string; schemaUrl: string } }; link: TypeLinker }): RawHtml {
  const { type: t, language } = props;
  const name = t.name[language];
  return (
    <Frame {...props} title={name} crumbs={crumbsFor(props, [{ label: "API", href: `${apiPath(props.pkg)}?lang=${language}` }, { label: name }])}>
      <p class="muted">
        {t.kind === "enum" ? "Enum" : "Object type"} <code>{t.token}</code>
      </p>
      <ContentNodes nodes={t.description} />
      <CutNotice truncated={t.truncated} />
      <section aria-labelledby="type-definition">
        <h2 id="type-definition">{t.kind === "enum" ? "Values" : "Properties"}</h2>
        <TypeBody type={t} language={language} link={props.link} withToken={false} />
      </section>
    </Frame>
  );
}

/** The page of a type: `…/{version}/types/{module…}/{Name}` for the token `pkg:module…:Name`; none for another token shape. */
export function typePath(pkg: { source: string; publisher: string; name: string }, version: string, token: string): string | undefined {
  const parts = token.split(":");
  if (parts.length !== 3 || !parts[1] || !parts[2]) return undefined;
  return `${packagePath(pkg, version)}/types/${[...parts[1].split("/"), parts[2]].map(segment).join("/")}`;
}

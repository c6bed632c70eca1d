// The five docs answers, built from the derived objects: each as the contract's JSON and as markdown for one language.
import { describe, languageLabel, nodesToMarkdown, offered, resolveContent, type ContentNode, type Os, descriptionFor, fenced } from "./content";
import type { Nav, NavSummary, PerLanguage, StoredDoc, StoredExample, StoredProperty, StoredType } from "./derive";
import { LANGUAGES, memberName, type Language, type PackageNaming } from "./languages";
import type { ContentAnswerJson, DocsAnswerJson, ExamplesAnswerJson, NavAnswerJson, PropertyJson, SupportingTypeJson } from "../openapi/api-docs-schemas";
import { constructorSyntaxFor } from "./constructor-syntax";

interface NavItem {
  token: string;
  kind: "resource" | "function";
}

/** A docs answer as JSON (typed by its schema in src/openapi/api-docs-schemas.ts) and as markdown. */
export interface Answer<Json = Record<string, unknown>> {
  json: Json;
  markdown: string;
}

export interface Links {
  version: string;
  /** `…/versions/{version}` of the resolved version, on the request's prefix. */
  base: string;
  /** `?lang=…` (or "") carried into links. */
  langQuery: string;
}

export const DEFAULT_LANGUAGE: Language = "typescript";

const navUrl = (l: Links) => `${l.base}/nav${l.langQuery}`;

/**
 * README / installation. Each language chooser shows the language asked, else Go, else its own first option
 * (so no chooser disappears); `language` answers what the document as a whole resolved to (asked → Go → first
 * offered). OS asked → Linux → first offered.
 */
export function contentAnswer(nodes: ContentNode[], links: Links, lang: Language | undefined, os: Os | undefined): Answer<ContentAnswerJson> {
  const { json, markdown } = resolvedContent(nodes, links.version, lang, os);
  return { json: { content: json.content, version: json.version, navUrl: navUrl(links), ...present("language", json.language), ...present("os", json.os) }, markdown };
}

const present = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** What a content answer is without links: `{version, language?, os?, content}` (also the template readme route's answer). */
export interface ResolvedContentJson {
  version: string;
  language?: Language;
  os?: Os;
  content: ContentNode[];
}

export function resolvedContent(nodes: ContentNode[], version: string, lang: Language | undefined, os: Os | undefined): Answer<ResolvedContentJson> {
  const languages = offered(nodes, "language-chooser") as Language[];
  const oses = offered(nodes, "os-chooser") as Os[];
  let language: Language | undefined;
  if (lang) language = languages.length === 0 || languages.includes(lang) ? lang : languages.includes("go") ? "go" : languages[0];
  let chosenOs: Os | undefined;
  if (oses.length) {
    const wanted = os ?? "linux";
    chosenOs = oses.includes(wanted) ? wanted : oses[0];
  } else chosenOs = os;
  const content = resolveContent(nodes, { language: lang && [lang, "go"], os: chosenOs });
  const json: ResolvedContentJson = { version, content };
  if (language) json.language = language;
  if (chosenOs) json.os = chosenOs;
  return { json, markdown: nodesToMarkdown(content) + "\n" };
}

interface NavInput {
  /** The full nav, or (for a plain nav without q or depth) the totals only. */
  nav: Nav | NavSummary;
  identity: { source: string; publisher: string; name: string };
  title: string;
  description?: string;
  hasInstallation: boolean;
}

const NO_NAMING: PackageNaming = { name: "", language: {} };

/** The full nav (names, tokens) rather than the summary (totals, and ranges where nav.json's parts lie). */
const isFullNav = (nav: Nav | NavSummary): nav is Nav => "naming" in nav && !Array.isArray(nav.naming);

/** Caps of the `nav` answer without `q` (docs/route-budgets.md): modules listed, and members listed with depth=full. */
export const MAX_NAV_MODULES = 300;
export const MAX_NAV_ITEMS = 2000;

/** A nav answer that lists part of the package's modules (its caps, or a continuation). */
export interface NavPage {
  /** The package's modules (those with members; ancestors without members of their own are not counted). */
  total: number;
  /** The continuation's `after`: modules up to it were listed by earlier answers. */
  after?: string;
  /** The next answer's URL, when modules remain past this one. */
  nextUrl?: string;
}

/** What an index search of a big package found, when the nav with `q` lists part of it. */
export interface NavMatches {
  total: number;
  complete: boolean;
}

export function navAnswer(input: NavInput, links: Links, lang: Language | undefined, q: string | undefined, full: boolean, page?: NavPage, capItems = !!page, matches?: NavMatches): Answer<NavAnswerJson> {
  const detailed = isFullNav(input.nav) ? input.nav : undefined;
  const naming = detailed ? detailed.naming : NO_NAMING;
  const overrides = detailed?.overrides;
  const displayName = (item: NavItem) =>
    lang ? (overrides?.[item.token]?.[lang] ?? memberName(lang, naming, item.token, item.kind)) : item.token.slice(item.token.lastIndexOf(":") + 1);
  const needle = q?.toLowerCase();
  const keep = (item: NavItem) => !needle || item.token.toLowerCase().includes(needle) || displayName(item).toLowerCase().includes(needle);
  // Every module and each of its ancestors, with the items directly in it after `q`.
  const modules = new Map<string, { resources: NavItem[]; functions: NavItem[] }>();
  const ensure = (name: string) => {
    let m = modules.get(name);
    if (!m) modules.set(name, (m = { resources: [], functions: [] }));
    return m;
  };
  const counts = new Map<string, { resources: number; functions: number }>();
  for (const m of input.nav.modules) {
    const parts = m.name.split("/");
    for (let i = 1; i < parts.length; i++) ensure(parts.slice(0, i).join("/"));
    const target = ensure(m.name);
    if (typeof m.resources === "number" || typeof m.functions === "number") {
      counts.set(m.name, { resources: Number(m.resources), functions: Number(m.functions) });
      continue;
    }
    // The module's totals, whatever `q` keeps of its items (the contract says so).
    counts.set(m.name, ("totals" in m && m.totals) || { resources: m.resources.length, functions: m.functions.length });
    target.resources.push(...m.resources.map((token) => ({ token, kind: "resource" as const })).filter(keep));
    target.functions.push(...m.functions.map((token) => ({ token, kind: "function" as const })).filter(keep));
  }
  // Ancestor modules with no items of their own total none.
  const total = (name: string, what: "resources" | "functions") => counts.get(name)?.[what] ?? 0;
  let names = [...modules.keys()].sort();
  if (needle) {
    // Modules with a match, and their ancestors; the rest are dropped.
    const kept = new Set<string>();
    for (const name of names) {
      const m = modules.get(name)!;
      if (!m.resources.length && !m.functions.length) continue;
      const parts = name.split("/");
      for (let i = 1; i <= parts.length; i++) kept.add(parts.slice(0, i).join("/"));
    }
    names = names.filter((n) => kept.has(n));
  }
  if (page) {
    // An ancestor listed by an earlier answer is not listed again; at most MAX_NAV_MODULES in all.
    if (page.after !== undefined) names = names.filter((n) => n > page.after!);
    names = names.slice(0, MAX_NAV_MODULES);
  }
  const item = (i: NavItem) => ({ name: displayName(i), token: i.token });
  // The route's depth=full (capItems) names at most MAX_NAV_ITEMS members in all (each module keeps its totals).
  let items = capItems ? MAX_NAV_ITEMS : Infinity;
  const listed = (all: NavItem[]) => {
    const shown = all.length > items ? all.slice(0, Math.max(0, items)) : all;
    items -= shown.length;
    return shown;
  };
  const out = names.map((name) => {
    const m = modules.get(name)!;
    const module: NavAnswerJson["modules"][number] = { name, resourcesTotal: total(name, "resources"), functionsTotal: total(name, "functions") };
    if (full) {
      module.resources = listed(m.resources).map(item);
      module.functions = listed(m.functions).map(item);
    }
    return module;
  });
  const readmeUrl = `${links.base}/readme${links.langQuery}`;
  const docsUrlTemplate = `${links.base}/docs/{token}${links.langQuery}`;
  // Built in the contract's field order.
  const json: NavAnswerJson = {
    source: input.identity.source,
    publisher: input.identity.publisher,
    name: input.identity.name,
    version: links.version,
    title: input.title,
    ...(input.description ? { description: input.description } : {}),
    ...(lang ? { language: lang } : {}),
    packageVersionUrl: links.base,
    readmeUrl,
    ...(input.hasInstallation ? { installationUrl: `${links.base}/installation${links.langQuery}` } : {}),
    docsUrlTemplate,
    modules: out,
    modulesTotal: page ? page.total : out.length,
    ...(page?.nextUrl ? { modulesNextUrl: page.nextUrl } : {}),
    ...(matches ? { matchesTotal: matches.total, ...(matches.complete ? {} : { matchesComplete: false as const }) } : {}),
  };

  const lines = [`# ${input.title} ${links.version}`, ""];
  if (input.description) lines.push(input.description, "");
  const counted = page ? `${out.length} of ${page.total} modules listed${page.nextUrl ? ` (the next ones: ${page.nextUrl})` : ""}` : `${out.length} modules`;
  lines.push(`${counted}. README: ${json.readmeUrl}. Docs of a token: ${json.docsUrlTemplate}`, "");
  if (matches) lines.push(`${matches.complete ? "" : "At least "}${matches.total} members match; the first are listed (a longer q narrows it).`, "");
  for (const [i, name] of names.entries()) {
    lines.push(`- **${name}**: ${total(name, "resources")} resources, ${total(name, "functions")} functions`);
    if (full) {
      const shown = out[i]!;
      for (const r of shown.resources!) lines.push(`  - resource \`${r.name}\` (\`${r.token}\`)`);
      for (const f of shown.functions!) lines.push(`  - function \`${f.name}\` (\`${f.token}\`)`);
    }
  }
  return { json, markdown: lines.join("\n") + "\n" };
}

function expandProperty(p: StoredProperty): PropertyJson {
  const out: PropertyJson = {
    name: p.name,
    description: perLanguage((l) => descriptionFor(p.description, l)),
    type: p.type,
    required: p.required,
    replaceOnChanges: p.replaceOnChanges,
  };
  if (p.deprecated) out.deprecated = p.deprecated;
  if (p.typeRef) out.typeRef = p.typeRef;
  return out;
}

function perLanguage<T>(f: (lang: Language) => T): PerLanguage<T> {
  return Object.fromEntries(LANGUAGES.map((l) => [l, f(l)])) as PerLanguage<T>;
}

function expandType(t: StoredType): SupportingTypeJson {
  const out: SupportingTypeJson = { token: t.token, kind: t.kind, name: t.name };
  if (t.properties) out.properties = t.properties.map(expandProperty);
  if (t.propertiesTotal !== undefined) out.propertiesTotal = t.propertiesTotal;
  if (t.values) out.values = t.values.map((v) => ({ name: v.name, value: v.value, description: perLanguage((l) => descriptionFor(v.description, l)) }));
  if (t.valuesTotal !== undefined) out.valuesTotal = t.valuesTotal;
  return out;
}

/** How many supporting types a member reaches: `total` when known (else more than the answer lists). */
export interface SupportingTotal {
  total?: number;
}

const count = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}`;

/**
 * What an answer left out of a huge entry (entry-caps.ts), as one sentence naming where the whole entry is,
 * or undefined when it shows everything. The same words in JSON (`truncated.notice`), markdown and pages.
 */
export function cutNotice(doc: StoredDoc | undefined, types: StoredType[], supporting: SupportingTotal, schemaUrl: string): string | undefined {
  const parts: string[] = [];
  if (doc?.inputsTotal !== undefined) parts.push(`the first ${count(doc.inputs.length, "of")} ${count(doc.inputsTotal, "inputs")}`);
  if (doc?.outputsTotal !== undefined) parts.push(`the first ${count(doc.outputs.length, "of")} ${count(doc.outputsTotal, "outputs")}`);
  if (supporting.total === undefined) parts.push(`the first ${count(types.length, "supporting types")} of more`);
  else if (supporting.total > types.length) parts.push(`the first ${count(types.length, "of")} ${count(supporting.total, "supporting types")}`);
  const partial = types.filter((t) => t.propertiesTotal !== undefined || t.valuesTotal !== undefined).length;
  const one = !doc && types.length === 1 ? types[0]! : undefined;
  if (one?.propertiesTotal !== undefined) parts.push(`the first ${count(one.properties?.length ?? 0, "of")} ${count(one.propertiesTotal, "properties")}`);
  else if (one?.valuesTotal !== undefined) parts.push(`the first ${count(one.values?.length ?? 0, "of")} ${count(one.valuesTotal, "values")}`);
  else if (partial) parts.push(`part of the properties or values of ${count(partial, partial === 1 ? "supporting type" : "supporting types")}`);
  const descriptions = (doc?.descriptionsCut ?? 0) + types.reduce((n, t) => n + (t.descriptionsCut ?? 0), 0);
  if (descriptions) parts.push(`${count(descriptions, descriptions === 1 ? "description" : "descriptions")} shortened`);
  if (!parts.length) return undefined;
  return `This entry is too large to show whole: shown are ${parts.join("; ")}. The whole entry is in the package's schema: ${schemaUrl}`;
}

const schemaUrlOf = (links: Links) => `${links.base}/schema`;

/** One supporting type on its own (the web docs' type page): its expansion plus its description in `lang`. */
export function typeAnswer(t: StoredType, lang: Language, links: Links): SupportingTypeJson & { description: ContentNode[]; truncated?: { notice: string; schemaUrl: string } } {
  const notice = cutNotice(undefined, [t], { total: 1 }, schemaUrlOf(links));
  return { ...expandType(t), description: resolveContent(describe(t.description), { language: lang }), ...(notice ? { truncated: { notice, schemaUrl: schemaUrlOf(links) } } : {}) };
}

function propertyLines(props: StoredProperty[], lang: Language): string[] {
  if (!props.length) return ["None."];
  return props.map((p) => {
    const flags = [p.required ? "required" : "optional", ...(p.replaceOnChanges ? ["replaces on change"] : []), ...(p.deprecated ? [`deprecated: ${p.deprecated}`] : [])];
    const d = descriptionFor(p.description, lang).replace(/\n+/g, " ");
    return `- \`${p.name[lang]}\` \`${p.type[lang]}\` (${flags.join(", ")})${d ? ` — ${d}` : ""}`;
  });
}

export function docsAnswer(doc: StoredDoc, types: StoredType[], links: Links, lang: Language, supporting: SupportingTotal = { total: types.length }): Answer<DocsAnswerJson> {
  const description = resolveContent(describe(doc.description), { language: lang });
  const json: DocsAnswerJson = {
    version: links.version,
    navUrl: navUrl(links),
    token: doc.token,
    // The newest SDK's name for the same field; both are served.
    typeToken: doc.token,
    kind: doc.kind,
    language: lang,
    name: doc.name,
    description,
    inputs: doc.inputs.map(expandProperty),
    outputs: doc.outputs.map(expandProperty),
    supportingTypes: types.map(expandType),
  };
  // Only a cut answer has these (small entries answer as before, byte for byte).
  if (doc.inputsTotal !== undefined) json.inputsTotal = doc.inputsTotal;
  if (doc.outputsTotal !== undefined) json.outputsTotal = doc.outputsTotal;
  if (supporting.total !== undefined && supporting.total > types.length) json.supportingTypesTotal = supporting.total;
  const notice = cutNotice(doc, types, supporting, schemaUrlOf(links));
  if (notice) json.truncated = { notice, schemaUrl: schemaUrlOf(links) };
  // Resources only: a function is called, not declared.
  const syntax = doc.kind === "resource" ? constructorSyntaxFor(doc, types, lang) : undefined;
  if (syntax !== undefined) json.constructorSyntax = [{ kind: "text", markdown: fenced(lang, syntax) } satisfies ContentNode];
  const lines = [`# ${doc.name[lang]}`, "", `${doc.kind === "resource" ? "Resource" : "Function"} \`${doc.token}\` in ${languageLabel(lang)}.`, ""];
  if (doc.deprecated) lines.push(`**Deprecated:** ${doc.deprecated}`, "");
  if (notice) lines.push(`> ${notice}`, "");
  if (description.length) lines.push(nodesToMarkdown(description), "");
  if (syntax !== undefined) lines.push("## Constructor syntax", "", fenced(lang, syntax), "");
  lines.push("## Inputs", "", ...propertyLines(doc.inputs, lang), "", "## Outputs", "", ...propertyLines(doc.outputs, lang), "");
  if (types.length) {
    lines.push("## Supporting types", "");
    for (const t of types) {
      lines.push(`### ${t.name[lang]}`, "", `${t.kind === "enum" ? "Enum" : "Object type"} \`${t.token}\`.`, "");
      if (t.properties) lines.push(...propertyLines(t.properties, lang), "");
      if (t.values) for (const v of t.values) lines.push(`- \`${v.name[lang]}\` = \`${JSON.stringify(v.value)}\`${v.description ? ` — ${descriptionFor(v.description, lang)}` : ""}`);
      if (t.values) lines.push("");
    }
  }
  return { json, markdown: lines.join("\n") };
}

export interface ExampleSelection {
  totalCount: number;
  page: StoredExample[];
  /** False when only the first part of the package's examples was read (the route's byte cap). */
  complete?: false;
}

/** Examples in the language that have code in it, `q` over title and token, sorted as stored. */
export function selectExamples(all: StoredExample[], lang: Language, q: string | undefined, limit: number, complete = true): ExampleSelection {
  const needle = q?.toLowerCase();
  const matching = all.filter((e) => e.code[lang] && (!needle || e.title.toLowerCase().includes(needle) || e.token.toLowerCase().includes(needle)));
  return { totalCount: matching.length, page: matching.slice(0, limit), ...(complete ? {} : { complete: false as const }) };
}

export function examplesAnswer(selection: ExampleSelection, code: string[], links: Links, lang: Language): Answer<ExamplesAnswerJson> {
  const examples = selection.page.map((e, i) => ({ id: `${e.token}#${e.slug}`, title: e.title, code: code[i]!, token: e.token, kind: e.kind }));
  const json: ExamplesAnswerJson = { version: links.version, navUrl: navUrl(links), language: lang, totalCount: selection.totalCount, examples, ...(selection.complete === false ? { totalCountComplete: false as const } : {}) };
  const lines = [`# Examples (${languageLabel(lang)})`, "", `${selection.complete === false ? "Among the first examples: " : ""}${selection.totalCount === 1 ? "1 example" : `${selection.totalCount} examples`}; showing ${examples.length}.`, ""];
  for (const e of examples) lines.push(`## ${e.title}`, "", `${e.kind === "resource" ? "Resource" : "Function"} \`${e.token}\` — \`${e.id}\``, "", fenced(lang, e.code), "");
  return { json, markdown: lines.join("\n") };
}

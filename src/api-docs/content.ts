// Markdown with Pulumi's shortcodes → ContentNodes (chooser blocks, examples), and back to plain markdown for one language/OS.
import { LANGUAGES, type Language } from "./languages";

export const OSES = ["linux", "macos", "windows"] as const;
export type Os = (typeof OSES)[number];

export interface ContentOption {
  content: string;
  language?: Language;
  os?: Os;
}
export interface ContentNode {
  kind: "text" | "language-chooser" | "os-chooser";
  markdown: string;
  options?: ContentOption[];
}

export interface Example {
  /** Slug, unique within one token. */
  slug: string;
  title: string;
  /** Fenced code (without fences) per language found. */
  code: Partial<Record<Language, string>>;
}

const LANGUAGE_ALIASES: Record<string, Language> = {
  typescript: "typescript",
  ts: "typescript",
  javascript: "typescript",
  python: "python",
  py: "python",
  go: "go",
  golang: "go",
  csharp: "csharp",
  "c#": "csharp",
  cs: "csharp",
  java: "java",
  yaml: "yaml",
};
const LANGUAGE_LABEL: Record<Language, string> = {
  typescript: "TypeScript",
  python: "Python",
  go: "Go",
  csharp: "C#",
  java: "Java",
  yaml: "YAML",
};
const OS_LABEL: Record<Os, string> = { linux: "Linux", macos: "macOS", windows: "Windows" };

export function languageLabel(lang: Language): string {
  return LANGUAGE_LABEL[lang];
}

function listOf(raw: string): string[] {
  return raw
    .replace(/["']/g, "")
    .split(/[,\s]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function languagesIn(raw: string): Language[] {
  const out: Language[] = [];
  for (const v of listOf(raw)) {
    const lang = LANGUAGE_ALIASES[v];
    if (lang && !out.includes(lang)) out.push(lang);
  }
  return out;
}

function osesIn(raw: string): Os[] {
  return listOf(raw).filter((v): v is Os => (OSES as readonly string[]).includes(v));
}

const CHOOSER_OPEN = /\{\{[<%]\s*chooser\s+(language|os)\b([^}]*?)[>%]\}\}/;
const CHOOSER_CLOSE = /\{\{[<%]\s*\/chooser\s*[>%]\}\}/;
const CHOOSABLE = /\{\{[<%]\s*choosable\s+(language|os)\s+([^}]*?)\s*[>%]\}\}([\s\S]*?)\{\{[<%]\s*\/choosable\s*[>%]\}\}/g;

/**
 * Splits markdown into text and chooser nodes. A chooser's `markdown` is every option under a
 * heading, so a client that does not know the kind still shows all of it. Example blocks in
 * resource descriptions become one language chooser per example.
 */
export function parseContent(markdown: string): ContentNode[] {
  const nodes: ContentNode[] = [];
  let rest = markdown;
  for (;;) {
    const open = CHOOSER_OPEN.exec(rest);
    if (!open) break;
    const after = rest.slice(open.index + open[0].length);
    const close = CHOOSER_CLOSE.exec(after);
    if (!close) break;
    pushText(nodes, rest.slice(0, open.index));
    const body = after.slice(0, close.index);
    const chooser = open[1] === "os" ? "os" : "language";
    const options: ContentOption[] = [];
    for (const m of body.matchAll(CHOOSABLE)) {
      if (m[1] !== chooser) continue;
      const content = trimBlock(m[3]!);
      if (chooser === "language") for (const language of languagesIn(m[2]!)) options.push({ content, language });
      else for (const os of osesIn(m[2]!)) options.push({ content, os });
    }
    if (options.length) nodes.push(chooserNode(chooser, options));
    rest = after.slice(close.index + close[0].length);
  }
  pushText(nodes, rest);
  return nodes;
}

function chooserNode(chooser: "language" | "os", options: ContentOption[]): ContentNode {
  const markdown = options
    .map((o) => `**${o.language ? LANGUAGE_LABEL[o.language] : OS_LABEL[o.os!]}**\n\n${o.content}`)
    .join("\n\n");
  return { kind: chooser === "language" ? "language-chooser" : "os-chooser", markdown, options };
}

function trimBlock(text: string): string {
  return text.replace(/^\s*\n/, "").replace(/\s+$/, "");
}

function pushText(nodes: ContentNode[], text: string): void {
  const t = trimBlock(text);
  if (t.trim() === "") return;
  const last = nodes[nodes.length - 1];
  if (last?.kind === "text") last.markdown += `\n\n${t}`;
  else nodes.push({ kind: "text", markdown: t });
}

const EXAMPLES_BLOCK = /\{\{%\s*examples\s*%\}\}([\s\S]*?)\{\{%\s*\/examples\s*%\}\}/g;
const EXAMPLE_BLOCK = /\{\{%\s*example\s*%\}\}([\s\S]*?)\{\{%\s*\/example\s*%\}\}/g;
const FENCE = /^(`{3,}|~{3,})[ \t]*([A-Za-z#+-]*)[^\n]*\n([\s\S]*?)^\1[ \t]*$/gm;

/** The examples of a description, in order: the `{{% example %}}` blocks and their fenced code per language. */
export function extractExamples(description: string): Example[] {
  const out: Example[] = [];
  const seen = new Map<string, number>();
  for (const block of description.matchAll(EXAMPLES_BLOCK)) {
    for (const ex of block[1]!.matchAll(EXAMPLE_BLOCK)) {
      const body = ex[1]!;
      const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/m.exec(body);
      const title = heading ? heading[1]!.trim() : `Example ${out.length + 1}`;
      const code: Partial<Record<Language, string>> = {};
      for (const f of body.matchAll(FENCE)) {
        const lang = LANGUAGE_ALIASES[f[2]!.toLowerCase()];
        if (lang && code[lang] === undefined) code[lang] = f[3]!.replace(/\n$/, "");
      }
      if (!Object.keys(code).length) continue;
      let slug = slugify(title) || "example";
      const n = (seen.get(slug) ?? 0) + 1;
      seen.set(slug, n);
      if (n > 1) slug = `${slug}-${n}`;
      out.push({ slug, title, code });
    }
  }
  return out;
}

function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * A resource or function description as ContentNodes: the prose, then each example as a heading
 * and a language chooser of its code (the shortcode markup itself never reaches a client).
 */
export function describe(description: string | undefined): ContentNode[] {
  if (!description) return [];
  const nodes: ContentNode[] = [];
  let last = 0;
  for (const block of description.matchAll(EXAMPLES_BLOCK)) {
    nodes.push(...parseContent(description.slice(last, block.index)));
    const examples = extractExamples(block[0]);
    if (examples.length) pushText(nodes, "## Example Usage");
    for (const ex of examples) {
      pushText(nodes, `### ${ex.title}`);
      const options = LANGUAGES.filter((l) => ex.code[l] !== undefined).map((language) => ({ language, content: fenced(language, ex.code[language]!) }));
      nodes.push(chooserNode("language", options));
    }
    last = block.index + block[0].length;
  }
  nodes.push(...parseContent(description.slice(last)));
  return nodes;
}

export function fenced(language: Language, code: string): string {
  return "```" + language + "\n" + code + "\n```";
}

/** The languages / OSes a document offers choices of, in first-seen order. */
export function offered(nodes: ContentNode[], chooser: "language-chooser" | "os-chooser"): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    if (n.kind !== chooser) continue;
    for (const o of n.options ?? []) {
      const v = o.language ?? o.os;
      if (v && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

export interface Resolution {
  /**
   * One language: a chooser without it disappears (a description's examples). A preference list: each
   * chooser shows its first option in the list's order, else its own first option (a README: never lost).
   */
  language?: Language | readonly Language[];
  os?: Os;
}

/** The option a chooser shows under the resolution; undefined when it is not being resolved, null when it has none. */
function chosenOption(n: ContentNode, r: Resolution): ContentOption | null | undefined {
  if (n.kind === "os-chooser" && r.os) return n.options?.find((o) => o.os === r.os) ?? null;
  if (n.kind !== "language-chooser" || !r.language) return undefined;
  if (typeof r.language === "string") return n.options?.find((o) => o.language === r.language) ?? null;
  for (const language of r.language) {
    const option = n.options?.find((o) => o.language === language);
    if (option) return option;
  }
  return n.options?.[0] ?? null;
}

/**
 * Keeps one option of each chooser that the resolution names, as a text node; choosers of a kind not
 * being resolved stay as they are.
 */
export function resolveContent(nodes: ContentNode[], r: Resolution): ContentNode[] {
  const out: ContentNode[] = [];
  for (const n of nodes) {
    const chosen = chosenOption(n, r);
    if (chosen === undefined) {
      if (n.kind === "text") pushText(out, n.markdown);
      else out.push(n);
    } else if (chosen) pushText(out, chosen.content);
  }
  return out;
}

/** Markdown of a node list: a chooser shows its options under headings. */
export function nodesToMarkdown(nodes: ContentNode[]): string {
  return nodes.map((n) => n.markdown).join("\n\n");
}

/** A description (markdown with shortcodes) reduced to one language's text. */
export function descriptionFor(description: string | undefined, language: Language): string {
  if (!description) return "";
  return nodesToMarkdown(resolveContent(describe(description), { language }));
}

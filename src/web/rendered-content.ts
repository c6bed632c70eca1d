// README and installation text rendered once per content: the first page that shows a version's text
// (in one language and OS) renders it, capped (markdown.ts), and stores the HTML beside the text in R2,
// keyed by the renderer's version and the text object's ETag (R2's MD5 of its bytes); every later
// render of any page showing that text reads the stored HTML instead of parsing markdown again
// (docs/route-budgets.md). Nothing is derived at publish: versions published before this exist work
// unchanged, their first view stores what the next ones read.
import { offered, type ContentNode, type Os } from "../api-docs/content";
import type { Language } from "../api-docs/languages";
import { contentAnswer, type Links } from "../api-docs/views";
import { capMarkdown, markdownToHtml, MAX_MARKDOWN_CHARS, RENDERER_VERSION } from "./markdown";
import { RENDERED_FOLDER } from "../artifacts/renderings";

/** The text a page shows, rendered: what the page needs of it and nothing else. */
export interface RenderedContent {
  /** The rendered HTML of the shown nodes, in order; "" when there is nothing to show. */
  html: string;
  /** The language the content was resolved to, when it has language choosers. */
  language?: Language;
  languages: Language[];
  /** Likewise for operating-system choosers. */
  os?: Os;
  oses: Os[];
  /** Characters of markdown in the resolved content, and how many of them were rendered (the cap). */
  chars: number;
  renderedChars: number;
}

/** A text's own first heading when it repeats its section's ("## Installation" under "Installation"): dropped. */
export function withoutRepeatedHeading(nodes: ContentNode[], heading: string): ContentNode[] {
  const [first, ...rest] = nodes;
  if (!first || first.kind !== "text") return nodes;
  const m = /^\s*#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*(?:\n|$)/.exec(first.markdown.slice(0, 4096));
  if (!m || m[1]!.trim().toLowerCase() !== heading.toLowerCase()) return nodes;
  const markdown = first.markdown.slice(m[0].length).replace(/^\s+/, "");
  return markdown ? [{ ...first, markdown }, ...rest] : rest;
}

/** Markdown texts rendered in order, at most `max` characters of them in all (the rest is counted, not rendered). */
export function renderCapped(texts: string[], max = MAX_MARKDOWN_CHARS): { html: string; chars: number; renderedChars: number } {
  let budget = max;
  let html = "";
  let chars = 0;
  for (const text of texts) {
    chars += text.length;
    if (budget <= 0) continue;
    const shown = capMarkdown(text, budget);
    budget -= shown.length;
    html += `<div class="markdown">${markdownToHtml(shown).html}</div>`;
  }
  return { html, chars, renderedChars: max - budget };
}

/**
 * README/installation nodes resolved as the `readme`/`installation` routes resolve them, then rendered
 * under the cap; the same for every language and OS when the text has no choosers.
 */
export function renderContent(nodes: ContentNode[], links: Links, label: string, lang: Language, os: Os | undefined): Rendering<RenderedContent> {
  const languages = offered(nodes, "language-chooser") as Language[];
  const oses = offered(nodes, "os-chooser") as Os[];
  const answer = contentAnswer(nodes, links, lang, os).json;
  const shown = withoutRepeatedHeading(answer.content, label);
  const rendered = renderCapped(shown.map((n) => n.markdown));
  const value = { ...rendered, languages, oses, ...(languages.length && answer.language ? { language: answer.language } : {}), ...(oses.length && answer.os ? { os: answer.os } : {}) };
  return { value, everyVariant: !languages.length && !oses.length && !nodes.some((n) => n.kind !== "text") };
}

/** Where the rendering of `source` (one variant of it) is stored: beside it, under the renderer's version and the source's ETag. */
export function renderedKey(source: string, etag: string, variant: string): string {
  return `${source.replace(/[^/]*$/, "")}${RENDERED_FOLDER}v${RENDERER_VERSION}/${variant}-${etag.replace(/[^A-Za-z0-9-]/g, "")}.json`;
}

/** What a render answers: the value, and whether it is the same for every variant of the source (a text without choosers). */
export interface Rendering<T> {
  value: T;
  everyVariant: boolean;
}

/** The variant under which a rendering that is the same for every variant is stored. */
const EVERY_VARIANT = "all";

/**
 * The stored rendering of R2 object `source` for `variant`, or (the first time) `render` of its body,
 * stored for the next request. A hit costs a head and one read of the rendered object, whatever the
 * source's size; undefined when `source` does not exist. A rendering that is the same for every variant
 * (a README without language or OS choosers) is also stored once for all: a later first request of
 * another variant copies it instead of rendering again, so asking for every language and OS costs one
 * render, not one per variant.
 */
export async function renderOnce<T>(bucket: R2Bucket, source: string, variant: string, render: (object: R2ObjectBody) => Promise<Rendering<T>>): Promise<T | undefined> {
  const head = await bucket.head(source);
  if (!head) return undefined;
  const key = renderedKey(source, head.etag, variant);
  const stored = await bucket.get(key);
  if (stored) return stored.json<T>();
  const store = (at: string, text: string) => bucket.put(at, text, { httpMetadata: { contentType: "application/json" } });
  const sharedKey = renderedKey(source, head.etag, `${variant.split("-")[0]}-${EVERY_VARIANT}`);
  const shared = await bucket.get(sharedKey);
  if (shared) {
    const text = await shared.text();
    await store(key, text);
    return JSON.parse(text) as T;
  }
  const object = await bucket.get(source);
  if (!object) return undefined;
  const { value, everyVariant } = await render(object);
  const text = JSON.stringify(value);
  await Promise.all([store(key, text), ...(everyVariant ? [store(sharedKey, text)] : [])]);
  return value;
}

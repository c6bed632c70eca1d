// Markdown (READMEs, descriptions, installation text) to HTML with markdown-it: raw HTML is never
// passed through (`html: false` escapes it as text) and links or images may only point at relative,
// http(s) or mailto URLs, so `javascript:`, `data:` and `vbscript:` cannot appear.
import MarkdownIt from "markdown-it";
import { isSafeUrl, trustedHtml, type RawHtml } from "./jsx";
import { highlightCode } from "./highlight";

/**
 * Bounds on what one render may cost (docs/route-budgets.md; profiled with generated 1 MiB and 256 KiB
 * inputs of every construct markdown-it parses: unclosed emphasis and brackets, nested images and links,
 * wide tables, linkify, entities, deep lists and quotes). No construct is superlinear in markdown-it 15:
 * the worst (nested `![`, 5,000-column tables) cost ~3–4× plain prose per byte, so the bound is the input
 * size. A render reads at most MAX_MARKDOWN_CHARS characters; block nesting (lists, quotes) stops at
 * MAX_NESTING levels (markdown-it drops what is deeper).
 */
export const MAX_MARKDOWN_CHARS = 128 * 1024;
export const MAX_NESTING = 20;
/** Bumped whenever what this module renders changes: rendered READMEs stored under the old version are not read (rendered-content.ts). */
export const RENDERER_VERSION = 1;

// Fenced code in a known language is highlighted on the server (highlight.ts builds the spans);
// "" lets markdown-it escape it as plain text.
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, maxNesting: MAX_NESTING, highlight: (code, language) => highlightCode(code, language)?.html ?? "" });
md.validateLink = isSafeUrl;

// Links written by publishers: never followed for ranking, and no window.opener for the target.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet("rel", "nofollow ugc noopener");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

// A README's own headings sit under the page's h1 and its section's h2: "#" becomes h3, and so on.
md.core.ruler.push("nest_headings", (state) => {
  for (const token of state.tokens) {
    if (token.type === "heading_open" || token.type === "heading_close") token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 2)}`;
  }
});

/**
 * `text` cut to at most `max` characters: at the last line break within the limit when there is one in
 * its second half (a cut line would start a construct it cannot finish), else at the limit.
 */
export function capMarkdown(text: string, max = MAX_MARKDOWN_CHARS): string {
  if (text.length <= max) return text;
  const lineEnd = text.lastIndexOf("\n", max - 1);
  return text.slice(0, lineEnd >= max / 2 ? lineEnd + 1 : max);
}

/** Markdown to HTML, of at most the first MAX_MARKDOWN_CHARS characters (callers that show a notice for the rest cap it themselves). */
export function markdownToHtml(text: string): RawHtml {
  return trustedHtml(md.render(capMarkdown(text)));
}

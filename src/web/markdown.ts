// Markdown (READMEs, descriptions, installation text) to HTML with markdown-it: raw HTML is never
// passed through (`html: false` escapes it as text) and links or images may only point at relative,
// http(s) or mailto URLs, so `javascript:`, `data:` and `vbscript:` cannot appear.
import MarkdownIt from "markdown-it";
import { isSafeUrl, trustedHtml, type RawHtml } from "./jsx";
import { highlightCode } from "./highlight";

// Fenced code in a known language is highlighted on the server (highlight.ts builds the spans);
// "" lets markdown-it escape it as plain text.
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, highlight: (code, language) => highlightCode(code, language)?.html ?? "" });
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

export function markdownToHtml(text: string): RawHtml {
  return trustedHtml(md.render(text));
}

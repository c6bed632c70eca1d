// Code highlighted on the server with highlight.js (core plus the languages the docs show), rebuilt
// as spans through the JSX runtime: highlight.js's HTML is read back as a strict token stream (its
// own spans and escaped text, nothing else), so what reaches the page is escaped by construction.
// Its cost is bounded: blocks longer than MAX_HIGHLIGHT_CHARS, and languages not bundled, stay plain.
import hljs from "./highlight-languages.js";
import { Fragment, h, type Child, type RawHtml } from "./jsx";

/** Longer code is shown plain: highlighting is linear in practice, but a page's work stays bounded whatever it holds. */
export const MAX_HIGHLIGHT_CHARS = 20_000;

/** Fence names the docs and READMEs use that highlight.js does not know by itself. */
const ALIASES: Record<string, string> = { "c#": "csharp", shell: "bash", sh: "bash", console: "bash", hcl: "", text: "", plain: "" };

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'" };
const TOKEN = /<span class="([A-Za-z0-9_ -]{1,80})">|<\/span>|([^<&]+)|(&(?:amp|lt|gt|quot|#x27);)/y;

/** highlight.js's output as nested spans built by `h`, or undefined if it holds anything but its spans and escaped text. */
function rebuild(html: string): RawHtml | undefined {
  const stack: Array<{ className?: string; children: Child[] }> = [{ children: [] }];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < html.length) {
    const m = TOKEN.exec(html);
    if (!m) return undefined;
    if (m[1] !== undefined) stack.push({ className: m[1], children: [] });
    else if (m[2] !== undefined) stack[stack.length - 1]!.children.push(m[2]);
    else if (m[3] !== undefined) stack[stack.length - 1]!.children.push(ENTITIES[m[3]]!);
    else {
      const done = stack.pop()!;
      if (!stack.length) return undefined;
      stack[stack.length - 1]!.children.push(h("span", { class: done.className }, ...done.children));
    }
  }
  if (stack.length !== 1) return undefined;
  return Fragment({ children: stack[0]!.children });
}

/** The language highlight.js knows a fence or docs language by, or undefined. */
export function highlightLanguage(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const lower = name.toLowerCase();
  const known = lower in ALIASES ? ALIASES[lower] : lower;
  return known && hljs.getLanguage(known) ? known : undefined;
}

/** Highlighted code as spans, or undefined (unknown language, too long): the caller shows it plain. */
export function highlightCode(code: string, language: string | undefined): RawHtml | undefined {
  const known = highlightLanguage(language);
  if (!known || code.length > MAX_HIGHLIGHT_CHARS) return undefined;
  return rebuild(hljs.highlight(code, { language: known, ignoreIllegals: true }).value);
}

/** A code block: highlighted when it can be, else escaped text; either way built by the JSX runtime. */
export function CodeBlock({ code, language, label }: { code: string; language?: string; label?: string }): RawHtml {
  const highlighted = highlightCode(code, language);
  return h("pre", { class: "code", tabindex: "0", "aria-label": label }, h("code", { class: highlighted ? `hljs language-${highlightLanguage(language)}` : undefined }, highlighted ?? code));
}

/** About `chars` characters of the most expensive legal markdown we know for markdown-it (scripts/pathological-markdown.mjs). */
export function pathologicalMarkdown(chars: number): string;

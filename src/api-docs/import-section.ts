// A resource's Import section, taken out of its description so a page can show it under its own
// heading: the schema's `## Import` section (to the next heading of that level or above) and any
// `{{% import %}}…{{% /import %}}` blocks, whose markers are dropped.
import type { ContentNode } from "./content";

const IMPORT_BLOCK = /\{\{%\s*import\s*%\}\}([\s\S]*?)\{\{%\s*\/import\s*%\}\}/g;
const IMPORT_HEADING = /^#{1,2}[ \t]+Import[ \t]*#*[ \t]*$/im;

function splitText(markdown: string): { rest: string; found: string[] } {
  const found: string[] = [];
  let rest = markdown.replace(IMPORT_BLOCK, (_, inner: string) => {
    found.push(inner.trim());
    return "";
  });
  const heading = IMPORT_HEADING.exec(rest);
  if (heading) {
    const level = heading[0].trimStart().startsWith("##") ? 2 : 1;
    const after = rest.slice(heading.index + heading[0].length);
    // The section ends at the next heading of its level or above, outside fenced code.
    let end = after.length;
    let fence: string | undefined;
    let offset = 0;
    for (const line of after.split("\n")) {
      const f = /^\s*(```+|~~~+)/.exec(line);
      if (f) fence = fence === undefined ? f[1] : undefined;
      else if (fence === undefined && new RegExp(`^#{1,${level}}\\s`).test(line)) {
        end = offset;
        break;
      }
      offset += line.length + 1;
    }
    const body = after.slice(0, end).trim();
    if (body) found.push(body);
    rest = rest.slice(0, heading.index) + after.slice(end);
  }
  return { rest: rest.replace(/\n{3,}/g, "\n\n").trim(), found };
}

/** The description without its Import section, and that section's markdown (undefined when it has none). */
export function splitImport(nodes: ContentNode[]): { description: ContentNode[]; importMarkdown?: string } {
  const found: string[] = [];
  const description: ContentNode[] = [];
  for (const node of nodes) {
    if (node.kind !== "text") {
      description.push(node);
      continue;
    }
    const split = splitText(node.markdown);
    found.push(...split.found);
    if (split.rest) description.push({ ...node, markdown: split.rest });
  }
  return found.length ? { description, importMarkdown: found.join("\n\n") } : { description };
}

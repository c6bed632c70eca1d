// Pure pieces of the pages: the Import section split out of a description, server-side highlighting
// rebuilt as escaped spans, and a text's repeated section heading.
import { describe, expect, it } from "vitest";
import { splitImport } from "../../src/api-docs/import-section";
import { highlightCode, MAX_HIGHLIGHT_CHARS } from "../../src/web/highlight";
import { markdownToHtml } from "../../src/web/markdown";

const text = (markdown: string) => ({ kind: "text" as const, markdown });

describe("splitImport", () => {
  it("takes the ## Import section up to the next heading of its level, and leaves the rest", () => {
    const out = splitImport([text("Intro.\n\n## Import\n\nBy name:\n\n```sh\n# not a heading\n$ pulumi import x:y:Z a b\n```\n\n## After\n\nMore.")]);
    expect(out.importMarkdown).toBe("By name:\n\n```sh\n# not a heading\n$ pulumi import x:y:Z a b\n```");
    expect(out.description).toEqual([text("Intro.\n\n## After\n\nMore.")]);
  });

  it("takes {{% import %}} blocks without their markers; a description without either is unchanged", () => {
    const out = splitImport([text("A.\n{{% import %}}\n```sh\n$ pulumi import a b c\n```\n{{% /import %}}\nB.")]);
    expect(out.importMarkdown).toBe("```sh\n$ pulumi import a b c\n```");
    expect(out.description).toEqual([text("A.\n\nB.")]);
    expect(splitImport([text("Nothing to import here.")])).toEqual({ description: [text("Nothing to import here.")] });
  });
});

describe("highlightCode", () => {
  it("rebuilds highlight.js's output as spans with the text escaped", () => {
    const html = highlightCode('const s = "</code><script>alert(1)</script>" & 1;', "typescript")!.html;
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain("&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html.replace(/<[^>]+>/g, "")).toBe('const s = &quot;&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; 1;');
  });

  it("leaves unknown languages and over-long blocks to be shown plain", () => {
    expect(highlightCode("x", "brainfudge")).toBeUndefined();
    expect(highlightCode("x", undefined)).toBeUndefined();
    expect(highlightCode("a".repeat(MAX_HIGHLIGHT_CHARS + 1), "typescript")).toBeUndefined();
  });

  it("highlights fenced code in markdown, C# and shell aliases included", () => {
    expect(markdownToHtml("```csharp\nvar x = new Foo();\n```\n").html).toContain('<span class="hljs-keyword">var</span>');
    expect(markdownToHtml("```sh\n$ pulumi up\n```\n").html).toContain('<code class="language-sh">');
    expect(markdownToHtml("```\n<b>plain</b>\n```\n").html).toBe("<pre><code>&lt;b&gt;plain&lt;/b&gt;\n</code></pre>\n");
  });
});

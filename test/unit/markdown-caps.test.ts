// The markdown renderer's bounds (issue 21): at most MAX_MARKDOWN_CHARS characters rendered per text and
// per README (shared by its nodes), block nesting stopped at MAX_NESTING, the worst markdown we can
// build rendering no more at 5x the cap than at the cap.
import { describe, expect, it } from "vitest";
import { pathologicalMarkdown } from "../../scripts/pathological-markdown.mjs";
import { capMarkdown, markdownToHtml, MAX_MARKDOWN_CHARS, MAX_NESTING } from "../../src/web/markdown";
import { renderCapped, withoutRepeatedHeading } from "../../src/web/rendered-content";

describe("capMarkdown", () => {
  it("keeps a short text whole", () => {
    expect(capMarkdown("a\nb\n", 10)).toBe("a\nb\n");
  });
  it("cuts after the last line break within the limit when it lies in the second half", () => {
    expect(capMarkdown("aaaa\nbbbb\ncccc\n", 12)).toBe("aaaa\nbbbb\n");
  });
  it("cuts at the limit when the text has no line break in the second half", () => {
    expect(capMarkdown("a\n" + "b".repeat(30), 10)).toBe("a\n" + "b".repeat(8));
  });
});

describe("rendering bounds", () => {
  it("renders the worst markdown to the same HTML at 5x the cap as at the cap", () => {
    const once = markdownToHtml(pathologicalMarkdown(MAX_MARKDOWN_CHARS)).html;
    const five = markdownToHtml(pathologicalMarkdown(5 * MAX_MARKDOWN_CHARS)).html;
    expect(five).toBe(once);
    // Bytes out: the worst constructs stay within a small multiple of the characters rendered.
    expect(once.length).toBeLessThan(8 * MAX_MARKDOWN_CHARS);
  });

  it("stops block nesting at MAX_NESTING", () => {
    const html = markdownToHtml(">".repeat(1000) + " deep\n").html;
    const depth = html.split("<blockquote>").length - 1;
    expect(depth).toBeGreaterThan(0);
    expect(depth).toBeLessThanOrEqual(MAX_NESTING);
  });

  it("shares one budget between a README's nodes and counts what it did not render", () => {
    const node = "word ".repeat(20_000) + "\n"; // 100,001 characters
    const out = renderCapped([node, node, node]);
    expect(out.chars).toBe(3 * node.length);
    expect(out.renderedChars).toBeLessThanOrEqual(MAX_MARKDOWN_CHARS);
    expect(out.renderedChars).toBeGreaterThan(node.length);
    // The third node is past the budget: two rendered blocks only.
    expect(out.html.split('<div class="markdown">').length - 1).toBe(2);
  });

  it("drops a README's own first heading repeating its section's, whatever the text's size", () => {
    const nodes = withoutRepeatedHeading([{ kind: "text", markdown: "# Readme\n\n" + "x".repeat(1_000_000) }], "README");
    expect(nodes[0]!.markdown.startsWith("x")).toBe(true);
  });
});

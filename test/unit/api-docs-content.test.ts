// Pure docs pieces: chooser shortcodes → ContentNodes, examples from descriptions, Accept negotiation, read coalescing.
import { describe, expect, it } from "vitest";
import { describe as describeDescription, extractExamples, parseContent, resolveContent } from "../../src/api-docs/content";
import { negotiate } from "../../src/api-docs/negotiate";
import { coalesce, MAX_JOINED_GAP_BYTES } from "../../src/api-docs/storage";
import { ApiError } from "../../src/http/api-error";
import { contentAnswer } from "../../src/api-docs/views";

describe("chooser shortcodes", () => {
  const md = `Intro\n\n{{< chooser language "typescript,python" >}}\n{{% choosable language "javascript,typescript" %}}\nTS text\n{{% /choosable %}}\n{{% choosable language python %}}\nPY text\n{{% /choosable %}}\n{{< /chooser >}}\n\nOutro`;

  it("become text and chooser nodes; a choosable for several languages is an option of each", () => {
    expect(parseContent(md)).toEqual([
      { kind: "text", markdown: "Intro" },
      {
        kind: "language-chooser",
        markdown: "**TypeScript**\n\nTS text\n\n**Python**\n\nPY text",
        options: [
          { content: "TS text", language: "typescript" },
          { content: "PY text", language: "python" },
        ],
      },
      { kind: "text", markdown: "Outro" },
    ]);
  });

  it("resolve to one language's text, merged with the text around it; a chooser without it disappears", () => {
    expect(resolveContent(parseContent(md), { language: "python" })).toEqual([{ kind: "text", markdown: "Intro\n\nPY text\n\nOutro" }]);
    expect(resolveContent(parseContent(md), { language: "go" })).toEqual([{ kind: "text", markdown: "Intro\n\nOutro" }]);
  });

  it("os choosers resolve by OS and leave language choosers alone", () => {
    const both = `{{< chooser os "linux,windows" >}}{{% choosable os linux %}}L{{% /choosable %}}{{% choosable os windows %}}W{{% /choosable %}}{{< /chooser >}}\n${md}`;
    const nodes = resolveContent(parseContent(both), { os: "windows" });
    expect(nodes[0]).toEqual({ kind: "text", markdown: "W\n\nIntro" });
    expect(nodes[1]!.kind).toBe("language-chooser");
  });

  it("an unclosed chooser stays text", () => {
    expect(parseContent("a {{< chooser language \"go\" >}} b")).toEqual([{ kind: "text", markdown: 'a {{< chooser language "go" >}} b' }]);
  });
});

describe("examples in descriptions", () => {
  const description = "Prose.\n\n{{% examples %}}\n## Example Usage\n{{% example %}}\n### Basic use\n\n```typescript\nconst a = 1;\n```\n```python\na = 1\n```\n{{% /example %}}\n{{% example %}}\n### Basic use\n\n```go\na := 1\n```\n{{% /example %}}\n{{% example %}}\n### No code\n{{% /example %}}\n{{% /examples %}}\n\nAfter.";

  it("are the example blocks with code, slugged uniquely within a token", () => {
    expect(extractExamples(description)).toEqual([
      { slug: "basic-use", title: "Basic use", code: { typescript: "const a = 1;", python: "a = 1" } },
      { slug: "basic-use-2", title: "Basic use", code: { go: "a := 1" } },
    ]);
  });

  it("render as headings and language choosers, with no shortcode left", () => {
    const nodes = describeDescription(description);
    expect(nodes.map((n) => n.kind)).toEqual(["text", "language-chooser", "text", "language-chooser", "text"]);
    expect(nodes[0]!.markdown).toBe("Prose.\n\n## Example Usage\n\n### Basic use");
    expect(nodes[1]!.options).toEqual([
      { language: "typescript", content: "```typescript\nconst a = 1;\n```" },
      { language: "python", content: "```python\na = 1\n```" },
    ]);
    expect(nodes.map((n) => n.markdown).join("")).not.toContain("{{%");
  });
});

describe("Accept negotiation", () => {
  it.each([
    [null, "json"],
    ["", "json"],
    ["*/*", "json"],
    ["application/json", "json"],
    ["application/vnd.pulumi+9", "json"],
    ["text/markdown", "markdown"],
    ["text/*", "markdown"],
    ["text/markdown, */*", "markdown"],
    ["text/markdown;q=0.4, application/json;q=0.5", "json"],
    ["text/markdown;q=0.9, application/json;q=0.5", "markdown"],
    ["application/json;q=0, */*", "markdown"],
    ["text/markdown;q=bogus, application/json", "json"],
  ])("%s → %s", (accept, format) => {
    expect(negotiate(accept)).toBe(format);
  });

  it.each([["text/html"], ["application/json;q=0, text/markdown;q=0"], ["text/markdown;q=2"]])("%s → 406", (accept) => {
    try {
      negotiate(accept);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(406);
    }
  });
});

describe("coalescing pack reads", () => {
  it("joins no more than the gap budget: ranges far apart in a large object are read apart, never as one read of what lies between", () => {
    // 8 ranges of 1 KiB spread over 300 MiB (supporting types all over a schema): without a budget, one read of 150 MiB.
    const spread = Array.from({ length: 8 }, (_, i) => [i * 40 * 1024 * 1024, 1024] as [number, number]);
    expect(Math.max(...coalesce(spread).map(([, l]) => l))).toBeGreaterThan(100 * 1024 * 1024);
    const bounded = coalesce(spread, 4, MAX_JOINED_GAP_BYTES);
    expect(bounded).toEqual(spread);
    // Close ones are still joined down to four reads, within the budget; far ones stay apart.
    const mixed = [...Array.from({ length: 10 }, (_, i) => [i * 2048, 1024] as [number, number]), [500 * 1024 * 1024, 10] as [number, number]];
    const reads = coalesce(mixed, 4, MAX_JOINED_GAP_BYTES);
    expect(reads.length).toBeLessThanOrEqual(4);
    expect(reads.reduce((n, [, l]) => n + l, 0)).toBeLessThanOrEqual(10 * 1024 + 10 + MAX_JOINED_GAP_BYTES);
    for (const [o, l] of mixed) expect(reads.some(([ro, rl]) => o >= ro && o + l <= ro + rl)).toBe(true);
  });

  it("merges overlapping and adjacent ranges, then the smallest gaps until at most four reads", () => {
    expect(coalesce([[0, 10], [10, 5], [100, 1]])).toEqual([[0, 15], [100, 1]]);
    expect(coalesce([[0, 1], [10, 1], [20, 1], [1000, 1], [2000, 1], [2002, 1]])).toEqual([[0, 11], [20, 1], [1000, 1], [2000, 3]]);
    const many = Array.from({ length: 50 }, (_, i) => [i * 100, 10] as [number, number]);
    const reads = coalesce(many);
    expect(reads.length).toBeLessThanOrEqual(4);
    for (const [o, l] of many) expect(reads.some(([ro, rl]) => o >= ro && o + l <= ro + rl)).toBe(true);
  });
});

describe("README language fallback, per chooser", () => {
  const chooser = (languages: string[]) =>
    `{{< chooser language "${languages.join(",")}" >}}\n${languages.map((l) => `{{% choosable language ${l} %}}\n${l} text\n{{% /choosable %}}`).join("\n")}\n{{< /chooser >}}`;
  // The first chooser offers Go, the second neither the asked language nor Go.
  const readme = parseContent(`Intro\n\n${chooser(["typescript", "python", "go"])}\n\nMiddle\n\n${chooser(["python", "java"])}\n\nOutro`);
  const links = { version: "1.0.0", base: "http://gateway.test/api/registry/packages/pulumi/acme/x/versions/1.0.0", langQuery: "" };

  it("shows the asked language in every chooser that has it", () => {
    const answer = contentAnswer(readme, links, "python", undefined);
    expect(answer.json.content).toEqual([{ kind: "text", markdown: "Intro\n\npython text\n\nMiddle\n\npython text\n\nOutro" }]);
    expect(answer.json.language).toBe("python");
  });

  it("falls back to Go, then to each chooser's own first option, so no chooser loses its text", () => {
    const answer = contentAnswer(readme, links, "csharp", undefined);
    expect(answer.json.content).toEqual([{ kind: "text", markdown: "Intro\n\ngo text\n\nMiddle\n\npython text\n\nOutro" }]);
    expect(answer.json.language).toBe("go");
    expect(answer.markdown).toContain("python text");
  });

  it("takes the asked language where a chooser has it even when another chooser falls back", () => {
    const answer = contentAnswer(readme, links, "java", undefined);
    expect(answer.json.content).toEqual([{ kind: "text", markdown: "Intro\n\ngo text\n\nMiddle\n\njava text\n\nOutro" }]);
  });
});

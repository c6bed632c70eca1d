// Escaping by construction (src/web/jsx.ts) and the markdown renderer's refusal of raw HTML and script URLs.
import { describe, expect, it } from "vitest";
import { h, isSafeUrl } from "../../src/web/jsx";
import { markdownToHtml } from "../../src/web/markdown";
import { nextPageQuery } from "../../src/web/catalog-pages";

describe("JSX to string", () => {
  it("escapes text children and attribute values", () => {
    const evil = `"><script>alert(1)</script>&'`;
    expect((<p title={evil}>{evil}</p>).html).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;</p>',
    );
  });

  it("drops URL attributes that are not relative, http(s) or mailto", () => {
    for (const url of ["javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "data:text/html,x", "vbscript:x", "\\\\evil"]) {
      expect((<a href={url}>x</a>).html).toBe("<a>x</a>");
    }
    expect((<a href="https://example.com/?a=1&b=2">x</a>).html).toBe('<a href="https://example.com/?a=1&amp;b=2">x</a>');
    expect((<img src="/logo.png" alt="" />).html).toBe('<img src="/logo.png" alt="">');
  });

  it("refuses event-handler attributes outright", () => {
    expect(() => <div onclick="x" />).toThrow(/not allowed/);
  });

  it("isSafeUrl accepts relative paths and web URLs only", () => {
    expect(isSafeUrl("/packages/x")).toBe(true);
    expect(isSafeUrl("#readme")).toBe(true);
    expect(isSafeUrl("mailto:a@b.c")).toBe(true);
    expect(isSafeUrl("javascript:x")).toBe(false);
    expect(isSafeUrl("data:image/png;base64,AAAA")).toBe(false);
  });
});

describe("markdown", () => {
  it("raw HTML in markdown is shown as text, never passed through", () => {
    const out = markdownToHtml('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\nhi <b onmouseover="x">b</b>').html;
    expect(out).not.toMatch(/<script|<img|<b /);
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("links and images with javascript:, data: or vbscript: URLs are not rendered as links", () => {
    const out = markdownToHtml("[a](javascript:alert(1)) [b](data:text/html;base64,x) [c](vbscript:x) ![d](data:image/png;base64,AAAA) [e](JAVASCRIPT:x)").html;
    expect(out).not.toMatch(/href=|src=/);
  });

  it("ordinary links get rel=nofollow ugc noopener; code is escaped", () => {
    const out = markdownToHtml("[site](https://example.com/)\n\n```html\n<b>x</b>\n```\n").html;
    expect(out).toContain('<a href="https://example.com/" rel="nofollow ugc noopener">site</a>');
    // Highlighted code wraps its tokens in spans; the markup in it stays text.
    expect(out).not.toContain("<b>");
    expect(out.replace(/<span[^>]*>|<\/span>/g, "")).toContain("&lt;b&gt;x&lt;/b&gt;");
  });
});

describe("list pages", () => {
  it("the next page keeps every filter of this page, so its token still matches", () => {
    const query = new URLSearchParams("packageType=native&category=monitoring&usage=used&asc=false&search=aws&continuationToken=old");
    const next = nextPageQuery(query, "tok_2");
    expect([...next]).toEqual([
      ["packageType", "native"],
      ["category", "monitoring"],
      ["usage", "used"],
      ["asc", "false"],
      ["search", "aws"],
      ["continuationToken", "tok_2"],
    ]);
    expect(nextPageQuery(query, undefined).has("continuationToken")).toBe(false);
  });
});

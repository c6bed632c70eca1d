import { describe, expect, it } from "vitest";
import { negotiate } from "../../src/api-docs/negotiate";

describe("docs content negotiation: equal weights", () => {
  it.each([
    ["text/markdown, application/json, application/vnd.pulumi+8", "markdown"],
    ["text/markdown, application/json", "markdown"],
    ["application/json, text/markdown", "json"],
    ["*/*", "json"],
    ["text/*, application/json", "json"],
    ["application/json;q=0.5, text/markdown;q=0.5", "json"],
  ] as const)("Accept %s → %s (the type listed first wins a tie of weight and specificity, as `pulumi api` expects)", (accept, format) => {
    expect(negotiate(accept)).toBe(format);
  });
});

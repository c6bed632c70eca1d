import { describe, expect, it } from "vitest";
import { noneMatchHits } from "../../src/http/conditional";

describe("If-None-Match (weak comparison, for GET)", () => {
  it("matches the same tag strong or weak, on either side, anywhere in a list, and *", () => {
    expect(noneMatchHits('"a1"', '"a1"')).toBe(true);
    expect(noneMatchHits('W/"a1"', '"a1"')).toBe(true);
    expect(noneMatchHits('"a1"', 'W/"a1"')).toBe(true);
    expect(noneMatchHits(' "zz" ,W/"a1" ', '"a1"')).toBe(true);
    expect(noneMatchHits("*", '"a1"')).toBe(true);
    expect(noneMatchHits(' "zz", * ', '"a1"')).toBe(true);
  });

  it("does not match another tag, a tag without quotes, an absent or empty header", () => {
    expect(noneMatchHits('"a2"', '"a1"')).toBe(false);
    expect(noneMatchHits("a1", '"a1"')).toBe(false);
    expect(noneMatchHits('"a1', '"a1"')).toBe(false);
    expect(noneMatchHits(null, '"a1"')).toBe(false);
    expect(noneMatchHits("", '"a1"')).toBe(false);
  });
});

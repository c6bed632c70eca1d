// A packed record's `kinds` is written as text (stored-form.ts kindsJson), not as an object then JSON.stringify: the
// text must be exactly what the object gave, whatever the tokens (stored records are compared byte for byte).
import { describe, expect, it } from "vitest";
import { kindsJson } from "../../src/api-docs/stored-form";
import type { LocalRefKind } from "../../src/api-docs/languages/types";

/** What packEntry wrote before: an object assigned in order, then JSON.stringify. */
function asObject(refs: string[], refKind: (t: string) => LocalRefKind): string {
  const known: Record<string, "e" | "o"> = {};
  for (const t of refs) {
    const kind = refKind(t);
    if (kind === "enum") known[t] = "e";
    else if (kind) known[t] = "o";
  }
  return JSON.stringify(known);
}

describe("a record's kinds as text", () => {
  const kindOf = (t: string): LocalRefKind => (t.startsWith("x") ? undefined : t.length % 3 === 0 ? "enum" : t.length % 3 === 1 ? "object" : "resource");
  const odd = [
    "acme:m/a:A", "10", "2", "0", "01", "-1", "4294967294", "4294967295", "99999999999", "1e3", "1.5", " 7", "__proto__", "constructor",
    "toString", "hasOwnProperty", 'q"uote', "back\\slash", "tab\there", "line\nbreak", "\u2028", "lone\ud800", "\udfffz", "😀", "é", "", "xskip", "3",
  ];

  it("matches JSON.stringify of the assigned object, array-index keys first by value, __proto__ left out", () => {
    expect(kindsJson(odd, kindOf)).toBe(asObject(odd, kindOf));
    expect(kindsJson([...odd].reverse(), kindOf)).toBe(asObject([...odd].reverse(), kindOf));
    expect(kindsJson([], kindOf)).toBe("{}");
    expect(JSON.parse(kindsJson(odd, kindOf))).toEqual(JSON.parse(asObject(odd, kindOf)));
  });

  it("matches it on generated tokens", () => {
    const tokens: string[] = [];
    for (let i = 0; i < 2000; i++) tokens.push(i % 11 === 0 ? String(i * 7919) : `pkg:mod${i % 13}/t:T${(i * 31) % 977}`);
    const refs = [...new Set(tokens)];
    expect(kindsJson(refs, kindOf)).toBe(asObject(refs, kindOf));
  });
});

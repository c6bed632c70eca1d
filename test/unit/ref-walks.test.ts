// The pack's walks over a parsed entry (stored-form.ts) were rewritten without their garbage: `refTail` instead of a
// regular expression's match per `$ref`, `memberRefs` and `propertyRefs` without the arrays of propertiesOf. Each
// must answer exactly what the form before answered (records and index lines are compared byte for byte).
import { describe, expect, it } from "vitest";
import { collectRefs, memberRefs, propertiesOf, refTail, refTokens, propertyRefs, type Json } from "../../src/api-docs/stored-form";

/** What refTokens matched each `$ref` with before. */
const byRegex = (ref: string, at: number): string | undefined => /^\/(?:types|resources)\/(.+)$/.exec(ref.slice(at))?.[1];

/** memberRefs before: memberSpecs' inputs and outputs, then propertiesOf each. */
function memberRefsBefore(kind: "resource" | "function", value: Json): Set<string> {
  const inputsSpec = kind === "resource" ? { properties: value.inputProperties } : value.inputs;
  const outputsSpec = kind === "resource" ? value : value.outputs;
  const refs = new Set<string>();
  for (const [, p] of [...propertiesOf(inputsSpec), ...propertiesOf(outputsSpec)]) collectRefs(p, refs);
  return refs;
}

describe("the pack's walks over an entry", () => {
  it("refTail matches what the regular expression captured", () => {
    const refs = [
      "#/types/acme:m%2FA:A", "#/resources/acme:m%2Fr:R", "#/types/", "#/resources/", "#/types", "#/typesx/a", "#/Types/a",
      "#/types/a\nb", "#/types/a\rb", "#/types/a\u2028", "#/types/\u2029", "#/types/a b", "#/types/é😀", "#/types//", "#//types/a",
      "/types/a", "x#/types/a", "#/resources/a#/types/b", "#/functions/a", "#/types/\ud800", "##/types/a", "#/types/a\t",
    ];
    for (const ref of refs) {
      for (let at = 0; at <= ref.length; at++) expect([ref, at, refTail(ref, at)]).toEqual([ref, at, byRegex(ref, at)]);
    }
  });

  it("refTokens finds the tokens the regular expression found", () => {
    const value = {
      a: { $ref: "#/types/acme:m%2FA:A" },
      b: [{ $ref: "https://example.com/x.json#/resources/acme:m%2Fr:R" }, { $ref: "#/types/bad\nline" }, { $ref: "#/types/" }],
      c: { items: { $ref: "#/types/%E0%A4%A" }, $ref: 7 },
      d: { $ref: "no hash" },
    };
    const found = new Set<string>();
    refTokens(value, found);
    expect([...found]).toEqual(["acme:m/A:A", "acme:m/r:R", "%E0%A4%A"]);
  });

  it("memberRefs and propertyRefs find what propertiesOf and collectRefs found, in order", () => {
    const ref = (t: string) => ({ $ref: `#/types/${t}` });
    const props = {
      a: ref("A"),
      b: { type: "array", items: ref("B") },
      c: { additionalProperties: { items: ref("C") } },
      d: { oneOf: [ref("D1"), { items: ref("D2") }, 3] },
      e: "not an object",
      f: [ref("F")],
      g: null,
      a2: ref("A"),
    };
    // An own `__proto__` key, as JSON.parse makes it (an object literal would set the prototype instead).
    const text = JSON.stringify({ props, other: ref("O") }).replace('"a2":', '"__proto__":{"$ref":"#/types/P"},"a2":');
    const json = JSON.parse(text) as { props: Json; other: Json };
    const entries: Json[] = [
      { inputProperties: json.props, properties: { z: ref("Z"), ...json.props } },
      { inputProperties: [ref("X")], properties: "no" },
      { inputs: { properties: json.props }, outputs: { properties: { y: ref("Y") } } },
      { inputs: [], outputs: { $ref: "#/types/O", properties: json.props } },
      { inputs: { properties: [ref("X")] }, outputs: null },
      {},
    ];
    for (const entry of entries) {
      for (const kind of ["resource", "function"] as const) expect([...memberRefs(kind, entry)]).toEqual([...memberRefsBefore(kind, entry)]);
      const before = new Set<string>();
      for (const [, p] of propertiesOf(entry)) collectRefs(p, before);
      const after = new Set<string>();
      propertyRefs(entry, after);
      expect([...after]).toEqual([...before]);
      const typed = new Set<string>();
      propertyRefs({ properties: json.props }, typed);
      expect([...typed]).toEqual(["A", "B", "C", "D1", "D2", "P"]);
    }
  });
});

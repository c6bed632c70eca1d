// The structural schema scanner (src/api-docs/schema-scan.ts): what it reports, what it rejects, and that its state can be
// carried across chunks and through JSON (as the step derivation carries it between invocations).
import { describe, expect, it } from "vitest";
import { SchemaScanner, ScanError, newScanState, type ScanState } from "../../src/api-docs/schema-scan";

const encoder = new TextEncoder();
type Reported = { members: Array<[string | undefined, string]>; entries: Array<[string, string | undefined, string, boolean, boolean]> };

/** Scans `text` in chunks of `size` bytes, the state going through JSON between chunks when `viaJson`. */
function scan(text: string, size = 1 << 20, viaJson = false): Reported {
  const bytes = encoder.encode(text);
  const decoder = new TextDecoder();
  const slice = (start: number, end: number) => decoder.decode(bytes.subarray(start, end));
  const out: Reported = { members: [], entries: [] };
  const hooks = {
    sections: new Set(["types", "resources", "functions"]),
    onMember: (key: string | undefined, start: number, end: number) => out.members.push([key, slice(start, end)]),
    onEntry: (section: string, token: string | undefined, start: number, end: number, isObject: boolean, isEnum: boolean) =>
      out.entries.push([section, token, slice(start, end), isObject, isEnum]),
  };
  let state: ScanState = newScanState();
  for (let at = 0; at < bytes.length; at += size) {
    const scanner = new SchemaScanner(hooks, state);
    scanner.write(bytes.subarray(at, at + size));
    state = viaJson ? (JSON.parse(JSON.stringify(scanner.s)) as ScanState) : scanner.s;
  }
  new SchemaScanner(hooks, state).end();
  return out;
}

function failure(text: string, size?: number): string {
  try {
    scan(text, size);
  } catch (error) {
    expect(error).toBeInstanceOf(ScanError);
    return (error as Error).message;
  }
  throw new Error("expected the scan to fail");
}

const schema = JSON.stringify({
  name: "acme",
  "na\"me": 1,
  resources: {
    'acme:index/q"uote:Q': { description: 'say "hi" \\ back\\slash', n: [1, -2.5e-3, true, false, null] },
    "acme:index/ü:Ü😀": { description: "ünïcødé ✓ 😀" },
    "acme:index/notObject:N": "just a string",
  },
  types: {
    "acme:index/Enum:E": { type: "string", enum: [{ value: "a" }] },
    "acme:index/Obj:O": { type: "object", properties: { enum: { type: "string" } } },
    "acme:index/Late:L": { enum: "not an array" },
  },
  functions: {},
});

describe("schema scanner: what it reports", () => {
  const expected = (() => {
    const parsed = JSON.parse(schema);
    return {
      members: Object.keys(parsed).map((k) => [k, JSON.stringify(parsed[k])]),
      entries: [
        ["resources", 'acme:index/q"uote:Q', JSON.stringify(parsed.resources['acme:index/q"uote:Q']), true, false],
        ["resources", "acme:index/ü:Ü😀", JSON.stringify(parsed.resources["acme:index/ü:Ü😀"]), true, false],
        ["resources", "acme:index/notObject:N", '"just a string"', false, false],
        ["types", "acme:index/Enum:E", JSON.stringify(parsed.types["acme:index/Enum:E"]), true, true],
        ["types", "acme:index/Obj:O", JSON.stringify(parsed.types["acme:index/Obj:O"]), true, false],
        ["types", "acme:index/Late:L", JSON.stringify(parsed.types["acme:index/Late:L"]), true, false],
      ],
    };
  })();

  it("every top-level member and every entry of the sections, with exact ranges, decoded tokens and enum kinds", () => {
    expect(scan(schema)).toEqual(expected);
  });

  it.each([1, 2, 3, 7, 64])("the same in chunks of %i bytes, the state passed through JSON between chunks", (size) => {
    expect(scan(schema, size, true)).toEqual(expected);
  });

  it("duplicate keys are all reported (the last wins for whoever keeps them); the last `enum` member decides the kind", () => {
    const text = '{"name":"a","name":"b","types":{"t":{"enum":[1],"enum":2},"u":{"enum":3,"\\u0065num":[1]}}}';
    const out = scan(text, 5, true);
    expect(out.members.filter(([k]) => k === "name").map(([, v]) => v)).toEqual(['"a"', '"b"']);
    expect(out.entries.map(([, token, , , isEnum]) => [token, isEnum])).toEqual([
      ["t", false],
      ["u", true],
    ]);
  });

  it("an entry's `enum` key is told from its look-alikes wherever the chunks are cut (whole keys are compared by their bytes)", () => {
    // Each type's last own key decides; only the first three spell `enum`.
    const keys: Array<[string, boolean]> = [
      ['"enum"', true],
      ['"\\u0065num"', true],
      ['"en\\u0075m"', true],
      ['"enus"', false],
      ['"enu"', false],
      ['"enumm"', false],
      ['"Enum"', false],
      ['"énu"', false],
      ['""', false],
      ['"enum\\n"', false],
    ];
    const types = keys.map(([key], i) => `"t${i}":{"x":1,${key}:[1]}`).join(",");
    const text = `{"types":{${types}}}`;
    for (let size = 1; size <= 40; size++) {
      const out = scan(text, size, size % 2 === 0);
      expect(out.entries.map(([, token, , , isEnum]) => [token, isEnum])).toEqual(keys.map(([, isEnum], i) => [`t${i}`, isEnum]));
    }
  });

  it("whitespace anywhere is not part of a range", () => {
    const out = scan(' {\n "name" :\t"a" , "types" : { "t" : { "enum" : [ ] } } }\n ');
    expect(out.members).toEqual([
      ["name", '"a"'],
      ["types", '{ "t" : { "enum" : [ ] } }'],
    ]);
    expect(out.entries).toEqual([["types", "t", '{ "enum" : [ ] }', true, true]]);
  });
});

describe("schema scanner: what it rejects", () => {
  it.each([
    ["a truncated document", '{"name":"a","resources":{"x":{"description":"abc', /^schema is not valid JSON: unexpected end of input$/],
    ["a document cut inside an escape", '{"name":"a\\', /^schema is not valid JSON: unexpected end of input$/],
    ["trailing garbage", '{"name":"a"} x', /^schema is not valid JSON: unexpected 'x' after the document at byte 13$/],
    ["a second document", '{"name":"a"}{}', /^schema is not valid JSON: unexpected '\{' after the document/],
    ["a trailing comma", '{"name":"a",}', /^schema is not valid JSON: expected a key, found '\}'/],
    ["a bad literal", '{"a":[tru]}', /^schema is not valid JSON: unexpected '\]' in a literal/],
    ["a bad escape", '{"a":"\\x"}', /^schema is not valid JSON: bad escape 'x'/],
    ["a short \\u escape", '{"a":"\\u12"}', /^schema is not valid JSON: bad \\u escape/],
    ["a raw newline in a string", '{"a":"x\ny"}', /^schema is not valid JSON: control character byte 0x0a in a string/],
    ["a leading zero", '{"a":01}', /^schema is not valid JSON: a leading zero/],
    ["a bare minus", '{"a":-}', /^schema is not valid JSON: unexpected '\}' in a number/],
    ["a missing exponent", '{"a":1e}', /^schema is not valid JSON: unexpected '\}' in a number/],
    ["a missing colon", '{"a" 1}', /^schema is not valid JSON: expected ':'/],
    ["a mismatched bracket", '{"a":[1}', /^schema is not valid JSON: expected ',' or a closing bracket/],
    ["an empty document", "", /^schema is not valid JSON: the document is empty$/],
    ["a blank document", " \n", /^schema is not valid JSON: the document is empty$/],
    ["an array at the top", '[{"name":"a"}]', /^schema must be a JSON object at the top level$/],
    ["a string at the top", '"a"', /^schema must be a JSON object at the top level$/],
  ])("%s", (_label, text, message) => {
    expect(failure(text)).toMatch(message);
    // Wherever the chunks are cut.
    expect(failure(text, 1)).toMatch(message);
  });

  it("nesting up to 256 levels is accepted, deeper is rejected", () => {
    const nested = (levels: number) => `{"deep":${"[".repeat(levels)}${"]".repeat(levels)}}`;
    expect(() => scan(nested(255))).not.toThrow();
    expect(failure(nested(256))).toBe("schema nests deeper than 256 levels");
  });

  it("a number over 4096 characters and a string over 16 Mi characters are rejected, across chunks too", () => {
    expect(failure(`{"n":${"1".repeat(4097)}}`, 100)).toBe("schema contains a number longer than 4096 characters");
    expect(() => scan(`{"n":${"1".repeat(4096)}}`, 100)).not.toThrow();
    const long = `{"s":"${"é".repeat(8 * 1024 * 1024)}${"z".repeat(8 * 1024 * 1024 + 1)}"}`;
    expect(failure(long, 1 << 20)).toBe("schema contains a string longer than 16 Mi characters");
    // Counted in characters (UTF-16 units, as JSON.parse would), not bytes: 9 Mi two-byte characters fit.
    expect(() => scan(`{"s":"${"é".repeat(9 * 1024 * 1024)}"}`, 1 << 20)).not.toThrow();
  });

  it("a token longer than the scanner keeps is reported without its text", () => {
    const token = "t".repeat(9000);
    expect(scan(`{"types":{"${token}":{}}}`).entries).toEqual([["types", undefined, "{}", true, false]]);
  });
});

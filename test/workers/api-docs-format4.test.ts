// Docs format 4 (records refer to their entries' bytes in the schema) against format 3 (records copy them,
// re-serialized): every document of a schema, read back from each, is the same — on schemas whose bytes and
// re-serialized JSON differ most: pretty-printed, non-ASCII, numbers that grow or overflow when re-serialized.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deriveDocs, IndexLines, lineKey, type TypeLineRecord } from "../../src/api-docs/derive";
import { Spill, SpillTable } from "../../src/api-docs/spill";
import { indexLine, lookup, MAX_JOINED_GAP_BYTES, parseIndexLine, readDocuments, readManifest, readMemberDocuments, readPacked, TYPE_KINDS, type Manifest, type Range } from "../../src/api-docs/storage";
import { docsSchema } from "./api-docs-fixture";

const bucket = env.ARTIFACTS;

/** Every token and kind of an index, from its lines. */
async function indexTokens(prefix: string): Promise<Array<[string, string]>> {
  const text = await (await bucket.get(`${prefix}index.tsv`))!.text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t", 2) as [string, string]);
}

/** Derives `schema` in both formats; answers each one's manifest and prefix. */
async function bothFormats(slug: string, schema: string): Promise<Array<{ prefix: string; manifest: Manifest }>> {
  const schemaKey = `format4/${slug}/schema.json`;
  await bucket.put(schemaKey, schema);
  const out = [];
  for (const copyEntries of [true, false]) {
    const prefix = `format4/${slug}/docs-${copyEntries ? 3 : 4}/`;
    await deriveDocs(bucket, { schemaKey, prefix, copyEntries });
    const manifest = (await readManifest(bucket, prefix))!;
    expect(manifest.format).toBe(copyEntries ? 3 : 4);
    out.push({ prefix, manifest });
  }
  return out;
}

/** Every member's document with its supporting types, and every type's, from both formats: equal. */
async function expectSameDocuments(slug: string, schema: string): Promise<Map<string, unknown>> {
  const [f3, f4] = await bothFormats(slug, schema);
  const tokens = await indexTokens(f3!.prefix);
  expect(await indexTokens(f4!.prefix)).toEqual(tokens);
  const documents = new Map<string, unknown>();
  for (const [token, kind] of tokens) {
    const read = async ({ prefix, manifest }: { prefix: string; manifest: Manifest }) => {
      if (kind === "resource" || kind === "function") return readMemberDocuments(bucket, prefix, manifest, (await lookup(bucket, prefix, manifest, token))!);
      const entry = (await lookup(bucket, prefix, manifest, token, TYPE_KINDS))!;
      return readDocuments(bucket, prefix, manifest, [entry.range]);
    };
    const [three, four] = [await read(f3!), await read(f4!)];
    expect(four, `${kind} ${token}`).toEqual(three);
    // Byte for byte as answers serialize them, not only deeply equal.
    expect(JSON.stringify(four)).toBe(JSON.stringify(three));
    documents.set(token, four);
  }
  return documents;
}

describe("docs format 4 reads the documents format 3 stored", () => {
  it("on the docs fixture, compact and pretty-printed (each entry's bytes in the schema hold its whitespace)", async () => {
    for (const [slug, schema] of [
      ["compact", JSON.stringify(docsSchema)],
      ["pretty", JSON.stringify(docsSchema, null, 4)],
    ] as const) {
      const documents = await expectSameDocuments(slug, schema);
      expect(documents.size).toBeGreaterThan(5);
    }
  });

  it("stores cut exactly the entries format 3 stored cut: a pretty-printed entry of more bytes than characters, an entry of more characters than bytes", async () => {
    // 1,000 inputs of ~400 characters: ~0.8 M characters compact (whole in format 3), ~1.4 MB with indent 8. Judged by
    // its bytes, it would be stored cut, and a stored cut keeps 256 KiB of a list: fewer inputs than an answer shows.
    const props: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) props[`prop${i}`] = { type: "string", description: `ü${"d".repeat(200)}`, language: { python: { name: `p_${i}_${"x".repeat(100)}` } } };
    const wide = { name: "wide", version: "1.0.0", resources: { "wide:index:Bucket": { description: "A bucket.", inputProperties: props, properties: props } } };
    const docs = await expectSameDocuments("wide", JSON.stringify(wide, null, 8));
    const bucketDoc = docs.get("wide:index:Bucket") as { doc: { inputs: unknown[]; outputs: unknown[] } };
    expect(bucketDoc.doc.inputs).toHaveLength(1000);
    // 60,000 numbers written `1e20` (4 bytes; 21 characters re-serialized): 0.3 MB of schema, 1.3 M characters, so
    // format 3 stored it cut.
    const grown = {
      name: "grown",
      version: "1.0.0",
      types: { "grown:index:Big": { type: "object", properties: { a: { type: "array", items: { type: "number" }, default: Array(60_000).fill("__N__") }, b: { type: "string" } } } },
      resources: { "grown:index:Thing": { inputProperties: { big: { $ref: "#/types/grown:index:Big" } } } },
    };
    await expectSameDocuments("grown", JSON.stringify(grown).replace(/"__N__"/g, "1e20"));
  });

  it("names an enum value too large for a double as format 3 did (JSON.stringify wrote it null)", async () => {
    const schema = `{"name":"huge","version":"1.0.0","types":{"huge:index:Level":{"type":"number","enum":[{"value":1e999},{"value":-1E400},{"value":2,"name":"two"},{"value":1e2}]}},"resources":{"huge:index:Dial":{"description":"A dial at 1e3.","inputProperties":{"level":{"$ref":"#/types/huge:index:Level"}}}}}`;
    const docs = await expectSameDocuments("huge", schema);
    const level = JSON.stringify(docs.get("huge:index:Level"));
    expect(level).not.toContain("Infinity");
    expect(level).toContain("Null");
  });
});

describe("index lines of format 4", () => {
  it("read back as written, and a range that is not 2 or 4 whole numbers is no line (never a read of undefined or NaN bytes)", () => {
    const written = { token: "a:b:C", kind: "resource" as const, range: [10, 20, 300, 400] as [number, number, number, number], types: [[1, 2] as [number, number], [3, 4, 5, 6] as [number, number, number, number]] };
    expect(indexLine(written)).toBe("a:b:C\tresource\t10\t20:300:400\t1:2,3:4:5:6\n");
    expect(parseIndexLine(indexLine(written).trimEnd())).toEqual(written);
    expect(parseIndexLine("a:b:C\tresource\t10\t20\t1:2")).toEqual({ token: "a:b:C", kind: "resource", range: [10, 20], types: [[1, 2]] });
    // A type's line (no supporting types), and a member's that reaches more than it lists.
    expect(indexLine({ token: "a:b:T", kind: "object", range: [7, 8], types: [] })).toBe("a:b:T\tobject\t7\t8\t\n");
    const more = { token: "a:b:D", kind: "function" as const, range: [0, 1] as [number, number], types: [[5, 6] as [number, number]], more: true };
    expect(indexLine(more)).toBe("a:b:D\tfunction\t0\t1\t5:6\t+\n");
    expect(parseIndexLine(indexLine(more).trimEnd())).toEqual(more);
    for (const bad of ["a\tresource\t10\t20\t123", "a\tresource\t10\t20:300\t", "a\tresource\t10\tx\t", "a\tresource\t10\t20\t1:2:3:-4", "a\tresource\t10\t20\t1:2:3:4:5", "a\tresource\t1e3\t20\t"]) expect(parseIndexLine(bad), bad).toBeUndefined();
  });

  it("a type's line is written from its record's text as from the parsed record", async () => {
    const records: Array<[string, TypeLineRecord]> = [
      ["a:b:T", ["object", 7, 8]],
      ["a:b:U", ["enum", 1234567890123, 45, 0, 6]],
      ["a:b:Ü😀", ["object", 0, 1, 2, 3]],
    ];
    const written: string[] = [];
    const sink = { write: (text: string) => void written.push(text) };
    const none = { add: () => undefined };
    const types = await SpillTable.build(new Spill(env.ARTIFACTS, "format4-type-lines/"), "types", (async function* () {})());
    const lines = new IndexLines({ naming: {} as never }, types, sink, sink, none, none);
    for (const [token, record] of records) await lines.add(lineKey(token, 1), JSON.stringify(record));
    expect(written).toEqual(records.map(([token, [kind, ...range]]) => indexLine({ token, kind, range: range as never, types: [] })));
    expect(lines.indexBytes).toBe(new TextEncoder().encode(written.join("")).byteLength);
  });
});

describe("a docs answer's merged reads", () => {
  it("read at most MAX_JOINED_GAP_BYTES between the ranges they need, however far apart the ranges lie", async () => {
    // Five 1 KiB JSON strings, 2 MiB apart in an 8 MiB object: four reads joining the smallest gap would read 2 MiB
    // of nothing; within the budget, each is read apart.
    const size = 8 * 1024 * 1024;
    const bytes = new Uint8Array(size).fill(0x20);
    const ranges: Range[] = [0, 2, 4, 6].map((m) => [m * 1024 * 1024, 1024] as Range).concat([[size - 1024, 1024]]);
    for (const [offset, length] of ranges) bytes.set(new TextEncoder().encode(`"${"a".repeat(length - 2)}"`), offset);
    await bucket.put("format4/gaps/docs/pack", bytes);
    const read: number[] = [];
    const counting = new Proxy(bucket, {
      get(target, prop) {
        if (prop === "get") return (key: string, options?: R2GetOptions) => (read.push((options?.range as { length?: number } | undefined)?.length ?? size), target.get(key, options));
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const strings = await readPacked<string>(counting, "format4/gaps/docs/", ranges);
    expect(strings.map((t) => t.length)).toEqual(ranges.map(([, l]) => l - 2));
    expect(read.reduce((n, l) => n + l, 0)).toBeLessThanOrEqual(5 * 1024 + MAX_JOINED_GAP_BYTES);
    expect(read.length).toBe(5);
  });
});

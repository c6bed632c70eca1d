// The docs derivation's spill to R2 (src/api-docs/spill.ts): with tiny limits it writes the same docs as in memory, and leaves no temporary object behind.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deriveDocs, OutlineBuilder } from "../../src/api-docs/derive";
import { Spill, SpillSorter, SpillTable, merge, mergeLines, spillLine, writeRunObject, type Run, type SpillLimits } from "../../src/api-docs/spill";
import { ObjectWriter } from "../../src/api-docs/storage";
import { countObjects } from "./helpers";
import { docsReadme, docsInstallation, docsSchema } from "./api-docs-fixture";
import { skylineSchemaJson } from "../fixtures/api-docs";

const bucket = env.ARTIFACTS;
/** Small enough that the fixtures spill every sorter several times and merge in several levels. */
const TINY: Partial<SpillLimits> = { runBytes: 300, readBytes: 97, fanIn: 2, blockBytes: 200, cacheBlocks: 1 };
const SMALL: Partial<SpillLimits> = { runBytes: 1500, readBytes: 400, fanIn: 3, blockBytes: 600, cacheBlocks: 1 };

/** The fixture with many more resources and types, so that every sorter writes several runs. */
function largerSchema(): string {
  const schema = structuredClone(docsSchema) as any;
  for (let i = 0; i < 30; i++) {
    schema.resources[`acmecloud:extra/thing${i}:Thing${i}`] = {
      description: `Thing ${i}.\n\n{{% examples %}}\n{{% example %}}\n### Make thing ${i}\n\`\`\`typescript\nnew acme.extra.Thing${i}("t");\n\`\`\`\n\`\`\`python\nacme.extra.Thing${i}("t")\n\`\`\`\n{{% /example %}}\n{{% /examples %}}`,
      inputProperties: { spec: { $ref: `#/types/acmecloud:extra/Spec${i}:Spec${i}` }, mode: { $ref: `#/types/acmecloud:extra/Mode${i % 3}:Mode${i % 3}` } },
      properties: { spec: { $ref: `#/types/acmecloud:extra/Spec${i}:Spec${i}` } },
      language: i % 7 === 0 ? { csharp: { name: `Thing${i}Resource` } } : undefined,
    };
    schema.types[`acmecloud:extra/Spec${i}:Spec${i}`] = { type: "object", properties: { inner: { $ref: `#/types/acmecloud:extra/Inner${i}:Inner${i}` } } };
    schema.types[`acmecloud:extra/Inner${i}:Inner${i}`] = { type: "object", properties: { mode: { $ref: `#/types/acmecloud:extra/Mode${i % 3}:Mode${i % 3}` }, n: { type: "integer" } } };
  }
  for (let m = 0; m < 3; m++) schema.types[`acmecloud:extra/Mode${m}:Mode${m}`] = { type: "string", enum: [{ value: "a" }, { value: "b" }] };
  return JSON.stringify(schema);
}

async function stage(prefix: string, schema: string) {
  await bucket.put(`${prefix}schema.json`, schema);
  await bucket.put(`${prefix}index.md`, docsReadme);
  await bucket.put(`${prefix}installation.md`, docsInstallation);
  return { schemaKey: `${prefix}schema.json`, readmeKey: `${prefix}index.md`, installationKey: `${prefix}installation.md` };
}

async function objectsUnder(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    for (const o of page.objects) out.set(o.key.slice(prefix.length), await (await bucket.get(o.key))!.text());
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

describe("docs derivation spilled to R2", () => {
  for (const [fixture, schema, limits] of [
    ["the docs fixture, enlarged", largerSchema(), SMALL],
    ["the skyline fixture", skylineSchemaJson, TINY],
  ] as const) {
    it(`writes the same docs objects as the in-memory derivation, and no temporary object survives (${fixture})`, async () => {
      const slug = fixture.replace(/\W+/g, "-");
      const memory = await stage(`spill/${slug}/memory/`, schema);
      const spilled = await stage(`spill/${slug}/spilled/`, schema);
      const temporary: string[] = [];
      const plain = await deriveDocs(bucket, memory);
      const small = await deriveDocs(bucket, spilled, undefined, { ...limits, onTemporary: (k) => temporary.push(k) });

      expect(Object.keys(small)).toEqual(Object.keys(plain));
      // Every sorter and both tables spilled, the sorters several runs each, merged in levels.
      const names = temporary.map((k) => k.slice(k.lastIndexOf("/") + 1).replace(/-\d+$/, ""));
      for (const name of ["kinds", "refs", "answers", "types", "types-table", "members", "nav"]) expect(names.filter((n) => n === name).length, name).toBeGreaterThanOrEqual(name.endsWith("table") ? 1 : 2);

      const a = await objectsUnder(`spill/${slug}/memory/docs/`);
      const b = await objectsUnder(`spill/${slug}/spilled/docs/`);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      // (The manifest names each version's own schema, which its records refer to: docs format 4.)
      for (const [name, text] of a) expect(name === "manifest.json" ? b.get(name)!.replace(`"spill/${slug}/spilled/`, `"spill/${slug}/memory/`) : b.get(name), name).toBe(text);
      expect(JSON.parse(a.get("manifest.json")!).schema).toBe(memory.schemaKey);
      // The enlarged fixture's per-language names (`language.csharp.name`) are in nav.json's overrides, streamed too.
      if (fixture.includes("enlarged")) expect(JSON.parse(a.get("nav.json")!).overrides["acmecloud:extra/thing7:Thing7"]).toHaveProperty("csharp", expect.stringContaining("Thing7Resource"));
      expect(await countObjects(`spill/${slug}/spilled/docs/tmp/`)).toBe(0);
      for (const k of temporary) expect(await bucket.head(k), k).toBeNull();
    }, 60_000);
  }

  it("a derivation that fails after spilling leaves no temporary object and no docs object", async () => {
    const schema = largerSchema();
    const sources = await stage("spill/failing/", schema);
    const temporary: string[] = [];
    // Pass 1 reads the whole (valid) schema from R2; pass 2 is handed bytes that stop half way.
    const cut = new TextEncoder().encode(schema.slice(0, Math.floor(schema.length * 0.8)));
    await expect(deriveDocs(bucket, { ...sources, schemaBytes: cut }, undefined, { ...SMALL, onTemporary: (k) => temporary.push(k) })).rejects.toThrow();
    expect(temporary.some((k) => /\/(members|types)-\d+$/.test(k))).toBe(true);
    expect(await countObjects("spill/failing/docs/")).toBe(0);
    expect(await countObjects("spill/failing/")).toBe(3);
  }, 60_000);

  it("an outline discarded after the metadata scan rejected the schema leaves nothing", async () => {
    const temporary: string[] = [];
    const outline = new OutlineBuilder(bucket, "spill/discarded/schema.json", { ...TINY, onTemporary: (k) => temporary.push(k) });
    const bytes = new TextEncoder().encode(largerSchema());
    for (let i = 0; i < bytes.byteLength; i += 1000) await outline.write(bytes.subarray(i, i + 1000));
    expect(temporary.length).toBeGreaterThan(0);
    await outline.discard();
    expect(await countObjects("spill/discarded/")).toBe(0);
  });
});

describe("spill primitives", () => {
  it("a sorter is stable for equal keys and keeps tabs, newlines, backslashes and a leading U+FEFF in keys and values", async () => {
    const spill = new Spill(bucket, "spill/sorter/", { runBytes: 120, readBytes: 16, fanIn: 3 });
    const sorter = new SpillSorter(spill, "s");
    const input: Array<[string, string]> = [];
    // (A default TextDecoder drops a line's leading U+FEFF as a byte order mark.)
    for (let i = 0; i < 60; i++) input.push([`${i % 4 === 0 ? "\ufeff" : ""}k${(i * 7) % 13}\t\n\\`, `${i % 5 === 0 ? "\ufeff" : ""}v${i}\\n\t${"é".repeat(i % 4)}`]);
    for (const [k, v] of input) await sorter.add(k, v);
    const out: Array<[string, string]> = [];
    for await (const r of sorter.sorted()) out.push(r);
    const expected = input.map((r, i) => [r, i] as const).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map((e) => e[0]);
    expect(out).toEqual(expected);
    await spill.cleanup();
    expect(await countObjects("spill/sorter/")).toBe(0);
  });

  it("a merge that copies lines writes the bytes a merge of records then spillLine writes, equal keys in run order", async () => {
    // Keys and values with tabs, newlines, backslashes, non-ASCII, surrogate pairs; equal keys within and across runs;
    // 5-byte reads, so that lines (and characters) are split between blocks.
    const runs: Run[] = [];
    for (let r = 0; r < 5; r++) {
      const records: Array<[string, string]> = [];
      for (let i = 0; i < 40; i++) records.push([`k${(i * 7 + r) % 17}${i % 5 === 0 ? "\t\n\\é😀" : ""}`, `["v${r}-${i}","a\tb\\c\nd","${"ü".repeat(i % 3)}"]`]);
      runs.push(await writeRunObject(bucket, `spill/lines/run-${r}`, records));
    }
    let expected = "";
    for await (const record of merge(bucket, runs, 5)) expected += spillLine(record);
    const out = new ObjectWriter(bucket, "spill/lines/merged", "text/plain");
    await mergeLines(bucket, runs, 5, out);
    await out.close();
    const written = new Uint8Array(await (await bucket.get("spill/lines/merged"))!.arrayBuffer());
    expect(written).toEqual(new TextEncoder().encode(expected));
    expect(out.offset).toBe(written.byteLength);
    // (Equal keys: the merged lines of one key keep their runs' order.)
    const runsOfK3 = new TextDecoder().decode(written).split("\n").filter((l) => l.startsWith("k3\t")).map((l) => /v(\d)-/.exec(l)![1]);
    expect(runsOfK3.length).toBeGreaterThan(1);
    expect(runsOfK3).toEqual([...runsOfK3].sort());
  });

  it("a table keeps the last of equal keys and answers absent keys before, between and after its blocks", async () => {
    const spill = new Spill(bucket, "spill/table/", { blockBytes: 30, cacheBlocks: 2 });
    async function* records(): AsyncGenerator<[string, string]> {
      for (let i = 10; i < 90; i += 2) {
        yield [`key${i}`, `first${i}`];
        if (i % 6 === 0) yield [`key${i}`, `last${i}`];
      }
    }
    const table = await SpillTable.build(spill, "t", records());
    for (let i = 10; i < 90; i += 2) expect(await table.get(`key${i}`)).toBe(i % 6 === 0 ? `last${i}` : `first${i}`);
    for (const absent of ["a", "key11", "key51", "key89", "z"]) expect(await table.get(absent), absent).toBeUndefined();
    expect(await countObjects("spill/table/")).toBe(1);
    await spill.cleanup();
    expect(await countObjects("spill/table/")).toBe(0);
  });

  it("a table of one block is not written at all", async () => {
    const spill = new Spill(bucket, "spill/one-block/");
    const table = await SpillTable.build(spill, "t", (async function* () {
      yield ["a", "1"] as [string, string];
      yield ["b", "2"] as [string, string];
    })());
    expect(await table.get("b")).toBe("2");
    expect(await countObjects("spill/one-block/")).toBe(0);
  });
});

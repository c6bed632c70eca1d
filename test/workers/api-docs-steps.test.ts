// The docs derivation in bounded steps (src/api-docs/derive-steps.ts) on real R2: the same objects as deriveDocs, steps
// that can be re-run with the same state without duplicating anything, and a discard that leaves nothing behind.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deriveDocs } from "../../src/api-docs/derive";
import { deriveStep, discardDerivation, type DerivationInput, type StepLimits } from "../../src/api-docs/derive-steps";
import { docsInstallation, docsReadme, docsSchema } from "./api-docs-fixture";
import { newScanState } from "../../src/api-docs/schema-scan";
import { SEARCH_OBJECTS } from "../../src/api-docs/search-index";
import { artifactName, lookup, readManifest, type Manifest } from "../../src/api-docs/storage";
import { contentDecoder } from "../../src/api-docs/utf8";
import type { NavHead } from "../../src/api-docs/derive";
import type { SearchHead } from "../../src/api-docs/search-index";
import { skylineInstallation, skylineReadme, skylineSchemaJson, webappSchemaJson } from "../fixtures/api-docs";

const bucket = env.ARTIFACTS;
/** Small enough that every phase takes several steps on the fixtures. */
const TINY: Partial<StepLimits> = { scanBytes: 700, packBytes: 500, kindBlockBytes: 120, indexRecords: 3, tableRecords: 1, kindRecords: 2, spill: { runBytes: 300, readBytes: 97, fanIn: 2, blockBytes: 200, cacheBlocks: 1 } };

/** A schema whose pack passes one 5 MiB multipart part, with escapes and non-ASCII in tokens and text. */
function bigSchema(): string {
  const schema = structuredClone(docsSchema) as any;
  const prose = "Ünïcødé ✓ \"quoted\" back\\slash 😀 ".repeat(40);
  // Most of the bytes are examples' code, which the pack holds whatever the format (docs format 4's records refer to
  // their entries in the schema): the pack then passes a 5 MiB multipart part.
  const code = `// ${prose}\n`.repeat(4);
  for (let i = 0; i < 1200; i++) {
    schema.resources[`acmecloud:big/thing${i}:Thing"${i}\\é`] = {
      description: `${prose}\n\n{{% examples %}}\n{{% example %}}\n### Thing ${i}\n\`\`\`typescript\n${code}new acme.big.Thing${i}("t");\n\`\`\`\n{{% /example %}}\n{{% /examples %}}`,
      inputProperties: { spec: { $ref: `#/types/acmecloud:big/Spec${i}:Spec${i}`, description: "The thing's spec." }, mode: { $ref: "#/types/acmecloud:big/Mode:Mode" } },
      properties: { spec: { $ref: `#/types/acmecloud:big/Spec${i}:Spec${i}` } },
    };
    schema.types[`acmecloud:big/Spec${i}:Spec${i}`] = { type: "object", properties: { mode: { $ref: "#/types/acmecloud:big/Mode:Mode" }, note: { type: "string", description: "A note ✓." } } };
  }
  schema.types["acmecloud:big/Mode:Mode"] = { type: "string", enum: [{ value: "a" }, { value: "b" }] };
  return JSON.stringify(schema);
}

async function stage(prefix: string, schema: string, readme: string, installation: string): Promise<DerivationInput> {
  await bucket.put(`${prefix}schema.json`, schema);
  await bucket.put(`${prefix}index.md`, readme);
  await bucket.put(`${prefix}installation.md`, installation);
  return { schemaKey: `${prefix}schema.json`, readmeKey: `${prefix}index.md`, installationKey: `${prefix}installation.md`, prefix: `${prefix}steps/`, workId: "w1" };
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

/**
 * A chain's first step (this release's), made the state of an earlier release's chain of `format` (the scan step is
 * the same in all of them): a 302 chain's marker names its format, as that release writes it.
 */
async function asFormat(input: DerivationInput, first: unknown, format: 3 | 301 | 302 | 303): Promise<Record<string, unknown> & { format: number }> {
  const state = structuredClone((first as { state: Record<string, unknown> & { format: number } }).state);
  expect(state.format).toBe(304);
  state.format = format;
  if (format >= 302) await bucket.put(`${input.prefix}tmp/${input.workId}/!chain`, String(format));
  return state;
}

/** Runs the chain to the end; answers the artifacts, the number of steps and every state seen. */
async function chain(input: DerivationInput, limits: Partial<StepLimits>, each?: (state: unknown) => Promise<void>) {
  let state: unknown = null;
  const states: unknown[] = [];
  for (let steps = 1; ; steps++) {
    const result = await deriveStep(bucket, input, state, limits);
    if (result.done) return { artifacts: result.artifacts, steps, states };
    state = result.state;
    expect(JSON.stringify(state).length).toBeLessThanOrEqual(32 * 1024);
    states.push(JSON.parse(JSON.stringify(state)));
    await each?.(state);
  }
}

/**
 * The docs objects deriveDocs writes, and the step chain's, compared byte for byte: in docs format 4 (records that
 * refer to the schema) for chains this release begins, in format 3 for chains of earlier releases.
 */
async function expectSameDocs(input: DerivationInput, artifacts: Record<string, string>, format: 3 | 4 = 4) {
  const reference = await deriveDocs(bucket, { schemaKey: input.schemaKey, readmeKey: input.readmeKey, installationKey: input.installationKey, copyEntries: format === 3 });
  const manifest = (await (await bucket.get(artifacts[artifactName("manifest.json")]!))!.json()) as { format: number; schema?: string };
  expect(manifest.format).toBe(format);
  expect(manifest.schema).toBe(format === 4 ? input.schemaKey : undefined);
  const oldPrefix = input.schemaKey.replace(/[^/]*$/, "") + "docs/";
  expect(Object.keys(artifacts).sort()).toEqual(Object.keys(reference).sort());
  for (const [name, key] of Object.entries(reference)) expect(artifacts[name]).toBe(key.replace(oldPrefix, input.prefix));
  const a = await objectsUnder(oldPrefix);
  const b = await objectsUnder(input.prefix);
  b.forEach((_, k) => k.startsWith("tmp/") && b.delete(k));
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [name, text] of a) expect(b.get(name) === text, name).toBe(true);
  // The filter's search index (binary postings compared as bytes, not as decoded text) is among them whenever there are members.
  if (reference[artifactName("nav.json")]) {
    for (const o of SEARCH_OBJECTS) expect(artifacts[artifactName(o)], o).toBeDefined();
    const bytes = async (key: string) => new Uint8Array(await (await bucket.get(key))!.arrayBuffer());
    expect(await bytes(artifacts[artifactName("search-postings.bin")]!)).toEqual(await bytes(reference[artifactName("search-postings.bin")]!));
  }
}

describe("docs derivation in steps", () => {
  for (const [fixture, schema, readme, installation] of [
    ["the docs fixture", JSON.stringify(docsSchema), docsReadme, docsInstallation],
    ["the skyline fixture", skylineSchemaJson, skylineReadme, skylineInstallation],
    ["the webapp fixture", webappSchemaJson, "# Webapp\n", ""],
    ["a schema without entries", '{"name":"bare","types":{},"resources":[]}', "# Bare\n", ""],
  ] as const) {
    it(`writes the same docs objects as deriveDocs, in tiny steps and in default ones (${fixture})`, async () => {
      const slug = fixture.replace(/\W+/g, "-");
      const tiny = await stage(`steps/${slug}/`, schema, readme, installation);
      const { artifacts, steps, states } = await chain(tiny, TINY);
      expect(steps).toBeGreaterThan(6);
      // Every phase ran, premerges (fanIn 2) and index steps several times.
      const phases = states.map((state) => (state as { phase: string }).phase);
      // (A schema shorter than one scan step is scanned in one.)
      // (A package without members has no search index to write.)
      const members = states.some((st) => ((st as { search?: { count: number } }).search?.count ?? 0) > 0);
      for (const phase of ["scan", "kinds", "pack", "premerge", "index", "nav", "postings", "finish"]) if ((phase !== "scan" || schema.length > 700) && (phase !== "postings" || members)) expect(phases, phase).toContain(phase);
      // (The webapp fixture has too few members for two index steps of 3 records.) The search index's posting
      // lists in steps of their own too: trigram runs merged (fanIn 2), then 48 records a step.
      if (fixture.includes("fixture") && !fixture.includes("webapp")) {
        expect(phases.filter((p) => p === "index").length).toBeGreaterThanOrEqual(2);
        // The types table in steps of its own too (1 record a step), its parts joined by the last; and the kinds
        // table (2 records a step), whose joined fences name each block's part.
        expect(phases.filter((p) => p === "table").length).toBeGreaterThanOrEqual(2);
        expect(phases.filter((p) => p === "kinds").length).toBeGreaterThanOrEqual(2);
        const postings = states.filter((st) => (st as { phase: string }).phase === "postings") as Array<{ postings?: { trigrams: number } }>;
        expect(postings.filter((st) => st.postings && st.postings.trigrams > 0).length).toBeGreaterThanOrEqual(2);
        // The nav and overrides runs (one of each an index step) merged a group a step (fanIn 2) before the nav step
        // writes: it then reads at most two of each.
        type Runs = Array<[string, number, number]>;
        const nav = states.filter((st) => (st as { phase: string }).phase === "nav") as Array<{ nav: Runs; overrides: Runs; level?: unknown; navLevel?: { field: string } }>;
        expect(nav.some((st) => st.navLevel?.field === "nav")).toBe(true);
        expect(nav[nav.length - 1]!.nav.length).toBeLessThanOrEqual(2);
        // Overrides runs are merged when they hold a record; runs without one are passed over by the nav step.
        const overridden = nav[0]!.overrides.some(([, , count]) => count > 0);
        expect([fixture, nav.some((st) => st.navLevel?.field === "overrides")]).toEqual([fixture, overridden]);
        if (overridden) expect(nav[nav.length - 1]!.overrides.length).toBeLessThanOrEqual(2);
        // In a field of their own (the premerge's and the postings phase's `level` stays unset), and midway `nav` and
        // `overrides` still list every record: the release before, which ignores `navLevel`, may run the nav step.
        const records = (runs: Runs) => runs.reduce((n, [, , count]) => n + count, 0);
        for (const st of nav) {
          expect(st.level).toBeUndefined();
          expect([records(st.nav), records(st.overrides)]).toEqual([records(nav[0]!.nav), records(nav[0]!.overrides)]);
        }
      }
      await expectSameDocs(tiny, artifacts);
      await discardDerivation(bucket, tiny);
      expect((await objectsUnder(`${tiny.prefix}tmp/`)).size).toBe(0);

      const whole = { ...tiny, prefix: `steps/${slug}/whole/` };
      const big = await chain(whole, {});
      expect(big.steps).toBe(members ? 8 : 7); // scan, kinds, pack, premerge (none) and table, index, nav, postings (with members), finish
      await expectSameDocs(whole, big.artifacts);
    }, 60_000);
  }

  it("merges the overrides runs a group a step when members have names of their own, a token both a resource and a function among them", async () => {
    const schema = structuredClone(docsSchema) as { resources: Record<string, Record<string, unknown>>; functions?: Record<string, Record<string, unknown>> };
    const tokens = Object.keys(schema.resources);
    tokens.forEach((token, i) => {
      if (i % 2 === 0) schema.resources[token]!.language = { csharp: { name: `Renamed${i}` } };
    });
    // The same token as a function, with a name of its own too: nav.json's overrides keep one entry for it, merged in run order.
    schema.functions = { ...schema.functions, [tokens[0]!]: { description: "Both.", language: { csharp: { name: "AlsoRenamed" } } } };
    const input = await stage("steps/overrides-merged/", JSON.stringify(schema), docsReadme, docsInstallation);
    const { artifacts, states } = await chain(input, TINY);
    const nav = states.filter((st) => (st as { phase: string }).phase === "nav") as Array<{ overrides: Array<[string, number, number]>; navLevel?: { field: string } }>;
    expect(nav[0]!.overrides.length).toBeGreaterThan(2);
    expect(nav.some((st) => st.navLevel?.field === "overrides")).toBe(true);
    expect(nav[nav.length - 1]!.overrides.length).toBeLessThanOrEqual(2);
    await expectSameDocs(input, artifacts);
    const navJson = (await (await bucket.get(artifacts[artifactName("nav.json")]!))!.json()) as { overrides?: Record<string, unknown> };
    expect(Object.keys(navJson.overrides ?? {})).toContain(tokens[0]);
    expect(Object.keys(navJson.overrides ?? {}).length).toBe(Math.ceil(tokens.length / 2));
  }, 60_000);

  it("a nav merge left midway by the release before (which ignores navLevel and moves on) changes nothing after it", async () => {
    const input = await stage("steps/stale-nav-level/", JSON.stringify(docsSchema), docsReadme, docsInstallation);
    let left = false;
    const { artifacts } = await chain(input, TINY, async (state) => {
      const st = state as { phase: string; navLevel?: unknown; nav: Array<[string, number, number]> };
      // What that release leaves when it takes the nav step midway through a level: the level, and the next phase.
      if (st.phase === "postings" && !left) {
        st.navLevel = { field: "nav", merged: [[st.nav[0]![0], st.nav[0]![1], st.nav[0]![2]]] };
        left = true;
      }
    });
    expect(left).toBe(true);
    await expectSameDocs(input, artifacts);
  }, 60_000);

  it("a type defined twice (in two types sections, so in two runs) is the later one, with the table written a record a step", async () => {
    // Two \`types\` members: the second's Spec (an enum here) is what JSON.parse keeps, and what deriveDocs's table keeps.
    const body = JSON.stringify(docsSchema).slice(1, -1);
    const first = '"types":{"acmecloud:twice/spec:Spec":{"type":"object","properties":{"size":{"type":"integer"}}},"acmecloud:twice/zzz:Last":{"type":"object"}}';
    const second = '"types":{"acmecloud:twice/spec:Spec":{"type":"string","enum":[{"value":"small"},{"value":"large"}]}}';
    const resource = '"resources":{"acmecloud:twice/thing:Thing":{"inputProperties":{"spec":{"$ref":"#/types/acmecloud:twice/spec:Spec"},"last":{"$ref":"#/types/acmecloud:twice/zzz:Last"}}}}';
    const schema = `{${first},${resource},${second},${body.replace(/"types":/, '"moreTypes":').replace(/"resources":/, '"moreResources":')}}`;
    const input = await stage("steps/twice/", schema, docsReadme, docsInstallation);
    const { artifacts, states } = await chain(input, { ...TINY, packBytes: 100 });
    expect(states.filter((st) => (st as { phase: string }).phase === "table").length).toBeGreaterThanOrEqual(1);
    await expectSameDocs(input, artifacts);
    const index = await (await bucket.get(artifacts[artifactName("index.tsv")]!))!.text();
    expect(index).toContain("acmecloud:twice/spec:Spec\tenum\t");
    await discardDerivation(bucket, input);
  }, 60_000);

  it("a referenced type's kind is its own line's, when another token's quoted form ends with its quoted form (searched by halves, and walked in an older chain's table)", async () => {
    // `acmecloud:q/a:A"acmecloud:q/z:Zeta` is written `"acmecloud:q/a:A\\"acmecloud:q/z:Zeta"` in the kinds table: Zeta's
    // quoted form, mid-line, in the line before Zeta's own. Zeta is an object and the other an enum: a lookup that
    // took a match mid-line for a line's start would give Zeta the enum's kind, and its records other bytes.
    const other = 'acmecloud:q/a:A\\"acmecloud:q/z:Zeta';
    const zeta = "acmecloud:q/z:Zeta";
    const types = [other, zeta, ...Array.from({ length: 10 }, (_, i) => `acmecloud:q/m:Filler${i}\\\\\\té`)];
    const schema = `{"name":"acmecloud","version":"1.0.0","types":{${types
      .map((t) => `"${t}":${t === other ? '{"type":"string","enum":[{"value":"x"}]}' : '{"type":"object","properties":{"n":{"type":"integer"}}}'}`)
      .join(",")}},"resources":{"acmecloud:q/r:R":{"inputProperties":{${types.map((t, i) => `"p${i}":{"$ref":"#/types/${t}"}`).join(",")}}}}}`;
    // This release's table records its blocks as ordered, and a lookup searches them by halves; a 303 chain's table
    // (the release before's) records nothing, and its blocks are walked.
    for (const format of [304, 303] as const) {
      const input = await stage(`steps/kind-suffix-${format}/`, schema, "# Q\n", "");
      const first = await deriveStep(bucket, input, null, {});
      let next = await deriveStep(bucket, input, format === 304 ? (first as { state: unknown }).state : await asFormat(input, first, 303), {});
      while (!next.done) next = await deriveStep(bucket, input, next.state, {});
      const fences = JSON.parse((await objectsUnder(`${input.prefix}tmp/${input.workId}/`)).get("kinds-fences")!) as unknown[][];
      expect(fences.map((f) => f[4])).toEqual(fences.map(() => (format === 304 ? 1 : undefined)));
      // (The resource's record keeps the kinds of what it refers to: the pack's bytes differ if Zeta's is wrong.)
      await expectSameDocs(input, next.artifacts);
      await discardDerivation(bucket, input);
    }
  }, 60_000);

  it("a token in a block twice (lone surrogates, written to runs as U+FFFD) gets the kind its last line says: the block is not ordered, and is walked", { timeout: 120_000 }, async () => {
    // `A\ud800` sorts before `A\ud801\udc00`, which sorts before `A\ufffd`; written to a run, the first is `A\ufffd` too:
    // the kinds table's block holds `A\ufffd` (enum), `A\ud801\udc00`, `A\ufffd` (object), the last of which deriveDocs
    // answers. Helper-30's case: a search that stopped at the first line answered enum; so would a search by halves.
    const schema = structuredClone(docsSchema) as { types: Record<string, unknown>; resources: Record<string, unknown> };
    schema.types["acmecloud:x/a:A\ud800"] = { type: "string", enum: [{ value: "a" }] };
    schema.types["acmecloud:x/a:A\ud801\udc00"] = { type: "object", properties: { n: { type: "string" } } };
    schema.types["acmecloud:x/a:A\ufffd"] = { type: "object", properties: { n: { type: "string" } } };
    schema.resources["acmecloud:x/r:R"] = { description: "R.", inputProperties: { p: { $ref: "#/types/acmecloud:x/a:A\ufffd" } }, properties: { p: { $ref: "#/types/acmecloud:x/a:A\ufffd" } } };
    const input = await stage("steps/lone-surrogates/", JSON.stringify(schema), docsReadme, docsInstallation);
    const { artifacts } = await chain(input, {});
    await expectSameDocs(input, artifacts);
    await discardDerivation(bucket, input);
  });

  it("tokens that begin with U+FEFF, or hold one, keep it: every token is found, and trigrams begin with it", { timeout: 120_000 }, async () => {
    // A default TextDecoder, and Body.text(), drop a leading U+FEFF as a byte order mark: a run's line, a key the scanner
    // decoded, or a block of index.tsv that began with such a token lost it. 150 of them, so that index blocks (64
    // lines) begin with one; a name holding one gives trigrams that begin with it. (deriveDocs is no reference here:
    // its streaming parser's decoder drops U+FEFF wherever a run of non-ASCII bytes begins with it.)
    const schema = structuredClone(docsSchema) as { types: Record<string, unknown>; resources: Record<string, unknown> };
    schema.types["\ufeffacmecloud:x/t:Inner"] = { type: "object", properties: { n: { type: "string" } } };
    for (let i = 0; i < 150; i++) {
      schema.resources[`\ufeffacmecloud:x/r:Lead${String(i).padStart(3, "0")}`] = { description: `Lead ${i}.`, inputProperties: { p: { $ref: "#/types/\ufeffacmecloud:x/t:Inner" } }, properties: {} };
    }
    schema.resources["acmecloud:x/r:Zero\ufeffWidth"] = { description: "Holds one.", inputProperties: {}, properties: {} };
    schema.types["acmecloud:x/t:Plain"] = { type: "object", properties: { n: { type: "string" } } };
    schema.resources["acmecloud:x/r:Ctl"] = { description: "Ctl.", inputProperties: { p: { $ref: "#/types/acmecloud:x/t:Plain" } }, properties: {} };
    const input = await stage("steps/bom/", JSON.stringify(schema), docsReadme, docsInstallation);
    const { artifacts } = await chain(input, { ...TINY, spill: { ...TINY.spill!, readBytes: 64 } });
    const prefix = artifacts[artifactName("manifest.json")]!.replace(/manifest\.json$/, "");
    const manifest = (await readManifest(bucket, prefix))!;
    expect(manifest.fences.some((f) => f.token.startsWith("\ufeff"))).toBe(true);
    const missing: string[] = [];
    for (const token of Object.keys(schema.resources)) if ((await lookup(bucket, prefix, manifest, token))?.token !== token) missing.push(JSON.stringify(token));
    expect(missing).toEqual([]);
    // A resource's index line carries its supporting type's range: the type's token kept its U+FEFF through the types table.
    const indexLines = contentDecoder.decode(await (await bucket.get(`${prefix}index.tsv`))!.arrayBuffer()).split("\n");
    const lead = indexLines.find((l) => l.startsWith("\ufeffacmecloud:x/r:Lead000\t"));
    const ctl = indexLines.find((l) => l.startsWith("acmecloud:x/r:Ctl\t"));
    expect(ctl?.split("\t")[4], "the control's supporting type's range").toMatch(/^\d+:\d+/);
    expect(lead?.split("\t")[4], "the supporting type's range").toMatch(/^\d+:\d+/);
    const trigrams = contentDecoder.decode(await (await bucket.get(artifacts[artifactName("search-trigrams.tsv")]!))!.arrayBuffer());
    expect(trigrams).toContain('"\ufeffwi"\t');
    await discardDerivation(bucket, input);
  });

  it("a pack step reads the kinds table's adjacent blocks together (one read for a table under 1 MiB, however small its blocks) and the schema once", async () => {
    const input = await stage("steps/kind-reads/", skylineSchemaJson, skylineReadme, skylineInstallation);
    const reads: string[] = [];
    const counting = new Proxy(bucket, {
      get(target, prop) {
        if (prop === "get") return (key: string, options?: R2GetOptions) => (reads.push(key), target.get(key, options));
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    let state: unknown = null;
    let packSteps = 0;
    let packSchemaReads = 0;
    for (;;) {
      const packing = (state as { phase?: string } | null)?.phase === "pack";
      const before = reads.length;
      // Pack steps of the whole schema, each referring to types all over a table of tiny blocks, in one part.
      const result = await deriveStep(counting, input, state, { ...TINY, packBytes: 1024 * 1024, kindBlockBytes: 60, kindRecords: 1_000_000 });
      if (packing) packSteps++;
      if (packing) packSchemaReads += reads.slice(before).filter((key) => key === input.schemaKey).length;
      if (result.done) break;
      state = result.state;
    }
    const fences = (await (await bucket.get(`${input.prefix}tmp/${input.workId}/kinds-fences`))?.json()) as unknown[] | undefined;
    // (60-byte blocks: the table has many.)
    expect(fences?.length ?? 0).toBeGreaterThan(3 * packSteps);
    const tableReads = reads.filter((key) => /\/kinds-table(-\d+)?$/.test(key)).length;
    expect(tableReads).toBeGreaterThan(0);
    expect(tableReads).toBeLessThanOrEqual(packSteps);
    // The schema's top-level members (name, version, meta, language…) come from the kinds step's top.json:
    // a pack step reads the schema once, for its entries.
    expect(packSchemaReads).toBe(packSteps);
    await discardDerivation(bucket, input);
  }, 60_000);

  it("a chain a release without the search index began (its state has none) ends without the index, leaving nothing behind", async () => {
    const input = await stage("steps/no-search/", JSON.stringify(docsSchema), docsReadme, docsInstallation);
    let state: unknown = null;
    let result;
    for (;;) {
      result = await deriveStep(bucket, input, state, TINY);
      if (result.done) break;
      state = result.state;
      // What a release before the index carried into the index phase: none of the search fields.
      const s = state as { phase: string; search?: unknown; searchMembers?: unknown; grams?: unknown };
      if (s.phase === "index") {
        delete s.search;
        delete s.searchMembers;
        delete s.grams;
      }
    }
    const names = Object.keys(result.artifacts);
    expect(names).toContain(artifactName("nav-head.json"));
    for (const o of SEARCH_OBJECTS) expect(names).not.toContain(artifactName(o));
    const written = await objectsUnder(input.prefix);
    expect([...written.keys()].filter((k) => k.includes("search-"))).toEqual([]);
    await discardDerivation(bucket, input);
    expect((await objectsUnder(`${input.prefix}tmp/`)).size).toBe(0);
  }, 60_000);

  it("a step run again with the same state writes identical objects and no extra temporary one", async () => {
    const input = await stage("steps/rerun/", JSON.stringify(docsSchema), docsReadme, docsInstallation);
    const reruns: string[] = [];
    let runs = 0;
    const { artifacts } = await chain(input, TINY, async () => undefined);
    // Replay: every state of the chain, run twice; the second run changes nothing under the prefix.
    await discardDerivation(bucket, input);
    let state: unknown = null;
    for (;;) {
      const first = await deriveStep(bucket, input, state, TINY);
      const before = await objectsUnder(input.prefix);
      const again = await deriveStep(bucket, input, state, TINY);
      runs++;
      const after = await objectsUnder(input.prefix);
      expect(again).toEqual(first);
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [k, v] of before) if (after.get(k) !== v) reruns.push(k);
      if (first.done) break;
      state = first.state;
    }
    expect(runs).toBeGreaterThan(6);
    expect(reruns).toEqual([]);
    await expectSameDocs(input, artifacts);
  }, 60_000);

  it("a pack over one multipart part: same objects, a re-run pack step, and a discard mid-way that aborts the upload", { timeout: 120_000 }, async () => {
    const input = await stage("steps/big/", bigSchema(), docsReadme, docsInstallation);
    const limits: Partial<StepLimits> = { scanBytes: 1024 * 1024, packBytes: 512 * 1024 };
    let uploads = 0;
    const { artifacts, states } = await chain(input, limits, async (state) => {
      if ((state as { pack: { upload: string | null } }).pack.upload) uploads++;
    });
    expect(uploads).toBeGreaterThan(0);
    await expectSameDocs(input, artifacts);
    expect((await bucket.head(artifacts["docs.pack"]!))!.size).toBeGreaterThan(5 * 1024 * 1024);
    // The pack step that fills the first part stops there: what it leaves for the next step is one entry's record
    // at most, not the rest of its slice.
    const packStates = states.filter((st) => (st as { phase: string }).phase === "pack") as Array<{ pack: { parts: number; tail: number } }>;
    const firstPart = packStates.find((st) => st.pack.parts === 1)!;
    expect(firstPart.pack.tail).toBeLessThan(16 * 1024);

    // Mid-way: the step that starts the upload, run twice with the same state, answers the same upload
    // and parts; discarding then deletes every temporary object and aborts the upload.
    const midway = { ...input, prefix: "steps/big/midway/", workId: "w2" };
    const mid = states.findIndex((s) => (s as { pack: { upload: string | null } }).pack.upload !== null);
    let state: unknown = null;
    for (let i = 0; i < mid; i++) state = ((await deriveStep(bucket, midway, state, limits)) as { state: unknown }).state;
    type Packing = { state: { pack: { upload: string; parts: number } } };
    const first = (await deriveStep(bucket, midway, state, limits)) as Packing;
    const tail = await objectsUnder("steps/big/midway/tmp/w2/");
    const again = (await deriveStep(bucket, midway, state, limits)) as Packing;
    expect(again).toEqual(first);
    expect(first.state.pack.parts).toBeGreaterThan(0);
    // The same objects; only the etags R2 gave the parts uploaded again differ.
    const after = await objectsUnder("steps/big/midway/tmp/w2/");
    expect([...after.keys()].sort()).toEqual([...tail.keys()].sort());
    for (const [k, v] of tail) if (!k.includes("-etags-")) expect(after.get(k), k).toBe(v);
    await discardDerivation(bucket, midway);
    expect((await objectsUnder("steps/big/midway/")).size).toBe(0);
    await expect(bucket.resumeMultipartUpload("steps/big/midway/pack", first.state.pack.upload).complete([])).rejects.toThrow();
  });

  it("a schema that is not JSON fails the derivation, and its discard leaves nothing", async () => {
    const input = await stage("steps/broken/", JSON.stringify(docsSchema).slice(0, -40), docsReadme, docsInstallation);
    await expect(chain(input, TINY)).rejects.toThrow(/not valid JSON/);
    await discardDerivation(bucket, input);
    expect((await objectsUnder(input.prefix)).size).toBe(0);
  });

  it("a chain a release writing docs format 2 started (its state has no format) starts over in format 4, leaving none of its objects", async () => {
    const input = await stage("steps/upgrade/", JSON.stringify(docsSchema), docsReadme, docsInstallation);
    // The old chain, stopped in its pack phase with temporaries written; its state as that release kept it.
    let state: unknown = null;
    for (;;) {
      const r = await deriveStep(bucket, input, state, TINY);
      if (r.done) throw new Error("finished before the pack phase");
      state = r.state;
      if ((state as { phase: string; step: number }).phase === "pack" && (state as { step: number }).step >= 2) break;
    }
    const old = { ...(state as Record<string, unknown>) };
    delete old.format;
    const leftover = `${input.prefix}tmp/${input.workId}/from-the-old-release`;
    await bucket.put(leftover, "format 2 temporaries");
    const restarted = await deriveStep(bucket, input, old, TINY);
    expect(restarted.done).toBe(false);
    // The step discarded the old temporaries and ran the new chain's first step.
    expect(await bucket.head(leftover)).toBeNull();
    // 304: outputs' tails kept as pending ranges, the posting lists in steps of their own, records that refer to the
    // schema (docs format 4), the kinds table in steps of its own (derive-steps.ts KINDS_STATE).
    expect((restarted as { state: { phase: string; format: number } }).state.format).toBe(304);
    expect((restarted as { state: { step: number } }).state.step).toBe(1);
    let next = restarted;
    while (!next.done) next = await deriveStep(bucket, input, next.state, TINY);
    await expectSameDocs(input, next.artifacts);
  }, 60_000);

  it("writes each step's bytes of an output smaller than a part once, not the whole tail again every step", { timeout: 120_000 }, async () => {
    const input = await stage("steps/once/", bigSchema(), docsReadme, docsInstallation);
    const limits: Partial<StepLimits> = { scanBytes: 1024 * 1024, packBytes: 512 * 1024, indexRecords: 150 };
    const { artifacts, states } = await chain(input, limits);
    await expectSameDocs(input, artifacts);
    const indexSteps = states.filter((st) => (st as { phase: string }).phase === "index").length;
    expect(indexSteps).toBeGreaterThan(5);
    // index.tsv stays under one part: its bytes wait across steps, each step's written once in its own tail object.
    const index = (await bucket.head(artifacts["docs.index"]!))!.size;
    expect(index).toBeLessThan(5 * 1024 * 1024);
    const tails = await bucket.list({ prefix: `${input.prefix}tmp/${input.workId}/index.tsv-tail-` });
    expect(tails.objects.length).toBeGreaterThan(5);
    expect(tails.objects.reduce((n, o) => n + o.size, 0)).toBe(index);
    await discardDerivation(bucket, input);
  });

  it("continues a chain of the release before pending tails (format 3, each output's tail in one object), with the same docs", { timeout: 120_000 }, async () => {
    const input = await stage("steps/legacy-tail/", bigSchema(), docsReadme, docsInstallation);
    const limits: Partial<StepLimits> = { scanBytes: 1024 * 1024, packBytes: 512 * 1024, indexRecords: 150 };
    // Run into the index phase as a chain of docs format 3 (packed as the releases before format 4 pack: records that
    // copy their entries), then rewrite the state as that release kept it: format 3, and each output's pending
    // bytes in the one object `<name>-tail-<tailStep>`.
    let state: unknown = await asFormat(input, await deriveStep(bucket, input, null, limits), 302);
    for (;;) {
      const r = await deriveStep(bucket, input, state, limits);
      if (r.done) throw new Error("finished before the index phase");
      state = r.state;
      const st = state as { phase: string; step: number };
      if (st.phase === "index" && st.step >= 3) break;
    }
    type Part = { tail: number; tailStep: number; pending?: Array<[number, number, number]> };
    const old = structuredClone(state) as Record<string, unknown> & { format: number };
    old.format = 3;
    let legacy = 0;
    for (const [field, name] of [["pack", "pack"], ["index", "index.tsv"], ["examples", "examples.tsv"], ["searchMembers", "search-members.jsonl"]] as const) {
      const part = old[field] as Part;
      const pending = part.pending!;
      delete part.pending;
      if (!part.tail) continue;
      const bytes = await Promise.all(pending.map(async ([step, offset, length]) => new Uint8Array(await (await bucket.get(`${input.prefix}tmp/${input.workId}/${name}-tail-${step}`, { range: { offset, length } }))!.arrayBuffer())));
      const whole = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
      bytes.reduce((at, b) => (whole.set(b, at), at + b.byteLength), 0);
      // The earlier steps' objects go: only the one tail object of that release is read.
      for (const [step] of pending) await bucket.delete(`${input.prefix}tmp/${input.workId}/${name}-tail-${step}`);
      await bucket.put(`${input.prefix}tmp/${input.workId}/${name}-tail-${part.tailStep}`, whole);
      if (pending.length > 1) legacy++;
    }
    expect(legacy).toBeGreaterThan(0);
    const step = (old as unknown as { step: number }).step;
    let next = await deriveStep(bucket, input, old, limits);
    // The chain stays in that release's form to its end (format 3, no `pending`): that release's isolate can run any
    // of its next steps while a deploy rolls out, instead of starting it over at every step this release ran. And
    // the step wrote what that release writes for the same state: each output's whole tail (the old one and the
    // step's bytes) in `<name>-tail-<step>`. A duplicate of the step on that release's isolate overwrites it with the
    // same bytes; a tail object holding only the step's bytes would be overwritten with the whole tail, and the next
    // step would read its first bytes as the step's.
    const stepped = (next as { state: Record<string, unknown> & { format: number } }).state;
    expect(stepped.format).toBe(3);
    for (const [field, name] of [["pack", "pack"], ["index", "index.tsv"], ["examples", "examples.tsv"], ["searchMembers", "search-members.jsonl"]] as const) {
      const before = old[field] as Part & { parts: number };
      const part = stepped[field] as Part & { parts: number };
      expect("pending" in part, field).toBe(false);
      if (field === "pack" || !part.tail) continue;
      expect(part.tailStep, field).toBe(step);
      const object = await bucket.get(`${input.prefix}tmp/${input.workId}/${name}-tail-${step}`);
      expect(object?.size, field).toBe(part.tail);
      // It begins with that release's tail (when no part took it).
      if (before.tail && part.parts === before.parts) {
        const head = new Uint8Array(await object!.arrayBuffer()).subarray(0, before.tail);
        const legacyTail = new Uint8Array(await (await bucket.get(`${input.prefix}tmp/${input.workId}/${name}-tail-${before.tailStep}`))!.arrayBuffer());
        expect(head, field).toEqual(legacyTail);
      }
    }
    const states: unknown[] = [];
    while (!next.done) {
      states.push(next.state);
      next = await deriveStep(bucket, input, next.state, limits);
    }
    for (const st of states) {
      expect((st as { format: number }).format).toBe(3);
      expect(JSON.stringify(st)).not.toContain('"pending"');
    }
    await expectSameDocs(input, next.artifacts, 3);
    await discardDerivation(bucket, input);
  });

  it("a chain the release before pending tails began runs to its end in that release's form (format 3, no pending ranges), with the same docs", { timeout: 120_000 }, async () => {
    const input = await stage("steps/legacy-whole/", bigSchema(), docsReadme, docsInstallation);
    const limits: Partial<StepLimits> = { scanBytes: 1024 * 1024, packBytes: 512 * 1024, indexRecords: 150 };
    // That release's first step: its state is this release's but for the format and the pack's `pending`.
    const old = (await asFormat(input, await deriveStep(bucket, input, null, limits), 3)) as { format: number; pack: { pending?: unknown } };
    delete old.pack.pending;
    let next = await deriveStep(bucket, input, old, limits);
    const phases = new Set<string>();
    while (!next.done) {
      const st = next.state as { format: number; phase: string };
      phases.add(st.phase);
      // Every state is one that release steps as its own (it would carry a `pending` on unchanged, stale).
      expect(st.format).toBe(3);
      expect(JSON.stringify(st)).not.toContain('"pending"');
      next = await deriveStep(bucket, input, next.state, limits);
    }
    expect([...phases]).toEqual(expect.arrayContaining(["pack", "index", "finish"]));
    await expectSameDocs(input, next.artifacts, 3);
    await discardDerivation(bucket, input);
  });

  it("a chain of the release before the postings phase (301) runs to its end in that form: pending tails, the posting lists written by the nav step, the same docs", { timeout: 120_000 }, async () => {
    const input = await stage("steps/pending-whole/", bigSchema(), docsReadme, docsInstallation);
    const limits: Partial<StepLimits> = { scanBytes: 1024 * 1024, packBytes: 512 * 1024, indexRecords: 150 };
    const old = await asFormat(input, await deriveStep(bucket, input, null, limits), 301);
    let next = await deriveStep(bucket, input, old, limits);
    const phases = new Set<string>();
    let pending = false;
    while (!next.done) {
      const st = next.state as { format: number; phase: string; pack: { pending?: unknown } };
      phases.add(st.phase);
      // A state that release steps as its own: no field it does not know (it would carry it on, stale).
      expect(st.format).toBe(301);
      expect(JSON.stringify(st)).not.toContain('"postings"');
      pending ||= Array.isArray(st.pack.pending);
      next = await deriveStep(bucket, input, next.state, limits);
    }
    expect(pending).toBe(true);
    expect([...phases]).toEqual(expect.arrayContaining(["pack", "index", "nav", "finish"]));
    expect([...phases]).not.toContain("postings");
    await expectSameDocs(input, next.artifacts, 3);
    await discardDerivation(bucket, input);
  });

  it("a chain the release before began (303) runs to its end in that form: the kinds table whole, in one step, and the same docs", { timeout: 120_000 }, async () => {
    const input = await stage("steps/reference-state/", JSON.stringify(docsSchema), docsReadme, docsInstallation);
    let next = await deriveStep(bucket, input, await asFormat(input, await deriveStep(bucket, input, null, TINY), 303), TINY);
    let kindsSteps = 0;
    while (!next.done) {
      const st = next.state as { format: number; phase: string; kindCursors?: unknown };
      // A state that release steps as its own: no field it does not know (it would carry it on, stale).
      expect(st.format).toBe(303);
      expect(st.kindCursors).toBeUndefined();
      if (st.phase === "kinds") kindsSteps++;
      next = await deriveStep(bucket, input, next.state, TINY);
    }
    // (TINY's 2 kind records a step would make many.) That release's objects: `kinds-table`, fences without parts.
    expect(kindsSteps).toBe(1);
    await expectSameDocs(input, next.artifacts);
    const tmpObjects = await objectsUnder(`${input.prefix}tmp/${input.workId}/`);
    expect(tmpObjects.has("kinds-table")).toBe(true);
    expect([...tmpObjects.keys()].some((k) => k.startsWith("kinds-table-"))).toBe(false);
    expect((JSON.parse(tmpObjects.get("kinds-fences")!) as unknown[][]).every((f) => f.length === 3)).toBe(true);
    await discardDerivation(bucket, input);
  });

  it("this release's chain writes the kinds table in parts, each token once with its last kind, the joined fences naming their parts", async () => {
    const input = await stage("steps/kinds-parts/", JSON.stringify(docsSchema), docsReadme, docsInstallation);
    const { artifacts, states } = await chain(input, TINY);
    expect(states.filter((st) => (st as { phase: string }).phase === "kinds").length).toBeGreaterThanOrEqual(2);
    await expectSameDocs(input, artifacts);
    const tmpObjects = await objectsUnder(`${input.prefix}tmp/${input.workId}/`);
    const fences = JSON.parse(tmpObjects.get("kinds-fences")!) as Array<[string, number, number, number]>;
    const parts = new Set(fences.map((f) => f[3]));
    expect(parts.size).toBeGreaterThanOrEqual(2);
    // Each part's fences, in the joined list, are its own object's blocks, in order; tokens in order across parts, once each.
    const tokens: string[] = [];
    for (const part of parts) {
      const text = tmpObjects.get(`kinds-table-${part}`)!;
      const own = fences.filter((f) => f[3] === part);
      expect(own.reduce((sum, f) => sum + f[2], 0)).toBe(new TextEncoder().encode(text).byteLength);
      for (const line of text.split("\n").filter(Boolean)) tokens.push(JSON.parse(line.slice(0, line.lastIndexOf("\t"))) as string);
    }
    expect(tokens).toEqual([...new Set(tokens)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(tokens.length).toBe(Object.keys((docsSchema as { types: object }).types).length);
    await discardDerivation(bucket, input);
  }, 60_000);

  it("a chain whose temporaries an isolate of the release before discarded, cut off before its own state was stored, starts over instead of failing at every try", { timeout: 120_000 }, async () => {
    // That release (303) starts a 304 chain over: it discards the chain's temporaries and open uploads, then runs its own
    // first step (writing its own chain marker). Cut off in between (a deploy evicting it, the CPU limit), the job keeps
    // the 304 state and tries the step again; on this release's isolate the state names objects that are gone: "is
    // missing" at every try, until the job failed.
    for (const [name, leftovers] of [["discarded", false], ["discarded, and that release's first step written", true]] as const) {
      const input = await stage(`steps/cut-off-${leftovers ? "begun" : "bare"}/`, bigSchema(), docsReadme, docsInstallation);
      const limits: Partial<StepLimits> = { scanBytes: 1024 * 1024, packBytes: 512 * 1024, indexRecords: 150 };
      let state: unknown = null;
      for (;;) {
        const r = await deriveStep(bucket, input, state, limits);
        if (r.done) throw new Error("finished before the index phase");
        state = r.state;
        const st = state as { phase: string; step: number; format: number };
        expect(st.format).toBe(304);
        if (st.phase === "index" && st.step >= 2) break;
      }
      // What that release's step did before it was cut off: this release's discardDerivation is the same code.
      await discardDerivation(bucket, input);
      if (leftovers) {
        // …and, in the second case, its own first step (a 303 chain's, as that release begins it: its marker, then the
        // scan step) written too.
        await bucket.put(`${input.prefix}tmp/${input.workId}/!chain`, "303");
        const part = { upload: null, parts: 0, etagSteps: [], tail: 0, tailStep: 0, pending: [], bytes: 0 };
        const begun = { format: 303, phase: "scan", step: 0, scan: newScanState(), top: {}, lists: [], kindRuns: [], list: 0, at: 0, pack: part, members: [], types: [] };
        expect(((await deriveStep(bucket, input, begun, limits)) as { state: { format: number } }).state.format).toBe(303);
      }
      let next = await deriveStep(bucket, input, state, limits);
      while (!next.done) next = await deriveStep(bucket, input, next.state, limits);
      await expectSameDocs(input, next.artifacts);
      await discardDerivation(bucket, input);
      expect((await objectsUnder(`${input.prefix}tmp/`)).size, name).toBe(0);
    }
  });

  // review-fences: the fixtures above are too small for any head's fences to leave it; this one's are not.
  describe("a package whose three heads keep only the roots of their fences' trees", () => {
    /**
     * `modules` modules named in 2,500 characters, one resource each named by `cjk` pseudo-random CJK characters. The
     * default: ~2.8 KiB tokens, 16,000 distinct trigrams (SearchLines' partial block, carried in the step state,
     * stays under 32 KiB).
     */
    function treeSchema(modules = 160, cjk = 100): string {
      let seed = 7;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
      const resources: Record<string, unknown> = {};
      for (let m = 0; m < modules; m++) {
        let name = "R";
        for (let i = 0; i < cjk; i++) name += String.fromCharCode(0x4e00 + ((next() >> 10) % 0x5000));
        resources[`trees:m${String(m).padStart(3, "0")}${"w".repeat(2500)}:${name}`] = { description: `resource ${m}`, properties: { id: { type: "string" } } };
      }
      return JSON.stringify({ name: "trees", version: "1.0.0", resources });
    }
    const STEPS: Partial<StepLimits> = { scanBytes: 64 * 1024, packBytes: 32 * 1024, indexRecords: 7 };

    async function expectTrees(artifacts: Record<string, string>, prefix: string) {
      const json = async <T>(name: string) => (await (await bucket.get(`${prefix}${name}`))!.json()) as T;
      const manifest = await json<Manifest>("manifest.json");
      const nav = await json<NavHead>("nav-head.json");
      const search = await json<SearchHead>("search-head.json");
      for (const head of [manifest, nav, search]) {
        expect(head.fences).toEqual([]);
        expect(head.fenceTree!.levels).toBeGreaterThan(0);
      }
      for (const o of ["index-fences.tsv", "nav-fences.tsv", "search-fences.tsv"] as const) expect(artifacts[artifactName(o)], o).toBe(prefix + o);
      // Every object the chain left under its prefix is in the artifact map (what retire deletes), and the other way round.
      const left = [...(await objectsUnder(prefix)).keys()].filter((k) => !k.startsWith("tmp/")).map((k) => prefix + k);
      expect(left.sort()).toEqual(Object.values(artifacts).sort());
    }

    it("the step chain writes the trees deriveDocs writes, byte for byte, and records their objects", async () => {
      const input = await stage("steps/trees/", treeSchema(), "# Trees\n", "");
      const { artifacts } = await chain(input, STEPS);
      await expectSameDocs(input, artifacts);
      await expectTrees(artifacts, input.prefix);
      await discardDerivation(bucket, input);
    }, 120_000);

    it("a chain the previous release began (its index state without fenceAt, its search block inline) finishes here with every object recorded and found, the same search index", async () => {
      const input = await stage("steps/trees-old/", treeSchema(), "# Trees\n", "");
      let state: unknown = null;
      let result;
      for (;;) {
        result = await deriveStep(bucket, input, state, STEPS);
        if (result.done) break;
        state = JSON.parse(JSON.stringify(result.state));
        // What that release kept: IndexLines' counters without fenceAt (before blocks were cut by bytes), and
        // SearchLines' partial block inline (before it went to a temporary object).
        const s = state as { phase: string; lines?: { fenceAt?: number }; search?: { blockGrams: string[] }; searchBlock?: string };
        if (s.phase === "index" && s.lines) delete s.lines.fenceAt;
        if (s.searchBlock) {
          s.search!.blockGrams = (await (await bucket.get(`${input.prefix}tmp/${input.workId}/${s.searchBlock}`))!.json()) as string[];
          delete s.searchBlock;
        }
      }
      await expectTrees(result.artifacts, input.prefix);
      const manifest = (await readManifest(bucket, input.prefix))!;
      const tokens = JSON.parse(treeSchema()).resources as Record<string, unknown>;
      for (const token of Object.keys(tokens)) expect((await lookup(bucket, input.prefix, manifest, token))?.token).toBe(token);
      expect(await lookup(bucket, input.prefix, manifest, "trees:m00")).toBeUndefined();
      // The search index is the one deriveDocs writes (the inline partial blocks read back as before).
      const reference = await deriveDocs(bucket, { schemaKey: input.schemaKey, readmeKey: input.readmeKey, installationKey: input.installationKey });
      for (const o of ["search-postings.bin", "search-trigrams.tsv", "search-head.json", "search-fences.tsv", "search-members.jsonl"] as const) {
        const bytes = async (key: string) => new Uint8Array(await (await bucket.get(key))!.arrayBuffer());
        expect(await bytes(result.artifacts[artifactName(o)]!), o).toEqual(await bytes(reference[artifactName(o)]!));
      }
      await discardDerivation(bucket, input);
    }, 120_000);

    // SearchLines' partial block's distinct trigrams (up to 15 members' worth) were carried in the step state: 38 KiB
    // here at 40 members of 400 CJK characters, megabytes at worst. They go to a temporary object now.
    it("the step state stays under 32 KiB whatever the members' names, and the docs are those deriveDocs writes", async () => {
      const input = await stage("steps/trees-state/", treeSchema(40, 400), "# Trees\n", "");
      let state: unknown = null;
      let largest = 0;
      let spilled = false;
      for (;;) {
        const result = await deriveStep(bucket, input, state, STEPS);
        if (result.done) break;
        state = result.state;
        largest = Math.max(largest, JSON.stringify(state).length);
        spilled ||= !!(state as { searchBlock?: string }).searchBlock;
      }
      expect(spilled).toBe(true);
      expect(largest).toBeLessThanOrEqual(32 * 1024);
      await discardDerivation(bucket, input);
      // The same bytes as deriveDocs (trigram postings included), in index steps of 3 records too.
      const { artifacts } = await chain(input, { ...STEPS, indexRecords: 3 });
      await expectSameDocs(input, artifacts);
      await discardDerivation(bucket, input);
      expect((await objectsUnder(`${input.prefix}tmp/`)).size).toBe(0);
    }, 240_000);
  });
});

// Issue 21, "bounded work": one huge entry (a resource of 50,000 inputs and 50,000 outputs, an enum of 50,000
// values, a resource reaching thousands of supporting types) and a package of 80,000 modules, fed to the docs
// answer, the member and type pages and the JSON nav. Asserted: what the answer shows (caps, totals, the notice
// and the schema link), the bytes out and the R2 bytes read, and that 5× the entry (or the modules) reads and
// answers the same amount (docs/route-budgets.md, "One huge entry" and "The JSON nav"). No timed assertions.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken, signIn } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { DocsAnswer, NavAnswer } from "../../src/openapi/api-docs-schemas";
import { MAX_ANSWER_DESCRIPTION_CHARS, MAX_ENTRY_DESCRIPTION_CHARS, MAX_ITEM_DESCRIPTION_CHARS, MAX_LIST_ITEMS, MAX_NAMED_ITEMS, MAX_SUPPORTING_TYPES, answerBudget, cutEntry } from "../../src/api-docs/entry-caps";
import { MAX_NAV_ITEMS, MAX_NAV_MODULES } from "../../src/api-docs/views";
import { cutStoredDocument, documentOf, type StoredDoc, type StoredProperty } from "../../src/api-docs/stored-form";
import { LANGUAGES } from "../../src/api-docs/languages";
import { MAX_AFTER } from "../../src/api-docs/query";
import { FENCE_NODE_BYTES } from "../../src/api-docs/fence-tree";

const KiB = 1024;
let token: string;
let cookie: string;
const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * `Big`: n inputs and n outputs, all required, one more input an enum of n values; `Wide`: n/5 inputs, each its own object type
 * (so it reaches n/5 supporting types); `Small`: two properties.
 */
function hugeSchema(name: string, n: number): string {
  const inputs: Record<string, unknown> = { level: { $ref: `#/types/${name}:index:Level` } };
  const outputs: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    inputs[`in${i}`] = { type: "string", description: `Input number ${i}.` };
    outputs[`out${i}`] = { type: "integer", description: `Output number ${i}.` };
  }
  const types: Record<string, unknown> = { [`${name}:index:Level`]: { type: "string", enum: Array.from({ length: n }, (_, i) => ({ name: `L${i}`, value: `l${i}`, description: `Level ${i}.` })) } };
  const wide: Record<string, unknown> = {};
  for (let i = 0; i < n / 5; i++) {
    wide[`w${i}`] = { $ref: `#/types/${name}:index:T${i}` };
    types[`${name}:index:T${i}`] = { type: "object", properties: { v: { type: "string" } } };
  }
  return JSON.stringify({
    name,
    version: "1.0.0",
    types,
    resources: {
      // Every property required: the lists of required names are as long as the properties.
      [`${name}:index:Big`]: { description: "A resource of very many properties.", inputProperties: inputs, requiredInputs: Object.keys(inputs).slice(1), properties: outputs, required: Object.keys(outputs) },
      [`${name}:index:Wide`]: { inputProperties: wide, properties: {} },
      [`${name}:index:Small`]: { inputProperties: { a: { type: "string" } }, properties: { b: { type: "string" } } },
    },
  });
}

async function apiRead(path: string, accept = "application/json") {
  const r = await call(path, { token, headers: { Accept: accept } });
  const body = await r.text();
  expect(r.status, body.slice(0, 300)).toBe(200);
  return { body, bytes: new TextEncoder().encode(body).byteLength, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")) };
}

async function page(path: string) {
  const r = await call(path, { headers: { Accept: "text/html", Cookie: cookie } });
  const body = await r.text();
  expect(r.status, body.slice(0, 300)).toBe(200);
  return { body, bytes: new TextEncoder().encode(body).byteLength, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")) };
}

/** The size of one derived docs object of a package (the test's own packages only: one version each). */
async function docsObjectSize(name: string, object: string): Promise<number> {
  let cursor: string | undefined;
  do {
    const page = await env.ARTIFACTS.list({ prefix: "", cursor });
    const found = page.objects.find((o) => o.key.includes(`/budget/${name}/`) && o.key.endsWith(`/docs/${object}`));
    if (found) return found.size;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  throw new Error(`no ${object} for ${name}`);
}

const docsPath = (name: string, resource: string, lang = "python") => `/api/registry/packages/pulumi/budget/${name}/versions/1.0.0/docs/${encodeURIComponent(`${name}:index:${resource}`)}?lang=${lang}`;

beforeAll(async () => {
  await createOrg("budget");
  token = (await createToken("budget", "publisher")).token;
  cookie = await signIn(token);
});

describe("one huge entry", () => {
  // huge-1x: 10,000 + 10,000 properties, a 10,000-value enum; huge-5x: five times that.
  beforeAll(async () => {
    await publishPackage(token, "pulumi/budget/huge-1x", "1.0.0", { schema: hugeSchema("huge-1x", 10_000) });
    await publishPackage(token, "pulumi/budget/huge-5x", "1.0.0", { schema: hugeSchema("huge-5x", 50_000) });
  }, 300_000);

  // First: the isolate keeps the ranges it read (derived-cache.ts), so each test's reads are first reads.
  it("the enum's type page lists its first MAX_LIST_ITEMS values and the total; 5× is the same size", async () => {
    // The manifest (one fence per 64 index lines: bigger at 5× the types), the head and the index block are
    // read by a first page of each package; the type page then reads the enum's record.
    await page("/packages/pulumi/budget/huge-1x/1.0.0/api/index/Small?lang=go");
    await page("/packages/pulumi/budget/huge-5x/1.0.0/api/index/Small?lang=go");
    const small = await page("/packages/pulumi/budget/huge-1x/1.0.0/types/index/Level?lang=go");
    const big = await page("/packages/pulumi/budget/huge-5x/1.0.0/types/index/Level?lang=go");
    expect(big.body).toContain(`The first ${fmt(MAX_LIST_ITEMS)} of 50,000 values are shown.`);
    expect(big.body).toContain("This entry is too large to show whole");
    expect(Math.abs(big.bytes - small.bytes)).toBeLessThan(small.bytes * 0.01);
    expect(Math.abs(big.r2Bytes - small.r2Bytes)).toBeLessThan(small.r2Bytes * 0.05);
  }, 60_000);

  it("5× the entry reads and answers the same bytes: the stored record is already cut", async () => {
    const small = await apiRead(docsPath("huge-1x", "Big", "go"));
    const big = await apiRead(docsPath("huge-5x", "Big", "go"));
    expect(JSON.parse(small.body).inputsTotal).toBe(10_001);
    // Same names and lengths but the totals' digits ("10,001" / "50,001"): the same size.
    expect(Math.abs(big.bytes - small.bytes)).toBeLessThan(64);
    expect(big.bytes).toBeLessThan(1536 * KiB);
    expect(big.r2Bytes).toBeGreaterThan(0);
    expect(Math.abs(big.r2Bytes - small.r2Bytes)).toBeLessThan(small.r2Bytes * 0.02);
    // The record is not the entry: far less than its 50,000 + 50,000 properties and 50,000 values.
    expect(big.r2Bytes).toBeLessThan(512 * KiB);
  }, 60_000);

  it("the docs answer lists the first MAX_LIST_ITEMS inputs and outputs, gives the totals and where the whole entry is, and stays valid for its schema", async () => {
    const read = await apiRead(docsPath("huge-5x", "Big"));
    const json = JSON.parse(read.body);
    expect(() => DocsAnswer.parse(json)).not.toThrow();
    expect(json.inputs).toHaveLength(MAX_LIST_ITEMS);
    expect(json.outputs).toHaveLength(MAX_LIST_ITEMS);
    expect(json.inputsTotal).toBe(50_001);
    expect(json.outputsTotal).toBe(50_000);
    // Schema order is kept: the first ones.
    expect(json.inputs[0].name.python).toBe("level");
    expect(json.inputs[0].required).toBe(false);
    expect(json.inputs[1].required).toBe(true);
    expect(json.outputs[999].required).toBe(true);
    expect(json.outputs[999].name.typescript).toBe("out999");
    // What is left of the answer's naming budget goes to the supporting enum: its first values, and its total.
    const level = json.supportingTypes.find((t: { token: string }) => t.token === "huge-5x:index:Level");
    expect(level.values).toHaveLength(MAX_NAMED_ITEMS - 2 * MAX_LIST_ITEMS);
    expect(level.valuesTotal).toBe(50_000);
    expect(json.truncated.schemaUrl).toBe("http://gateway.test/api/registry/packages/pulumi/budget/huge-5x/versions/1.0.0/schema");
    expect(json.truncated.notice).toContain(`the first ${fmt(MAX_LIST_ITEMS)} of 50,001 inputs`);
    expect(json.truncated.notice).toContain(`the first ${fmt(MAX_LIST_ITEMS)} of 50,000 outputs`);
    expect(json.truncated.notice).toContain(json.truncated.schemaUrl);
    // The schema link answers.
    expect((await call(json.truncated.schemaUrl, { token })).status).toBe(200);
  }, 60_000);

  it("markdown says what was cut, and a small entry of the same package answers whole", async () => {
    const md = await apiRead(docsPath("huge-5x", "Big"), "text/markdown");
    expect(md.body).toContain(`> This entry is too large to show whole: shown are the first ${fmt(MAX_LIST_ITEMS)} of 50,001 inputs`);
    const small = JSON.parse((await apiRead(docsPath("huge-5x", "Small"))).body);
    expect(small.truncated).toBeUndefined();
    expect(small.inputsTotal).toBeUndefined();
    expect(small.inputs).toHaveLength(1);
  });

  it("a resource reaching thousands of supporting types lists at most MAX_SUPPORTING_TYPES, and 5× of it reads the same", async () => {
    const small = await apiRead(docsPath("huge-1x", "Wide"));
    const big = await apiRead(docsPath("huge-5x", "Wide"));
    const [s, b] = [JSON.parse(small.body), JSON.parse(big.body)];
    expect(() => DocsAnswer.parse(b)).not.toThrow();
    // 2,000 types against 10,000 (and as many inputs, cut to 1,000): both past the caps.
    expect(s.supportingTypes).toHaveLength(MAX_SUPPORTING_TYPES);
    expect(b.supportingTypes).toHaveLength(MAX_SUPPORTING_TYPES);
    expect(s.inputsTotal).toBe(2000);
    expect(b.inputsTotal).toBe(10_000);
    expect(b.truncated.notice).toContain(`the first ${MAX_SUPPORTING_TYPES} supporting types of more`);
    expect(Math.abs(big.r2Bytes - small.r2Bytes)).toBeLessThan(small.r2Bytes * 0.05);
    expect(Math.abs(big.bytes - small.bytes)).toBeLessThan(small.bytes * 0.02);
  }, 60_000);

  it("the member page shows the first properties, says how many there are and links to the schema; 5× is the same size", async () => {
    const small = await page("/packages/pulumi/budget/huge-1x/1.0.0/api/index/Big?lang=python");
    const big = await page("/packages/pulumi/budget/huge-5x/1.0.0/api/index/Big?lang=python");
    expect(big.body).toContain(`The first ${fmt(MAX_LIST_ITEMS)} of 50,001 inputs are shown.`);
    expect(big.body).toContain(`The first ${fmt(MAX_LIST_ITEMS)} of 50,000 outputs are shown.`);
    expect(big.body).toContain(`The first ${fmt(MAX_NAMED_ITEMS - 2 * MAX_LIST_ITEMS)} of 50,000 values are shown.`);
    expect(big.body).toContain('href="http://gateway.test/api/registry/packages/pulumi/budget/huge-5x/versions/1.0.0/schema"');
    expect(Math.abs(big.bytes - small.bytes)).toBeLessThan(small.bytes * 0.01);
    // What earlier tests read is held by the isolate; what is left to read is the same at 5×.
    expect(Math.abs(big.r2Bytes - small.r2Bytes)).toBeLessThanOrEqual(small.r2Bytes * 0.05);
  }, 60_000);
});

describe("records derived before the cut (not stored cut) are cut when read, before anything is named", () => {
  /** Properties past the first `shown` throw if their spec is read: naming them would fail the test. */
  function trapped(n: number, shown: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const p: Record<string, unknown> = { type: "string" };
      if (i >= shown) Object.defineProperty(p, "language", { get: () => { throw new Error(`property ${i} was named`); }, enumerable: false });
      out[`p${i}`] = p;
    }
    return out;
  }

  it("format 3: a 50,000 + 50,000 record names only the first properties of each list", () => {
    const spec = { inputProperties: trapped(50_000, MAX_LIST_ITEMS), properties: trapped(50_000, MAX_LIST_ITEMS) };
    const doc = documentOf({ name: "old", language: {} }, { entry: "resources", token: "old:index:Big", kinds: {}, spec }) as StoredDoc;
    expect(doc.inputs).toHaveLength(MAX_LIST_ITEMS);
    expect(doc.outputs).toHaveLength(MAX_LIST_ITEMS);
    expect(doc.inputsTotal).toBe(50_000);
    expect(doc.outputsTotal).toBe(50_000);
  });

  it("the naming budget is shared: a second document gets what the first left", () => {
    const budget = answerBudget();
    documentOf({ name: "old", language: {} }, { entry: "resources", token: "old:index:Big", kinds: {}, spec: { inputProperties: trapped(5000, MAX_LIST_ITEMS), properties: trapped(5000, MAX_LIST_ITEMS) } }, budget);
    const left = MAX_NAMED_ITEMS - 2 * MAX_LIST_ITEMS;
    const type = documentOf({ name: "old", language: {} }, { entry: "types", token: "old:index:T", kinds: {}, spec: { type: "object", properties: trapped(5000, left) } }, budget);
    expect("properties" in type && type.properties).toHaveLength(left);
    expect("propertiesTotal" in type && type.propertiesTotal).toBe(5000);
  });

  it("descriptions: each within MAX_ITEM_DESCRIPTION_CHARS, all within MAX_ANSWER_DESCRIPTION_CHARS, the entry's own within MAX_ENTRY_DESCRIPTION_CHARS", () => {
    const properties: Record<string, unknown> = {};
    // 40 descriptions of 64 Ki characters: each cut to 16 Ki, and the answer's 256 Ki spent by the sixteenth.
    for (let i = 0; i < 40; i++) properties[`p${i}`] = { type: "string", description: "d".repeat(64 * 1024) };
    const { spec, totals } = cutEntry("types", { type: "object", description: "e".repeat(MAX_ENTRY_DESCRIPTION_CHARS + 10), properties }, answerBudget());
    const shown = Object.values(spec.properties as Record<string, { description: string }>).map((p) => p.description.length);
    expect(shown).toHaveLength(40);
    expect(shown[0]).toBe(MAX_ITEM_DESCRIPTION_CHARS);
    expect(shown.reduce((a, b) => a + b, 0)).toBe(MAX_ANSWER_DESCRIPTION_CHARS);
    expect(shown[39]).toBe(0);
    expect((spec.description as string).length).toBe(MAX_ENTRY_DESCRIPTION_CHARS);
    expect(totals.descriptions).toBe(41);
    expect(totals.properties).toBeUndefined();
    // A surrogate pair is never split.
    const { spec: pair } = cutEntry("types", { type: "object", properties: { p: { description: "a".repeat(MAX_ITEM_DESCRIPTION_CHARS - 1) + "😀" } } }, answerBudget());
    expect(((pair.properties as Record<string, { description: string }>).p!.description).length).toBe(MAX_ITEM_DESCRIPTION_CHARS - 1);
  });

  it("format 2 (named when derived): the lists are sliced and long descriptions shortened", () => {
    const per = Object.fromEntries(LANGUAGES.map((l) => [l, "x"])) as StoredProperty["name"];
    const prop = (i: number): StoredProperty => ({ name: per, type: per, required: false, replaceOnChanges: false, description: i === 0 ? "d".repeat(100_000) : `p${i}` });
    const doc: StoredDoc = { token: "old:index:Big", kind: "resource", name: per, inputs: Array.from({ length: 20_000 }, (_, i) => prop(i)), outputs: [] };
    const cut = cutStoredDocument(doc) as StoredDoc;
    expect(cut.inputs).toHaveLength(MAX_LIST_ITEMS);
    expect(cut.inputsTotal).toBe(20_000);
    expect(cut.outputsTotal).toBeUndefined();
    expect(cut.inputs[0]!.description!.length).toBe(16 * 1024);
    expect(cut.descriptionsCut).toBe(1);
  });
});

describe("the JSON nav of a package of very many modules", () => {
  const MANY = 80_000;
  const FIFTH = MANY / 5;
  /** One resource per module: the cheapest bytes per module. */
  const modulesSchema = (name: string, modules: number) => {
    const resources: Record<string, unknown> = {};
    for (let m = 0; m < modules; m++) resources[`${name}:m${m}:R`] = { properties: { id: { type: "string" } } };
    return JSON.stringify({ name, version: "1.0.0", resources });
  };
  const navPath = (name: string, query = "") => `/api/registry/packages/pulumi/budget/${name}/versions/1.0.0/nav${query}`;
  beforeAll(async () => {
    await publishPackage(token, "pulumi/budget/navs-1x", "1.0.0", { schema: modulesSchema("navs-1x", FIFTH) });
    await publishPackage(token, "pulumi/budget/navs-5x", "1.0.0", { schema: modulesSchema("navs-5x", MANY) });
  }, 600_000);

  it("lists the first MAX_NAV_MODULES modules, the total and the next answer's URL; 5× the modules reads and answers the same", async () => {
    const small = await apiRead(navPath("navs-1x"));
    const big = await apiRead(navPath("navs-5x"));
    const json = JSON.parse(big.body);
    expect(() => NavAnswer.parse(json)).not.toThrow();
    expect(json.modules).toHaveLength(MAX_NAV_MODULES);
    expect(json.modulesTotal).toBe(MANY);
    const last = json.modules[MAX_NAV_MODULES - 1].name;
    expect(json.modulesNextUrl).toBe(`http://gateway.test/api/registry/packages/pulumi/budget/navs-5x/versions/1.0.0/nav?after=${last}`);
    expect(JSON.parse(small.body).modulesTotal).toBe(FIFTH);
    // nav-summary.json of 80,000 modules is megabytes; the answer is 300 modules' lines, and the first read of a
    // version is its manifest and nav-head.json (their fences, one per 64 index lines / 128 modules, as they are
    // up to FENCE_ROOT_BYTES, past that the root of their tree) and no more.
    const [summary, head, manifest] = [await docsObjectSize("navs-5x", "nav-summary.json"), await docsObjectSize("navs-5x", "nav-head.json"), await docsObjectSize("navs-5x", "manifest.json")];
    expect(summary).toBeGreaterThan(4 * 1024 * KiB);
    expect(big.bytes).toBeLessThan(48 * KiB);
    expect(big.bytes).toBeLessThan(small.bytes * 1.1);
    expect(big.r2Bytes).toBeLessThanOrEqual(head + manifest);
    expect(big.r2Bytes).toBeLessThan(summary / 40);
    // Once the isolate holds them, a page from the middle of the list reads the same at 5× the modules.
    const smallNext = await apiRead(navPath("navs-1x", "?after=m5"));
    const bigNext = await apiRead(navPath("navs-5x", "?after=m5"));
    expect(JSON.parse(bigNext.body).modules).toHaveLength(MAX_NAV_MODULES);
    // …plus, at 5×, one node of the fences' tree (fence-tree.ts): the head of 80,000 modules keeps only its root.
    expect(bigNext.r2Bytes).toBeLessThan(smallNext.r2Bytes * 1.1 + FENCE_NODE_BYTES + 1024);
  }, 60_000);

  it("the continuation lists the next modules, none twice, and the end has no next URL; markdown says how many are listed", async () => {
    const first = JSON.parse((await apiRead(navPath("navs-5x"))).body);
    const second = await apiRead(first.modulesNextUrl);
    const next = JSON.parse(second.body);
    expect(() => NavAnswer.parse(next)).not.toThrow();
    expect(next.modules).toHaveLength(MAX_NAV_MODULES);
    expect(next.modules[0].name > first.modules[MAX_NAV_MODULES - 1].name).toBe(true);
    expect(next.modulesTotal).toBe(MANY);
    // A continuation reads blocks of nav-modules.tsv, not the list.
    expect(second.r2Bytes).toBeLessThan(64 * KiB);
    // m0 … m79999 in name order: only m9999 sorts after m9998.
    const end = JSON.parse((await apiRead(navPath("navs-5x", "?after=m9998"))).body);
    expect(end.modules.map((m: { name: string }) => m.name)).toEqual(["m9999"]);
    expect(end.modulesNextUrl).toBeUndefined();
    const md = await apiRead(navPath("navs-5x"), "text/markdown");
    expect(md.body).toContain(`${MAX_NAV_MODULES} of ${MANY} modules listed (the next ones: `);
  }, 60_000);

  it("depth=full is bounded the same way: at most MAX_NAV_MODULES modules and MAX_NAV_ITEMS members, read from their slices of nav.json", async () => {
    const small = await apiRead(navPath("navs-1x", "?depth=full&lang=python"));
    const big = await apiRead(navPath("navs-5x", "?depth=full&lang=python"));
    const json = JSON.parse(big.body);
    expect(() => NavAnswer.parse(json)).not.toThrow();
    expect(json.modules).toHaveLength(MAX_NAV_MODULES);
    expect(json.modules.flatMap((m: { resources: unknown[] }) => m.resources).length).toBeLessThanOrEqual(MAX_NAV_ITEMS);
    expect(json.modules[0].resources[0].name).toMatch(/\.R$/);
    expect(json.modulesNextUrl).toContain("depth=full");
    // The 300 modules' span of nav.json, the naming options (the manifest and head are held by now).
    expect(big.r2Bytes).toBeLessThan(64 * KiB);
    expect(big.r2Bytes).toBeLessThan(small.r2Bytes * 1.2 + 1024);
    expect(big.bytes).toBeLessThan(small.bytes * 1.1);
  }, 60_000);

  it("an after= that is empty or too long is a 400 naming it", async () => {
    for (const after of ["x".repeat(MAX_AFTER + 1), ""]) {
      const r = await call(navPath("navs-1x", `?after=${after}`), { token });
      expect(r.status).toBe(400);
      expect((await r.json()) as { message: string }).toMatchObject({ code: 400, message: expect.stringContaining("invalid after") });
    }
  });
});

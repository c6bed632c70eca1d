// Review of issue 21's bounded docs routes, as a hostile reader: the JSON nav's q and after=, and the member
// pages of a module read by bisection, fed odd names and queries.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken, signIn } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { MAX_NAV_MATCH_BLOCKS } from "../../src/api-docs/routes";

let token: string;
let cookie: string;

/** `modules` modules of `perModule` resources each. */
function wideSchema(name: string, modules: number, perModule: number): string {
  const resources: Record<string, unknown> = {};
  for (let m = 0; m < modules; m++) for (let r = 0; r < perModule; r++) resources[`${name}:m${m}:R${r}`] = { properties: { id: { type: "string" } } };
  return JSON.stringify({ name, version: "1.0.0", resources });
}

/** Names a page URL can carry ([A-Za-z0-9._-]) that a bisection must find in a module too big to read whole. */
const ODD = ["Zed", "aLower", "Dot.ted", "_under", "-dash", "9digit", "A", "zz.z", "Resource1_", "Resource1-"];
/** Neighbours no page URL names (apiRest refuses them), sorting among and around those. */
const UNREACHABLE = ["Tab\there", 'Quote"Back\\slash', "Émoji😀Face", "Ｆｕｌｌwidth", "Ünïcödé", "Spa ce", "Per%cent", "Plus+Amp&", "Zed\u0001", "aLower\u007f", "\ud83d\ude00"];

function oddSchema(name: string, many = 4000): string {
  const resources: Record<string, unknown> = {};
  const functions: Record<string, unknown> = {};
  for (let r = 0; r < many; r++) resources[`${name}:m0:Resource${r}`] = { properties: { id: { type: "string" } } };
  for (const odd of [...ODD, ...UNREACHABLE]) resources[`${name}:m0:${odd}`] = { description: `the ${odd} resource`, properties: { id: { type: "string" } } };
  // A token both a resource and a function, and a function alone past every resource.
  functions[`${name}:m0:Zed`] = { description: "the Zed function", inputs: { properties: {} } };
  functions[`${name}:m0:onlyFn`] = { description: "the onlyFn function", inputs: { properties: {} } };
  return JSON.stringify({ name, version: "1.0.0", resources, functions });
}

async function navSize(name: string): Promise<number> {
  const listed = await env.ARTIFACTS.list({ prefix: `packages/pulumi/navrev/${name}/` });
  return listed.objects.find((o) => o.key.endsWith("/docs/nav.json"))!.size;
}

async function nav(name: string, query: string) {
  const r = await call(`/api/registry/packages/pulumi/navrev/${name}/versions/1.0.0/nav?${query}`, { token });
  const text = await r.text();
  expect(r.status, text.slice(0, 300)).toBe(200);
  return { body: JSON.parse(text) as { modules: Array<{ name: string; resources?: Array<{ token: string }> }>; matchesTotal?: number; matchesComplete?: boolean }, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")) };
}

beforeAll(async () => {
  await createOrg("navrev");
  token = (await createToken("navrev", "publisher")).token;
  cookie = await signIn(token);
  await publishPackage(token, "pulumi/navrev/bigr", "1.0.0", { schema: wideSchema("bigr", 120, 400) });
  await publishPackage(token, "pulumi/navrev/oddr", "1.0.0", { schema: oddSchema("oddr") });
  await publishPackage(token, "pulumi/navrev/odds", "1.0.0", { schema: oddSchema("odds", 10) });
}, 300_000);

describe("the JSON nav with a q the index cannot search, of a big package", () => {
  for (const q of ["😀😀😀😀😀😀😀😀", "R1"]) {
    it(`reads a bounded part of nav.json (q=${q}) and says the answer is partial`, async () => {
      const { body, r2Bytes } = await nav("bigr", `q=${encodeURIComponent(q)}&lang=go&depth=full`);
      // The scan's budget (MAX_FILTER_NAV_BYTES, 256 KiB) and the version's small objects, not nav.json whole.
      expect(await navSize("bigr")).toBeGreaterThan(700 * 1024);
      expect(r2Bytes).toBeLessThan(320 * 1024);
      if (q === "R1") {
        expect(body.modules.length).toBeGreaterThan(0);
        expect(body.matchesComplete).toBe(false);
      }
    });
  }
});

describe("a member page in a module read by bisection, of odd names", () => {
  async function page(segment: string, name = "oddr") {
    const r = await call(`/packages/pulumi/navrev/${name}/1.0.0/api/m0/${encodeURIComponent(segment)}?lang=python`, { headers: { Accept: "text/html", Cookie: cookie } });
    return { status: r.status, body: await r.text() };
  }

  it("the module's lines are past what is read whole", async () => {
    const listed = await env.ARTIFACTS.list({ prefix: "packages/pulumi/navrev/oddr/" });
    expect(listed.objects.find((o) => o.key.endsWith("/docs/nav-members.tsv"))!.size).toBeGreaterThan(64 * 1024);
  });

  for (const odd of ODD) {
    it(`finds the resource ${JSON.stringify(odd)}`, async () => {
      const { status, body } = await page(odd);
      expect(status, body.slice(0, 300)).toBe(200);
      expect(body).toContain(`the ${odd} resource`);
    });
    it(`finds the resource ${JSON.stringify(odd)} in a small module`, async () => {
      const { status, body } = await page(odd, "odds");
      expect(status, body.slice(0, 300)).toBe(200);
    });
  }

  it("finds a function alone, and the resource of a token that is both", async () => {
    const fn = await page("onlyFn");
    expect(fn.status).toBe(200);
    expect(fn.body).toContain("the onlyFn function");
    const both = await page("Zed");
    expect(both.status).toBe(200);
    expect(both.body).toContain("the Zed resource");
  });
});

describe("a member whose token holds half of a surrogate pair", () => {
  beforeAll(async () => {
    const resources: Record<string, unknown> = { "lone:m0:Good": { properties: {} } };
    resources["lone:m0:Bad\ud800"] = { properties: {} };
    resources["lone:m\udc00x:Other"] = { properties: {} };
    await publishPackage(token, "pulumi/navrev/lone", "1.0.0", { schema: JSON.stringify({ name: "lone", version: "1.0.0", resources }) });
  }, 120_000);

  for (const path of ["/api", "/api/m0", "/api/m0/Good", "/api?q=Bad", "/api?q=Goo"]) {
    it(`leaves the page ${path} answering (no 500)`, async () => {
      const r = await call(`/packages/pulumi/navrev/lone/1.0.0${path}`, { headers: { Accept: "text/html", Cookie: cookie } });
      const body = await r.text();
      expect(r.status, body.slice(0, 300)).toBe(200);
    });
  }

  it("leaves the JSON nav answering", async () => {
    for (const q of ["", "&depth=full", "&depth=full&q=Bad", "&after=m0"]) {
      const r = await call(`/api/registry/packages/pulumi/navrev/lone/versions/1.0.0/nav?lang=go${q}`, { token });
      expect(r.status, q).toBe(200);
    }
  });
});

describe("the JSON nav with q whose matches lie in modules far apart", () => {
  beforeAll(async () => {
    // 8,000 modules of one member each; every 40th holds a "Hit": 200 matches, in modules across every block of nav-modules.tsv.
    const resources: Record<string, unknown> = {};
    for (let m = 0; m < 8000; m++) resources[`spread:m${String(m).padStart(5, "0")}:${m % 40 === 0 ? "Hit" : "Miss"}`] = { properties: {} };
    await publishPackage(token, "pulumi/navrev/spread", "1.0.0", { schema: JSON.stringify({ name: "spread", version: "1.0.0", resources }) });
  }, 240_000);

  it("looks up the matches' modules in a bounded number of reads", async () => {
    const r = await call("/api/registry/packages/pulumi/navrev/spread/versions/1.0.0/nav?q=Hit&lang=go&depth=full", { token });
    const text = await r.text();
    expect(r.status, text.slice(0, 300)).toBe(200);
    const body = JSON.parse(text) as { modules: Array<{ name: string; resources?: unknown[] }>; matchesTotal?: number };
    const listed = body.modules.reduce((n, m) => n + (m.resources?.length ?? 0), 0);
    // The matches whose modules lie in the first MAX_NAV_MATCH_BLOCKS blocks of 128 modules (every 40th module holds one).
    expect(listed).toBeGreaterThanOrEqual(Math.floor((MAX_NAV_MATCH_BLOCKS * 128) / 40));
    expect(body.matchesTotal).toBeGreaterThan(listed);
    // The version's objects, the index's (dictionary blocks, posting lists, ≤ 16 member reads) and ≤ 16 blocks of module totals: 25 calls (183 before).
    expect(Number(r.headers.get("X-Storage-Calls"))).toBeLessThanOrEqual(40);
  });

  it("the tree's filter over the same matches reads a bounded number of times too", async () => {
    for (const path of ["/api?q=Hit&lang=go", "/api?q=Mis&lang=go", "/api/m04000/Hit?lang=go", "/api/m04000?lang=go"]) {
      const r = await call(`/packages/pulumi/navrev/spread/1.0.0${path}`, { headers: { Accept: "text/html", Cookie: cookie } });
      const body = await r.text();
      expect(r.status, body.slice(0, 300)).toBe(200);
      expect(Number(r.headers.get("X-Storage-Calls")), path).toBeLessThanOrEqual(40);
    }
  });

  it("the JSON nav's continuation reads a bounded number of times", async () => {
    for (const query of ["depth=full", "depth=full&after=m04000", "after=m07990", "after=%EF%BF%BF", "depth=full&after=m"]) {
      const r = await call(`/api/registry/packages/pulumi/navrev/spread/versions/1.0.0/nav?${query}`, { token });
      const text = await r.text();
      expect(r.status, text.slice(0, 300)).toBe(200);
      expect(Number(r.headers.get("X-Storage-Calls")), query).toBeLessThanOrEqual(20);
    }
  });
});

describe("a module name holding a NUL (the sort key's separator)", () => {
  let published: unknown;
  beforeAll(async () => {
    const resources: Record<string, unknown> = {};
    for (const seg of ["Alpha", "Zed", "Zulu"]) resources[`nul:a:${seg}`] = { description: `the a ${seg} resource`, properties: {} };
    resources["nul:a\u00000Zed:B"] = { properties: {} };
    published = await publishPackage(token, "pulumi/navrev/nul", "1.0.0", { schema: JSON.stringify({ name: "nul", version: "1.0.0", resources }) }).catch((e: unknown) => e);
  }, 120_000);

  it("keeps every member of module a findable", async () => {
    expect(published instanceof Error ? published.message : "").toBe("");
    const r = await call("/api/registry/packages/pulumi/navrev/nul/versions/1.0.0/nav?depth=full", { token });
    const text = await r.text();
    expect(r.status, text.slice(0, 300)).toBe(200);
    const a = (JSON.parse(text) as { modules: Array<{ name: string; resources?: Array<{ token: string }> }> }).modules.filter((m) => m.name === "a");
    expect(a.length).toBe(1);
    expect(a[0]!.resources!.map((x) => x.token)).toEqual(["nul:a:Alpha", "nul:a:Zed", "nul:a:Zulu"]);
    for (const seg of ["Alpha", "Zed", "Zulu"]) {
      const p = await call(`/packages/pulumi/navrev/nul/1.0.0/api/a/${seg}?lang=go`, { headers: { Accept: "text/html", Cookie: cookie } });
      const body = await p.text();
      expect(p.status, seg).toBe(200);
      expect(body).toContain(`the a ${seg} resource`);
    }
  });
});

describe("a package whose member names hold many distinct trigrams", () => {
  let firstName = "";
  beforeAll(async () => {
    // 10,000 resources named by 16 pseudo-random CJK characters: ~14 new trigrams each, ~140,000 in the dictionary.
    let s = 21;
    const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
    const resources: Record<string, unknown> = {};
    for (let r = 0; r < 10_000; r++) {
      let name = "R";
      for (let i = 0; i < 16; i++) name += String.fromCharCode(0x4e00 + (next() % 0x5000));
      if (r === 0) firstName = name;
      resources[`cjk:m${r % 50}:${name}`] = { properties: {} };
    }
    await publishPackage(token, "pulumi/navrev/cjk", "1.0.0", { schema: JSON.stringify({ name: "cjk", version: "1.0.0", resources }) });
  }, 300_000);

  // search-head.json held a fence every 32 dictionary lines, so it grew with the package's distinct trigrams (86 KiB
  // here, at 10,000 members; linear), and every filter of 3 characters or more read it whole (review-21). Past
  // FENCE_ROOT_BYTES of fences the head keeps only the root of their tree (fence-tree.ts, search-fences.tsv).
  it("the filter's head stays small whatever the names", async () => {
    const listed = await env.ARTIFACTS.list({ prefix: "packages/pulumi/navrev/cjk/" });
    const head = listed.objects.find((o) => o.key.endsWith("/docs/search-head.json"))!;
    expect(head.size).toBeLessThanOrEqual(16 * 1024);
    expect(listed.objects.some((o) => o.key.endsWith("/docs/search-fences.tsv"))).toBe(true);
  });

  it("a filter still finds a member by three of its characters, reading a few KiB of the index", async () => {
    const q = firstName.slice(5, 8);
    const { body, r2Bytes } = await nav("cjk", `q=${encodeURIComponent(q)}&lang=go&depth=full`);
    const tokens = body.modules.flatMap((m) => (m.resources ?? []).map((r) => r.token));
    expect(tokens).toContain(`cjk:m0:${firstName}`);
    // The manifest, nav-head.json and the index's head, tree nodes, dictionary block, posting lists and member
    // lines: before, the head alone was 86 KiB.
    expect(r2Bytes).toBeLessThan(96 * 1024);
  });
});

describe("the JSON nav's continuation after a module of a long name", () => {
  beforeAll(async () => {
    // 320 modules; the 300th (the last of the first answer) has a name of 2,000 characters.
    const resources: Record<string, unknown> = {};
    for (let m = 0; m < 320; m++) resources[`longmod:m${String(m).padStart(3, "0")}${m === 299 ? "x".repeat(2000) : ""}:R`] = { properties: {} };
    await publishPackage(token, "pulumi/navrev/longmod", "1.0.0", { schema: JSON.stringify({ name: "longmod", version: "1.0.0", resources }) });
  }, 120_000);

  it("follows modulesNextUrl to the remaining modules", async () => {
    const first = await call("/api/registry/packages/pulumi/navrev/longmod/versions/1.0.0/nav", { token });
    const body = (await first.json()) as { modules: unknown[]; modulesNextUrl?: string };
    expect(body.modules.length).toBe(300);
    const next = await call(new URL(body.modulesNextUrl!).pathname + new URL(body.modulesNextUrl!).search, { token });
    const text = await next.text();
    expect(next.status, text.slice(0, 300)).toBe(200);
    expect((JSON.parse(text) as { modules: unknown[] }).modules.length).toBe(20);
  });
});

describe("a schema whose language block is megabytes", () => {
  beforeAll(async () => {
    const resources: Record<string, unknown> = { "langy:m0:R": { description: "the R resource", properties: {} } };
    const language = { nodejs: { junk: "x".repeat(2 * 1024 * 1024) } };
    await publishPackage(token, "pulumi/navrev/langy", "1.0.0", { schema: JSON.stringify({ name: "langy", version: "1.0.0", language, resources }) });
  }, 120_000);

  // The naming options (nav.json's `naming`, search-head.json's, the manifest's) keep only the settings the naming
  // rules read (languages/index.ts namingLanguage), with strings and maps capped: before, this page read 4,194,971
  // bytes for a 2 MiB junk key (review-21). A junk map under a setting the rules read is capped at 256 KiB.
  it("a member page does not read the language block's junk", async () => {
    const r = await call("/packages/pulumi/navrev/langy/1.0.0/api/m0/R?lang=go", { headers: { Accept: "text/html", Cookie: cookie } });
    const body = await r.text();
    expect(r.status, body.slice(0, 300)).toBe(200);
    expect(Number(r.headers.get("X-R2-Bytes-Read"))).toBeLessThan(512 * 1024);
  });
});

describe("a package of modules with long names", () => {
  beforeAll(async () => {
    // 300 modules named in 3,000 characters, one resource each: a 0.9 MB schema.
    const resources: Record<string, unknown> = {};
    for (let m = 0; m < 300; m++) resources[`longnames:m${String(m).padStart(3, "0")}${"y".repeat(3000)}:R`] = { properties: {} };
    await publishPackage(token, "pulumi/navrev/longnames", "1.0.0", { schema: JSON.stringify({ name: "longnames", version: "1.0.0", resources }) });
  }, 120_000);

  // nav-head.json lists the first 300 modules only as far as NAV_HEAD_FIRST_BYTES (64 KiB) of them hold; its fences
  // (a module name every 128 modules) still follow the names' length: 3 of them here.
  it("an API page reads a bounded nav-head.json", async () => {
    const r = await call("/packages/pulumi/navrev/longnames/1.0.0/api?lang=go", { headers: { Accept: "text/html", Cookie: cookie } });
    const body = await r.text();
    expect(r.status, body.slice(0, 300)).toBe(200);
    const listed = await env.ARTIFACTS.list({ prefix: "packages/pulumi/navrev/longnames/" });
    expect(listed.objects.find((o) => o.key.endsWith("/docs/nav-head.json"))!.size).toBeLessThan(64 * 1024 + 16 * 1024);
  });

  // review-fences: nav-head.json's first modules are cut at NAV_HEAD_FIRST_BYTES (~21 of these 300), and the JSON
  // nav's first page listed them and said `more` only when the package has over MAX_NAV_MODULES modules: here it
  // listed 21 modules, no modulesNextUrl, and the other 279 were never reachable by continuation.
  it("the JSON nav's pages, followed by modulesNextUrl, list every module once", async () => {
    const names: string[] = [];
    let path: string | undefined = "/api/registry/packages/pulumi/navrev/longnames/versions/1.0.0/nav";
    for (let pages = 0; path && pages < 60; pages++) {
      const r = await call(path, { token });
      const body = (await r.json()) as { modules: Array<{ name: string }>; modulesNextUrl?: string; modulesTotal?: number };
      expect(r.status).toBe(200);
      expect(body.modulesTotal).toBe(300);
      names.push(...body.modules.map((m) => m.name));
      path = body.modulesNextUrl ? new URL(body.modulesNextUrl).pathname + new URL(body.modulesNextUrl).search : undefined;
    }
    expect(names).toEqual(Array.from({ length: 300 }, (_, m) => `m${String(m).padStart(3, "0")}${"y".repeat(3000)}`));
  });
});

describe("a package of many modules with long names", () => {
  const NAME = (m: number) => `m${String(m).padStart(4, "0")}${"w".repeat(2000)}`;
  beforeAll(async () => {
    // 1,200 modules named in 2,000 characters, one resource each: 2.4 MB of module names. Their fences (a module
    // every 128, or every 16 KiB of nav-modules.tsv: ~8 modules here) and the manifest's (a token every 64 index
    // lines or 16 KiB) took ~300 KiB each, read by every API docs page.
    const resources: Record<string, unknown> = {};
    for (let m = 0; m < 1200; m++) resources[`longmany:${NAME(m)}:R`] = { properties: {} };
    await publishPackage(token, "pulumi/navrev/longmany", "1.0.0", { schema: JSON.stringify({ name: "longmany", version: "1.0.0", resources }) });
  }, 300_000);

  it("keeps the heads bounded: the fences' roots only, their trees in objects of their own", async () => {
    const listed = await env.ARTIFACTS.list({ prefix: "packages/pulumi/navrev/longmany/" });
    const size = (name: string) => listed.objects.find((o) => o.key.endsWith(`/docs/${name}`))?.size;
    expect(size("nav-head.json")).toBeLessThan(64 * 1024 + 16 * 1024);
    expect(size("manifest.json")).toBeLessThan(16 * 1024);
    expect(size("nav-fences.tsv")).toBeGreaterThan(64 * 1024);
    // Index blocks of 2 KiB tokens end at 64 lines (a block holds 64× its first token before a cut by bytes).
    expect(size("index-fences.tsv")).toBeGreaterThan(32 * 1024);
  });

  it("a continuation far into the modules reads a bounded part of them, and its next pages reach the last", async () => {
    // Blocks of nav-modules.tsv end at 16 KiB here (~8 modules): a continuation reads at most 4 of them and lists
    // fewer modules than 300, with modulesNextUrl for the rest.
    const names: string[] = [];
    let path: string | undefined = `/api/registry/packages/pulumi/navrev/longmany/versions/1.0.0/nav?after=${NAME(1150)}`;
    for (let pages = 0; path && pages < 20; pages++) {
      const r = await call(path, { token });
      const body = (await r.json()) as { modules: Array<{ name: string }>; modulesNextUrl?: string };
      expect(r.status).toBe(200);
      // nav-head.json (≤ 80 KiB), the manifest, tree nodes (≤ 2 long names each) and ≤ 4 blocks of ≤ 16 KiB + a line.
      expect(Number(r.headers.get("X-R2-Bytes-Read"))).toBeLessThan(256 * 1024);
      expect(body.modules.length).toBeGreaterThan(0);
      names.push(...body.modules.map((m) => m.name));
      path = body.modulesNextUrl ? new URL(body.modulesNextUrl).pathname + new URL(body.modulesNextUrl).search : undefined;
    }
    expect(names).toEqual(Array.from({ length: 49 }, (_, i) => NAME(1151 + i)));
  });

  it("the last member's module is found through the trees, with its members", async () => {
    const r = await call(`/api/registry/packages/pulumi/navrev/longmany/versions/1.0.0/nav?after=${NAME(1198)}&depth=full`, { token });
    const last = (await r.json()) as { modules: Array<{ name: string; resources?: Array<{ token: string }> }> };
    expect(last.modules.map((m) => m.resources?.map((x) => x.token))).toEqual([[`longmany:${NAME(1199)}:R`]]);
  });
});

describe("a manifest whose fences do not fit (48,000 members)", () => {
  it("keeps the root of their tree, and every member is found through it", async () => {
    const listed = await env.ARTIFACTS.list({ prefix: "packages/pulumi/navrev/bigr/" });
    const manifestKey = listed.objects.find((o) => o.key.endsWith("/docs/manifest.json"))!.key;
    const manifest = (await (await env.ARTIFACTS.get(manifestKey))!.json()) as { fences: unknown[]; fenceTree?: { levels: number; root: unknown[] } };
    expect(manifest.fences).toEqual([]);
    expect(manifest.fenceTree!.levels).toBeGreaterThan(0);
    expect(listed.objects.some((o) => o.key.endsWith("/docs/index-fences.tsv"))).toBe(true);
    for (const [member, status] of [["bigr:m0:R0", 200], ["bigr:m57:R123", 200], ["bigr:m99:R399", 200], ["bigr:m99:R3999", 404], ["aaa:m0:R0", 404], ["zzz:m0:R0", 404]] as const) {
      const r = await call(`/api/registry/packages/pulumi/navrev/bigr/versions/1.0.0/docs/${encodeURIComponent(member)}`, { token });
      expect(r.status, member).toBe(status);
      if (status === 200) expect(((await r.json()) as { token: string }).token).toBe(member);
    }
  });
});

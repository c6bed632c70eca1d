// Issue 21, "bounded work": the heavy page routes fed the worst input we can build, asserting the bounds
// that are not time (docs/route-budgets.md): bytes out, R2 bytes read, and that a README is rendered once
// per content (the stored rendering is what later renders read). Render time is shown by
// `npm run bench:pages` as a ratio to /healthz, never asserted here.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, call, countObjects, createOrg, createToken, signIn } from "./helpers";
import { docsSettled, publishPackage } from "./publish-helpers";
import { archiveOf, PULUMI_YAML, publishTemplate } from "./template-helpers";
import { pathologicalMarkdown } from "../../scripts/pathological-markdown.mjs";
import { MAX_MARKDOWN_CHARS } from "../../src/web/markdown";
import { MAX_LISTED_MODULES } from "../../src/web/api-docs-pages";
import { EXPANDED_MAX } from "../../src/web/api-docs-routes";

const KiB = 1024;
let token: string;
let cookie: string;

/** A signed-in page is rendered on every request (never from the edge cache): what a cache miss costs. */
async function rendered(path: string) {
  const r = await call(path, { headers: { Accept: "text/html", Cookie: cookie } });
  const body = await r.text();
  expect(r.status, body.slice(0, 300)).toBe(200);
  return { body, bytes: new TextEncoder().encode(body).byteLength, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")), r2Calls: Number(r.headers.get("X-Storage-Calls")) };
}

async function keysWith(part: string): Promise<Array<{ key: string; size: number }>> {
  const out: Array<{ key: string; size: number }> = [];
  let cursor: string | undefined;
  do {
    const page = await env.ARTIFACTS.list({ cursor });
    out.push(...page.objects.filter((o) => o.key.includes(part)).map((o) => ({ key: o.key, size: o.size })));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

/** A schema of `modules` modules with `perModule(i)` resources each and nothing else (the cheapest bytes per member). */
function wideSchema(name: string, modules: number, perModule: (module: number) => number): string {
  const resources: Record<string, unknown> = {};
  for (let m = 0; m < modules; m++) for (let r = 0; r < perModule(m); r++) resources[`${name}:m${m}:R${r}`] = { properties: { id: { type: "string" } } };
  return JSON.stringify({ name, version: "1.0.0", resources });
}

beforeAll(async () => {
  await createOrg("budget");
  token = (await createToken("budget", "publisher")).token;
  cookie = await signIn(token);
});

describe("a README past the render cap", () => {
  const readme = pathologicalMarkdown(5 * MAX_MARKDOWN_CHARS);

  it("renders its first MAX_MARKDOWN_CHARS characters, says so, and links to the whole text", async () => {
    await publishPackage(token, "pulumi/budget/heavy-readme", "1.0.0", { readme });
    const page = await rendered("/packages/pulumi/budget/heavy-readme/1.0.0");
    expect(page.body).toMatch(/This README is \d+ KiB of markdown; the first (12[0-8]) KiB are shown\./);
    expect(page.body).toContain('href="http://gateway.test/api/registry/packages/pulumi/budget/heavy-readme/versions/1.0.0/readme?lang=typescript"');
    // Bytes out: what 128 Ki characters of the worst markdown renders to, plus the page; 5× the input renders no more.
    expect(page.bytes).toBeLessThan(512 * KiB);
    expect(page.bytes).toBeGreaterThan(64 * KiB);
  });

  it("is rendered once: later renders read the stored HTML, not the text", async () => {
    const [stored] = await keysWith("/rendered/v1/readme-typescript-default-");
    expect(stored, "the first render stores its HTML beside the text").toBeDefined();
    const source = stored!.key.replace(/rendered\/v1\/[^/]*$/, "readme.json");
    const text = await env.ARTIFACTS.head(source);
    expect(text!.size).toBeGreaterThan(5 * MAX_MARKDOWN_CHARS);
    const again = await rendered("/packages/pulumi/budget/heavy-readme/1.0.0");
    // A render reads the stored HTML (and the page's other objects), never the 640 KiB text again.
    expect(again.r2Bytes).toBeGreaterThan(0);
    expect(again.r2Bytes).toBeLessThan(text!.size);
    // A text without choosers is the same in every language and OS: rendered once for all of them. Another
    // language's first view copies the stored rendering (it reads no text), and both are the one stored.
    const shared = (await keysWith("packages/pulumi/budget/heavy-readme/")).filter((o) => o.key.includes("/rendered/v1/readme-all-"));
    expect(shared).toHaveLength(1);
    const python = await rendered("/packages/pulumi/budget/heavy-readme/1.0.0?lang=python");
    expect(python.r2Bytes).toBeLessThan(text!.size);
    const pythonKey = stored!.key.replace("readme-typescript-default-", "readme-python-default-");
    expect(await (await env.ARTIFACTS.get(pythonKey))!.text()).toBe(await (await env.ARTIFACTS.get(shared[0]!.key))!.text());
    // And what it shows is what is stored: a stored rendering changed by hand is what the page shows.
    const value = (await (await env.ARTIFACTS.get(stored!.key))!.json()) as { html: string };
    await env.ARTIFACTS.put(stored!.key, JSON.stringify({ ...value, html: '<div class="markdown"><p>from-the-stored-rendering</p></div>' }));
    try {
      expect((await rendered("/packages/pulumi/budget/heavy-readme/1.0.0")).body).toContain("from-the-stored-rendering");
    } finally {
      await env.ARTIFACTS.put(stored!.key, JSON.stringify(value));
    }
  });

  it("deleting the version removes its stored renderings too: nothing is left under its folder", async () => {
    expect((await keysWith("packages/pulumi/budget/heavy-readme/")).filter((o) => o.key.includes("/rendered/")).length).toBeGreaterThan(1);
    expect((await call("/api/registry/packages/pulumi/budget/heavy-readme/versions/1.0.0", { method: "DELETE", token })).status).toBe(204);
    expect(await countObjects("packages/pulumi/budget/heavy-readme/")).toBe(0);
  });

  it("a version published before docs existed: its first page view says the docs are being generated, and once derived its README is rendered and stored", async () => {
    await publishPackage(token, "pulumi/budget/old-readme", "1.0.0", { readme: "# Old\n\nFrom **before** docs.\n" });
    const row = await env.DB.prepare("SELECT v.id, v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = 'old-readme'").first<{ id: string; artifacts: string }>();
    const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
    await env.ARTIFACTS.delete(Object.entries(artifacts).filter(([k]) => k.startsWith("docs.")).map(([, key]) => key));
    const kept = Object.fromEntries(Object.entries(artifacts).filter(([k]) => !k.startsWith("docs.")));
    // As the release before durable derivations left a version without docs: no status, no job.
    await env.DB.prepare("UPDATE versions SET artifacts = ?, docs_status = NULL WHERE id = ?").bind(JSON.stringify(kept), row!.id).run();
    await env.DB.prepare("DELETE FROM jobs WHERE subject = ?").bind(row!.id).run();
    const first = await rendered("/packages/pulumi/budget/old-readme/1.0.0");
    expect(first.body).toContain("Documentation is being generated");
    expect(await docsSettled(token, "pulumi/budget/old-readme", "1.0.0")).toBe("ready");
    const page = await rendered("/packages/pulumi/budget/old-readme/1.0.0");
    expect(page.body).toContain("From <strong>before</strong> docs.");
    expect((await keysWith("packages/pulumi/budget/old-readme/")).some((o) => o.key.includes("/rendered/v1/readme-"))).toBe(true);
  });

  it("a README under the cap is shown whole, without the notice", async () => {
    await publishPackage(token, "pulumi/budget/light-readme", "1.0.0", { readme: "# Light\n\nAll of it, **rendered**.\n" });
    const page = await rendered("/packages/pulumi/budget/light-readme/1.0.0");
    expect(page.body).toContain("<strong>rendered</strong>");
    expect(page.body).not.toContain("are shown.");
  });
});

describe("a template's README past the render cap", () => {
  it("is capped with the notice, rendered once and read from its stored rendering after", async () => {
    const archive = await archiveOf([{ name: "Pulumi.yaml", data: PULUMI_YAML() }, { name: "README.md", data: pathologicalMarkdown(3 * MAX_MARKDOWN_CHARS) }]);
    expect((await publishTemplate(token, "private/budget/heavy-starter", "1.0.0", archive)).status).toBe(201);
    const first = await rendered("/templates/private/budget/heavy-starter/versions/1.0.0");
    expect(first.body).toMatch(/This README is \d+ KiB of markdown; the first (12[0-8]) KiB are shown\./);
    expect(first.body).toContain("/versions/1.0.0/raw/readme");
    expect(first.bytes).toBeLessThan(512 * KiB);
    const rendering = (await keysWith("templates/private/budget/heavy-starter/")).find((o) => o.key.includes("/rendered/v1/readme-"));
    expect(rendering, "the first render stores its HTML beside the README").toBeDefined();
    const again = await rendered("/templates/private/budget/heavy-starter/versions/1.0.0");
    expect(again.r2Bytes).toBeLessThan(3 * MAX_MARKDOWN_CHARS);
    // Deleting the template removes the rendering with its artifacts.
    expect((await call("/api/registry/templates/private/budget/heavy-starter", { method: "DELETE", token })).status).toBe(204);
    expect(await countObjects("templates/private/budget/heavy-starter/")).toBe(0);
  });
});

describe("API pages of a package with very many modules", () => {
  beforeAll(async () => {
    await publishPackage(token, "pulumi/budget/mods-small", "1.0.0", { schema: wideSchema("mods-small", MAX_LISTED_MODULES, () => 2) });
    await publishPackage(token, "pulumi/budget/mods-big", "1.0.0", { schema: wideSchema("mods-big", 5 * MAX_LISTED_MODULES, () => 2) });
  }, 120_000);

  it("list at most MAX_LISTED_MODULES modules: the index and a member page are the same size at 5× the modules", async () => {
    const small = await rendered("/packages/pulumi/budget/mods-small/1.0.0/api?lang=python");
    const big = await rendered("/packages/pulumi/budget/mods-big/1.0.0/api?lang=python");
    expect(big.body).toContain(`The first ${MAX_LISTED_MODULES} of ${5 * MAX_LISTED_MODULES} modules`);
    expect(big.body).toContain(`${4 * MAX_LISTED_MODULES} more modules not listed`);
    // The name differs by two characters per link; the lists are the same length.
    expect(big.bytes).toBeLessThan(small.bytes * 1.1);
    const smallMember = await rendered("/packages/pulumi/budget/mods-small/1.0.0/api/m7/R1?lang=python");
    const bigMember = await rendered(`/packages/pulumi/budget/mods-big/1.0.0/api/m${5 * MAX_LISTED_MODULES - 1}/R1?lang=python`);
    // A member past the listed ones still shows its own module in the tree, expanded.
    expect(bigMember.body).toContain(`/packages/pulumi/budget/mods-big/1.0.0/api/m${5 * MAX_LISTED_MODULES - 1}/R0?lang=python`);
    expect(bigMember.bytes).toBeLessThan(smallMember.bytes * 1.1);
  }, 60_000);
});

describe("a member page's reads", () => {
  beforeAll(async () => {
    // The same ten modules; module m0 the same 40 members; the other nine 10× bigger in the second package.
    await publishPackage(token, "pulumi/budget/slice-small", "1.0.0", { schema: wideSchema("slice-small", 10, () => 40) });
    await publishPackage(token, "pulumi/budget/slice-big", "1.0.0", { schema: wideSchema("slice-big", 10, (m) => (m ? 400 : 40)) });
  }, 120_000);

  it("read its module's slice of the navigation: R2 bytes do not grow with the other modules", async () => {
    const small = await rendered("/packages/pulumi/budget/slice-small/1.0.0/api/m0/R3?lang=python");
    const big = await rendered("/packages/pulumi/budget/slice-big/1.0.0/api/m0/R3?lang=python");
    const bigNav = (await keysWith("packages/pulumi/budget/slice-big/")).find((o) => o.key.endsWith("/docs/nav.json"));
    expect(bigNav).toBeDefined();
    // 3,640 members against 400: the whole nav of the big one is many times what its member page reads.
    expect(bigNav!.size).toBeGreaterThan(4 * big.r2Bytes);
    expect(big.r2Bytes).toBeLessThan(small.r2Bytes * 1.5);
    expect(big.bytes).toBeLessThan(small.bytes * 1.1);
  }, 60_000);

  it("the tree's filter searches the whole package through its index; a q of fewer than 3 characters scans at most MAX_FILTER_NAV_BYTES of the nav, and says so", async () => {
    // The worker under MAX_FILTER_NAV_BYTES=16384 (the default, 256 KiB, would need a package of ~13,000 members).
    const nav = (await keysWith("packages/pulumi/budget/slice-big/")).find((o) => o.key.endsWith("/docs/nav.json"))!;
    const small = { MAX_FILTER_NAV_BYTES: "16384" };
    const indexed = await filtered("/packages/pulumi/budget/slice-big/1.0.0/api?lang=python&q=R39", small);
    expect(indexed.body).not.toContain("too big to search whole");
    expect(indexed.body).not.toContain("fewer than 3 characters");
    // R39 and R390–R399 of each module: 9 × 11 + 1.
    expect(indexed.body).toContain("100 matches for “R39”.");
    expect(indexed.body).toContain("/packages/pulumi/budget/slice-big/1.0.0/api/m9/R399?lang=python");
    expect(indexed.r2Bytes).toBeLessThan(16 * KiB);
    expect(indexed.r2Bytes).toBeLessThan(nav.size / 4);
    const short = await filtered("/packages/pulumi/budget/slice-big/1.0.0/api?lang=python&q=R3", small);
    expect(short.body).toMatch(/A filter of fewer than 3 characters searches only the first [1-9] of its 10 modules; type 3 or more to search them all\./);
    // Matches in the modules searched are listed; the last module was not searched.
    expect(short.body).toContain("/packages/pulumi/budget/slice-big/1.0.0/api/m0/R3?lang=python");
    expect(short.body).not.toContain("/packages/pulumi/budget/slice-big/1.0.0/api/m9/R3?lang=python");
    // The budget, plus the summary, manifest and naming (a few KiB): not the 72 KiB nav.
    expect(short.r2Bytes).toBeLessThan(16384 + 8 * KiB);
  }, 60_000);
});

/** A page rendered by the worker under other settings (signed in: never from the edge cache). */
async function filtered(path: string, vars: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const request = new Request(`${BASE}${path}`, { headers: { Accept: "text/html", Cookie: cookie } });
  const r = await worker.fetch(request as never, { ...(env as unknown as Env), ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  const body = await r.text();
  expect(r.status, body.slice(0, 300)).toBe(200);
  return { body, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")), calls: Number(r.headers.get("X-Storage-Calls")) };
}

describe("the tree's filter through the search index", () => {
  // 320 modules (more than nav-head.json lists: the pages read the same head) of 4 resources, and of 20; sorted by name, m99 is the last module.
  beforeAll(async () => {
    await publishPackage(token, "pulumi/budget/search-small", "1.0.0", { schema: wideSchema("search-small", 320, () => 4) });
    await publishPackage(token, "pulumi/budget/search-big", "1.0.0", { schema: wideSchema("search-big", 320, () => 20) });
    const schema = {
      name: "search-names",
      version: "1.0.0",
      resources: { "search-names:index:Widget": { language: { csharp: { name: "Zebrafish" } }, properties: { id: { type: "string" } } } },
      functions: { "search-names:index:getWidgetThing": { inputs: { properties: { id: { type: "string" } } }, outputs: { properties: { id: { type: "string" } } } } },
    };
    await publishPackage(token, "pulumi/budget/search-names", "1.0.0", { schema: JSON.stringify(schema) });
  }, 180_000);

  it("finds a member of the last module, reading the same bytes at 5× the package, far beyond MAX_FILTER_NAV_BYTES", async () => {
    const bigNav = (await keysWith("packages/pulumi/budget/search-big/")).find((o) => o.key.endsWith("/docs/nav.json"))!;
    const vars = { MAX_FILTER_NAV_BYTES: "16384" };
    expect(bigNav.size).toBeGreaterThan(5 * 16384);
    const small = await filtered("/packages/pulumi/budget/search-small/1.0.0/api?lang=python&q=m99:R3", vars);
    const big = await filtered("/packages/pulumi/budget/search-big/1.0.0/api?lang=python&q=m99:R3", vars);
    expect(small.body).toContain("1 match for “m99:R3”.");
    expect(small.body).toContain("/packages/pulumi/budget/search-small/1.0.0/api/m99/R3?lang=python");
    expect(big.body).toContain("1 match for “m99:R3”.");
    expect(big.body).toContain("/packages/pulumi/budget/search-big/1.0.0/api/m99/R3?lang=python");
    // Bounded: the heads, a few dictionary blocks, the rarest posting lists and one member line; not the nav.
    // (manifest.json, which every docs request reads first, grows with the package by one fence per 64 index lines: set apart.)
    const manifest = async (name: string) => (await keysWith(`packages/pulumi/budget/${name}/`)).find((o) => o.key.endsWith("/docs/manifest.json"))!.size;
    expect(big.r2Bytes - (await manifest("search-big"))).toBeLessThan(small.r2Bytes - (await manifest("search-small")) + 2 * KiB);
    expect(big.calls).toBeLessThanOrEqual(small.calls);
    expect(big.r2Bytes).toBeLessThan(bigNav.size / 4);
  }, 60_000);

  it("counts every match when the caps are not hit, and says 'at least' when they are", async () => {
    const short = await filtered("/packages/pulumi/budget/search-big/1.0.0/api?lang=go&q=R3", { MAX_FILTER_NAV_BYTES: "16384" });
    expect(short.body).toContain("A filter of fewer than 3 characters searches only the first");
    // `1:R` is in the 20 members of each of the 32 modules whose name ends in 1, spread over the whole member table.
    const every = await filtered("/packages/pulumi/budget/search-big/1.0.0/api?lang=go&q=1:R");
    expect(every.body).toContain("640 matches for “1:R”; the first 200 are shown.");
    expect(every.body).not.toContain("At least");
    // 50 lines: three blocks of 16 checked.
    const candidates = await filtered("/packages/pulumi/budget/search-big/1.0.0/api?lang=go&q=1:R", { MAX_SEARCH_CANDIDATES: "50" });
    const [, found] = /At least (\d+) match(?:es)? for “1:R”\./.exec(candidates.body) ?? [];
    expect(Number(found)).toBeGreaterThan(0);
    expect(Number(found)).toBeLessThanOrEqual(48);
    expect(candidates.body).toContain("The filter matches too many members to check them all: type more of the name to narrow it.");
    const postings = await filtered("/packages/pulumi/budget/search-big/1.0.0/api?lang=go&q=1:R", { MAX_SEARCH_POSTING_BYTES: "64" });
    const [, shown] = /At least (\d+) match(?:es)? for “1:R”\./.exec(postings.body) ?? [];
    expect(Number(shown)).toBeGreaterThan(0);
    expect(Number(shown)).toBeLessThan(640);
  }, 60_000);

  it("matches names in the page's language (overrides included), not only the default one's", async () => {
    const base = "/packages/pulumi/budget/search-names/1.0.0/api";
    const python = await filtered(`${base}?lang=python&q=get_widget`);
    expect(python.body).toContain("1 match for “get_widget”.");
    expect(python.body).toContain("get_widget_thing");
    // In TypeScript the function is getWidgetThing: neither its name nor its token contains get_widget.
    expect((await filtered(`${base}?lang=typescript&q=get_widget`)).body).toContain("Nothing matches “get_widget”.");
    expect((await filtered(`${base}?lang=typescript&q=GETWIDGET`)).body).toContain("1 match for “GETWIDGET”.");
    // `language.csharp.name` renames the resource in C# only.
    const csharp = await filtered(`${base}?lang=csharp&q=zebra`);
    expect(csharp.body).toContain("1 match for “zebra”.");
    expect(csharp.body).toContain("Zebrafish");
    expect((await filtered(`${base}?lang=python&q=zebra`)).body).toContain("Nothing matches “zebra”.");
    // A trigram no member has: nothing, without reading a posting list.
    expect((await filtered(`${base}?lang=python&q=qqq`)).body).toContain("Nothing matches “qqq”.");
    // A long q (31 trigrams: 8 of them looked up, every line checked against the whole q).
    expect((await filtered(`${base}?lang=go&q=${encodeURIComponent("search-names:index:getWidgetThing")}`)).body).toContain("1 match for “search-names:index:getWidgetThing”.");
    expect((await filtered(`${base}?lang=go&q=${encodeURIComponent("search-names:index:getWidgetThinG2")}`)).body).toContain("Nothing matches");
    // Only halves of surrogate pairs: no trigram to look up, the short scan answers.
    expect((await filtered(`${base}?lang=go&q=${encodeURIComponent("😀😀")}`)).body).toContain("Nothing matches “😀😀”.");
  }, 60_000);
});

describe("what API pages read of a package's modules (nav-head.json)", () => {
  const MANY = 10 * MAX_LISTED_MODULES;
  const docsObject = async (name: string, object: string) => (await keysWith(`packages/pulumi/budget/${name}/`)).find((o) => o.key.endsWith(`/docs/${object}`))!;
  beforeAll(async () => {
    // One resource per module, the cheapest bytes per module: the summary grows with the modules, the head does not.
    await publishPackage(token, "pulumi/budget/outline-small", "1.0.0", { schema: wideSchema("outline-small", MAX_LISTED_MODULES, () => 1) });
    await publishPackage(token, "pulumi/budget/outline-big", "1.0.0", { schema: wideSchema("outline-big", MANY, () => 1) });
  }, 180_000);

  it("the index, a member page, a module page and the package page read the same bytes at 10× the modules, a small part of nav-summary.json", async () => {
    const summary = await docsObject("outline-big", "nav-summary.json");
    const [smallHead, bigHead] = [await docsObject("outline-small", "nav-head.json"), await docsObject("outline-big", "nav-head.json")];
    // The head grows by one fence per 128 modules only.
    expect(bigHead.size).toBeLessThan(smallHead.size * 1.3);
    expect(summary.size).toBeGreaterThan(8 * bigHead.size);
    // Each package's first page reads its head (the isolate keeps it after); then each page reads what it shows.
    const smallIndex = await rendered("/packages/pulumi/budget/outline-small/1.0.0/api?lang=python");
    const bigIndex = await rendered("/packages/pulumi/budget/outline-big/1.0.0/api?lang=python");
    expect(bigIndex.body).toContain(`The first ${MAX_LISTED_MODULES} of ${MANY} modules`);
    expect(bigIndex.r2Bytes).toBeLessThan(smallIndex.r2Bytes * 1.3);
    expect(bigIndex.r2Bytes).toBeLessThan(summary.size / 8);
    // A module far past the first ones (sorted by name: m999 is among the last): one block of nav-modules.tsv, its slice of nav.json, its doc.
    const smallMember = await rendered(`/packages/pulumi/budget/outline-small/1.0.0/api/m99/R0?lang=python`);
    const bigMember = await rendered(`/packages/pulumi/budget/outline-big/1.0.0/api/m999/R0?lang=python`);
    expect(bigMember.body).toContain(`/packages/pulumi/budget/outline-big/1.0.0/api/m999/R0?lang=python`);
    expect(bigMember.r2Bytes).toBeLessThan(smallMember.r2Bytes + 8 * KiB);
    expect(bigMember.r2Bytes).toBeLessThan(summary.size / 8);
    const bigModule = await rendered(`/packages/pulumi/budget/outline-big/1.0.0/api/m2998?lang=python`);
    expect(bigModule.body).toContain(`/packages/pulumi/budget/outline-big/1.0.0/api/m2998/R0?lang=python`);
    expect(bigModule.r2Bytes).toBeLessThan(summary.size / 8);
    // The package page lists the first modules and the totals; its size does not grow with the modules.
    const smallPackage = await rendered("/packages/pulumi/budget/outline-small/1.0.0?lang=python");
    const bigPackage = await rendered("/packages/pulumi/budget/outline-big/1.0.0?lang=python");
    expect(bigPackage.body).toContain(`${MANY} modules, ${MANY} resources`);
    expect(bigPackage.body).toContain(`The first ${MAX_LISTED_MODULES} of ${MANY} modules are listed`);
    expect(bigPackage.bytes).toBeLessThan(smallPackage.bytes * 1.1);
    expect(bigPackage.r2Bytes).toBeLessThan(summary.size / 8);
  }, 60_000);

  it("a second short filter of the same package, whatever its q, reads nothing from R2 (the list of names is kept by the isolate); an indexed one asked again reads nothing either", async () => {
    const first = await rendered("/packages/pulumi/budget/outline-big/1.0.0/api?lang=go&q=R0");
    expect(first.body).toContain("/packages/pulumi/budget/outline-big/1.0.0/api/m0/R0?lang=go");
    expect(first.r2Bytes).toBeGreaterThan(0);
    const second = await rendered("/packages/pulumi/budget/outline-big/1.0.0/api?lang=go&q=m1");
    expect(second.body).toContain("/packages/pulumi/budget/outline-big/1.0.0/api/m1/R0?lang=go");
    expect(second.r2Bytes).toBe(0);
    // m12, m120–m129, m1200–m1299, found through the index: its blocks, posting lists and member lines are kept too.
    const indexed = await rendered("/packages/pulumi/budget/outline-big/1.0.0/api?lang=go&q=m12");
    expect(indexed.body).toContain("111 matches for “m12”.");
    expect(indexed.body).toContain("/packages/pulumi/budget/outline-big/1.0.0/api/m1299/R0?lang=go");
    expect(indexed.r2Bytes).toBeGreaterThan(0);
    expect((await rendered("/packages/pulumi/budget/outline-big/1.0.0/api?lang=go&q=m12")).r2Bytes).toBe(0);
  }, 60_000);
});

describe("docs derived before nav-head.json", () => {
  const MODULES = MAX_LISTED_MODULES + 20;
  beforeAll(async () => {
    // The same schema twice; the second package's docs lose the objects an older release did not write.
    await publishPackage(token, "pulumi/budget/outline-now", "1.0.0", { schema: wideSchema("outline-now", MODULES, (m) => 1 + (m % 3)) });
    await publishPackage(token, "pulumi/budget/outline-old", "1.0.0", { schema: wideSchema("outline-old", MODULES, (m) => 1 + (m % 3)) });
    for (const o of await keysWith("packages/pulumi/budget/outline-old/")) if (/\/docs\/(nav-head\.json|nav-modules\.tsv|nav-members\.tsv|search-[a-z]+\.[a-z]+)$/.test(o.key)) await env.ARTIFACTS.delete(o.key);
    expect((await keysWith("packages/pulumi/budget/outline-old/")).filter((o) => o.key.includes("/docs/search-"))).toEqual([]);
    expect((await keysWith("packages/pulumi/budget/outline-old/")).filter((o) => o.key.includes("/docs/nav")).map((o) => o.key.replace(/.*\/docs\//, "")).sort()).toEqual(["nav-summary.json", "nav.json"]);
  }, 120_000);

  it("show the same pages, read from nav-summary.json", async () => {
    // (`q=m31`: the new docs through the search index, the old ones by scanning nav.json, whole at this size.)
    for (const path of ["/1.0.0?lang=python", "/1.0.0/api?lang=python", "/1.0.0/api/m319/R1?lang=go", "/1.0.0/api/m5?lang=go", "/1.0.0/api?lang=python&q=R1", "/1.0.0/api?lang=python&q=m31", "/1.0.0/api?lang=go&q=1:r", "/1.0.0/api/m1?lang=csharp"]) {
      const now = await rendered(`/packages/pulumi/budget/outline-now${path}`);
      const old = await rendered(`/packages/pulumi/budget/outline-old${path}`);
      // The package's name (in every spelling) and its publish time differ; nothing else may.
      const same = (body: string) => body.replaceAll(/outline[-_]?(?:now|old)/gi, "NAME").replaceAll(/<time datetime="[^"]*">[^<]*<\/time>/g, "<time>");
      const [a, b] = [same(old.body), same(now.body)];
      let at = 0;
      while (at < a.length && a[at] === b[at]) at++;
      expect(a.slice(Math.max(0, at - 100), at + 100), path).toBe(b.slice(Math.max(0, at - 100), at + 100));
    }
  }, 60_000);
});

describe("a member page in a module of very many members", () => {
  beforeAll(async () => {
    // One module: 450 members, and 10× that. Sorted by token, R99 is each module's last member.
    await publishPackage(token, "pulumi/budget/wide-small", "1.0.0", { schema: wideSchema("wide-small", 1, () => 450) });
    await publishPackage(token, "pulumi/budget/wide-big", "1.0.0", { schema: wideSchema("wide-big", 1, () => 4500) });
  }, 180_000);

  it("lists at most EXPANDED_MAX of its module's members in the tree, and its own: the page is the same size at 10× the members", async () => {
    const small = await rendered("/packages/pulumi/budget/wide-small/1.0.0/api/m0/R99?lang=python");
    const big = await rendered("/packages/pulumi/budget/wide-big/1.0.0/api/m0/R99?lang=python");
    expect(small.body).toContain(`${450 - EXPANDED_MAX - 1} more not listed: filter by name to find them.`);
    expect(big.body).toContain(`${4500 - EXPANDED_MAX - 1} more not listed: filter by name to find them.`);
    expect(big.body).toMatch(/<a href="\/packages\/pulumi\/budget\/wide-big\/1\.0\.0\/api\/m0\/R99\?lang=python" aria-current="page">/);
    expect(big.body).toContain(`/packages/pulumi/budget/wide-big/1.0.0/api/m0/R0?lang=python`);
    expect(big.bytes).toBeLessThan(small.bytes * 1.1);
  }, 60_000);
});

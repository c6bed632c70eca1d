// walking every page of a search (both plans: FTS-few and budgeted walk) lists exactly the
// filtered set, once each, and terminates, for every sort and direction, with limits 1..3 (also mixed).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { seedCatalogSql } from "../../scripts/seed-catalog.mjs";
import { callJson, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";

const COUNT = 200;
let tinyToken = "";

beforeAll(async () => {
  await createOrg("seeder");
  const { token } = await createToken("seeder", "publisher");
  await publishPackage(token, "pulumi/seeder/seed-template", "1.0.0");
  for (const statement of seedCatalogSql({ count: COUNT, template: "seed-template" })) await env.DB.prepare(statement).run();
  // Sparse marker: every 17th seeded package (12 of them), plus the two private ones (must never show).
  await env.DB.prepare("UPDATE items SET search_text = search_text || ' qqsparse' WHERE id LIKE 'seed-item-%' AND (CAST(substr(id, 11) AS INTEGER) % 17 = 5 OR visibility = 'private')").run();
  // A second marker with exactly 10/15/20-ish matches around the FTS caps.
  await env.DB.prepare("UPDATE items SET search_text = search_text || ' zzedge' WHERE id LIKE 'seed-item-%' AND CAST(substr(id, 11) AS INTEGER) % 13 = 0").run();
  tinyToken = (await createToken("tiny", "reader")).token;
}, 120_000);

async function expected(term: string, extra = "", viewerOrg?: string): Promise<string[]> {
  const vis = viewerOrg ? `(visibility = 'public' OR owner_org = '${viewerOrg}')` : "visibility = 'public'";
  const r = await env.DB.prepare(`SELECT source || '/' || publisher || '/' || name AS k FROM items WHERE kind = 'package' AND latest_version_id IS NOT NULL AND ${vis} AND instr(search_text, ?) > 0 ${extra}`).bind(term).all<{ k: string }>();
  return r.results.map((x) => x.k).sort();
}

async function walk(query: string, limits: number[], token?: string): Promise<{ keys: string[]; pages: number; empty: number }> {
  const keys: string[] = [];
  let ct: string | undefined;
  let pages = 0;
  let empty = 0;
  do {
    const limit = limits[pages % limits.length]!;
    const url = `/api/registry/packages?${query}&limit=${limit}${ct ? `&continuationToken=${encodeURIComponent(ct)}` : ""}`;
    const r = await callJson(url, { token });
    expect(r.status, `${url} ${JSON.stringify(r.body)}`).toBe(200);
    expect(r.body.packages.length).toBeLessThanOrEqual(limit);
    for (const p of r.body.packages) keys.push(`${p.source}/${p.publisher}/${p.name}`);
    if (r.body.packages.length === 0) empty++;
    ct = r.body.continuationToken;
    pages++;
    if (pages > 500) throw new Error(`no end: ${query}`);
  } while (ct);
  return { keys, pages, empty };
}

const SORTS = ["name", "publisher", "createdAt"] as const;
const TERMS = ["qqsparse", "zzedge", "kubernetes", "qq", "tiny"];

describe("search pagination across plans", () => {
  for (const sort of SORTS)
    for (const asc of [true, false])
      for (const term of TERMS)
        it(`${term} sort=${sort} asc=${asc}`, async () => {
          const want = await expected(term);
          for (const limits of [[1], [2], [3], [1, 3, 2], [3, 1]]) {
            const { keys } = await walk(`search=${term}&sort=${sort}&asc=${asc}`, limits);
            expect(new Set(keys).size, `dups ${limits}`).toBe(keys.length);
            expect([...keys].sort(), `limits ${limits}`).toEqual(want);
          }
        }, 120_000);

  it("with category and packageType filters", async () => {
    for (const [q, extra] of [
      ["category=cloud", "AND category = 'cloud'"],
      ["packageType=native", "AND package_types = 'native'"],
      ["category=infrastructure&packageType=component", "AND category = 'infrastructure' AND package_types = 'component'"],
      ["publisher=pub-3", "AND publisher = 'pub-3'"],
    ] as const)
      for (const term of ["qqsparse", "kubernetes", "zzedge"])
        for (const sort of SORTS)
          for (const asc of [true, false]) {
            const want = await expected(term, extra);
            const { keys } = await walk(`search=${term}&${q}&sort=${sort}&asc=${asc}`, [1, 2]);
            expect(new Set(keys).size).toBe(keys.length);
            expect([...keys].sort(), `${q} ${term} ${sort} ${asc}`).toEqual(want);
          }
  }, 300_000);

  it("usageTotal with a search (org tiny)", async () => {
    for (const term of ["qqsparse", "kubernetes", "zanzibar", "zzedge"])
      for (const asc of [true, false])
        for (const limits of [[1], [2], [3], [2, 1]]) {
          const want = await expected(term, "", "tiny");
          const { keys } = await walk(`search=${term}&sort=usageTotal&asc=${asc}`, limits, tinyToken);
          expect(new Set(keys).size).toBe(keys.length);
          expect([...keys].sort(), `${term} ${asc} ${limits}`).toEqual(want);
        }
  }, 300_000);

  it("usage filters with a search (org tiny)", async () => {
    // tiny reports usage of its own two packages (tiny-alpha, tiny-beta).
    const used = "AND EXISTS (SELECT 1 FROM stack_usage s WHERE s.org_login = 'tiny' AND s.source = items.source AND s.publisher = items.publisher AND s.canonical_name = items.canonical_name)";
    for (const [usage, extra] of [
      ["used", used],
      ["unused", `AND NOT ${used.slice(4)}`],
    ] as const)
      for (const term of ["qqsparse", "kubernetes", "zanzibar", "qq", "pkg"])
        for (const sort of SORTS)
          for (const asc of [true, false]) {
            const want = await expected(term, extra, "tiny");
            const { keys } = await walk(`search=${term}&usage=${usage}&sort=${sort}&asc=${asc}`, [1, 3], tinyToken);
            expect(new Set(keys).size).toBe(keys.length);
            expect([...keys].sort(), `${usage} ${term} ${sort} ${asc}`).toEqual(want);
          }
  }, 300_000);

  it("a private org's session never sees another org's private items through search/category", async () => {
    const want = await expected("qqsparse", "AND category = 'database'");
    expect(want).toEqual([]);
    const { keys } = await walk(`search=qqsparse&category=database`, [1]);
    expect(keys).toEqual([]);
    // Only the public seed-template (schema keyword category/database), never org hidden's private two.
    const r = await walk(`category=database`, [1, 2]);
    expect(r.keys).toEqual(["pulumi/seeder/seed-template"]);
    const t = await walk(`category=database`, [1], tinyToken);
    expect(t.keys).toEqual(["pulumi/seeder/seed-template"]);
  });
});

// Every list filter × sort × direction is index-backed: on a seeded catalog of 20,000 packages, the
// query plan scans no large table and D1's rows_read stays a small multiple of the page size.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { fewSearchMatches, walkBudget } from "../../src/core/catalog/list-planner";
import { listPlan } from "../../src/core/catalog/list";
import { otherPublisherSpelling } from "../../src/core/catalog/lookups";
import { type ListQuery } from "../../src/core/catalog/list-query";
import { type Viewer } from "../../src/core/vocabulary/viewer";
import { seedCatalogSql } from "../../scripts/seed-catalog.mjs";
import { expectIndexBacked as expectBacked, measure as measureList, type Measured } from "./listing-measure";
import { createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";

const COUNT = 20_000;
const LIMIT = 20;
/** rows_read may be a few reads per listed row (index entry, item, version, publisher) plus a small constant. */
const MAX_ROWS_READ = 8 * (LIMIT + 1);

beforeAll(async () => {
  await createOrg("seeder");
  const { token } = await createToken("seeder", "publisher");
  await publishPackage(token, "pulumi/seeder/seed-template", "1.0.0");
  for (const statement of seedCatalogSql({ count: COUNT, template: "seed-template" })) await env.DB.prepare(statement).run();
  // A browser session of org `hidden`, for the session viewer (the signed-in pages' reads).
  const { id } = await createToken("hidden", "reader");
  await env.DB.prepare("INSERT INTO web_sessions (id_hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?)").bind(SESSION_HASH, id, new Date().toISOString(), "2999-01-01T00:00:00.000Z").run();
}, 120_000);

const SESSION_HASH = "5e55".repeat(16);

/**
 * A search reads more per request than a plain page, still bounded by the page: its three statements
 * each count at most fewSearchMatches + 1 FTS matches, and the walk's two read at most walkBudget rows
 * of the walked index, each with its item (and latest_history) row — about 10 reads per budgeted row.
 */
const SEARCH_ROWS = 10 * walkBudget(LIMIT);

const measure = (query: Partial<ListQuery>, viewer?: Viewer) => measureList({ kind: "package", backings: ["registry"], sort: "name", asc: true, limit: LIMIT, ...query }, viewer);
const expectIndexBacked = (m: Measured, label: string, maxRows = MAX_ROWS_READ) => expectBacked(m, label, maxRows);

const tiny: Viewer = { kind: "org", org: "tiny" };
const hidden: Viewer = { kind: "org", org: "hidden" };

// Each filter at a value that matches two packages of the 20,004, alone and combined.
const selective: Array<{ label: string; query: Partial<ListQuery>; viewer?: Viewer; expect: string[] }> = [
  { label: "name", query: { canonicalName: "tiny-alpha" }, expect: ["tiny-alpha"] },
  { label: "publisher", query: { publisher: "tiny" }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "orgLogin", query: { orgLogin: "tiny" }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "visibility", query: { visibility: "private" }, viewer: hidden, expect: ["hidden-one", "hidden-two"] },
  { label: "packageType", query: { packageType: "bridged" }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "search", query: { searchTerms: ["zanzibar"] }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "search, two terms", query: { searchTerms: ["zanzibar", "package"] }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "usage=used", query: { usage: "used" }, viewer: tiny, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "usage=notOnLatest", query: { usage: "notOnLatest" }, viewer: tiny, expect: [] },
  { label: "publisher+packageType", query: { publisher: "tiny", packageType: "bridged" }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "orgLogin+visibility+search", query: { orgLogin: "tiny", visibility: "public", searchTerms: ["zanzibar"] }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "search+packageType+usage", query: { searchTerms: ["zanzibar"], packageType: "bridged", usage: "used" }, viewer: tiny, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "name+publisher+orgLogin", query: { canonicalName: "tiny-beta", publisher: "tiny", orgLogin: "tiny" }, expect: ["tiny-beta"] },
  { label: "visibility+packageType", query: { visibility: "private", packageType: "native" }, viewer: hidden, expect: ["hidden-one", "hidden-two"] },
  { label: "public+packageType", query: { visibility: "public", packageType: "bridged" }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "category", query: { category: "monitoring" }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "category+packageType+search", query: { category: "monitoring", packageType: "bridged", searchTerms: ["zanzibar"] }, expect: ["tiny-alpha", "tiny-beta"] },
  { label: "private+category", query: { visibility: "private", category: "database" }, viewer: hidden, expect: ["hidden-one", "hidden-two"] },
  { label: "visibility, session viewer", query: { visibility: "private" }, viewer: { kind: "session", idHash: SESSION_HASH, now: new Date().toISOString() }, expect: ["hidden-one", "hidden-two"] },
];

// Filters that match thousands: a page must still cost about a page.
const broad: Array<{ label: string; query: Partial<ListQuery>; viewer?: Viewer; maxRows?: number }> = [
  { label: "no filter", query: {} },
  { label: "publisher (2,000)", query: { publisher: "pub-3" } },
  { label: "orgLogin (2,000)", query: { orgLogin: "pub-4" } },
  { label: "visibility=public", query: { visibility: "public" } },
  { label: "packageType=native (10,000)", query: { packageType: "native" } },
  { label: "usage=unused", query: { usage: "unused" }, viewer: tiny },
  { label: "search (6,667 match)", query: { searchTerms: ["kubernetes"] }, maxRows: SEARCH_ROWS },
  { label: "search (6,667) + publisher", query: { searchTerms: ["kubernetes"], publisher: "pub-3" }, maxRows: SEARCH_ROWS },
  { label: "orgLogin+packageType", query: { orgLogin: "pub-2", packageType: "native" } },
  { label: "publisher+packageType", query: { publisher: "pub-3", packageType: "component" } },
  { label: "category=infrastructure (10,000)", query: { category: "infrastructure" } },
  { label: "category+packageType", query: { category: "cloud", packageType: "component" } },
  { label: "publisher+category", query: { publisher: "pub-5", category: "infrastructure" } },
];

const sorts = ["name", "publisher", "createdAt"] as const;

describe("list queries on a catalog of 20,000 packages", () => {
  for (const sort of sorts) {
    for (const asc of [true, false]) {
      it(`every filter matching two packages, alone and combined, is index-backed under sort=${sort} asc=${asc}`, async () => {
        for (const c of selective) {
          const m = await measure({ ...c.query, sort, asc }, c.viewer);
          expectIndexBacked(m, `${c.label} sort=${sort} asc=${asc}`);
          expect([...m.names].sort(), c.label).toEqual(c.expect);
        }
      });

      it(`filters matching thousands read about a page under sort=${sort} asc=${asc}`, async () => {
        for (const c of broad) {
          const m = await measure({ ...c.query, sort, asc }, c.viewer);
          expectIndexBacked(m, `${c.label} sort=${sort} asc=${asc}`, c.maxRows);
          expect(m.names.length, c.label).toBe(LIMIT);
        }
      });
    }
  }

  for (const asc of [false, true]) {
    it(`sort=usageTotal asc=${asc} reads the org's usage and a page, not the catalog`, async () => {
      for (const c of [...selective.filter((s) => s.label !== "visibility" && s.label !== "visibility+packageType"), ...broad]) {
        const m = await measure({ ...c.query, sort: "usageTotal", asc }, tiny);
        expectIndexBacked(m, `${c.label} sort=usageTotal asc=${asc}`, "maxRows" in c ? c.maxRows : undefined);
      }
      const all = await measure({ sort: "usageTotal", asc }, tiny);
      if (asc) expect(all.names).not.toContain("tiny-alpha");
      else expect(all.names.slice(0, 2)).toEqual(["tiny-alpha", "tiny-beta"]);
    });
  }

  it("a broad search walks the sort index and lists exactly its matches, in order, page after page", async () => {
    for (const sort of sorts) {
      let after: ListQuery["after"];
      const seen: string[] = [];
      for (let page = 0; page < 3; page++) {
        const db = database(env.DB);
        const plan = listPlan(db, { kind: "package", backings: ["registry"], sort, asc: true, limit: LIMIT, searchTerms: ["kubernetes"], after }, { kind: "anonymous" });
        const results = [];
        for (const statement of plan.statements) results.push(await statement);
        const { entries, next } = plan.finish(results);
        expect(entries).toHaveLength(LIMIT);
        for (const e of entries) expect(Number(e.item.name.slice(4)) % 3, e.item.name).toBe(1);
        seen.push(...entries.map((e) => e.item.name));
        after = next;
      }
      expect(new Set(seen).size).toBe(3 * LIMIT);
      if (sort === "name") expect(seen).toEqual([...seen].sort());
    }
  });

  // Search terms at three densities, alone and with other filters: each plan is bounded by the page.
  const isMatch = (terms: string[]) => (name: string) => {
    if (name.startsWith("tiny-")) return terms.every((t) => ["zanzibar", "package", "tiny"].some((w) => w.includes(t)) || name.includes(t));
    const i = Number(name.slice(4));
    return terms.every((t) => (t === "kubernetes" ? i % 3 === 1 : t === "orbital" ? i % 50 === 7 : name.includes(t)));
  };
  const densities = [
    { label: "broad (6,667 of 20,004)", terms: ["kubernetes"], fills: true },
    { label: "middle (400)", terms: ["orbital"], fills: false },
    { label: "narrow (2)", terms: ["zanzibar"], fills: false },
    { label: "middle AND broad (134)", terms: ["orbital", "kubernetes"], fills: false },
  ];
  const alongside: Array<Partial<ListQuery>> = [{}, { publisher: "pub-7" }, { orgLogin: "pub-3" }, { packageType: "native" }, { visibility: "public" }];
  for (const sort of sorts) {
    for (const asc of [true, false]) {
      it(`search plans read a bounded number of rows, broad, middle or narrow, under sort=${sort} asc=${asc}`, async () => {
        for (const d of densities) {
          for (const other of alongside) {
            const label = `${d.label} ${JSON.stringify(other)} sort=${sort} asc=${asc}`;
            const m = await measure({ ...other, searchTerms: d.terms, sort, asc });
            expectIndexBacked(m, label, SEARCH_ROWS);
            expect(m.names.length, label).toBeLessThanOrEqual(LIMIT);
            for (const name of m.names) expect(isMatch(d.terms)(name), `${label}: ${name}`).toBe(true);
            if (d.fills && Object.keys(other).length === 0) expect(m.names.length, label).toBe(LIMIT);
            if (d.terms[0] === "zanzibar") {
              expect([...m.names].sort(), label).toEqual(other.publisher || other.orgLogin || other.packageType ? [] : ["tiny-alpha", "tiny-beta"]);
              expect(m.next, label).toBeUndefined();
            }
          }
        }
      });
    }
  }

  // Six full walks of the 20,000-row catalog: 25–52 s measured on the 2-core machine at a load average of 8–10.
  it("a middle term's pages (short ones included) list exactly its matches in order, each page bounded", { timeout: 120_000 }, async () => {
    const limit = 100;
    const order = { name: "canonical_name, source, publisher", publisher: "publisher, source, canonical_name", createdAt: "latest_created_at, source, publisher, canonical_name" };
    for (const sort of sorts) {
      for (const asc of [true, false]) {
        const dir = asc ? "asc" : "desc";
        const expected = await env.DB.prepare(
          `SELECT name FROM items WHERE kind = 'package' AND visibility = 'public' AND instr(search_text, 'orbital') > 0 ORDER BY ${order[sort].split(", ").map((c) => `${c} ${dir}`).join(", ")}`,
        ).all<{ name: string }>();
        expect(expected.results.length).toBe(400);
        const seen: string[] = [];
        let after: ListQuery["after"];
        let pages = 0;
        do {
          const m = await measureList({ kind: "package", backings: ["registry"], sort, asc, limit, searchTerms: ["orbital"], after });
          expectIndexBacked(m, `orbital page ${pages} sort=${sort} asc=${asc}`, 8 * walkBudget(limit));
          seen.push(...m.names);
          after = m.next;
          pages++;
        } while (after && pages < 1000);
        expect(seen, `sort=${sort} asc=${asc}`).toEqual(expected.results.map((r) => r.name));
        // 20,004 rows walked at most walkBudget at a time.
        expect(pages).toBeLessThanOrEqual(Math.ceil(20_004 / walkBudget(limit)) + 1);
      }
    }
  });

  it("a narrow term is answered from its FTS matches in one page; the count stops at fewSearchMatches + 1", async () => {
    const m = await measure({ searchTerms: ["zanzibar"] });
    expect(m.plan.some((l) => /items_search VIRTUAL TABLE/.test(l))).toBe(true);
    expect(m.names).toEqual(["tiny-alpha", "tiny-beta"]);
    expect(fewSearchMatches(LIMIT)).toBeLessThan(400);
  });

  it("a deep page (keyset position) costs what the first page costs", async () => {
    for (const sort of sorts) {
      const first = await measure({ sort, asc: true });
      const position =
        sort === "name" ? ["pkg-015000", "pulumi", "pub-0"] : sort === "publisher" ? ["pub-7", "pulumi", "pkg-015007"] : [Date.now(), "2026-01-01T04:10:00.000Z", "pulumi", "pub-0", "pkg-015000"];
      const deep = await measure({ sort, asc: true, after: position });
      expectIndexBacked(deep, `deep page sort=${sort}`);
      expect(deep.names.length).toBe(LIMIT);
      expect(deep.names).not.toEqual(first.names);
    }
  });
});

describe("the publisher spelling check, on a publisher with 2,000 packages", () => {
  const insert = (id: string, publisher: string) =>
    env.DB.prepare(
      "INSERT INTO items (id, kind, source, publisher, name, canonical_name, owner_org, visibility, created_at) VALUES (?1, 'package', 'pulumi', ?2, ?1, ?1, 'pub-3', 'public', 'now')",
    ).bind(id, publisher);

  it("a new package's insert checks its publisher's spelling in a few seeks, not a walk of the publisher's items", async () => {
    const ok = await insert("spelling-check-ok", "pub-3").run();
    try {
      // The trigger's two EXISTS are one seek each; the old `<>` form read all 2,000 pub-3 rows.
      expect(ok.meta.rows_read).toBeLessThan(50);
    } finally {
      await env.DB.prepare("DELETE FROM items WHERE id = 'spelling-check-ok'").run();
    }
    const plan = await env.DB.prepare(
      "EXPLAIN QUERY PLAN SELECT 1 FROM items WHERE kind = 'package' AND source = 'pulumi' AND lower(publisher) = lower('PUB-3') AND publisher > 'PUB-3'",
    ).all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join("\n")).toMatch(/USING COVERING INDEX items_publisher_nocase \(kind=\? AND source=\? AND <expr>=\? AND publisher>\?\)/);
  });

  it("another spelling is still refused, by the trigger and by the coordinator's check, which names the one that exists", async () => {
    const items = (await env.DB.prepare("SELECT count(*) AS n FROM items").first<{ n: number }>())!.n;
    await expect(insert("spelling-check-bad", "PUB-3").run()).rejects.toThrow(/publisher spelling conflict/);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM items").first<{ n: number }>())!.n).toBe(items);
    const db = database(env.DB);
    expect(await otherPublisherSpelling(db, "package", "pulumi", "PUB-3")).toBe("pub-3");
    expect(await otherPublisherSpelling(db, "package", "pulumi", "Pub-3")).toBe("pub-3");
    expect(await otherPublisherSpelling(db, "package", "pulumi", "pub-3")).toBeUndefined();
    expect(await otherPublisherSpelling(db, "package", "pulumi", "pub-33")).toBeUndefined();
  });
});

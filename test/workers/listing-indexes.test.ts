// Every list filter × sort × direction is index-backed: on a seeded catalog of 20,000 packages, the
// query plan scans no large table and D1's rows_read stays a small multiple of the page size.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { listPlan, otherPublisherSpelling, type ListQuery, type Viewer } from "../../src/registry/catalog";
import { seedCatalogSql } from "../../scripts/seed-catalog.mjs";
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

interface Measured {
  plan: string[];
  rowsRead: number;
  names: string[];
}

/** Runs a list plan's statements directly on the binding: their query plans, rows read and what they list. */
async function measure(query: Partial<ListQuery>, viewer: Viewer = { kind: "anonymous" }): Promise<Measured> {
  const db = database(env.DB);
  const plan = listPlan(db, { kind: "package", backings: ["registry"], sort: "name", asc: true, limit: LIMIT, ...query }, viewer);
  const out: Measured = { plan: [], rowsRead: 0, names: [] };
  const results: unknown[] = [];
  for (const statement of plan.statements) {
    const { sql, params } = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
    const explained = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
    out.plan.push(...explained.results.map((r) => r.detail));
    const result = await env.DB.prepare(sql).bind(...params).all();
    out.rowsRead += result.meta.rows_read;
    // The plan's own mapping, to check the answer as well as its cost.
    results.push(await statement);
  }
  out.names = plan.finish(results).entries.map((e) => e.item.name);
  return out;
}

const LARGE = /^(SCAN|SEARCH) (items|latest_history|versions|stack_usage|orgs|tokens)\b/;
/**
 * A broad search (more than FEW_SEARCH_MATCHES matches) also pays a fixed cost that does not grow with
 * the catalog: counting up to FEW_SEARCH_MATCHES + 1 matches, and FTS index pages for each row checked.
 */
const BROAD_SEARCH_ROWS = 1_500;

function expectIndexBacked(m: Measured, label: string, maxRows = MAX_ROWS_READ) {
  for (const line of m.plan) {
    if (/^SCAN (items|latest_history|versions|stack_usage|orgs|tokens)\b/.test(line)) throw new Error(`${label}: full scan in plan: ${line}\n${m.plan.join("\n")}`);
    if (LARGE.test(line) && !/USING (INDEX|COVERING INDEX|INTEGER PRIMARY KEY|PRIMARY KEY)/.test(line)) throw new Error(`${label}: no index: ${line}`);
  }
  if (m.rowsRead > maxRows) throw new Error(`${label}: read ${m.rowsRead} rows for a page of ${LIMIT}\n${m.plan.join("\n")}`);
}

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
  { label: "search (6,667 match)", query: { searchTerms: ["kubernetes"] }, maxRows: BROAD_SEARCH_ROWS },
  { label: "search (6,667) + publisher", query: { searchTerms: ["kubernetes"], publisher: "pub-3" }, maxRows: BROAD_SEARCH_ROWS },
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

// Template lists are index-backed too: on a catalog of 20,000 VCS-backed templates plus templates
// published for real, every template list filter (name, orgLogin, search, backing), alone and combined,
// under the template list's sort (name, ascending), plans no full scan of a large table and reads a
// bounded number of rows, whether a filter matches two templates or thousands.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { walkBudget } from "../../src/core/catalog/list-planner";
import { type ListQuery } from "../../src/core/catalog/list-query";
import { type Viewer } from "../../src/core/vocabulary/viewer";
import { templateListFilters } from "../../src/templates/template-kind";
import { searchTextOf } from "../../src/templates/template-kind";
import { createOrg, createToken } from "./helpers";
import { expectIndexBacked, measure } from "./listing-measure";
import { goodArchive, publishTemplate } from "./template-helpers";

const COUNT = 20_000;
const LIMIT = 20;
const MAX_ROWS_READ = 8 * (LIMIT + 1);
const SEARCH_ROWS = 10 * walkBudget(LIMIT);

/**
 * VCS-backed templates as the operator route registers them (src/admin/template-routes.ts): source
 * github, public, owner = publisher, no versions, the view as `vcs` JSON, search text by searchTextOf
 * (checked against it below), FTS rows by the items triggers. `gh-<i mod 10>/repo-<i>/main`; the
 * description says "kubernetes" when i mod 3 = 1 and "orbital" when i mod 50 = 7. Two more by `gh-tiny`
 * say "zanzibar".
 */
function seedVcsTemplatesSql(count: number): string {
  return `
    INSERT INTO items (id, kind, source, publisher, name, canonical_name, owner_org, visibility, featured, backing, latest_version_id, latest_created_at, search_text, package_types, vcs, created_at)
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1}),
    base AS (
      SELECT i, 'gh-' || (i % 10) AS publisher, printf('repo-%06d/main', i) AS name,
             'Template ' || i AS display, 'Deploys ' || CASE WHEN i % 3 = 1 THEN 'kubernetes' ELSE 'cloud' END || ' things' || CASE WHEN i % 50 = 7 THEN ' in orbital' ELSE '' END AS description
      FROM n
      UNION ALL SELECT ${count}, 'gh-tiny', 'alpha/main', 'Tiny alpha', 'The zanzibar alpha template'
      UNION ALL SELECT ${count + 1}, 'gh-tiny', 'beta/main', 'Tiny beta', 'The zanzibar beta template'
    ),
    seeded AS (SELECT *, strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i, 'unixepoch') AS created FROM base)
    SELECT 'seed-vcs-' || i, 'template', 'github', publisher, name, name, publisher, 'public', 0, 'vcs', NULL, created,
           lower(name || char(10) || display || char(10) || description || char(10) || 'typescript'), '',
           json_object('repoSlug', publisher || '/' || name, 'downloadURL', 'https://github.com/' || publisher || '/' || name || '/archive/main.tar.gz', 'displayName', display, 'description', description, 'language', 'typescript'),
           created
    FROM seeded`;
}

const owner: Viewer = { kind: "org", org: "tplorg" };

beforeAll(async () => {
  await createOrg("tplorg");
  const { token } = await createToken("tplorg", "publisher");
  // Two registry-backed templates (private: their source is `private`), published for real.
  for (const name of ["serverless-one", "serverless-two"]) expect((await publishTemplate(token, `private/tplorg/${name}`, "1.0.0", await goodArchive())).status).toBeLessThan(300);
  await env.DB.prepare(seedVcsTemplatesSql(COUNT)).run();
}, 120_000);

/** The list query the template route builds from these URL parameters. */
function templateQuery(params: string, extra: Partial<ListQuery> = {}): ListQuery {
  return { kind: "template", ...templateListFilters(new URLSearchParams(params)), limit: LIMIT, ...extra };
}

describe("template list queries on a catalog of 20,002 VCS-backed templates and 2 published ones", () => {
  it("the seed's search text is what the register route would store", async () => {
    const row = await env.DB.prepare("SELECT name, search_text, vcs FROM items WHERE id = 'seed-vcs-7'").first<{ name: string; search_text: string; vcs: string }>();
    const vcs = JSON.parse(row!.vcs);
    expect(row!.search_text).toBe(searchTextOf(row!.name, { displayName: vcs.displayName, description: vcs.description, language: vcs.language }));
  });

  // Each filter at a value matching two (or one) templates, alone and combined, for each backing choice.
  const selective: Array<{ params: string; expect: string[] }> = [
    { params: "backing=registry", expect: ["serverless-one", "serverless-two"] },
    { params: "backing=vcs&orgLogin=gh-tiny", expect: ["alpha/main", "beta/main"] },
    { params: "backing=vcs&backing=registry&orgLogin=gh-tiny", expect: ["alpha/main", "beta/main"] },
    { params: "backing=registry&backing=vcs&orgLogin=tplorg", expect: ["serverless-one", "serverless-two"] },
    { params: "backing=vcs&name=alpha/main", expect: ["alpha/main"] },
    { params: "backing=vcs&backing=registry&name=serverless-one", expect: ["serverless-one"] },
    { params: "backing=vcs&search=zanzibar", expect: ["alpha/main", "beta/main"] },
    { params: "backing=vcs&backing=registry&search=zanzibar%20template", expect: ["alpha/main", "beta/main"] },
    { params: "backing=registry&backing=vcs&search=serverless", expect: ["serverless-one", "serverless-two"] },
    { params: "search=serverless", expect: ["serverless-one", "serverless-two"] },
    { params: "backing=vcs&orgLogin=gh-tiny&search=zanzibar", expect: ["alpha/main", "beta/main"] },
    { params: "backing=vcs&orgLogin=gh-tiny&name=beta/main&search=beta", expect: ["beta/main"] },
    { params: "orgLogin=gh-3", expect: [] },
    { params: "backing=pulumi", expect: [] },
  ];

  it("every template filter matching two, alone and combined, is index-backed and reads about a page", async () => {
    for (const c of selective) {
      const m = await measure(templateQuery(c.params), owner);
      expectIndexBacked(m, c.params, /search=/.test(c.params) ? SEARCH_ROWS : MAX_ROWS_READ);
      expect(m.names, c.params).toEqual(c.expect);
      expect(m.next, c.params).toBeUndefined();
    }
  });

  // Filters matching thousands: the page fills (or, for a middle search term, stops within its budget).
  const broad: Array<{ params: string; fills: boolean; match?: (name: string) => boolean }> = [
    { params: "backing=vcs", fills: true },
    { params: "backing=vcs&backing=registry", fills: true },
    { params: "backing=vcs&orgLogin=gh-4", fills: true, match: (n) => Number(n.slice(5, 11)) % 10 === 4 },
    { params: "backing=vcs&search=kubernetes", fills: true, match: (n) => Number(n.slice(5, 11)) % 3 === 1 },
    { params: "backing=vcs&backing=registry&search=kubernetes", fills: true, match: (n) => Number(n.slice(5, 11)) % 3 === 1 },
    { params: "backing=vcs&orgLogin=gh-4&search=kubernetes", fills: true, match: (n) => Number(n.slice(5, 11)) % 30 === 4 },
    { params: "backing=vcs&search=orbital", fills: false, match: (n) => Number(n.slice(5, 11)) % 50 === 7 },
    { params: "backing=vcs&search=orbital%20kubernetes", fills: false, match: (n) => Number(n.slice(5, 11)) % 150 === 7 },
    { params: "backing=registry&search=kubernetes", fills: false, match: () => false },
  ];

  it("template filters matching thousands read a bounded number of rows", async () => {
    for (const c of broad) {
      for (const viewer of [owner, { kind: "anonymous" } as Viewer]) {
        const m = await measure(templateQuery(c.params), viewer);
        expectIndexBacked(m, `${c.params} ${viewer.kind}`, /search=/.test(c.params) ? SEARCH_ROWS : MAX_ROWS_READ);
        if (c.fills) expect(m.names, c.params).toHaveLength(LIMIT);
        else expect(m.names.length, c.params).toBeLessThanOrEqual(LIMIT);
        for (const name of m.names) expect(c.match ? c.match(name) : true, `${c.params}: ${name}`).toBe(true);
        expect(m.names, c.params).toEqual([...m.names].sort());
      }
    }
  });

  it("a middle term's template pages, short ones included, list exactly its matches in name order", async () => {
    const expected = await env.DB.prepare(
      "SELECT name FROM items WHERE kind = 'template' AND backing = 'vcs' AND instr(search_text, 'orbital') > 0 ORDER BY canonical_name, source, publisher",
    ).all<{ name: string }>();
    expect(expected.results).toHaveLength(400);
    const seen: string[] = [];
    let after: ListQuery["after"];
    let pages = 0;
    do {
      const m = await measure(templateQuery("backing=vcs&search=orbital", { limit: 100, after }));
      expectIndexBacked(m, `orbital page ${pages}`, 10 * walkBudget(100));
      seen.push(...m.names);
      after = m.next;
      pages++;
    } while (after && pages < 1000);
    expect(seen).toEqual(expected.results.map((r) => r.name));
  });
});

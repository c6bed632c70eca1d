// The search plan must be chosen on the matches the caller may see: the two plans answer an empty result
// differently (the budgeted walk: an empty page with a continuation token; the FTS plan: an empty page,
// no token), so a count over all matches (other kinds, private items) let an anonymous caller learn whether
// more than 5×(limit+1) items — private ones of other orgs included — contain a substring.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { seedCatalogSql } from "../../scripts/seed-catalog.mjs";
import { callJson, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";

beforeAll(async () => {
  await createOrg("seeder");
  const { token } = await createToken("seeder", "publisher");
  await publishPackage(token, "pulumi/seeder/seed-template", "1.0.0");
  for (const statement of seedCatalogSql({ count: 100, template: "seed-template" })) await env.DB.prepare(statement).run();
  // Twelve packages become org hidden's private ones, whose descriptions mention a code name.
  const ids = "SELECT id FROM items WHERE id LIKE 'seed-item-%' AND CAST(substr(id, 11) AS INTEGER) < 12";
  await env.DB.prepare(`UPDATE items SET visibility = 'private', owner_org = 'hidden', search_text = search_text || ' project-nightjar' WHERE id IN (${ids})`).run();
  await env.DB.prepare(`UPDATE latest_history SET visibility = 'private', owner_org = 'hidden' WHERE item_id IN (${ids})`).run();
}, 120_000);

async function probe(term: string, limit: number) {
  const r = await callJson(`/api/registry/packages?search=${term}&limit=${limit}`);
  expect(r.status).toBe(200);
  return { entries: r.body.packages.length, token: r.body.continuationToken !== undefined };
}

describe("search plan choice as an oracle", () => {
  it("an anonymous search for a term only private items contain answers exactly like one for a term nothing contains", async () => {
    // Sanity: nothing public has either term.
    for (const limit of [1, 2, 3, 5]) {
      const absent = await probe("project-zzzzzz", limit);
      const secret = await probe("project-nightjar", limit);
      expect(absent).toEqual({ entries: 0, token: false });
      expect(secret, `limit=${limit}: twelve private matches (> 5×(limit+1) = ${5 * (limit + 1)}?)`).toEqual(absent);
    }
  });
});

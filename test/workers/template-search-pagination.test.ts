// template lists with a search, walked page by page, across the backing driver (one backing, by
// name) and the sort driver (both backings), both directions, every sort: the union is the filtered set.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, callJson, createOrg, createToken } from "./helpers";
import { goodArchive, publishTemplate } from "./template-helpers";

const N = 60;
const V = 25;

async function cols(table: string): Promise<string[]> {
  return (await env.DB.prepare(`PRAGMA table_info(${table})`).all<{ name: string }>()).results.map((r) => r.name);
}

beforeAll(async () => {
  await createOrg("tplseed");
  const pub = (await createToken("tplseed", "publisher")).token;
  expect((await publishTemplate(pub, "private/tplseed/seed", "1.0.0", await goodArchive())).status).toBe(201);
  // Make the seed public-like: clone it N times as private-source templates of org tplseed (visible to its token).
  const item = await env.DB.prepare("SELECT * FROM items WHERE kind = 'template' AND name = 'seed'").first<Record<string, unknown>>();
  const ic = await cols("items");
  const vc = await cols("versions");
  const lc = await cols("latest_history");
  const sel = (c: string[], over: Record<string, string>) => c.map((x) => over[x] ?? `"${x}"`).join(", ");
  const list = (c: string[]) => c.map((x) => `"${x}"`).join(", ");
  const nums = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${N - 1})`;
  const name = `printf('tpl-%03d', n.i)`;
  await env.DB.prepare(
    `INSERT INTO items (${list(ic)}) ${nums} SELECT ${sel(ic, {
      id: `'titem-' || n.i`,
      name,
      canonical_name: name,
      latest_version_id: `'tver-' || n.i`,
      search_text: `search_text || ' ' || ${name} || CASE WHEN n.i % 7 = 3 THEN ' qqmark' ELSE '' END`,
      latest_created_at: `strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + (n.i * 37) % ${N}, 'unixepoch')`,
    })} FROM items, n WHERE items.id = ?`,
  ).bind(item!.id).run();
  await env.DB.prepare(
    `INSERT INTO versions (${list(vc)}) ${nums} SELECT ${sel(vc, { id: `'tver-' || n.i`, item_id: `'titem-' || n.i`, operation_id: `'top-' || n.i` })} FROM versions, n WHERE versions.id = ?`,
  ).bind(item!.latest_version_id).run();
  await env.DB.prepare(
    `INSERT INTO latest_history (${list(lc.filter((c) => c !== "id"))}) ${nums} SELECT ${sel(lc.filter((c) => c !== "id"), { item_id: `'titem-' || n.i`, canonical_name: name, latest_created_at: `strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + (n.i * 37) % ${N}, 'unixepoch')` })} FROM latest_history, n WHERE latest_history.item_id = ? AND latest_history.valid_to IS NULL`,
  ).bind(item!.id).run();
  for (let i = 0; i < V; i++) {
    const r = await callJson("/api/admin/templates", {
      method: "POST",
      token: ADMIN,
      body: { source: "github", publisher: "pulumi", name: `pulumi/examples/vcs-${String(i).padStart(3, "0")}`, repoSlug: "pulumi/examples", downloadURL: "https://github.com/pulumi/examples/archive/x.tar.gz", displayName: `VCS ${i} ${i % 5 === 2 ? "qqmark" : ""}`, language: "typescript" },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  readerToken = (await createToken("tplseed", "reader")).token;
}, 120_000);
let readerToken = "";

async function walk(query: string, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let ct: string | undefined;
  let n = 0;
  do {
    const r = await callJson(`/api/registry/templates?${query}&limit=${limit}${ct ? `&continuationToken=${encodeURIComponent(ct)}` : ""}`, { token: readerToken });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    for (const t of r.body.templates) keys.push(`${t.source}/${t.publisher}/${t.name}`);
    ct = r.body.continuationToken;
    if (++n > 400) throw new Error("no end");
  } while (ct);
  return keys;
}

async function expected(term: string, backings: string[]): Promise<string[]> {
  const r = await env.DB.prepare(
    `SELECT source || '/' || publisher || '/' || name AS k FROM items WHERE kind = 'template' AND backing IN (${backings.map(() => "?").join(",")}) AND instr(search_text, ?) > 0 AND (visibility = 'public' OR owner_org = 'tplseed')`,
  ).bind(...backings, term).all<{ k: string }>();
  return r.results.map((x) => x.k).sort();
}

describe("template search pages", () => {
  for (const backing of [["registry"], ["vcs"], ["registry", "vcs"]])
    for (const sort of ["name", "publisher", "createdAt"])
      for (const asc of [true, false])
        it(`backing=${backing} sort=${sort} asc=${asc}`, async () => {
          for (const term of ["qqmark", "tpl-0", "vcs-01", "qq"]) {
            const want = await expected(term, backing);
            for (const limit of [1, 2, 3]) {
              const got = await walk(`${backing.map((b) => `backing=${b}`).join("&")}&search=${term}&sort=${sort}&asc=${asc}`, limit);
              expect(new Set(got).size, `${term} ${limit} dup`).toBe(got.length);
              expect([...got].sort(), `${term} ${limit}`).toEqual(want);
            }
          }
        }, 120_000);
});

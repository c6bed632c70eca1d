// review-fences: the fences' trees' objects (index-fences.tsv, nav-fences.tsv, search-fences.tsv) of a version whose
// heads keep only their roots are in its artifact map, so an operator's re-derivation removes the replaced ones and
// deleting the version removes them all, and the docs are served through them.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { lookup, readManifest, TYPE_KINDS } from "../../src/api-docs/storage";
import { deriveDocs } from "../../src/api-docs/derive";

let token: string;
const PATH = "pulumi/fencetrees/trees";
const ROOT = "packages/pulumi/fencetrees/trees/";
const MODULE = (m: number) => `m${String(m).padStart(3, "0")}${"w".repeat(2500)}`;

/** 160 modules named in 2,500 characters, one resource each named by 100 pseudo-random CJK characters. */
function treeSchema(): { schema: string; tokens: string[] } {
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const resources: Record<string, unknown> = {};
  for (let m = 0; m < 160; m++) {
    let name = "R";
    for (let i = 0; i < 100; i++) name += String.fromCharCode(0x4e00 + ((next() >> 10) % 0x5000));
    resources[`trees:${MODULE(m)}:${name}`] = { description: `resource ${m}`, properties: { id: { type: "string" } } };
  }
  return { schema: JSON.stringify({ name: "trees", version: "1.0.0", resources }), tokens: Object.keys(resources) };
}
const { schema, tokens } = treeSchema();

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.ARTIFACTS.list({ prefix, cursor });
    out.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

async function artifacts(): Promise<Record<string, string>> {
  const row = await env.DB.prepare("SELECT v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = 'trees' AND v.version = '1.0.0'").first<{ artifacts: string }>();
  return JSON.parse(row!.artifacts) as Record<string, string>;
}

/** Members found through the manifest's tree (the docs route refuses tokens this long: the lookup itself), modules through nav-head.json's. */
async function served() {
  const manifestKey = (await artifacts())["docs.manifest"]!;
  const prefix = manifestKey.slice(0, -"manifest.json".length);
  const manifest = (await readManifest(env.ARTIFACTS, prefix))!;
  expect(manifest.fenceTree?.levels).toBeGreaterThan(0);
  for (const t of [tokens[0]!, tokens[77]!, tokens[159]!]) expect((await lookup(env.ARTIFACTS, prefix, manifest, t))?.token).toBe(t);
  const nav = await callJson(`/api/registry/packages/${PATH}/versions/1.0.0/nav?after=${MODULE(150)}`, { token });
  expect(nav.status).toBe(200);
  expect((nav.body.modules as Array<{ name: string }>)[0]!.name).toBe(MODULE(151));
}

beforeAll(async () => {
  await createOrg("fencetrees");
  token = (await createToken("fencetrees", "publisher")).token;
  await publishPackage(token, PATH, "1.0.0", { schema });
}, 120_000);

describe("a version whose docs heads keep only their fences' roots", () => {
  it("records the trees' objects, serves through them, drops the replaced ones on re-derivation and all on delete", async () => {
    const first = await artifacts();
    for (const name of ["docs.index-fences", "docs.nav-fences", "docs.search-fences"]) expect(first[name], name).toMatch(/\/docs\/(index|nav|search)-fences\.tsv$/);
    await served();

    // The operator's re-derivation: a fresh prefix, and the replaced docs (their fences' trees too) deleted.
    const started = await callJson(`/api/admin/packages/${PATH}/versions/1.0.0/docs`, { method: "POST", token: ADMIN });
    expect(started.status).toBe(202);
    for (let tries = 0; ; tries++) {
      const report = await callJson(`/api/admin/packages/${PATH}/versions/1.0.0/docs`, { token: ADMIN });
      if (report.body.job?.attempt === 2 && report.body.job.status === "done") break;
      expect(tries).toBeLessThan(600);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const second = await artifacts();
    expect(second["docs.index-fences"]).not.toBe(first["docs.index-fences"]);
    for (const name of ["docs.index-fences", "docs.nav-fences", "docs.search-fences"]) {
      expect(await env.ARTIFACTS.head(first[name]!), name).toBeNull();
      expect(await env.ARTIFACTS.head(second[name]!), name).not.toBeNull();
    }
    // Nothing under the version but what its artifact map names (and the pages' renderings, if any).
    const recorded = new Set(Object.values(second));
    expect((await keysUnder(ROOT)).filter((k) => !recorded.has(k) && !k.includes("/rendered/"))).toEqual([]);
    await served();

    const del = await call(`/api/registry/packages/${PATH}/versions/1.0.0`, { method: "DELETE", token });
    expect(del.status).toBe(204);
    expect(await keysUnder(ROOT)).toEqual([]);
  }, 120_000);
});

describe("tokens both a resource and a type, in index blocks cut by bytes", () => {
  it("each token's lines stay in one block: the resource and the type are both found through the tree", async () => {
    // 1,200 tokens, each a resource and an object type; each resource reaches 100 supporting types, so its index
    // line is ~1.4 KiB and blocks end at 16 KiB (~12 lines, where the token's 64× is far less): a cut by bytes
    // between a token's two lines would leave one of them out of the block its fence points at. The ~100 fences
    // pass FENCE_ROOT_BYTES, so the manifest keeps their tree (blocks of 64 lines would make 40 fences, no tree).
    const resources: Record<string, unknown> = {};
    const types: Record<string, unknown> = {};
    const both: string[] = [];
    const shared = Array.from({ length: 100 }, (_, k) => `both:m:S${k}`);
    for (const t of shared) types[t] = { type: "object", properties: { v: { type: "string" } } };
    const refs = Object.fromEntries(shared.map((t, k) => [`p${k}`, { $ref: `#/types/${t}` }]));
    for (let i = 0; i < 1200; i++) {
      const t = `both:m:T${String(i).padStart(4, "0")}${"b".repeat(40 + (i % 5) * 10)}`;
      both.push(t);
      resources[t] = { properties: refs };
      types[t] = { type: "object", properties: { x: { type: "string" } } };
    }
    const prefix = "fence-tree-both/";
    await env.ARTIFACTS.put(`${prefix}schema.json`, JSON.stringify({ name: "both", version: "1.0.0", resources, types }));
    const artifacts = await deriveDocs(env.ARTIFACTS, { schemaKey: `${prefix}schema.json` });
    const docs = artifacts["docs.manifest"]!.slice(0, -"manifest.json".length);
    const manifest = (await readManifest(env.ARTIFACTS, docs))!;
    expect(manifest.fenceTree?.levels).toBeGreaterThan(0);
    for (const t of both) {
      expect((await lookup(env.ARTIFACTS, docs, manifest, t))?.kind, t.slice(0, 12)).toBe("resource");
      expect((await lookup(env.ARTIFACTS, docs, manifest, t, TYPE_KINDS))?.kind, t.slice(0, 12)).toBe("object");
    }
  });
});

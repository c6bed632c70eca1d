// Issue 21, "bounded work": the JSON nav with `q` of a big package is answered through the search index
// within its caps (at most MAX_NAV_MATCHES matches listed, the count said), not by reading nav.json whole;
// a small package answers as before.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { MAX_NAV_MATCHES } from "../../src/api-docs/routes";

let token: string;

/** `modules` modules of `perModule` resources each (the cheapest bytes per member). */
function wideSchema(name: string, modules: number, perModule: number): string {
  const resources: Record<string, unknown> = {};
  for (let m = 0; m < modules; m++) for (let r = 0; r < perModule; r++) resources[`${name}:m${m}:R${r}`] = { properties: { id: { type: "string" } } };
  return JSON.stringify({ name, version: "1.0.0", resources });
}

async function navSize(name: string): Promise<number> {
  const listed = await env.ARTIFACTS.list({ prefix: `packages/pulumi/navq/${name}/` });
  const key = listed.objects.find((o) => o.key.endsWith("/docs/nav.json"))!;
  return key.size;
}

interface NavJson {
  modules: Array<{ name: string; resourcesTotal: number; resources?: Array<{ name: string; token: string }> }>;
  matchesTotal?: number;
  matchesComplete?: false;
}

async function nav(name: string, query: string) {
  const r = await call(`/api/registry/packages/pulumi/navq/${name}/versions/1.0.0/nav?${query}`, { token });
  const text = await r.text();
  expect(r.status, text.slice(0, 300)).toBe(200);
  return { body: JSON.parse(text) as NavJson, text, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")) };
}

beforeAll(async () => {
  await createOrg("navq");
  token = (await createToken("navq", "publisher")).token;
  // …and five members whose C# name is not their token's last part (`language.csharp.name`).
  const bigq = JSON.parse(wideSchema("bigq", 60, 400)) as { resources: Record<string, unknown> };
  for (let i = 0; i < 5; i++) bigq.resources[`bigq:zz:Plain${i}`] = { language: { csharp: { name: `Zebra${i}` } }, properties: { id: { type: "string" } } };
  await publishPackage(token, "pulumi/navq/bigq", "1.0.0", { schema: JSON.stringify(bigq) });
  await publishPackage(token, "pulumi/navq/smallq", "1.0.0", { schema: wideSchema("smallq", 4, 40) });
}, 240_000);

describe("the JSON nav with q", () => {
  it("of a big package finds a member of its last module through the index, reading a small part of nav.json", async () => {
    const { body, r2Bytes } = await nav("bigq", "q=m59:R399&lang=python&depth=full");
    const m59 = body.modules.find((m) => m.name === "m59")!;
    expect(m59.resourcesTotal).toBe(400);
    expect(m59.resources).toEqual([{ name: "bigq.m59.R399", token: "bigq:m59:R399" }]);
    expect(body.matchesTotal).toBeUndefined();
    expect(r2Bytes).toBeLessThan((await navSize("bigq")) / 4);
  });

  it("without lang matches tokens only, as a small package's nav does: names match only with their language", async () => {
    // The index holds every language's names; without lang they must neither be listed nor counted.
    const plain = await nav("bigq", "q=zebra&depth=full");
    expect(plain.body.modules.flatMap((m) => m.resources ?? [])).toEqual([]);
    expect(plain.body.matchesTotal).toBeUndefined();
    const named = await nav("bigq", "q=zebra&lang=csharp&depth=full");
    expect(named.body.modules.flatMap((m) => (m.resources ?? []).map((r) => r.name))).toEqual(["Bigq.Zz.Zebra0", "Bigq.Zz.Zebra1", "Bigq.Zz.Zebra2", "Bigq.Zz.Zebra3", "Bigq.Zz.Zebra4"]);
    expect(named.body.matchesTotal).toBeUndefined();
    // A q under 3 characters (the scan): the same rule.
    expect((await nav("bigq", "q=ze&depth=full")).body.modules.flatMap((m) => m.resources ?? [])).toEqual([]);
    // A q that only the TypeScript names hold (qualified: `bigq.m1.R0`), matching thousands of them: without lang
    // nothing is listed, so nothing may be counted either (the index, whose caps may still say "at least 0", and the
    // short scan of `q.`).
    for (const q of ["bigq.m1", "q."]) {
      const qualified = await nav("bigq", `q=${q}&depth=full`);
      expect(qualified.body.modules.flatMap((m) => m.resources ?? []), q).toEqual([]);
      expect(qualified.body.matchesTotal ?? 0, q).toBe(0);
    }
    const tokens = await nav("bigq", "q=plain3&depth=full");
    expect(tokens.body.modules.flatMap((m) => (m.resources ?? []).map((r) => r.token))).toEqual(["bigq:zz:Plain3"]);
  });

  it("lists at most MAX_NAV_MATCHES matches of a broad q and says how many match", async () => {
    // R12, R120…R129 in each of the 60 modules: 660 members.
    const { body, text } = await nav("bigq", "q=R12&lang=go&depth=full");
    const listed = body.modules.reduce((n, m) => n + (m.resources?.length ?? 0), 0);
    // The index's caps (16 reads of member lines) may stop the search first: then it says "at least".
    expect(listed).toBeGreaterThan(100);
    expect(listed).toBeLessThanOrEqual(MAX_NAV_MATCHES);
    expect(body.matchesTotal).toBeGreaterThanOrEqual(listed);
    expect(body.matchesTotal).toBeLessThanOrEqual(660);
    if (body.matchesTotal! < 660) expect(body.matchesComplete).toBe(false);
    expect(text.length).toBeLessThan(64 * 1024);
    const markdown = await call("/api/registry/packages/pulumi/navq/bigq/versions/1.0.0/nav?q=R12&lang=go", { token, headers: { Accept: "text/markdown" } });
    expect(await markdown.text()).toMatch(/(At least )?\d+ members match; the first are listed/);
  });

  it("of a big package and a q under 3 characters scans only the first modules that fit SHORT_FILTER_BYTES, and says 'at least'", async () => {
    const { body, r2Bytes } = await nav("bigq", "q=R1&lang=go&depth=full");
    const listed = body.modules.reduce((n, m) => n + (m.resources?.length ?? 0), 0);
    expect(listed).toBe(MAX_NAV_MATCHES);
    expect(body.matchesComplete).toBe(false);
    expect(body.matchesTotal).toBeGreaterThan(MAX_NAV_MATCHES);
    // With the index, a short q scans at most SHORT_FILTER_BYTES (64 KiB) of nav.json.
    expect(r2Bytes).toBeLessThan(64 * 1024 + 32 * 1024);
    expect(r2Bytes).toBeLessThan(await navSize("bigq"));
  });

  it("of a small package reads nav.json whole and answers every match, as before (no match counts)", async () => {
    const { body } = await nav("smallq", "q=R1&lang=python&depth=full");
    const listed = body.modules.reduce((n, m) => n + (m.resources?.length ?? 0), 0);
    expect(listed).toBe(4 * 11);
    expect(body.matchesTotal).toBeUndefined();
  });
});

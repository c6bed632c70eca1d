// review-fences: module names a schema may spell (its tokens are JSON keys: `\t`, `\n` and `\ud800` are valid escapes)
// against nav-modules.tsv, whose lines are `name \t totals…` with byte offsets: the JSON nav's continuation past the
// head's first modules (read from nav-modules.tsv blocks through the fences) must list each module once, with its
// totals, and read no more than its blocks.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";

let token: string;
const PATH = "pulumi/modnames/hostile";

/** Module names past the head's first 300: a tab, a newline spelling a fake module line, a lone surrogate, a CR. */
const HOSTILE = ["m350\tx", "m351\nm999\t1\t0\t0\t99999999\t0\t99999999", "m352\ud800z", "m353\u2028y", "m354\rr", "m355\t7\t7\t0\t99999999\t0\t99999999"];

beforeAll(async () => {
  await createOrg("modnames");
  token = (await createToken("modnames", "publisher")).token;
  const resources: Record<string, unknown> = {};
  for (let m = 0; m < 400; m++) resources[`hostile:m${String(m).padStart(3, "0")}:R`] = { properties: {} };
  for (const name of HOSTILE) resources[`hostile:${name}:R`] = { properties: {} };
  // nav.json past 256 KiB: what a module line's range could make a full nav read whole.
  for (let r = 0; r < 4000; r++) resources[`hostile:m000:Resource${String(r).padStart(4, "0")}${"n".repeat(60)}`] = { properties: {} };
  await publishPackage(token, PATH, "1.0.0", { schema: JSON.stringify({ name: "hostile", version: "1.0.0", resources }) });
}, 120_000);

async function summaryModules(): Promise<Array<{ name: string; resources: number }>> {
  const listed = await env.ARTIFACTS.list({ prefix: "packages/pulumi/modnames/hostile/" });
  const key = listed.objects.find((o) => o.key.endsWith("/docs/nav-summary.json"))!.key;
  return ((await (await env.ARTIFACTS.get(key))!.json()) as { modules: Array<{ name: string; resources: number }> }).modules;
}

describe("module names with tabs, newlines and lone surrogates", () => {
  it("the JSON nav's pages list every module once, with its totals", async () => {
    const want = await summaryModules();
    // (Tokens whose module part holds a line break are not read as tokens of a module: not in the navigation.)
    // (Names compared as JSON: a lone surrogate in an assertion's message breaks the test pool's reporting.)
    const esc = (m: { name: string; resources: number }) => `${JSON.stringify(m.name)} ${m.resources}`;
    // The schema's lone surrogate is read as U+FFFD; a module name holding a tab would split its nav-modules.tsv line
    // (a module "m355" of 7 resources and nav.json range [0, 99999999] here): such modules stay out of the navigation.
    expect(want.map((m) => JSON.stringify(m.name))).toContain(JSON.stringify("m352\ufffdz"));
    expect(want.filter((m) => m.name.includes("\t"))).toEqual([]);
    const got: Array<{ name: string; resources: number }> = [];
    let path: string | undefined = `/api/registry/packages/${PATH}/versions/1.0.0/nav?after=m299`;
    for (let pages = 0; path && pages < 20; pages++) {
      const r = await call(path, { token });
      const text = await r.text();
      expect(r.status, text.slice(0, 300)).toBe(200);
      const body = JSON.parse(text) as { modules: Array<{ name: string; resourcesTotal: number }>; modulesNextUrl?: string };
      got.push(...body.modules.map((m) => ({ name: m.name, resources: m.resourcesTotal })));
      path = body.modulesNextUrl ? new URL(body.modulesNextUrl).pathname + new URL(body.modulesNextUrl).search : undefined;
    }
    expect(got.map(esc)).toEqual(want.filter((m) => m.name > "m299").map(esc));
  });

  it("a module line cannot point a full nav at a range of its choosing", async () => {
    const r = await call(`/api/registry/packages/${PATH}/versions/1.0.0/nav?after=m354&depth=full`, { token });
    expect(r.status).toBe(200);
    expect(Number(r.headers.get("X-R2-Bytes-Read"))).toBeLessThan(128 * 1024);
    const body = (await r.json()) as { modules: Array<{ name: string }> };
    expect(body.modules.map((m) => JSON.stringify(m.name))).not.toContain('"m999"');
  });
});

describe("tokens holding a tab (index.tsv and examples.tsv lines are `token \\t kind \\t ranges…`)", () => {
  const P = "pulumi/modnames/tabby";
  const example = (name: string) => `The ${name}.\n\n{{% examples %}}\n{{% example %}}\n### Use it\n\`\`\`typescript\nnew tabby.m.${name}("x");\n\`\`\`\n{{% /example %}}\n{{% /examples %}}`;
  beforeAll(async () => {
    const resources: Record<string, unknown> = {};
    // A pack of megabytes: four members of 1 MB of prose each.
    for (let r = 0; r < 4; r++) resources[`tabby:m:Big${r}`] = { description: `prose ${r} `.repeat(100_000), properties: {} };
    // Lines spelling a member "Ghost" (no such member) and an example of the pack's first 50 MB.
    resources["tabby:m:Ghost\tresource\t0\t50000000"] = { description: "the tab resource", properties: {} };
    resources["tabby:m:Aaa\tresource\tslug\tA title\ttypescript:0:50000000"] = { description: example("Aaa"), properties: {} };
    await publishPackage(token, P, "1.0.0", { schema: JSON.stringify({ name: "tabby", version: "1.0.0", resources }) });
  }, 120_000);

  it("a token's index line cannot answer for another token, with a range of its choosing", async () => {
    const r = await call(`/api/registry/packages/${P}/versions/1.0.0/docs/${encodeURIComponent("tabby:m:Ghost")}`, { token });
    await r.text();
    expect(r.status).toBe(404);
    expect(Number(r.headers.get("X-R2-Bytes-Read"))).toBeLessThan(256 * 1024);
  });

  it("a token's example line cannot make the examples read a range of its choosing", async () => {
    const r = await call(`/api/registry/packages/${P}/versions/1.0.0/examples?lang=typescript`, { token });
    const text = await r.text();
    expect(r.status, text.slice(0, 300)).toBe(200);
    expect(Number(r.headers.get("X-R2-Bytes-Read"))).toBeLessThan(256 * 1024);
  });
});

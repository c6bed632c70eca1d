// Issue 21, "bounded work": a page in a module of very many members reads that module's first lines of
// nav-members.tsv and finds its own member by bisection, never the module's whole slice of nav.json nor the
// package's whole name overrides. The bisection is checked against a linear search on real R2 objects, and the
// pages on published packages, against the same packages with the object removed (docs of older releases).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken, signIn } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { memberKey, memberLine, MAX_OVERRIDE_JSON, type NavHead } from "../../src/api-docs/derive";
import { allMembers, findMember, firstMembers, MEMBER_LINES_WHOLE, type MemberLine } from "../../src/api-docs/nav-members";
import { EXPANDED_MAX } from "../../src/web/api-docs-routes";

const KiB = 1024;
let token: string;
let cookie: string;

beforeAll(async () => {
  await createOrg("members");
  token = (await createToken("members", "publisher")).token;
  cookie = await signIn(token);
});

/** A signed-in page is rendered on every request (never from the edge cache). */
async function rendered(path: string) {
  const r = await call(path, { headers: { Accept: "text/html", Cookie: cookie } });
  const body = await r.text();
  expect(r.status, body.slice(0, 300)).toBe(200);
  return { body, bytes: new TextEncoder().encode(body).byteLength, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")) };
}

/** A deterministic pseudo-random sequence (the test must fail the same way every time). */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("nav-members.tsv bisection", () => {
  /** Modules of random members (some names repeated across token modules, some long, some with overrides), written as the derivation does. */
  const modules: Array<{ lines: MemberLine[]; range: [number, number] }> = [];
  const key = "test/nav-members/nav-members.tsv";

  beforeAll(async () => {
    const next = random(21);
    let text = "";
    let offset = 0;
    for (const size of [0, 1, 3, 40, 900, 5000, 20000]) {
      const lines: MemberLine[] = [];
      for (let i = 0; i < size; i++) {
        const kind = next() < 0.7 ? "resource" : "function";
        // Few token modules and a small name space: the same URL name occurs under several tokens.
        const name = next() < 0.01 ? "L" + "x".repeat(Math.floor(next() * 3000)) : `N${Math.floor(next() * size * 0.8)}`;
        const token = `pkg:mod${Math.floor(next() * 4)}/sub:${name}`;
        // Overrides past MAX_OVERRIDE_JSON are left out of the lines (tested below): only shorter ones here.
        const override = next() < 0.2 && name.length < 1000 ? { csharp: `Cs${name}`, go: `Go${name}` } : undefined;
        lines.push({ kind, token, ...(override ? { override } : {}) });
      }
      const sortKey = (l: MemberLine) => `${l.kind === "resource" ? 0 : 1}${memberKey(l.token)}`;
      lines.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
      const body = lines.map((l) => memberLine(l.kind, l.token, l.override)).join("");
      const length = new TextEncoder().encode(body).byteLength;
      modules.push({ lines, range: [offset, length] });
      text += body;
      offset += length;
    }
    await env.ARTIFACTS.put(key, text);
  });

  it("finds the module's first resource of a URL name, else its first function, as a linear search does", async () => {
    for (const { lines, range } of modules) {
      const segments = [...new Set(lines.map((l) => l.token.slice(l.token.lastIndexOf(":") + 1)))];
      // Every name there is (up to 300 of them), and names that are not there, sorting before, between and after.
      const asked = [...segments.slice(0, 300), "A", "N", "N00", "Zz", "~", ""];
      for (const segment of asked) {
        const named = (l: MemberLine) => l.token.slice(l.token.lastIndexOf(":") + 1) === segment;
        const expected = lines.find((l) => l.kind === "resource" && named(l)) ?? lines.find((l) => l.kind === "function" && named(l));
        expect(await findMember(env.ARTIFACTS, key, range, segment), `${segment} in ${lines.length}`).toEqual(expected);
      }
    }
  }, 120_000);

  it("reads a module's lines whole only when small, its first ones by a bounded prefix", async () => {
    const big = modules.find((m) => m.range[1] > 4 * MEMBER_LINES_WHOLE)!;
    expect(await allMembers(env.ARTIFACTS, key, modules[3]!.range)).toEqual(modules[3]!.lines);
    const first = await firstMembers(env.ARTIFACTS, key, big.range, EXPANDED_MAX);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThanOrEqual(EXPANDED_MAX);
    expect(first).toEqual(big.lines.slice(0, first.length));
  });

  it("leaves out name overrides past MAX_OVERRIDE_JSON, so every line stays bounded", () => {
    const long = { csharp: "C".repeat(MAX_OVERRIDE_JSON) };
    expect(memberLine("resource", "pkg:m:R", long)).toBe('0\t"pkg:m:R"\t\n');
    expect(memberLine("function", "pkg:m:f", { go: "F" })).toBe('1\t"pkg:m:f"\t{"go":"F"}\n');
  });
});

/** One module of `members` resources, each overriding its C# name (so the package's overrides grow with it). */
function oneModuleSchema(name: string, members: number): string {
  const resources: Record<string, unknown> = {};
  for (let r = 0; r < members; r++) resources[`${name}:m0:R${r}`] = { properties: { id: { type: "string" } }, language: { csharp: { name: `Sharp${r}` } } };
  return JSON.stringify({ name, version: "1.0.0", resources });
}

async function docsKeys(name: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.ARTIFACTS.list({ prefix: `packages/pulumi/members/${name}/`, cursor });
    out.push(...page.objects.map((o) => o.key).filter((k) => k.includes("/docs/")));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

describe("a member page in a module of very many members, every one with a name override", () => {
  beforeAll(async () => {
    await publishPackage(token, "pulumi/members/mid", "1.0.0", { schema: oneModuleSchema("mid", 3000) });
    await publishPackage(token, "pulumi/members/huge", "1.0.0", { schema: oneModuleSchema("huge", 15000) });
    // The same package as docs of the previous release left it: no nav-members.tsv, and neither nav-head.json nor nav-modules.tsv says where module lines lie.
    await publishPackage(token, "pulumi/members/older", "1.0.0", { schema: oneModuleSchema("older", 3000) });
    const keys = await docsKeys("older");
    await env.ARTIFACTS.delete(keys.find((k) => k.endsWith("/nav-members.tsv"))!);
    const headKey = keys.find((k) => k.endsWith("/nav-head.json"))!;
    const head = (await (await env.ARTIFACTS.get(headKey))!.json()) as NavHead;
    await env.ARTIFACTS.put(headKey, JSON.stringify({ ...head, membersAt: undefined }));
    const linesKey = keys.find((k) => k.endsWith("/nav-modules.tsv"))!;
    const lines = await (await env.ARTIFACTS.get(linesKey))!.text();
    await env.ARTIFACTS.put(linesKey, lines.replace(/^((?:[^\t\n]*\t){4}[^\t\n]*)\t[^\n]*$/gm, "$1"));
  }, 240_000);

  it("reads the module's first lines and a few probes: the same bytes at 5× the members, a small part of the module and of the overrides", async () => {
    // R7777 sorts past the first EXPANDED_MAX by URL name in both (R0, R1, R10, R100, R1000, …).
    const mid = await rendered("/packages/pulumi/members/mid/1.0.0/api/m0/R2777?lang=csharp");
    const huge = await rendered("/packages/pulumi/members/huge/1.0.0/api/m0/R7777?lang=csharp");
    expect(huge.body).toMatch(/<a href="\/packages\/pulumi\/members\/huge\/1\.0\.0\/api\/m0\/R7777\?lang=csharp" aria-current="page">Huge\.M0\.Sharp7777<\/a>/);
    expect(huge.body).toContain(`${15000 - EXPANDED_MAX - 1} more not listed`);
    // Names are the members' own overrides (C# qualifies them), read with their lines, not from the package's whole overrides.
    expect(huge.body).toContain(">Huge.M0.Sharp0<");
    expect(huge.bytes).toBeLessThan(mid.bytes * 1.1);
    expect(huge.r2Bytes).toBeLessThan(mid.r2Bytes + 24 * KiB);
    const keys = await docsKeys("huge");
    const sizeOf = async (suffix: string) => (await env.ARTIFACTS.head(keys.find((k) => k.endsWith(suffix))!))!.size;
    // nav.json holds the module's tokens and every override: the page reads far less than either.
    expect(huge.r2Bytes).toBeLessThan((await sizeOf("/nav.json")) / 4);
    expect(huge.r2Bytes).toBeLessThan((await sizeOf("/nav-members.tsv")) / 4);
  }, 60_000);

  it("show the same pages as docs without nav-members.tsv, which read the module's slice of nav.json", async () => {
    for (const path of ["/1.0.0/api/m0/R2777?lang=csharp", "/1.0.0/api/m0/R1?lang=csharp", "/1.0.0/api/m0/R10?lang=go", "/1.0.0/api?lang=csharp", "/1.0.0/api/m0?lang=python"]) {
      const now = await rendered(`/packages/pulumi/members/mid${path}`);
      const old = await rendered(`/packages/pulumi/members/older${path}`);
      const same = (body: string) => body.replaceAll(/\b(?:mid|older|Mid|Older)\b/g, "NAME").replaceAll(/<time datetime="[^"]*">[^<]*<\/time>/g, "<time>");
      const [a, b] = [same(old.body), same(now.body)];
      let at = 0;
      while (at < a.length && a[at] === b[at]) at++;
      expect(a.slice(Math.max(0, at - 100), at + 100), path).toBe(b.slice(Math.max(0, at - 100), at + 100));
      expect(now.r2Bytes, path).toBeLessThanOrEqual(old.r2Bytes);
    }
  }, 60_000);

  it("a URL name the module does not have is the nearest module's page or a 404, as before", async () => {
    const r = await call("/packages/pulumi/members/huge/1.0.0/api/m0/R99999?lang=csharp", { headers: { Accept: "text/html", Cookie: cookie } });
    expect([200, 404]).toContain(r.status);
    const old = await call("/packages/pulumi/members/older/1.0.0/api/m0/R99999?lang=csharp", { headers: { Accept: "text/html", Cookie: cookie } });
    expect(r.status).toBe(old.status);
  });
});

describe("an overriding name of any length", () => {
  it("is left out of the navigation past MAX_OVERRIDE_NAME: nav.json stays small, the tree shows the naming rules' name", async () => {
    const long = "Q".repeat(100_000);
    const schema = JSON.stringify({
      name: "longname",
      version: "1.0.0",
      resources: {
        "longname:m0:Big": { properties: { id: { type: "string" } }, language: { csharp: { name: long } } },
        "longname:m0:Small": { properties: { id: { type: "string" } }, language: { csharp: { name: "Tiny" } } },
      },
    });
    await publishPackage(token, "pulumi/members/longname", "1.0.0", { schema });
    const keys = await docsKeys("longname");
    const nav = (await env.ARTIFACTS.head(keys.find((k) => k.endsWith("/nav.json"))!))!;
    expect(nav.size).toBeLessThan(2 * KiB);
    const page = await rendered("/packages/pulumi/members/longname/1.0.0/api/m0/Small?lang=csharp");
    expect(page.body).toContain(">Longname.M0.Tiny<");
    expect(page.body).not.toContain("QQQQ");
    expect(page.bytes).toBeLessThan(64 * KiB);
    const answer = await call("/api/registry/packages/pulumi/members/longname/versions/1.0.0/nav?lang=csharp&depth=full", { token });
    expect(JSON.stringify(await answer.json())).not.toContain("QQQQ");
  }, 60_000);
});

// the signed-in pages' session viewer (one D1 batch) never shows a dead session more than an
// anonymous visitor sees; the new pages (category list, type pages, template version pages, links into
// other packages' types) neither leak private items nor echo markup.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken, signIn } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { archiveOf, PULUMI_YAML, publishTemplate } from "./template-helpers";

const html = { Accept: "text/html" };
const XSS = `<img src=x onerror=alert(1)>"'`;
let ownerReader: { id: string; token: string };
let otherReader: { id: string; token: string };

const secretSchema = JSON.stringify({
  name: "secretpkg",
  version: "1.0.0",
  description: `Secret thing ${XSS}`,
  keywords: ["category/database"],
  resources: { "secretpkg:index:Vault": { description: `vault ${XSS}`, inputProperties: { thing: { $ref: "#/types/secretpkg:index:Thing" } }, properties: {} } },
  types: { "secretpkg:index:Thing": { type: "object", description: `Thing ${XSS} secretdesc`, properties: { [`p${XSS}`]: { type: "string", description: XSS } } } },
});
const linkerSchema = JSON.stringify({
  name: "linker",
  version: "1.0.0",
  keywords: ["category/database"],
  resources: {
    "linker:index:Uses": {
      inputProperties: { s: { $ref: "/secretpkg/v1.0.0/schema.json#/types/secretpkg:index:Thing" }, t: { $ref: "#/types/linker:../..:Evil" } },
      properties: {},
    },
  },
  types: {
    "linker:../..:Evil": { type: "object", properties: { a: { type: "string" } } },
    "linker:../../../../../../sign-out/x:Evil2": { type: "object", properties: { a: { type: "string" } } },
    "linker:index:Holder": { type: "object", properties: { e: { $ref: "#/types/linker:../..:Evil" }, f: { $ref: "#/types/linker:../../../../../../sign-out/x:Evil2" } } },
  },
});


async function page(path: string, cookie?: string) {
  const r = await call(path, { headers: { ...html, ...(cookie ? { Cookie: cookie } : {}) }, redirect: "manual" });
  return { status: r.status, text: await r.text(), r };
}

const PAGES = [
  "/",
  "/packages?category=database",
  "/packages?category=database&search=secret",
  "/packages?search=secret",
  "/packages?visibility=private",
  "/packages/private/owner/secretpkg/1.0.0",
  "/packages/private/owner/secretpkg/1.0.0/api",
  "/packages/private/owner/secretpkg/1.0.0/api/index/Vault",
  "/packages/private/owner/secretpkg/1.0.0/types/index/Thing",
  "/packages/pulumi/owner/linker/1.0.0/api/index/Uses",
  "/templates",
  "/templates/private/owner/secret-tpl",
  "/templates/private/owner/secret-tpl/versions/1.0.0",
  "/templates/private/owner/secret-tpl/versions/1.1.0",
];

beforeAll(async () => {
  await createOrg("owner");
  await createOrg("other");
  const pub = (await createToken("owner", "publisher")).token;
  ownerReader = await createToken("owner", "reader");
  otherReader = await createToken("other", "reader");
  await publishPackage(pub, "private/owner/secretpkg", "1.0.0", { schema: secretSchema, readme: `# secret readme ${XSS}` });
  await publishPackage(pub, "pulumi/owner/linker", "1.0.0", { schema: linkerSchema });
  for (const v of ["1.0.0", "1.1.0"]) {
    const a = await archiveOf([
      { name: "Pulumi.yaml", data: PULUMI_YAML().replace("An AWS Lambda in TypeScript", `secret tpl ${XSS.replace(/"/g, "")}`).replace("cloud: aws", `cloud: "${XSS.replace(/"/g, "")}"`) },
      { name: "README.md", data: `# tpl ${v}\n\n<script>alert(1)</script> [x](javascript:alert(1)) ${XSS}\n` },
    ]);
    const done = await publishTemplate(pub, "private/owner/secret-tpl", v, a);
    expect(done.status, JSON.stringify(done.body)).toBe(201);
  }
}, 120_000);

function scrub(s: string) {
  // The site header names who is signed in (another org's live session is signed in, as itself).
  return s.replace(/<header class="site">.*?<\/header>/s, "").replace(/<div class="field"><label for="visibility">.*?<\/select><\/div>/s, "");
}

describe("dead sessions see exactly what anonymous visitors see", () => {
  it("owner's live session sees the private items (sanity)", async () => {
    const cookie = await signIn(ownerReader.token);
    expect((await page("/packages/private/owner/secretpkg/1.0.0/types/index/Thing", cookie)).status).toBe(200);
    expect((await page("/templates/private/owner/secret-tpl/versions/1.0.0", cookie)).status).toBe(200);
    expect((await page("/packages?category=database", cookie)).text).toContain("secretpkg");
    // The public linker page links into the private package for the owner only.
    expect((await page("/packages/pulumi/owner/linker/1.0.0/api/index/Uses", cookie)).text).toContain("/packages/private/owner/secretpkg/1.0.0/types/index/Thing");
  });

  const deaths: Array<[string, (cookie: string, tokenId: string) => Promise<string>]> = [
    ["another org's session", async () => signIn(otherReader.token)],
    ["a revoked token", async (c, id) => (await env.DB.prepare("UPDATE tokens SET revoked_at = ? WHERE id = ?").bind(new Date().toISOString(), id).run(), c)],
    ["an expired token", async (c, id) => (await env.DB.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), id).run(), c)],
    ["an expired session", async (c) => (await env.DB.prepare("UPDATE web_sessions SET expires_at = ?").bind(new Date(Date.now() - 1000).toISOString()).run(), c)],
    ["a forged cookie", async (c) => c.slice(0, -2) + (c.endsWith("A") ? "BB" : "AA")],
  ];
  for (const [label, kill] of deaths)
    it(label, async () => {
      const t = await createToken("owner", "reader");
      const live = await signIn(t.token);
      const cookie = await kill(live, t.id);
      for (const path of PAGES) {
        const anon = await page(path);
        const dead = await page(path, cookie);
        expect(dead.status, `${label} ${path}`).toBe(anon.status);
        expect(scrub(dead.text), `${label} ${path}`).toBe(scrub(anon.text));
        expect(dead.text).not.toContain("secretdesc");
        expect(dead.text).not.toContain("Secret thing");
        // A forged cookie is an anonymous visitor (the shared answer, plus a cookie-clearing header).
        if (label !== "a forged cookie") expect(dead.r.headers.get("Cache-Control") ?? "").toMatch(/no-store/);
      }
    });

  it("private 404s look like absent ones", async () => {
    const pairs = [
      ["/packages/private/owner/secretpkg/1.0.0/types/index/Thing", "/packages/private/owner/nopkgxxx/1.0.0/types/index/Thing"],
      ["/templates/private/owner/secret-tpl/versions/1.0.0", "/templates/private/owner/notplxxxxx/versions/1.0.0"],
      ["/templates/private/owner/secret-tpl/versions/9.9.9", "/templates/private/owner/notplxxxxx/versions/9.9.9"],
    ];
    for (const [a, b] of pairs) {
      const x = await page(a!);
      const y = await page(b!);
      expect(x.status).toBe(404);
      expect(y.status).toBe(404);
      expect(x.text.replaceAll("secretpkg", "N").replaceAll("secret-tpl", "N")).toBe(y.text.replaceAll("nopkgxxx", "N").replaceAll("notplxxxxx", "N"));
    }
  });
});

describe("no markup echoed by the new pages", () => {
  it("type page, member page, template version page, list page", async () => {
    const cookie = await signIn(ownerReader.token);
    for (const path of [
      "/packages/private/owner/secretpkg/1.0.0/types/index/Thing",
      "/packages/private/owner/secretpkg/1.0.0/api/index/Vault",
      "/packages/private/owner/secretpkg/1.0.0",
      "/templates/private/owner/secret-tpl/versions/1.0.0",
      "/templates/private/owner/secret-tpl",
      "/packages?category=database",
      `/packages?category=${encodeURIComponent(XSS)}`,
      `/packages?search=${encodeURIComponent(XSS)}&category=`,
    ]) {
      const { text, status } = await page(path, cookie);
      expect(text, path).not.toMatch(/<img src=x/i);
      expect(text, path).not.toMatch(/<script>alert/i);
      expect(text, path).not.toMatch(/href="javascript:/i);
      expect([200, 400], path).toContain(status);
    }
  });

  it("a type token with dot segments does not make a link climbing out of the package", async () => {
    const where = "/packages/pulumi/owner/linker/1.0.0/types/index/Holder";
    const { text, status } = await page(where);
    expect(status).toBe(200);
    const hrefs = [...text.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.some((h) => h.includes("Evil"))).toBe(true);
    for (const h of hrefs) {
      if (!h.startsWith("/")) continue;
      const resolved = new URL(h.replaceAll("&amp;", "&"), "http://gateway.test" + where).pathname;
      if (h.includes("Evil")) expect(resolved, h).toMatch(/^\/packages\/pulumi\/owner\/linker\/1\.0\.0\/types\//);
    }
  });
});

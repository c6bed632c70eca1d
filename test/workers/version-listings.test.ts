import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { PREFIXES, publishPackage } from "./publish-helpers";
import { goodArchive, publishTemplate } from "./template-helpers";

let acme: OrgTokens;
let other: OrgTokens;

// Published out of order on purpose: the listing must sort by SemVer precedence, not by time.
const PUBLISHED = ["1.0.0", "2.0.0-rc.1", "1.10.0", "2.0.0-alpha", "2.0.0-rc.10", "2.0.0-rc.2", "1.2.0", "2.0.0", "0.9.0"];
const NEWEST_FIRST = ["2.0.0", "2.0.0-rc.10", "2.0.0-rc.2", "2.0.0-rc.1", "2.0.0-alpha", "1.10.0", "1.2.0", "1.0.0", "0.9.0"];

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
  for (const v of PUBLISHED) await publishPackage(acme.publisher, "pulumi/acme/tool", v);
  for (const v of ["1.0.0", "1.1.0-beta.1", "1.1.0"]) await publishPackage(acme.publisher, "private/acme/secret", v);
  for (const v of ["0.1.0", "0.2.0", "0.10.0"]) {
    const r = await publishTemplate(acme.publisher, "private/acme/starter", v, await goodArchive());
    expect(r.status).toBe(201);
  }
});

async function walk(path: string, limit: number, token?: string) {
  const seen: any[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const r = await callJson(`${path}?limit=${limit}${next ? `&continuationToken=${next}` : ""}`, { token });
    expect(r.status).toBe(200);
    const key = path.includes("/templates/") ? "templates" : "packages";
    seen.push(...r.body[key]);
    next = r.body.continuationToken;
    if (next !== undefined) expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
    pages++;
  } while (next);
  return { seen, pages };
}

describe.each(PREFIXES)("version listings under %s", (prefix) => {
  it("list a package's versions newest first by SemVer precedence, pre-releases in precedence order", async () => {
    const r = await callJson(`${prefix}/packages/pulumi/acme/tool/versions`);
    expect(r.status).toBe(200);
    expect(r.body.packages.map((p: any) => p.version)).toEqual(NEWEST_FIRST);
    expect(r.body.continuationToken).toBeUndefined();
    // Each entry is a full PackageMetadata of that version.
    const rc2 = r.body.packages.find((p: any) => p.version === "2.0.0-rc.2");
    expect(rc2).toMatchObject({ name: "tool", publisher: "acme", source: "pulumi", visibility: "public", packageStatus: "ga" });
    expect(rc2.schemaURL).toContain("/versions/2.0.0-rc.2/raw/schema");
  });

  it("pages with continuation tokens, every version exactly once, in order", async () => {
    const { seen, pages } = await walk(`${prefix}/packages/pulumi/acme/tool/versions`, 2);
    expect(pages).toBe(5);
    expect(seen.map((p) => p.version)).toEqual(NEWEST_FIRST);
  });

  it("list a template's versions, each a Template with its version", async () => {
    const r = await callJson(`${prefix}/templates/private/acme/starter/versions`, { token: acme.reader });
    expect(r.status).toBe(200);
    expect(r.body.templates.map((t: any) => t.version)).toEqual(["0.10.0", "0.2.0", "0.1.0"]);
    expect(r.body.templates[0]).toMatchObject({ name: "starter", source: "private", url: "registry://templates/private/acme/starter@0.10.0" });
    const { seen } = await walk(`${prefix}/templates/private/acme/starter/versions`, 1, acme.reader);
    expect(seen.map((t) => t.version)).toEqual(["0.10.0", "0.2.0", "0.1.0"]);
  });
});

describe("version listing rules", () => {
  it("private versions are listed only for their org; anyone else gets the 404 of an absent package", async () => {
    const mine = await callJson("/api/registry/packages/private/acme/secret/versions", { token: acme.reader });
    expect(mine.body.packages.map((p: any) => p.version)).toEqual(["1.1.0", "1.1.0-beta.1", "1.0.0"]);
    const anonymous = await callJson("/api/registry/packages/private/acme/secret/versions");
    const foreign = await callJson("/api/registry/packages/private/acme/secret/versions", { token: other.reader });
    const absent = await callJson("/api/registry/packages/private/acme/nothing/versions", { token: other.reader });
    for (const r of [anonymous, foreign, absent]) expectError(r, 404);
    expect(foreign.body.message.replace("secret", "X")).toBe(absent.body.message.replace("nothing", "X"));
    expectError(await callJson("/api/registry/templates/private/acme/starter/versions"), 404);
  });

  it("deleted versions are not listed; a package whose versions are all deleted is a 404", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/shortlived", "1.0.0");
    await publishPackage(acme.publisher, "pulumi/acme/shortlived", "1.1.0");
    expect((await call("/api/registry/packages/pulumi/acme/shortlived/versions/1.1.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect((await callJson("/api/registry/packages/pulumi/acme/shortlived/versions")).body.packages.map((p: any) => p.version)).toEqual(["1.0.0"]);
    expect((await call("/api/registry/packages/pulumi/acme/shortlived/versions/1.0.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expectError(await callJson("/api/registry/packages/pulumi/acme/shortlived/versions"), 404);
  });

  it("finds the package by its canonical name", async () => {
    const r = await callJson("/api/registry/packages/pulumi/acme/TOOL/versions?limit=1");
    expect(r.body.packages[0].version).toBe("2.0.0");
  });

  it("a token issued for one package's versions is a 400 on another's, and a tampered one is a 400", async () => {
    const first = await callJson("/api/registry/packages/pulumi/acme/tool/versions?limit=1");
    const token = first.body.continuationToken as string;
    expectError(await callJson(`/api/registry/packages/private/acme/secret/versions?continuationToken=${token}`, { token: acme.reader }), 400);
    expectError(await callJson(`/api/registry/packages?continuationToken=${token}`), 400);
    const tampered = (token[0] === "A" ? "B" : "A") + token.slice(1);
    expectError(await callJson(`/api/registry/packages/pulumi/acme/tool/versions?continuationToken=${tampered}`), 400);
  });

  it("bad limits and path segments are 400s; unknown sources 404s", async () => {
    expectError(await callJson("/api/registry/packages/pulumi/acme/tool/versions?limit=0"), 400);
    expectError(await callJson("/api/registry/packages/pulumi/acme/tool/versions?limit=x"), 400);
    expectError(await callJson("/api/registry/packages/pulumi/ac%2Fme/tool/versions"), 400);
    expectError(await callJson("/api/registry/packages/nowhere/acme/tool/versions"), 404);
  });

  it("a VCS-backed template has no versions to list (400)", async () => {
    const body = { source: "github", publisher: "pulumi", name: "pulumi/examples/site", repoSlug: "pulumi/examples", downloadURL: "https://github.com/pulumi/examples/archive/main.tar.gz" };
    expect((await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body })).status).toBe(201);
    expectError(await callJson("/api/registry/templates/github/pulumi/pulumi/examples/site/versions"), 400);
  });
});

describe("vcsTemplateSourceTotals", () => {
  it("counts VCS-backed templates matching the list's filters, per owning org, when the list asks for them", async () => {
    const base = { repoSlug: "org/repo", downloadURL: "https://github.com/org/repo/archive/main.tar.gz", description: "totals fixture" };
    for (const [publisher, name] of [["alpha", "alpha/repo/one"], ["alpha", "alpha/repo/two"], ["beta", "beta/repo/one"]] as const) {
      const r = await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...base, source: "gitlab", publisher, name } });
      expect(r.status).toBe(201);
    }
    const vcs = await callJson("/api/registry/templates?backing=vcs&search=totals");
    expect(vcs.body.vcsTemplateSourceTotals).toEqual([
      { orgLogin: "alpha", total: 2 },
      { orgLogin: "beta", total: 1 },
    ]);
    const onePage = await callJson("/api/registry/templates?backing=vcs&search=totals&limit=1");
    expect(onePage.body.templates).toHaveLength(1);
    expect(onePage.body.vcsTemplateSourceTotals).toEqual(vcs.body.vcsTemplateSourceTotals);
    expect((await callJson("/api/registry/templates?backing=vcs&orgLogin=beta&search=totals")).body.vcsTemplateSourceTotals).toEqual([{ orgLogin: "beta", total: 1 }]);
    expect((await callJson("/api/registry/templates?backing=registry")).body.vcsTemplateSourceTotals).toBeUndefined();
  });
});

// Deprecation on pages: a banner with the message and a link to the replacement on the package,
// version, docs and template pages, and a "deprecated" badge on listing cards.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, orgWithTokens, signIn, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { archiveOf, PULUMI_YAML, publishTemplate } from "./template-helpers";
import { docsSchema } from "./api-docs-fixture";

let org: OrgTokens;

async function page(path: string, cookie?: string) {
  const r = await call(path, { headers: { Accept: "text/html", ...(cookie ? { Cookie: cookie } : {}) } });
  return { status: r.status, text: await r.text() };
}

/** The deprecation banner's text, tags stripped, or undefined when the page has none. */
function banner(text: string): string | undefined {
  const m = /<section class="banner warn" aria-label="Deprecation"[^>]*>([\s\S]*?)<\/section>/.exec(text);
  return m ? m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").replace(/ \./g, ".").trim() : undefined;
}

beforeAll(async () => {
  org = await orgWithTokens("deprco");
  await publishPackage(org.publisher, "pulumi/deprco/oldpkg", "1.0.0");
  await publishPackage(org.publisher, "pulumi/deprco/oldpkg", "1.1.0", { schema: JSON.stringify({ ...docsSchema, name: "oldpkg", version: "1.1.0" }) });
  await publishPackage(org.publisher, "pulumi/deprco/newpkg", "2.0.0");
  await publishPackage(org.publisher, "pulumi/deprco/steady", "1.0.0");
  await publishPackage(org.publisher, "pulumi/deprco/steady", "1.1.0");
  expect((await callJson("/api/registry/packages/pulumi/deprco/oldpkg/deprecation", { method: "PUT", token: org.publisher, body: { message: "moved <b>elsewhere</b>", replacement: "pulumi/deprco/newpkg" } })).status).toBe(204);
  expect((await callJson("/api/registry/packages/pulumi/deprco/steady/versions/1.0.0/deprecation", { method: "PUT", token: org.publisher, body: { message: "has a bug", replacement: "pulumi/deprco/steady@1.1.0" } })).status).toBe(204);
  const archive = await archiveOf([{ name: "Pulumi.yaml", data: PULUMI_YAML() }, { name: "README.md", data: "# T\n" }]);
  expect((await publishTemplate(org.publisher, "private/deprco/oldtpl", "1.0.0", archive)).status).toBe(201);
  expect((await callJson("/api/registry/templates/private/deprco/oldtpl/deprecation", { method: "PUT", token: org.publisher, body: { message: "retired" } })).status).toBe(204);
});

describe("deprecation on pages", () => {
  it("a deprecated package's page, each of its versions and its docs pages carry the banner with the replacement's link", async () => {
    for (const path of ["/packages/pulumi/deprco/oldpkg", "/packages/pulumi/deprco/oldpkg/1.0.0", "/packages/pulumi/deprco/oldpkg/1.1.0/api", "/packages/pulumi/deprco/oldpkg/1.1.0/api/s3/Bucket"]) {
      const { status, text } = await page(path);
      expect(status, path).toBe(200);
      expect(banner(text), path).toBe("This package is deprecated. moved &lt;b&gt;elsewhere&lt;/b&gt; Use pulumi/deprco/newpkg instead.");
      expect(text).toContain('<a href="/packages/pulumi/deprco/newpkg">pulumi/deprco/newpkg</a>');
    }
  });

  it("a deprecated version's page says the version is deprecated and links the replacement version; the other versions have no banner", async () => {
    const old = await page("/packages/pulumi/deprco/steady/1.0.0");
    expect(banner(old.text)).toBe("This version is deprecated. has a bug Use pulumi/deprco/steady@1.1.0 instead.");
    expect(old.text).toContain('<a href="/packages/pulumi/deprco/steady/1.1.0">');
    expect(banner((await page("/packages/pulumi/deprco/steady")).text)).toBeUndefined();
  });

  it("a deprecated template's page carries the banner without a replacement", async () => {
    const { text } = await page("/templates/private/deprco/oldtpl", await signIn(org.reader));
    expect(banner(text)).toBe("This template is deprecated. retired");
  });

  it("listing cards of deprecated packages and templates carry a badge, others none", async () => {
    const { text } = await page("/packages?publisher=deprco");
    const cards = [...text.matchAll(/<li class="card">([\s\S]*?)<\/li>/g)].map((m) => m[1]!);
    const badged = (name: string) => cards.find((c) => c.includes(`/packages/pulumi/deprco/${name}"`))!.includes('<span class="badge warn">deprecated</span>');
    expect(badged("oldpkg")).toBe(true);
    expect(badged("newpkg")).toBe(false);
    // The listing shows the latest version, 1.1.0, which is not deprecated.
    expect(badged("steady")).toBe(false);
    const templates = (await page("/templates?search=oldtpl", await signIn(org.reader))).text;
    expect(templates).toMatch(/oldtpl[\s\S]*<span class="badge warn">deprecated<\/span>/);
  });
});

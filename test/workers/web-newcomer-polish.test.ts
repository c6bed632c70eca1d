// What a newcomer trips over on the pages: 400 pages that say what was wrong, the publisher filter
// taking the name cards show, a logo fallback and favicon that need no other host, one name per
// publisher on package and template cards, no doubled section headings.
import { beforeAll, describe, expect, it } from "vitest";
import { call, orgWithTokens, signIn, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { archiveOf, PULUMI_YAML, publishTemplate } from "./template-helpers";

let org: OrgTokens;

async function page(path: string, cookie?: string) {
  const r = await call(path, { headers: { Accept: "text/html", ...(cookie ? { Cookie: cookie } : {}) }, redirect: "manual" });
  return { status: r.status, text: await r.text(), location: r.headers.get("Location"), type: r.headers.get("Content-Type") };
}

beforeAll(async () => {
  org = await orgWithTokens("polishco", "Polish Works");
  await publishPackage(org.publisher, "pulumi/polishco/shiny", "1.0.0", { readme: "# Shiny\n", installation: "## Installation\n\nRun `pulumi package add pulumi/polishco/shiny`.\n" });
  const archive = await archiveOf([{ name: "Pulumi.yaml", data: PULUMI_YAML() }, { name: "README.md", data: "# T\n" }]);
  expect((await publishTemplate(org.publisher, "private/polishco/starter", "1.0.0", archive)).status).toBe(201);
});

describe("newcomer polish", () => {
  it("a 400 page shows the message of the refusal", async () => {
    const { status, text } = await page("/packages?category=clouds");
    expect(status).toBe(400);
    expect(text).toMatch(/<p class="error-box" role="alert">invalid category [^<]*clouds/);
  });

  it("a 404 page stays the same whatever was asked (no message that could tell private from absent)", async () => {
    const { status, text } = await page("/packages/private/polishco/nothing");
    expect(status).toBe(404);
    expect(text).not.toContain("error-box");
  });

  it("the publisher filter takes the name shown on cards as well as the login", async () => {
    const byName = await page("/packages?publisher=Polish+Works&sort=name");
    expect(byName.status).toBe(303);
    expect(byName.location).toBe("/packages?publisher=polishco&sort=name");
    const byLogin = await page("/packages?publisher=polishco");
    expect(byLogin.text).toContain('href="/packages/pulumi/polishco/shiny"');
    const unknown = await page("/packages?publisher=No+Such+Name");
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("no publisher is named &#39;No Such Name&#39;");
  });

  it("the publisher filter finds a display name only among orgs with a package the person may see", async () => {
    // Found in review: the lookup read every org, so a display name told the login of an org whose
    // packages are all private (or that has none).
    const hush = await orgWithTokens("hushco", "Hush Hush");
    await publishPackage(hush.publisher, "private/hushco/secret", "1.0.0");
    expect((await page("/packages/private/hushco/secret")).status).toBe(404);
    await orgWithTokens("emptyco", "Empty Works");
    await publishPackage((await orgWithTokens("quietco", "Quiet")).publisher, "private/quietco/hidden", "1.0.0");
    for (const name of ["Hush+Hush", "Empty+Works"]) {
      const r = await page(`/packages?publisher=${name}`);
      expect(r.status, name).toBe(400);
      expect(r.text).toContain(`no publisher is named &#39;${name.replace("+", " ")}&#39;`);
    }
    // A login-shaped display name with nothing visible: the empty list, not a redirect to the login.
    const quiet = await page("/packages?publisher=Quiet");
    expect(quiet.status).toBe(200);
    expect(quiet.location).toBeNull();
    expect(quiet.text).not.toContain("quietco");
    // Signed in to the org, its private package is visible: the name is found.
    const mine = await page("/packages?publisher=Hush+Hush", await signIn(hush.reader));
    expect(mine.status).toBe(303);
    expect(mine.location).toBe("/packages?publisher=hushco");
  });

  it("package and template cards name the publisher the same way, by its display name", async () => {
    const packages = await page("/packages?publisher=polishco");
    expect(packages.text).toMatch(/<h3><a href="\/packages\/pulumi\/polishco\/shiny">[^<]*<\/a><\/h3><p>Polish Works · /);
    const templates = await page("/templates?search=starter", await signIn(org.reader));
    expect(templates.text).toMatch(/<p>Polish Works · /);
  });

  it("a package without a logo shows the same-origin fallback; pages link a favicon; /favicon.ico answers", async () => {
    const { text } = await page("/packages/pulumi/polishco/shiny");
    expect(text).toContain('<img class="logo" src="/static/package-logo.svg" alt="shiny title logo">');
    const icon = /<link rel="icon" href="(\/static\/icon\.[0-9a-f]{16}\.svg)" type="image\/svg\+xml">/.exec(text)![1]!;
    for (const path of [icon, "/static/package-logo.svg", "/favicon.ico"]) {
      const r = await call(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("Content-Type")).toBe("image/svg+xml");
      expect(await r.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
  });

  it("an installation text starting with its own Installation heading is not headed twice", async () => {
    const { text } = await page("/packages/pulumi/polishco/shiny");
    const section = /<section aria-labelledby="installation">([\s\S]*?)<\/section>/.exec(text)![1]!;
    expect(section.match(/Installation/g)).toHaveLength(1);
    expect(section).toContain("<code>pulumi package add pulumi/polishco/shiny</code>");
  });
});

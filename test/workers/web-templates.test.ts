// Template pages by version: the selector lists every live version (pre-releases and deprecated ones
// marked), and each version has its own page with its README, metadata, config and `pulumi new` command.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, orgWithTokens, signIn, type OrgTokens } from "./helpers";
import { archiveOf, PULUMI_YAML, publishTemplate } from "./template-helpers";

let acme: OrgTokens;
const html = { Accept: "text/html" };

const archive = (version: string, region: string) =>
  archiveOf([
    { name: "Pulumi.yaml", data: PULUMI_YAML().replace("us-west-2", region).replace("cloud: aws", `cloud: aws\n    release: r${version}`) },
    { name: "README.md", data: `# Web app ${version}\n\nThe **${version}** README.\n` },
  ]);

async function page(path: string, cookie?: string) {
  const r = await call(path, { headers: { ...html, ...(cookie ? { Cookie: cookie } : {}) }, redirect: "manual" });
  return { r, text: await r.text() };
}

const options = (text: string) => [...text.matchAll(/<option value="([^"]+)"( selected)?>([^<]+)<\/option>/g)].map((m) => `${m[3]}${m[2] ? " *" : ""}`);

beforeAll(async () => {
  acme = await orgWithTokens("tplco");
  for (const [version, region] of [
    ["1.0.0", "eu-west-1"],
    ["1.1.0", "eu-west-2"],
    ["2.0.0-rc.1", "ap-south-1"],
    ["1.2.0", "us-east-2"],
  ] as const) {
    const done = await publishTemplate(acme.publisher, "private/tplco/web-app", version, await archive(version, region));
    expect(done.status).toBe(201);
  }
  const dep = await callJson("/api/registry/templates/private/tplco/web-app/versions/1.1.0/deprecation", { method: "PUT", token: acme.publisher, body: { message: "use 1.2.0" } });
  expect(dep.status).toBe(204);
});


describe("template version pages", () => {
  it("the template page offers every live version newest first, pre-releases and deprecated versions marked, the latest selected", async () => {
    const cookie = await signIn(acme.reader);
    const { r, text } = await page("/templates/private/tplco/web-app", cookie);
    expect(r.status).toBe(200);
    expect(options(text)).toEqual(["2.0.0-rc.1 (pre-release)", "1.2.0 *", "1.1.0 (deprecated)", "1.0.0"]);
    expect(text).toContain("pulumi new registry://templates/private/tplco/web-app@1.2.0");
    expect(text).toContain("<strong>1.2.0</strong>");
  });

  it("each version has its own page: that version's README, metadata, config and pulumi new command", async () => {
    const cookie = await signIn(acme.reader);
    const { r, text } = await page("/templates/private/tplco/web-app/versions/1.0.0", cookie);
    expect(r.status).toBe(200);
    expect(text).toContain("pulumi new registry://templates/private/tplco/web-app@1.0.0");
    expect(text).toContain("<strong>1.0.0</strong> README");
    expect(text).toContain("r1.0.0");
    expect(text).toContain("eu-west-1");
    expect(text).not.toContain("us-east-2");
    expect(options(text)).toContain("1.0.0 *");
    const deprecated = await page("/templates/private/tplco/web-app/versions/1.1.0", cookie);
    expect(deprecated.text).toMatch(/This version is deprecated.<\/strong> use 1.2.0/);
    expect(deprecated.text).toContain("eu-west-2");
    const pre = await page("/templates/private/tplco/web-app/versions/2.0.0-rc.1", cookie);
    expect(pre.text).toContain("pulumi new registry://templates/private/tplco/web-app@2.0.0-rc.1");
    expect(pre.text).toMatch(/class="badge warn">pre-release/);
  });

  it("the selector's GET form redirects to the version's page", async () => {
    const { r } = await page("/templates/private/tplco/web-app?version=1.0.0");
    expect(r.status).toBe(303);
    expect(r.headers.get("Location")).toBe("/templates/private/tplco/web-app/versions/1.0.0");
  });

  it("an absent version is the 404 page, a bad one an HTML 400, and a private template's versions are absent to others", async () => {
    const cookie = await signIn(acme.reader);
    const absent = await page("/templates/private/tplco/web-app/versions/9.9.9", cookie);
    expect(absent.r.status).toBe(404);
    expect(absent.r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    for (const bad of ["/templates/private/tplco/web-app/versions/v1", "/templates/private/tplco/web-app?version=latest"]) {
      const r = await page(bad, cookie);
      expect(r.r.status, bad).toBe(400);
      expect(r.r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    }
    const anonymous = await page("/templates/private/tplco/web-app/versions/1.0.0");
    const nothing = await page("/templates/private/tplco/no-such/versions/1.0.0");
    expect(anonymous.r.status).toBe(404);
    expect(nothing.r.status).toBe(404);
    const main = (t: string) => /<main[^>]*>([\s\S]*)<\/main>/.exec(t)![1];
    expect(main(anonymous.text)).toBe(main(nothing.text));
  });

  it("a deleted version leaves the selector and its page", async () => {
    const del = await call("/api/registry/templates/private/tplco/web-app/versions/1.0.0", { method: "DELETE", token: acme.publisher });
    expect(del.status).toBe(204);
    const cookie = await signIn(acme.reader);
    expect(options((await page("/templates/private/tplco/web-app", cookie)).text)).toEqual(["2.0.0-rc.1 (pre-release)", "1.2.0 *", "1.1.0 (deprecated)"]);
    expect((await page("/templates/private/tplco/web-app/versions/1.0.0", cookie)).r.status).toBe(404);
  });
});

// The docs routes on the shared fixtures (test/fixtures/api-docs/): a provider and a component that references it, every route and language.
import { beforeAll, describe, expect, it } from "vitest";
import { callJson, call, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { skylineInstallation, skylineReadme, skylineSchemaJson, webappSchemaJson } from "../fixtures/api-docs";

const LANGS = ["typescript", "python", "go", "csharp", "java", "yaml"] as const;
const SKY = "/api/registry/packages/pulumi/acme/skyline/versions/2.3.0";
const WEB = "/api/registry/packages/pulumi/acme/skyline-webapp/versions/0.4.1";
let acme: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  await publishPackage(acme.publisher, "pulumi/acme/skyline", "2.3.0", { schema: skylineSchemaJson, readme: skylineReadme, installation: skylineInstallation });
  await publishPackage(acme.publisher, "pulumi/acme/skyline-webapp", "0.4.1", { schema: webappSchemaJson, readme: "# Skyline Web App\n" });
});

describe.each(LANGS)("skyline in %s", (lang) => {
  it("every nav item's docs answer with the same name as the nav, in JSON and markdown", async () => {
    const nav = await callJson(`${SKY}/nav?depth=full&lang=${lang}`);
    expect(nav.status).toBe(200);
    expect(nav.body.modules.map((m: any) => m.name)).toEqual(expect.arrayContaining(["compute", "storage", "storage/buckets", "index"]));
    const items = nav.body.modules.flatMap((m: any) => [...m.resources, ...m.functions]);
    expect(items.length).toBe(8);
    for (const item of items) {
      const url = (nav.body.docsUrlTemplate as string).replace("{token}", encodeURIComponent(item.token)).replace("http://gateway.test", "");
      const docs = await callJson(url);
      expect(docs.status, item.token).toBe(200);
      expect(docs.body.name[lang]).toBe(item.name);
      expect(docs.body.language).toBe(lang);
      const md = await call(url, { headers: { Accept: "text/markdown" } });
      expect((await md.text()).startsWith(`# ${item.name}\n`)).toBe(true);
    }
  });

  it("has examples in the language", async () => {
    const r = await callJson(`${SKY}/examples?lang=${lang}`);
    expect(r.status).toBe(200);
    expect(r.body.totalCount).toBeGreaterThan(0);
    for (const e of r.body.examples) expect(e.id.startsWith(`${e.token}#`)).toBe(true);
  });
});

describe("skyline specifics", () => {
  it("a property's language.csharp.name override names it in C# only", async () => {
    const r = await callJson(`${SKY}/docs/${encodeURIComponent("skyline:compute/instance:Instance")}?lang=csharp`);
    const name = r.body.inputs.find((p: any) => p.name.typescript === "name");
    expect(name.name.csharp).toBe("InstanceName");
    expect(name.name.python).toBe("name");
  });

  it("installation offers TypeScript, Python and YAML: Java falls back to the first offered (no Go)", async () => {
    const r = await callJson(`${SKY}/installation?lang=java`);
    expect(r.body.language).toBe("typescript");
    const yaml = await callJson(`${SKY}/installation?lang=yaml`);
    expect(yaml.body.language).toBe("yaml");
    expect(yaml.body.content.map((n: any) => n.markdown).join("\n")).toContain("skyline:region: eu-north");
  });

  it("the README resolves both choosers: windows credentials for Go", async () => {
    const r = await callJson(`${SKY}/readme?lang=go&os=windows`);
    expect(r.body).toMatchObject({ language: "go", os: "windows" });
    const text = r.body.content.map((n: any) => n.markdown).join("\n");
    expect(text).toContain("$env:SKYLINE_TOKEN");
    expect(text).toContain("go get github.com/acme/pulumi-skyline");
    expect(text).not.toContain("npm install");
  });

  it("the component's references into skyline carry the package and version", async () => {
    const nav = await callJson(`${WEB}/nav?depth=full`);
    const token = nav.body.modules.flatMap((m: any) => m.resources)[0].token;
    const r = await callJson(`${WEB}/docs/${encodeURIComponent(token)}`);
    const refs = [...r.body.inputs, ...r.body.outputs].map((p: any) => p.typeRef).filter(Boolean);
    expect(refs).toEqual(expect.arrayContaining([expect.objectContaining({ token: "skyline:storage/bucket:Bucket", package: "skyline", version: "2.3.0" })]));
  });
});

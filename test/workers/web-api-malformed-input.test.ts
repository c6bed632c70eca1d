// malformed paths and queries on the new routes are 400/404 (JSON {code,message} for the API, an
// HTML error page for browsers) and write nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, createOrg, createToken, writeSnapshot } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { goodArchive, publishTemplate, VCS_TEMPLATE } from "./template-helpers";
import { docsSchema } from "./api-docs-fixture";

let pub = "";
beforeAll(async () => {
  await createOrg("acme");
  pub = (await createToken("acme", "publisher")).token;
  await publishPackage(pub, "pulumi/acme/acmecloud", "2.1.0", { schema: JSON.stringify(docsSchema) });
  expect((await publishTemplate(pub, "private/acme/web-app", "1.0.0", await goodArchive())).status).toBe(201);
  const vcs = VCS_TEMPLATE;
  expect((await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: vcs })).status).toBe(201);
});

const long = "a".repeat(5000);
const webBad = [
  "/packages?category=bogus",
  "/packages?category=%00",
  `/packages?category=${long}`,
  "/packages?category=Cloud",
  "/packages?packageType=%0a",
  "/packages/pulumi/acme/acmecloud/2.1.0/types/",
  "/packages/pulumi/acme/acmecloud/2.1.0/types/s3",
  "/packages/pulumi/acme/acmecloud/2.1.0/types/s3//BucketWebsite",
  "/packages/pulumi/acme/acmecloud/2.1.0/types/s3/%00/X",
  "/packages/pulumi/acme/acmecloud/2.1.0/types/s3/%2e%2e/X",
  "/packages/pulumi/acme/acmecloud/2.1.0/types/s3%2F..%2FX/Y",
  "/packages/pulumi/acme/acmecloud/2.1.0/types/%E0%A4%A",
  `/packages/pulumi/acme/acmecloud/2.1.0/types/${"a/".repeat(20)}X`,
  `/packages/pulumi/acme/acmecloud/2.1.0/types/s3/${long}`,
  "/packages/pulumi/acme/acmecloud/%00/types/s3/X",
  "/packages/pulumi/acme/acmecloud/latest/types/s3/NoSuch",
  "/templates/private/acme/web-app/versions/",
  "/templates/private/acme/web-app/versions/latest",
  "/templates/private/acme/web-app/versions/%00",
  "/templates/private/acme/web-app/versions/9.9.9",
  "/templates/private/acme/web-app/versions/1.0.0/extra",
  "/templates/private/acme/web-app/versions/v1.0.0",
  `/templates/private/acme/web-app/versions/${long}`,
  "/templates/private/acme/web-app?version=%00",
  "/templates/private/acme/web-app?version=",
  "/templates/private/acme/a%2Fb",
  "/templates/private/acme/a%2Fb/versions/1.0.0",
  "/templates/github/pulumi/pulumi/examples/aws-ts-s3/versions/1.0.0",
  "/templates/github/pulumi/pulumi%2F..%2Fexamples",
  "/templates/github/pulumi/pulumi%2F%2Fexamples",
];

describe("web: malformed new routes", () => {
  it("answer an HTML error page, 400 or 404, and write nothing", async () => {
    const before = await writeSnapshot();
    const out: string[] = [];
    for (const path of webBad) {
      const r = await call(path, { headers: { Accept: "text/html" }, redirect: "manual" });
      const text = await r.text();
      const ct = r.headers.get("Content-Type") ?? "";
      if (![400, 404].includes(r.status) || !ct.includes("text/html") || !text.startsWith("<!doctype html>")) out.push(`${path} → ${r.status} ${ct} ${text.slice(0, 80)}`);
      if (text.includes("\u0000") || /<img|<script>/.test(text)) out.push(`${path} echoes: ${text.slice(0, 200)}`);
    }
    expect(out).toEqual([]);
    expect(await writeSnapshot()).toEqual(before);
  });

  it("the VCS template page under either spelling", async () => {
    for (const p of ["/templates/github/pulumi/pulumi/examples/aws-ts-s3", "/templates/github/pulumi/pulumi%2Fexamples%2Faws-ts-s3"]) {
      const r = await call(p, { headers: { Accept: "text/html" } });
      expect(r.status, p).toBe(200);
    }
  });
});

const apiBad: Array<[string, string?]> = [
  ["/api/registry/packages?category=bogus"],
  ["/api/registry/packages?category="],
  ["/api/registry/packages?category=%00"],
  [`/api/registry/packages?category=${long}`],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/nav?q=" + "x".repeat(201)],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/nav?depth=shallow"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/examples?limit=0"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/examples?limit=1e1"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/examples?limit=101"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/examples?limit=%201"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/readme?lang=%00"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/readme?os=plan9"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/docs/"],
  ["/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/docs/%00"],
  ["/api/registry/templates/private/acme/a%2Fb/versions/latest"],
  ["/api/registry/templates/private/acme/web-app%2Fx/versions/latest"],
  ["/api/registry/templates/github/pulumi/pulumi%2F..%2Fexamples/versions/latest"],
  ["/api/registry/templates/github/pulumi/pulumi%2F.%2Fexamples/versions/latest"],
  ["/api/registry/templates/github/pulumi/" + "a%2F".repeat(9) + "b/versions/latest"],
  ["/api/registry/templates/github/pulumi/pulumi%2Fexamples%2F/versions/latest"],
  ["/api/registry/templates/github/pulumi/%2Fpulumi/versions/latest"],
  ["/api/registry/templates/github/pulumi/pulumi%2fexamples%2Faws-ts-s3/versions/1.0.0"],
];

describe("api: malformed new parameters", () => {
  it("are 400/404 with {code,message} and write nothing", async () => {
    const before = await writeSnapshot();
    const out: string[] = [];
    for (const [path] of apiBad) {
      const r = await callJson(path);
      if (![400, 404].includes(r.status) || r.body?.code !== r.status || typeof r.body?.message !== "string") out.push(`${path} → ${r.status} ${JSON.stringify(r.body)?.slice(0, 120)}`);
      if (JSON.stringify(r.body ?? "").includes("\u0000") || (r.body?.message ?? "").includes("\u0000")) out.push(`${path} control char echoed`);
    }
    expect(out).toEqual([]);
    expect(await writeSnapshot()).toEqual(before);
  });

  it("writes with %2F in a registry template or package name are refused and write nothing", async () => {
    const before = await writeSnapshot();
    for (const p of ["/api/registry/templates/private/acme/a%2Fb/versions", "/api/registry/packages/pulumi/acme/a%2Fb/versions", "/api/registry/templates/pulumi/acme%2Fx/b/versions", "/api/registry/templates/github/acme/a%2Fb/versions"]) {
      const r = await callJson(p, { method: "POST", token: pub, body: { version: "1.0.0" } });
      expect([400, 404], `${p} ${JSON.stringify(r.body)}`).toContain(r.status);
      expect(r.body.code).toBe(r.status);
    }
    // The operator's VCS registration with an encoded or dot part.
    for (const name of ["a%2Fb/c", "a/%2e%2e/c", "a/b/", "a//b"]) {
      const r = await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { source: "github", publisher: "pulumi", name, repoSlug: "pulumi/examples", downloadURL: "https://github.com/x", displayName: "x", language: "typescript" } });
      expect(r.status, name).toBe(400);
    }
    expect(await writeSnapshot()).toEqual(before);
  });
});

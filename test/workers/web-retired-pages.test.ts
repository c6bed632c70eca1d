// a deleted (retired) version's new pages (template version page, type page) are 404, and a
// deprecated template version's page says so.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, orgWithTokens, signIn, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { goodArchive, publishTemplate } from "./template-helpers";
import { docsSchema } from "./api-docs-fixture";

let t: OrgTokens;
beforeAll(async () => {
  t = await orgWithTokens("acme");
  for (const v of ["1.0.0", "1.1.0"]) expect((await publishTemplate(t.publisher, "private/acme/tpl", v, await goodArchive())).status).toBe(201);
  for (const v of ["2.0.0", "2.1.0"]) await publishPackage(t.publisher, "pulumi/acme/acmecloud", v, { schema: JSON.stringify({ ...docsSchema, version: v }) });
});


describe("deleted versions", () => {
  it("template version page and type page 404 after the version is deleted; selectors drop it", async () => {
    const cookie = await signIn(t.reader);
    const h = { Accept: "text/html", Cookie: cookie };
    expect((await call("/templates/private/acme/tpl/versions/1.0.0", { headers: h })).status).toBe(200);
    expect((await call("/packages/pulumi/acme/acmecloud/2.0.0/types/s3/BucketWebsite/BucketWebsite", { headers: { Accept: "text/html" } })).status).toBe(200);
    expect((await call("/api/registry/templates/private/acme/tpl/versions/1.0.0", { method: "DELETE", token: t.publisher })).status).toBe(204);
    expect((await call("/api/registry/packages/pulumi/acme/acmecloud/versions/2.0.0", { method: "DELETE", token: t.publisher })).status).toBe(204);
    expect((await call("/templates/private/acme/tpl/versions/1.0.0", { headers: h })).status).toBe(404);
    expect((await call("/packages/pulumi/acme/acmecloud/2.0.0/types/s3/BucketWebsite/BucketWebsite", { headers: { Accept: "text/html" } })).status).toBe(404);
    const latest = await (await call("/templates/private/acme/tpl", { headers: h })).text();
    expect(latest).not.toMatch(/<option value="1\.0\.0"/);
    const list = await callJson("/api/registry/templates/private/acme/tpl/versions", { token: t.reader });
    expect(JSON.stringify(list.body)).not.toContain('"1.0.0"');
  });
});

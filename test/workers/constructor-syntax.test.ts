// constructorSyntax: how the docs answer and a resource's page declare a resource, per language, on
// the docs fixture (golden texts); functions have none.
import { beforeAll, describe, expect, it } from "vitest";
import { callJson, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { docsSchema } from "./api-docs-fixture";

let org: OrgTokens;
const base = "/api/registry/packages/pulumi/ctorco/acmecloud/versions/2.1.0";

beforeAll(async () => {
  org = await orgWithTokens("ctorco");
  await publishPackage(org.publisher, "pulumi/ctorco/acmecloud", "2.1.0", { schema: JSON.stringify(docsSchema) });
});

async function syntax(token: string, lang: string): Promise<unknown> {
  const r = await callJson(`${base}/docs/${encodeURIComponent(token)}?lang=${lang}`);
  expect(r.status).toBe(200);
  return r.body.constructorSyntax;
}

const code = async (lang: string) => ((await syntax("acmecloud:s3/bucket:Bucket", lang)) as Array<{ kind: string; markdown: string }>).map((n) => `${n.kind}\n${n.markdown}`).join("\n");

describe("constructorSyntax of a resource, in the answer's language", () => {
  it("TypeScript", async () => {
    expect(await code("typescript")).toMatchInlineSnapshot(`
      "text
      \`\`\`typescript
      const bucketResource = new acmecloud.s3.Bucket("bucketResource", {
          bucketName: "string",
          website: {
              indexDocument: "string",
              routingRules: [{
                  redirect: "string",
              }],
          },
          tags: {
              "string": "string",
          },
          acl: "private",
          legacyRegion: "string",
          password: "string",
          size: "string",
          podSpec: {},
      });
      \`\`\`"
    `);
  });
  it("Python", async () => {
    expect(await code("python")).toMatchInlineSnapshot(`
      "text
      \`\`\`python
      bucket_resource = acmecloud.s3.Bucket("bucketResource",
          bucket_name="string",
          website={
              "index_document": "string",
              "routing_rules": [{
                  "redirect": "string",
              }],
          },
          tags={
              "string": "string",
          },
          acl="private",
          legacy_region="string",
          password="string",
          size="string",
          pod_spec={},
      )
      \`\`\`"
    `);
  });
  it("Go", async () => {
    expect(await code("go")).toMatchInlineSnapshot(`
      "text
      \`\`\`go
      bucketResource, err := s3.NewBucket(ctx, "bucketResource", &s3.BucketArgs{
          BucketName: pulumi.String("string"),
          Website: &s3.BucketWebsiteArgs{
              IndexDocument: pulumi.String("string"),
              RoutingRules: s3.RoutingRuleArray{
                  &s3.RoutingRuleArgs{
                      Redirect: pulumi.String("string"),
                  },
              },
          },
          Tags: pulumi.StringMap{
              "string": pulumi.String("string"),
          },
          Acl: s3.CannedAclPrivate,
          LegacyRegion: pulumi.String("string"),
          Password: pulumi.String("string"),
          Size: pulumi.String("string"),
          PodSpec: pulumi.Any(nil),
      })
      \`\`\`"
    `);
  });
  it("C#", async () => {
    expect(await code("csharp")).toMatchInlineSnapshot(`
      "text
      \`\`\`csharp
      var bucketResource = new Acmecloud.S3.Bucket("bucketResource", new()
      {
          BucketName = "string",
          Website = new Acmecloud.S3.Inputs.BucketWebsiteArgs
          {
              IndexDocument = "string",
              RoutingRules = new[]
              {
                  new Acmecloud.S3.Inputs.RoutingRuleArgs
                  {
                      Redirect = "string",
                  },
              },
          },
          Tags =
          {
              { "string", "string" },
          },
          Acl = Acmecloud.S3.CannedAcl.Private,
          LegacyRegion = "string",
          Password = "string",
          Size = "string",
          PodSpec = null,
      });
      \`\`\`"
    `);
  });
  it("Java", async () => {
    expect(await code("java")).toMatchInlineSnapshot(`
      "text
      \`\`\`java
      var bucketResource = new Bucket("bucketResource", BucketArgs.builder()
          .bucketName("string")
          .website(BucketWebsiteArgs.builder()
              .indexDocument("string")
              .routingRules(RoutingRuleArgs.builder()
                  .redirect("string")
                  .build())
              .build())
          .tags(Map.of("string", "string"))
          .acl(CannedAcl.Private)
          .legacyRegion("string")
          .password("string")
          .size("string")
          .podSpec(null)
          .build());
      \`\`\`"
    `);
  });
  it("YAML", async () => {
    expect(await code("yaml")).toMatchInlineSnapshot(`
      "text
      \`\`\`yaml
      bucketResource:
        type: acmecloud:s3:Bucket
        properties:
          bucketName: string
          website:
            indexDocument: string
            routingRules:
              - redirect: string
          tags:
            string: string
          acl: private
          legacyRegion: string
          password: string
          size: string
          podSpec: {}
      \`\`\`"
    `);
  });
  it("a function has none", async () => {
    expect(await syntax("acmecloud:s3/getBucket:getBucket", "typescript")).toBeUndefined();
  });
});

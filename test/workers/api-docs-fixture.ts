// A provider schema shaped like a real one, for the docs route tests: nested modules, forward type refs, enums, maps, unions, examples.
const examples = (title: string) => `{{% examples %}}
## Example Usage

{{% example %}}
### ${title}

\`\`\`typescript
import * as acme from "@acme/acmecloud";
const bucket = new acme.s3.Bucket("b", { bucketName: "logs" });
\`\`\`
\`\`\`python
import acme_acmecloud as acme
bucket = acme.s3.Bucket("b", bucket_name="logs")
\`\`\`
\`\`\`go
bucket, err := s3.NewBucket(ctx, "b", &s3.BucketArgs{BucketName: pulumi.String("logs")})
\`\`\`
\`\`\`yaml
resources:
  b:
    type: acmecloud:s3/bucket:Bucket
\`\`\`
{{% /example %}}
{{% example %}}
### With a website

\`\`\`typescript
new acme.s3.Bucket("site", { website: { indexDocument: "index.html" } });
\`\`\`
\`\`\`python
acme.s3.Bucket("site", website={"index_document": "index.html"})
\`\`\`
{{% /example %}}
{{% /examples %}}`;

export const docsSchema = {
  name: "acmecloud",
  version: "2.1.0",
  displayName: "Acme Cloud",
  description: "Manage Acme Cloud resources.",
  keywords: ["category/cloud", "kind/native"],
  meta: { moduleFormat: "(.*)(?:/[^/]*)" },
  language: { python: { packageName: "acme_acmecloud" }, nodejs: { packageName: "@acme/acmecloud" } },
  // Resources first: their types come later in the file.
  resources: {
    "acmecloud:s3/bucket:Bucket": {
      description: `Provides an object storage bucket.\n\n${examples("A private bucket")}`,
      inputProperties: {
        bucketName: { type: "string", description: "The name of the bucket.", replaceOnChanges: true },
        website: { $ref: "#/types/acmecloud:s3%2FBucketWebsite:BucketWebsite", description: "Static website hosting." },
        tags: { type: "object", additionalProperties: { type: "string" }, description: "Tags to assign." },
        acl: { $ref: "#/types/acmecloud:s3/CannedAcl:CannedAcl" },
        legacyRegion: { type: "string", deprecationMessage: "Use the provider's region instead." },
        password: { type: "string", secret: true },
        size: { oneOf: [{ type: "string" }, { type: "integer" }] },
        podSpec: { $ref: "/kubernetes/v4.0.0/schema.json#/types/kubernetes:core/v1:PodSpec" },
      },
      requiredInputs: ["bucketName"],
      properties: {
        arn: { type: "string", description: "The bucket's ARN." },
        bucketName: { type: "string" },
        website: { $ref: "#/types/acmecloud:s3%2FBucketWebsite:BucketWebsite" },
      },
      required: ["arn", "bucketName"],
    },
    "acmecloud:compute/network/firewall:Firewall": {
      description: "A firewall for a network.",
      inputProperties: { rules: { type: "array", items: { type: "string" } } },
      properties: { id: { type: "string" } },
    },
    "acmecloud:compute/instance:Instance": {
      description: "A virtual machine.",
      inputProperties: { instanceType: { type: "string" } },
      requiredInputs: ["instanceType"],
      properties: { instanceType: { type: "string" }, publicIp: { type: "string" } },
      required: ["instanceType"],
    },
    "acmecloud:index:Project": {
      description: "A project.",
      inputProperties: { displayName: { type: "string" } },
      properties: { displayName: { type: "string" } },
    },
  },
  functions: {
    "acmecloud:s3/getBucket:getBucket": {
      description: `Looks up a bucket.\n\n{{% examples %}}\n{{% example %}}\n### Find a bucket\n\n\`\`\`typescript\nconst b = await acme.s3.getBucket({ bucket: "logs" });\n\`\`\`\n\`\`\`go\nb, err := s3.LookupBucket(ctx, &s3.LookupBucketArgs{Bucket: "logs"})\n\`\`\`\n{{% /example %}}\n{{% /examples %}}`,
      inputs: { properties: { bucket: { type: "string" } }, required: ["bucket"] },
      outputs: { properties: { arn: { type: "string" }, bucket: { type: "string" } }, required: ["arn", "bucket"] },
    },
  },
  types: {
    "acmecloud:s3/BucketWebsite:BucketWebsite": {
      type: "object",
      properties: {
        indexDocument: { type: "string", description: "The index page." },
        routingRules: { type: "array", items: { $ref: "#/types/acmecloud:s3/RoutingRule:RoutingRule" } },
      },
      required: ["indexDocument"],
    },
    "acmecloud:s3/RoutingRule:RoutingRule": {
      type: "object",
      properties: { redirect: { type: "string" } },
    },
    "acmecloud:s3/CannedAcl:CannedAcl": {
      type: "string",
      enum: [
        { name: "Private", value: "private", description: "Owner only." },
        { name: "PublicRead", value: "public-read" },
      ],
    },
    "acmecloud:compute/Unused:Unused": { type: "object", properties: { x: { type: "string" } } },
  },
};

export const docsReadme = `# Acme Cloud

Manage Acme Cloud with Pulumi.

{{< chooser language "typescript,python,go" >}}
{{% choosable language typescript %}}
\`\`\`bash
npm install @acme/acmecloud
\`\`\`
{{% /choosable %}}
{{% choosable language python %}}
\`\`\`bash
pip install acme_acmecloud
\`\`\`
{{% /choosable %}}
{{% choosable language go %}}
\`\`\`bash
go get github.com/acme/pulumi-acmecloud/sdk/go
\`\`\`
{{% /choosable %}}
{{< /chooser >}}

That is all.
`;

export const docsInstallation = `# Installing

{{< chooser os "linux,macos,windows" >}}
{{% choosable os linux %}}
Run \`apt install acme\`.
{{% /choosable %}}
{{% choosable os macos %}}
Run \`brew install acme\`.
{{% /choosable %}}
{{% choosable os windows %}}
Run \`choco install acme\`.
{{% /choosable %}}
{{< /chooser >}}
`;

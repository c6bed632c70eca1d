// The API pages' navigation tree (modules → resources and functions) with its filter usable without
// JavaScript, a member page that reads only its module's slice of the navigation, the constructor
// syntax and Import sections, and code highlighted on the server as escaped spans.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { docsSchema } from "./api-docs-fixture";
import type { NavSummary } from "../../src/api-docs/derive";

let org: OrgTokens;
const pkg = "/packages/pulumi/treeco/acmecloud/2.1.0";

const importText = "## Import\n\nBuckets are imported by name:\n\n```sh\n$ pulumi import acmecloud:s3/bucket:Bucket logs logs-bucket\n```\n\n```typescript\nconst x = \"</code><script>alert(1)</script>\";\n```\n";

beforeAll(async () => {
  org = await orgWithTokens("treeco");
  const schema = structuredClone(docsSchema) as typeof docsSchema;
  const bucket = schema.resources["acmecloud:s3/bucket:Bucket"];
  bucket.description = `${bucket.description}\n\n${importText}`;
  await publishPackage(org.publisher, "pulumi/treeco/acmecloud", "2.1.0", { schema: JSON.stringify(schema) });
});

async function page(path: string) {
  const r = await call(path, { headers: { Accept: "text/html" }, redirect: "manual" });
  return { status: r.status, text: await r.text(), location: r.headers.get("Location") };
}

const tree = (text: string) => /<nav class="api-tree" aria-label="API navigation">([\s\S]*?)<\/nav>/.exec(text)?.[1] ?? "";
const links = (html: string) => [...html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => m[2]!);

async function docsKey(object: string): Promise<string> {
  const listed = await env.ARTIFACTS.list({ prefix: "" , limit: 1000 });
  const key = listed.objects.map((o) => o.key).find((k) => k.includes("treeco") && k.endsWith(`/docs/${object}`));
  if (key) return key;
  // Keys may not name the publisher: take the only docs object of that name.
  const any = listed.objects.map((o) => o.key).filter((k) => k.endsWith(`/docs/${object}`));
  expect(any).toHaveLength(1);
  return any[0]!;
}

describe("API tree", () => {
  it("every API page has the tree: modules with totals, a member page's module expanded with its current member marked", async () => {
    const { text } = await page(`${pkg}/api/s3/Bucket?lang=typescript`);
    const t = tree(text);
    expect(links(t)).toEqual(["compute", "compute/network", "index", "s3", "acmecloud.s3.Bucket", "acmecloud.s3.getBucket"]);
    expect(t).toContain('<a href="/packages/pulumi/treeco/acmecloud/2.1.0/api/s3/Bucket?lang=typescript" aria-current="page">acmecloud.s3.Bucket</a>');
    expect(t).toContain('<li class="fn" data-name="acmecloud.s3.getbucket">');
    // The filter is a GET form on the API index, keeping the language.
    expect(t).toContain('<form method="get" action="/packages/pulumi/treeco/acmecloud/2.1.0/api" role="search" class="tree-filter">');
    expect(t).toContain('<input type="hidden" name="lang" value="typescript">');
  });

  it("the filter re-renders the index with the matching members only, in the chosen language, and says how many", async () => {
    const { status, text } = await page(`${pkg}/api?q=bucket&lang=python`);
    expect(status).toBe(200);
    expect(text).toContain("2 matches for “bucket”.");
    const main = /<div class="docs-main">([\s\S]*?)<\/div><nav class="api-tree"/.exec(text)![1]!;
    expect(links(main).filter((l) => l.includes("."))).toEqual(["acmecloud.s3.Bucket", "acmecloud.s3.get_bucket"]);
    expect(tree(text)).toContain('value="bucket"');
    const none = await page(`${pkg}/api?q=nothing-like-this`);
    expect(none.text).toContain("Nothing matches “nothing-like-this”.");
  });

  it("a member page reads only its module's slice of the navigation: it renders even when every other module's bytes in nav.json are garbage", async () => {
    const summaryKey = await docsKey("nav-summary.json");
    const navKey = await docsKey("nav.json");
    const summary = (await (await env.ARTIFACTS.get(summaryKey))!.json()) as NavSummary;
    const nav = new Uint8Array(await (await env.ARTIFACTS.get(navKey))!.arrayBuffer());
    const keep = [summary.naming!, ...(summary.overrides ? [summary.overrides] : []), summary.modules.find((m) => m.name === "s3")!.range!];
    const spoiled = nav.map((byte, i) => (keep.some(([o, l]) => i >= o && i < o + l) ? byte : 0x23));
    expect(() => JSON.parse(new TextDecoder().decode(spoiled))).toThrow();
    await env.ARTIFACTS.put(navKey, spoiled);
    try {
      const { status, text } = await page(`${pkg}/api/s3/Bucket?lang=go`);
      expect(status).toBe(200);
      expect(text).toContain("<h1>s3.Bucket</h1>");
      // The type page finds a resource's module from the naming options alone.
      const redirect = await page(`${pkg}/types/s3/bucket/Bucket?lang=go`);
      expect(redirect.status).toBe(303);
      expect(redirect.location).toBe(`${pkg}/api/s3/Bucket?lang=go`);
    } finally {
      await env.ARTIFACTS.put(navKey, nav);
    }
  });
});

describe("resource sections", () => {
  it("the constructor syntax in the page's language, highlighted as spans", async () => {
    const { text } = await page(`${pkg}/api/s3/Bucket?lang=typescript`);
    const section = /<section aria-labelledby="constructor-syntax">([\s\S]*?)<\/section>/.exec(text)![1]!;
    expect(section).toContain('<code class="language-typescript">');
    expect(section).toContain('<span class="hljs-keyword">const</span> bucketResource = <span class="hljs-keyword">new</span>');
    const plain = section.replace(/<[^>]+>/g, "");
    expect(plain).toContain("bucketName: &quot;string&quot;,");
    const go = (await page(`${pkg}/api/s3/Bucket?lang=go`)).text;
    expect(go.replace(/<[^>]+>/g, "")).toContain("bucketResource, err := s3.NewBucket(ctx, &quot;bucketResource&quot;, &amp;s3.BucketArgs{");
    // A function has no constructor.
    expect((await page(`${pkg}/api/s3/getBucket?lang=typescript`)).text).not.toContain("constructor-syntax");
  });

  it("the Import section is taken out of the description into its own section; its code is highlighted and escaped", async () => {
    const { text } = await page(`${pkg}/api/s3/Bucket?lang=typescript`);
    const section = /<section aria-labelledby="import">([\s\S]*?)<\/section>/.exec(text)![1]!;
    expect(section).toContain("Buckets are imported by name:");
    expect(section).toContain('<code class="language-sh">');
    expect(section).toContain("&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(text).not.toContain("<script>alert(1)");
    // Not also under the description.
    expect(text.split("Buckets are imported by name:").length).toBe(2);
  });
});

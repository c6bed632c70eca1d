// The docs pages inside workerd: README language choosers, module navigation, a resource's page in
// each language, links to supporting types, to other resources and into another package.
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { docsInstallation, docsReadme, docsSchema } from "./api-docs-fixture";

const html = { Accept: "text/html" };
const base = "/packages/pulumi/acme/acmecloud/2.1.0";

beforeAll(async () => {
  await createOrg("acme");
  const token = (await createToken("acme", "publisher")).token;
  await publishPackage(token, "pulumi/acme/acmecloud", "2.1.0", { schema: JSON.stringify(docsSchema), readme: docsReadme, installation: docsInstallation });
  await publishPackage(token, "private/acme/acmecloud", "2.1.0", { schema: JSON.stringify(docsSchema), readme: docsReadme });
  await createOrg("kubernetes");
  const k8s = (await createToken("kubernetes", "publisher")).token;
  await publishPackage(k8s, "pulumi/kubernetes/kubernetes", "4.0.0", {
    schema: JSON.stringify({
      name: "kubernetes",
      version: "4.0.0",
      resources: {
        "kubernetes:core/v1:Pod": { inputProperties: { spec: { $ref: "#/types/kubernetes:core/v1:PodSpec" } }, properties: {} },
        "kubernetes:core/v1:Service": { inputProperties: {}, properties: {} },
      },
      // As in the real Kubernetes schema, a type can share its token with a resource.
      types: {
        "kubernetes:core/v1:PodSpec": { type: "object", properties: { image: { type: "string" } } },
        "kubernetes:core/v1:Pod": { type: "object", properties: { podTypeField: { type: "string" } } },
      },
    }),
  });
});

async function page(path: string) {
  const r = await call(path, { headers: html });
  return { r, text: await r.text() };
}

describe("docs pages", () => {
  it("the README honours its language chooser: the chosen language's text only, with a language selector", async () => {
    const python = await page(`${base}?lang=python`);
    expect(python.r.status).toBe(200);
    expect(python.text).toContain("pip install acme_acmecloud");
    expect(python.text).not.toContain("npm install @acme/acmecloud");
    expect(python.text).toMatch(/<a href="[^"]*\?lang=python#readme" aria-current="page">Python<\/a>/);
    const first = await page(base);
    expect(first.text).toContain("npm install @acme/acmecloud");
    expect(first.text).not.toContain("pip install");
    // A language the README does not offer falls back as the readme route does: to Go.
    const java = await page(`${base}?lang=java`);
    expect(java.text).toContain("go get github.com/acme/pulumi-acmecloud/sdk/go");
  });

  it("the installation text is shown for one operating system, Linux unless another is chosen", async () => {
    const { text } = await page(base);
    expect(text).toContain("apt install acme");
    expect(text).not.toContain("brew install acme");
    const mac = await page(`${base}?os=macos`);
    expect(mac.text).toContain("brew install acme");
    expect(mac.text).not.toContain("apt install acme");
    expect(mac.text).toMatch(/<a href="[^"]*\?os=macos#installation" aria-current="page">macOS<\/a>/);
    expect((await page(`${base}?os=beos`)).r.status).toBe(400);
  });

  it("the API index lists every module with its resources and functions, named in the chosen language", async () => {
    const { r, text } = await page(`${base}/api?lang=python`);
    expect(r.status).toBe(200);
    expect(text).toContain(`href="${base}/api/s3/Bucket?lang=python"`);
    expect(text).toMatch(/>s3<\/a>/);
  });

  it("a resource page shows inputs, outputs and supporting types in the chosen language, with links between types", async () => {
    const ts = await page(`${base}/api/s3/Bucket?lang=typescript`);
    expect(ts.r.status).toBe(200);
    expect(ts.text).toContain("<code>bucketName</code>");
    const py = await page(`${base}/api/s3/Bucket?lang=python`);
    expect(py.text).toContain("<code>bucket_name</code>");
    expect(py.text).not.toContain("<code>bucketName</code>");
    // A local object type links to its section on this page, and that section exists.
    const anchor = /<a href="#(type-[^"]+)"><code>[^<]+<\/code><\/a>/.exec(ts.text)![1]!;
    expect(ts.text).toContain(`id="${anchor}"`);
    // A type of another package in this registry links to that type's page there.
    expect(ts.text).toContain('href="/packages/pulumi/kubernetes/kubernetes/4.0.0/types/core/v1/PodSpec?lang=typescript"');
    const k8s = await page("/packages/pulumi/kubernetes/kubernetes/4.0.0/types/core/v1/PodSpec?lang=typescript");
    expect(k8s.r.status).toBe(200);
    expect(k8s.text).toMatch(/<h1>PodSpec<\/h1>/);
    expect(k8s.text).toContain("<code>kubernetes:core/v1:PodSpec</code>");
    expect(k8s.text).toContain("<code>image</code>");
  });

  it("every supporting type has its own page in the chosen language; its properties link to their types' pages", async () => {
    const ts = await page(`${base}/types/s3/BucketWebsite/BucketWebsite?lang=typescript`);
    expect(ts.r.status).toBe(200);
    expect(ts.text).toContain("<code>acmecloud:s3/BucketWebsite:BucketWebsite</code>");
    expect(ts.text).toContain("<code>routingRules</code>");
    expect(ts.text).toContain(`href="${base}/types/s3/RoutingRule/RoutingRule?lang=typescript"`);
    const py = await page(`${base}/types/s3/BucketWebsite/BucketWebsite?lang=python`);
    expect(py.text).toContain("<code>routing_rules</code>");
    expect(py.text).toContain(`href="${base}/types/s3/RoutingRule/RoutingRule?lang=python"`);
    // The language tabs stay on the type's page.
    expect(py.text).toContain(`href="${base}/types/s3/BucketWebsite/BucketWebsite?lang=go"`);
    const rule = await page(`${base}/types/s3/RoutingRule/RoutingRule?lang=typescript`);
    expect(rule.r.status).toBe(200);
    const acl = await page(`${base}/types/s3/CannedAcl/CannedAcl?lang=typescript`);
    expect(acl.r.status).toBe(200);
    expect(acl.text).toContain("Enum");
  });

  it("a type page of an unknown type, a private package's or a malformed path is an HTML error page", async () => {
    expect((await page(`${base}/types/s3/Nope/Nope`)).r.status).toBe(404);
    expect((await page(`${base}/types/Nope`)).r.status).toBe(404);
    const hidden = await page("/packages/private/acme/acmecloud/2.1.0/types/s3/BucketWebsite/BucketWebsite");
    const absent = await page("/packages/private/acme/nothing/2.1.0/types/s3/BucketWebsite/BucketWebsite");
    expect(hidden.r.status).toBe(404);
    expect(absent.r.status).toBe(404);
    const main = (t: string) => /<main[^>]*>([\s\S]*)<\/main>/.exec(t)![1];
    expect(main(hidden.text)).toBe(main(absent.text));
    expect((await page(`${base}/types/s3/%00/x`)).r.status).toBe(404);
  });

  it("a token naming a resource and a type has both pages; one naming only a resource redirects from the type page to the resource's", async () => {
    const type = await page("/packages/pulumi/kubernetes/kubernetes/4.0.0/types/core/v1/Pod?lang=go");
    expect(type.r.status).toBe(200);
    expect(type.text).toContain("Object type");
    expect(type.text).toContain("PodTypeField");
    const resource = await page("/packages/pulumi/kubernetes/kubernetes/4.0.0/api/core/v1/Pod?lang=go");
    expect(resource.r.status).toBe(200);
    expect(resource.text).toContain("Resource <code>kubernetes:core/v1:Pod</code>");
    const r = await call("/packages/pulumi/kubernetes/kubernetes/4.0.0/types/core/v1/Service?lang=go", { headers: html, redirect: "manual" });
    expect(r.status).toBe(303);
    expect(r.headers.get("Location")).toBe("/packages/pulumi/kubernetes/kubernetes/4.0.0/api/core/v1/Service?lang=go");
  });

  it("the docs JSON route still answers resources and functions only, not the types the index now holds", async () => {
    const r = await call(`/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0/docs/${encodeURIComponent("acmecloud:s3/BucketWebsite:BucketWebsite")}`);
    expect(r.status).toBe(404);
    await r.text();
  });

  it("the docs of a private package are the same 404 page as those of an absent one", async () => {
    const hidden = await page("/packages/private/acme/acmecloud/2.1.0/api/s3/Bucket");
    const absent = await page("/packages/private/acme/nothing/2.1.0/api/s3/Bucket");
    expect(hidden.r.status).toBe(404);
    expect(absent.r.status).toBe(404);
    const main = (t: string) => /<main[^>]*>([\s\S]*)<\/main>/.exec(t)![1];
    expect(main(hidden.text)).toBe(main(absent.text));
  });

  it("an unknown member or a bad language is an HTML error page", async () => {
    expect((await page(`${base}/api/s3/Nope`)).r.status).toBe(200); // the s3 module page
    expect((await page(`${base}/api/nomodule/Nope`)).r.status).toBe(404);
    const bad = await page(`${base}/api?lang=cobol`);
    expect(bad.r.status).toBe(400);
    expect(bad.r.headers.get("Content-Type")).toContain("text/html");
  });

  it("the version selector on a docs page keeps the page and the language", async () => {
    const r = await call(`/packages/pulumi/acme/acmecloud?version=2.1.0&then=api/s3/Bucket&lang=go`, { headers: html, redirect: "manual" });
    expect(r.status).toBe(303);
    expect(r.headers.get("Location")).toBe(`${base}/api/s3/Bucket?lang=go`);
    const type = await call(`/packages/pulumi/acme/acmecloud?version=2.1.0&then=types/s3/RoutingRule/RoutingRule&lang=go`, { headers: html, redirect: "manual" });
    expect(type.headers.get("Location")).toBe(`${base}/types/s3/RoutingRule/RoutingRule?lang=go`);
    const evil = await call(`/packages/pulumi/acme/acmecloud?version=2.1.0&then=//evil.example`, { headers: html, redirect: "manual" });
    expect(evil.headers.get("Location")).toBe(base);
    // Dot-segments would climb out of the package version once the browser resolves the Location.
    for (const then of ["api/../../../../admin", "types/./x", "api/s3/..", "api/.."]) {
      const climb = await call(`/packages/pulumi/acme/acmecloud?version=2.1.0&then=${encodeURIComponent(then)}`, { headers: html, redirect: "manual" });
      expect(climb.headers.get("Location"), then).toBe(base);
    }
  });
});

// A type reference into another package (`/kubernetes/v4.0.0/schema.json#/types/…`) names no publisher:
// it links to this package's own publisher's, Pulumi's, or the publisher named like the package's, never
// to another org's same-named package (which captured every link before); and a page's D1 round trips
// do not grow with the packages it references. Found in review.
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";

const k8sSchema = (publisherNote: string) =>
  JSON.stringify({
    name: "kubernetes",
    version: "4.0.0",
    description: publisherNote,
    resources: { "kubernetes:core/v1:Pod": { inputProperties: { spec: { $ref: "#/types/kubernetes:core/v1:PodSpec" } }, properties: {} } },
    types: { "kubernetes:core/v1:PodSpec": { type: "object", properties: { image: { type: "string" } } } },
  });

beforeAll(async () => {
  await createOrg("kubernetes");
  await publishPackage((await createToken("kubernetes", "publisher")).token, "pulumi/kubernetes/kubernetes", "4.0.0", { schema: k8sSchema("the real one") });
  await createOrg("aaa-squatter");
  await publishPackage((await createToken("aaa-squatter", "publisher")).token, "pulumi/aaa-squatter/kubernetes", "4.0.0", { schema: k8sSchema("a look-alike") });
  await createOrg("app");
  await publishPackage((await createToken("app", "publisher")).token, "pulumi/app/myapp", "1.0.0", {
    schema: JSON.stringify({
      name: "myapp",
      version: "1.0.0",
      resources: { "myapp:index:App": { inputProperties: { pod: { $ref: "/kubernetes/v4.0.0/schema.json#/types/kubernetes:core/v1:PodSpec" } }, properties: {} } },
    }),
  });
});

describe("links into another package's types", () => {
  it("go to the package the reference means, not to any same-named one", async () => {
    const r = await call("/packages/pulumi/app/myapp/1.0.0/api/index/App", { headers: { Accept: "text/html" } });
    const text = await r.text();
    expect(r.status).toBe(200);
    const links = [...text.matchAll(/href="(\/packages\/[^"]*\/types\/core\/v1\/PodSpec[^"]*)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    // The reference names no publisher: it means pulumi/kubernetes/kubernetes (the publisher named like
    // the package), never another org's same-named package.
    expect(links[0]).not.toContain("/aaa-squatter/");
    expect(links[0]).toMatch(/^\/packages\/pulumi\/kubernetes\/kubernetes\/4\.0\.0\/types\/core\/v1\/PodSpec/);
  });
});

describe("links in the shared opentofu namespace", () => {
  // On opentofu the publisher is an upstream namespace several orgs publish under (the first org to
  // publish a name owns it): org tofu-b publishing opentofu/hashicorp/netutil must not capture the
  // references of org tofu-a's opentofu/hashicorp/tofuapp to `netutil`; tofu-a's own `tofunet` links.
  const appSchema = JSON.stringify({
    name: "tofuapp",
    version: "1.0.0",
    resources: {
      "tofuapp:index:App": {
        inputProperties: {
          net: { $ref: "/netutil/v1.0.0/schema.json#/types/netutil:index:Net" },
          own: { $ref: "/tofunet/v1.0.0/schema.json#/types/tofunet:index:Net" },
        },
        properties: {},
      },
    },
  });
  const netSchema = (name: string) =>
    JSON.stringify({ name, version: "1.0.0", types: { [`${name}:index:Net`]: { type: "object", properties: { cidr: { type: "string" } } } } });

  it("never resolve to another org's package of the referenced name; the owner org's own one links", async () => {
    await createOrg("tofu-a");
    await createOrg("tofu-b");
    const a = (await createToken("tofu-a", "publisher")).token;
    const b = (await createToken("tofu-b", "publisher")).token;
    await publishPackage(a, "opentofu/hashicorp/tofuapp", "1.0.0", { schema: appSchema });
    await publishPackage(a, "opentofu/hashicorp/tofunet", "1.0.0", { schema: netSchema("tofunet") });
    await publishPackage(b, "opentofu/hashicorp/netutil", "1.0.0", { schema: netSchema("netutil") });
    const r = await call("/packages/opentofu/hashicorp/tofuapp/1.0.0/api/index/App", { headers: { Accept: "text/html" } });
    const text = await r.text();
    expect(r.status).toBe(200);
    const links = [...text.matchAll(/href="([^"]*\/types\/index\/Net[^"]*)"/g)].map((m) => m[1]);
    // Same source and publisher, same name: before the owner check `netutil` linked into org B's package.
    expect(links.some((l) => l!.includes("/netutil/"))).toBe(false);
    expect(links.some((l) => l!.startsWith("/packages/opentofu/hashicorp/tofunet/1.0.0/types/index/Net"))).toBe(true);
  });
});

describe("a member page's reads", () => {
  it("do not grow with the number of distinct packages its properties reference", async () => {
    const token = (await createToken("app", "publisher")).token;
    const props = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}`, { $ref: `/ext${i}/v1.${i}.0/schema.json#/types/ext${i}:index:T` }]));
    await publishPackage(token, "pulumi/app/fanout", "1.0.0", {
      schema: JSON.stringify({ name: "fanout", version: "1.0.0", resources: { "fanout:index:R": { inputProperties: props, properties: {} } } }),
    });
    const logs: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => {
      logs.push(args.map(String).join(" "));
      original(...args);
    };
    try {
      const r = await call("/packages/pulumi/app/fanout/1.0.0/api/index/R", { headers: { Accept: "text/html" } });
      expect(r.status).toBe(200);
      await r.text();
    } finally {
      console.log = original;
    }
    const line = logs.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((l) => l?.route?.includes("/api/index/R"));
    expect(line, logs.join("\n").slice(0, 500)).toBeDefined();
    // An anonymous page's miss: a handful of round trips, not one or two per referenced package.
    expect(line.d1RoundTrips, JSON.stringify(line)).toBeLessThan(10);
  });
});

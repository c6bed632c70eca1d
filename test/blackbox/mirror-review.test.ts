// The mirror, second reading: defects found by a hostile review, each proved here against a real upstream
// (this registry, `wrangler dev`) behind the counting proxy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, publishOverHttp, setupOrg } from "./client";
import { startUpstreamProxy, type UpstreamProxy } from "./upstream-proxy";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

type Server = { url: string; adminToken: string; stop(o?: { keepState?: boolean }): Promise<void> };

const schemaOf = (name: string, version: string) =>
  JSON.stringify({
    name,
    version,
    description: `The ${name} provider, for the mirror review.`,
    keywords: ["category/cloud", "kind/native"],
    resources: { [`${name}:index:Thing`]: { description: "A thing.", properties: { n: { type: "integer" } }, inputProperties: { n: { type: "integer" } } } },
  });

let upstream: Server;
let mirror: Server | undefined;
let proxy: UpstreamProxy;
const API = "/api/registry/packages";

beforeAll(async () => {
  proxy = await startUpstreamProxy(() => upstream.url);
  upstream = await startDevServer({ name: "mreview-upstream", vars: { RATE_LIMITS: "off", PUBLIC_URL: proxy.origin } });
  const pulumi = await setupOrg("pulumi", upstream);
  for (const version of ["1.0.0", "1.1.0"]) {
    const done = await publishOverHttp(pulumi.publisher, `${upstream.url}/api/registry`, "pulumi/pulumi/sprockets", version, schemaOf("sprockets", version), `# sprockets ${version}\n`);
    expect(done.status, done.text).toBe(201);
  }
  const upstreams = [{ id: "up", url: `${proxy.origin}/api/registry`, serves: ["pulumi/*/*"], requestsPerMinute: 1000 }];
  mirror = await startDevServer({ name: "mreview-mirror", vars: { RATE_LIMITS: "off", MIRROR_ALLOW_LOCAL_HTTP: "true", MIRROR_UPSTREAMS: JSON.stringify(upstreams) } });
}, 300_000);

afterAll(async () => {
  await mirror?.stop();
  await upstream?.stop();
  await proxy?.close();
});

describe("names as the caller spells them", () => {
  it("a first pull spelled in capitals does not stop later pulls spelled as the upstream spells the name", async () => {
    const first = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/SPROCKETS/versions/1.0.0`);
    expect(first.status, first.text).toBe(200);
    const second = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/sprockets/versions/1.1.0`);
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({ name: "sprockets", version: "1.1.0" });
  });
});

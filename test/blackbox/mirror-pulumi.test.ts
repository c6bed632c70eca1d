// The mirror against a stand-in for Pulumi's own registry (its answer shapes, artifacts on another
// origin the way Pulumi's artifact host is, a token on its API): the bytes stored are the upstream's,
// the installation text comes from its docs route as markdown, the token never leaves the API's origin,
// and an answer that disagrees with itself stores nothing.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, setupOrg } from "./client";
import { startRegistryStandIn, type RegistryStandIn } from "./stand-ins/pulumi-registry";
import { providerSchema } from "./stand-ins/provider-schema";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

type Server = { url: string; adminToken: string; stop(): Promise<void> };

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const API = "/api/registry/packages";
const UPSTREAM_TOKEN = "pul-standin-0123456789";

let pulumi: RegistryStandIn;
let mirror: Server | undefined;
let reader: string;

beforeAll(async () => {
  pulumi = await startRegistryStandIn({ token: UPSTREAM_TOKEN, separateArtifactOrigin: true });
  pulumi.addPackage({ publisher: "pulumi", schema: providerSchema({ name: "cloudy", version: "4.2.0", resources: 3 }), installation: "## Install\n\nSet `cloudy:region`.\n" });
  pulumi.addPackage({ publisher: "pulumi", schema: providerSchema({ name: "cloudy", version: "4.3.0" }) });
  pulumi.addPackage({ publisher: "pulumi", schema: providerSchema({ name: "twofaced", version: "1.0.0" }) });
  pulumi.addPackage({ publisher: "pulumi", schema: providerSchema({ name: "shifty", version: "1.0.0" }) });
  // failureHoldSeconds 0: a fault test asks again at once after the fault clears.
  const upstreams = [{ id: "pulumi", url: pulumi.url, serves: ["pulumi/pulumi/*"], org: "platform", tokenSecret: "MIRROR_TOKEN_PULUMI", failureHoldSeconds: 0 }];
  mirror = await startDevServer({
    name: "mirror-pulumi",
    vars: { RATE_LIMITS: "off", MIRROR_ALLOW_LOCAL_HTTP: "true", MIRROR_UPSTREAMS: JSON.stringify(upstreams), MIRROR_TOKEN_PULUMI: UPSTREAM_TOKEN },
  });
  reader = (await setupOrg("platform", mirror!)).reader;
}, 180_000);

afterAll(async () => {
  await mirror?.stop();
  await pulumi?.close();
});

describe("mirroring Pulumi's registry shapes", () => {
  it("stores the upstream's schema, README and installation text byte for byte, with their SHA-256 as fetched", async () => {
    const got = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/cloudy/versions/4.2.0`, { token: reader });
    expect(got.status, got.text).toBe(200);
    const sent = pulumi.artifacts("pulumi/pulumi/cloudy", "4.2.0");
    expect(got.body.provenance.artifacts.schema.sha256).toBe(sha256(sent.schema));
    expect(got.body.provenance.artifacts.index.sha256).toBe(sha256(sent.readme));
    expect(got.body.provenance.artifacts.installationConfiguration.sha256).toBe(sha256(sent.installation!));
    const schema = await fetch(got.body.schemaURL, { headers: { Authorization: `token ${reader}` } });
    expect(Buffer.from(await schema.arrayBuffer()).equals(sent.schema)).toBe(true);
    const installation = await fetch(`${mirror!.url}${API}/pulumi/pulumi/cloudy/versions/4.2.0/raw/installation`, { headers: { Authorization: `token ${reader}` } });
    expect(await installation.text()).toBe(sent.installation);
    expect(got.body).toMatchObject({ title: expect.any(String), visibility: "private" });
  });

  it("sends the upstream token to the upstream's API only, never to its artifact host", async () => {
    const api = pulumi.requests.filter((r) => r.host === "api");
    const artifacts = pulumi.requests.filter((r) => r.host === "artifacts");
    expect(api.length).toBeGreaterThan(0);
    expect(artifacts.length).toBeGreaterThan(0);
    for (const r of api) expect(r.authorization).toBe(`token ${UPSTREAM_TOKEN}`);
    for (const r of artifacts) expect(r.authorization).toBeUndefined();
  });

  it("answers latest from what is stored within the freshness period, without asking the upstream", async () => {
    const latest = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/cloudy/versions/latest`, { token: reader });
    expect(latest.status, latest.text).toBe(200);
    expect(latest.body.version).toBe("4.2.0");
    expect(pulumi.requests.filter((r) => r.path.includes("/versions/latest"))).toEqual([]);
  });

  it("a version answer whose schema disagrees with it answers 502 and stores nothing", async () => {
    const fault = pulumi.fault({ type: "wrongBytes" }, { host: "artifacts", path: "*twofaced*schema*" });
    const r = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/twofaced/versions/1.0.0`, { token: reader });
    expect(r.status, r.text).toBe(502);
    expect(r.body).toMatchObject({ code: 502 });
    // A listing by name pulls through too, so it is asked while the upstream still disagrees.
    const listed = await cli("GET", `${mirror!.url}/api/registry/packages?name=twofaced`, { token: reader });
    expect(listed.body.packages).toEqual([]);
    fault.clear();
    const ok = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/twofaced/versions/1.0.0`, { token: reader });
    expect(ok.status, ok.text).toBe(200);
  });

  it("a version answer naming another version is refused with 502", async () => {
    const fault = pulumi.fault({ type: "wrongBytes" }, { host: "api", path: "*shifty/versions/1.0.0" });
    const r = await cli("GET", `${mirror!.url}${API}/pulumi/pulumi/shifty/versions/1.0.0`, { token: reader });
    fault.clear();
    expect(r.status, r.text).toBe(502);
    expect(r.body.message).toContain("upstream 'pulumi' answered version 0.0.0-wrong when asked for 1.0.0");
    expect(pulumi.requests.filter((r) => r.host === "artifacts" && r.path.includes("shifty"))).toEqual([]);
  });
});

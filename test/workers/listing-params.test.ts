// The current API's list parameters (search, packageType, usage, sort=usageTotal), their bad values,
// and the D1 round trips of token reads.
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, countRows, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage, schemaFor } from "./publish-helpers";

let acme: OrgTokens;
let quiet: OrgTokens;

const names = (body: any) => body.packages.map((p: any) => p.name);

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  quiet = await orgWithTokens("quiet");
  const publish = (name: string, version: string, extra: Record<string, unknown>) =>
    publishPackage(acme.publisher, `pulumi/acme/${name}`, version, { schema: schemaFor(name, version, extra) });
  await publish("aws-native", "1.0.0", { description: "Native AWS resources", keywords: ["kind/native"] });
  await publish("eks-cluster", "1.0.0", { description: "A managed Kubernetes cluster on AWS", keywords: ["kind/component"] });
  await publish("tf-bridge", "1.0.0", { displayName: "Bridged thing", description: "50% off *everything* (AND) \"quoted\"", keywords: ["bridged"] });
  await publish("eks-cluster", "1.1.0", { description: "A managed Kubernetes cluster on AWS", keywords: ["kind/component"] });
  // acme's stacks: eks-cluster in three stacks (two on an older version), aws-native in one.
  const report = (stack: string, packages: unknown[]) =>
    call(`/api/orgs/acme/registry/usage/app/${stack}`, { method: "PUT", token: acme.publisher, body: { packages } });
  expect((await report("dev", [{ source: "pulumi", publisher: "acme", name: "eks-cluster", version: "1.1.0" }])).status).toBe(204);
  expect((await report("stage", [{ source: "pulumi", publisher: "acme", name: "eks-cluster", version: "1.0.0" }, { source: "pulumi", publisher: "acme", name: "aws-native", version: "1.0.0" }])).status).toBe(204);
  expect((await report("prod", [{ source: "pulumi", publisher: "acme", name: "eks-cluster", version: "1.0.0" }])).status).toBe(204);
});

describe("search over packages", () => {
  it("matches name, title and description, case-insensitively; every term must match", async () => {
    expect(names((await callJson("/api/registry/packages?search=AWS")).body)).toEqual(["aws-native", "eks-cluster"]);
    expect(names((await callJson("/api/registry/packages?search=kubernetes%20aws")).body)).toEqual(["eks-cluster"]);
    expect(names((await callJson("/api/registry/packages?search=bridged")).body)).toEqual(["tf-bridge"]);
    expect(names((await callJson("/api/registry/packages?search=kubernetes%20nowhere")).body)).toEqual([]);
    // Substrings, not only whole words; the publisher counts too.
    expect(names((await callJson("/api/registry/packages?search=ative")).body)).toEqual(["aws-native"]);
    expect(names((await callJson("/api/registry/packages?search=acme%20cluster")).body)).toEqual(["eks-cluster"]);
  });

  it("terms are literal text: FTS syntax, quotes and LIKE patterns match only themselves", async () => {
    for (const term of ['"quoted"', "*everything*", "(and)", "50%"]) {
      const r = await callJson(`/api/registry/packages?search=${encodeURIComponent(term)}`);
      expect(r.status, term).toBe(200);
      expect(names(r.body), term).toEqual(["tf-bridge"]);
    }
    for (const term of ['"', "NEAR(aws eks)", "aws OR eks", "a*", "%", "_", "^aws", "aws:*"]) {
      const r = await callJson(`/api/registry/packages?search=${encodeURIComponent(term)}`);
      expect(r.status, term).toBe(200);
    }
    expect(names((await callJson(`/api/registry/packages?search=${encodeURIComponent("aws OR kubernetes")}`)).body)).toEqual([]);
    expect(names((await callJson("/api/registry/packages?search=%25")).body)).toEqual(["tf-bridge"]);
    expect(names((await callJson("/api/registry/packages?search=_")).body)).toEqual([]);
  });

  it("a search with a control character is a 400, not a database error", async () => {
    for (const path of ["/api/registry/packages?search=%00abc", "/api/registry/packages?search=ab%01", "/api/registry/templates?search=%00abc"]) {
      expectError(await callJson(path), 400);
    }
  });

  it("short terms (under three characters) still match as substrings", async () => {
    expect(names((await callJson("/api/registry/packages?search=ek")).body)).toEqual(["eks-cluster"]);
    expect(names((await callJson("/api/registry/packages?search=ek%20aws")).body)).toEqual(["eks-cluster"]);
  });

  it("a search follows the latest version: an older version's text no longer matches", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/renamed", "1.0.0", { schema: schemaFor("renamed", "1.0.0", { description: "oldword", keywords: [] }) });
    expect(names((await callJson("/api/registry/packages?search=oldword", { token: acme.reader })).body)).toEqual(["renamed"]);
    await publishPackage(acme.publisher, "pulumi/acme/renamed", "2.0.0", { schema: schemaFor("renamed", "2.0.0", { description: "newword", keywords: [] }) });
    expect(names((await callJson("/api/registry/packages?search=oldword", { token: acme.reader })).body)).toEqual([]);
    expect(names((await callJson("/api/registry/packages?search=newword", { token: acme.reader })).body)).toEqual(["renamed"]);
  });

  it("too long or too many terms → 400", async () => {
    expectError(await callJson(`/api/registry/packages?search=${"a".repeat(201)}`), 400);
    expectError(await callJson(`/api/registry/packages?search=${Array.from({ length: 21 }, (_, i) => `t${i}`).join("+")}`), 400);
  });
});

describe("packageType", () => {
  it("filters on the latest version's package types", async () => {
    expect(names((await callJson("/api/registry/packages?packageType=native")).body)).toEqual(["aws-native"]);
    expect(names((await callJson("/api/registry/packages?packageType=component")).body)).toEqual(["eks-cluster"]);
    expect(names((await callJson("/api/registry/packages?packageType=bridged")).body)).toEqual(["tf-bridge"]);
    expect(names((await callJson("/api/registry/packages?packageType=bridged&search=everything")).body)).toEqual(["tf-bridge"]);
  });

  it("anything else → 400 {code,message}", async () => {
    for (const bad of ["Native", "provider", "native,component", " "]) expectError(await callJson(`/api/registry/packages?packageType=${encodeURIComponent(bad)}`), 400);
  });
});

describe("usage and sort=usageTotal (the caller's org)", () => {
  it("usage=used, unused and notOnLatest", async () => {
    const t = acme.reader;
    expect(names((await callJson("/api/registry/packages?usage=used", { token: t })).body)).toEqual(["aws-native", "eks-cluster"]);
    expect(names((await callJson("/api/registry/packages?usage=unused", { token: t })).body)).toEqual(expect.arrayContaining(["tf-bridge"]));
    expect(names((await callJson("/api/registry/packages?usage=unused", { token: t })).body)).not.toContain("eks-cluster");
    // eks-cluster: two stacks on 1.0.0 while latest is 1.1.0; aws-native: its one stack is on latest.
    expect(names((await callJson("/api/registry/packages?usage=notOnLatest", { token: t })).body)).toEqual(["eks-cluster"]);
    // Another org's view of the same packages: it uses none of them.
    expect(names((await callJson("/api/registry/packages?usage=used", { token: quiet.reader })).body)).toEqual([]);
  });

  it("sort=usageTotal is most used first by default, then the rest by name; asc=true reverses it", async () => {
    const desc = (await callJson("/api/registry/packages?sort=usageTotal", { token: acme.reader })).body.packages;
    expect(desc.slice(0, 2).map((p: any) => [p.name, p.usageStats.totalStacks])).toEqual([
      ["eks-cluster", 3],
      ["aws-native", 1],
    ]);
    expect(desc.slice(2).every((p: any) => p.usageStats.totalStacks === 0)).toBe(true);
    const asc = (await callJson("/api/registry/packages?sort=usageTotal&asc=true", { token: acme.reader })).body.packages;
    expect(asc.slice(-2).map((p: any) => p.name)).toEqual(["aws-native", "eks-cluster"]);
    expect(asc.map((p: any) => p.name).sort()).toEqual(desc.map((p: any) => p.name).sort());
  });

  it("sort=usageTotal pages across the used and unused halves with every package exactly once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await callJson(`/api/registry/packages?sort=usageTotal&limit=1${token ? `&continuationToken=${token}` : ""}`, { token: acme.reader });
      expect(r.status).toBe(200);
      seen.push(...names(r.body));
      token = r.body.continuationToken;
    } while (token);
    const all = names((await callJson("/api/registry/packages?sort=usageTotal", { token: acme.reader })).body);
    expect(seen).toEqual(all);
  });

  it("anonymous → 401; bad values → 400; nothing written", async () => {
    const before = await countRows("stack_usage");
    expectError(await callJson("/api/registry/packages?usage=used"), 401);
    expectError(await callJson("/api/registry/packages?sort=usageTotal"), 401);
    for (const bad of ["Used", "all", "not-on-latest", ""]) {
      expectError(await callJson(`/api/registry/packages?usage=${bad}`, { token: acme.reader }), 400);
    }
    expectError(await callJson("/api/registry/packages?sort=usage", { token: acme.reader }), 400);
    expect(await countRows("stack_usage")).toBe(before);
  });
});

describe("D1 round trips of token reads", () => {
  const trips = (r: Response) => Number(r.headers.get("X-D1-Round-Trips"));

  /** A token's first use records lastUsedAt in the background (one more D1 call): let it land first. */
  async function warm(org: string, token: string) {
    await (await call("/api/registry/packages", { token })).text();
    for (let i = 0; i < 50; i++) {
      const listed = await callJson(`/api/admin/orgs/${org}/tokens`, { token: ADMIN });
      if (listed.body.tokens.every((t: any) => t.role !== "reader" || t.lastUsedAt)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("lastUsedAt never recorded");
  }

  it("a list or get with a token of an org without usage takes one round trip (token lookup batched with the read)", async () => {
    await warm("quiet", quiet.reader);
    for (const path of ["/api/registry/packages", "/api/registry/packages?search=aws&sort=createdAt", "/api/registry/packages/pulumi/acme/eks-cluster/versions/latest"]) {
      const r = await call(path, { token: quiet.reader });
      expect(r.status, path).toBe(200);
      expect(trips(r), path).toBe(1);
      expect((await r.json<any>()).usageStats ?? "list").toBeDefined();
    }
  });

  it("with usage to count, at most two (the counts follow the page)", async () => {
    await warm("acme", acme.reader);
    for (const path of ["/api/registry/packages", "/api/registry/packages?usage=notOnLatest", "/api/registry/packages?sort=usageTotal", "/api/registry/packages/pulumi/acme/eks-cluster/versions/latest"]) {
      const r = await call(path, { token: acme.reader });
      expect(r.status, path).toBe(200);
      expect(trips(r), path).toBeLessThanOrEqual(2);
    }
    const get = await callJson("/api/registry/packages/pulumi/acme/eks-cluster/versions/latest", { token: acme.reader });
    expect(get.body.usageStats).toEqual({ totalStacks: 3, onLatest: 1, onOlder: 2, versionUnresolved: 0 });
  });

  it("a revoked token is refused on its very next request, and the read's rows are not returned", async () => {
    const created = await callJson("/api/admin/orgs/acme/tokens", { method: "POST", token: ADMIN, body: { role: "reader" } });
    const secret = created.body.token as string;
    expect((await callJson("/api/registry/packages?search=eks", { token: secret })).status).toBe(200);
    expect((await call(`/api/admin/orgs/acme/tokens/${created.body.id}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    const refused = await callJson("/api/registry/packages?search=eks", { token: secret });
    expectError(refused, 401);
    expect(refused.body.packages).toBeUndefined();
    expectError(await callJson("/api/registry/packages/pulumi/acme/eks-cluster/versions/latest", { token: secret }), 401);
  });

  it("an unknown token is a 401 even where the list would be empty", async () => {
    expectError(await callJson("/api/registry/packages?publisher=nobody", { token: "erg_not-a-real-token" }), 401);
  });
});

describe("category filter (an extension: the category read from the schema's category/<x> keyword)", () => {
  beforeAll(async () => {
    const publish = (name: string, version: string, keywords: string[]) =>
      publishPackage(quiet.publisher, `pulumi/quiet/${name}`, version, { schema: schemaFor(name, version, { keywords }) });
    await publish("quiet-metrics", "1.0.0", ["category/monitoring", "kind/native"]);
    await publish("quiet-logs", "1.0.0", ["category/monitoring"]);
    await publish("quiet-db", "1.0.0", ["category/database"]);
    // The latest decides: quiet-db moves to monitoring with 2.0.0, quiet-logs leaves it with 2.0.0.
    await publish("quiet-db", "2.0.0", ["category/monitoring"]);
    await publish("quiet-logs", "2.0.0", ["category/network"]);
  });

  it("lists the packages whose latest version is in the category, composed with the other filters", async () => {
    expect(names((await callJson("/api/registry/packages?category=monitoring")).body)).toEqual(["quiet-db", "quiet-metrics"]);
    expect(names((await callJson("/api/registry/packages?category=network")).body)).toEqual(["quiet-logs"]);
    expect(names((await callJson("/api/registry/packages?category=monitoring&packageType=native")).body)).toEqual(["quiet-metrics"]);
    expect(names((await callJson("/api/registry/packages?category=monitoring&search=db")).body)).toEqual(["quiet-db"]);
    expect(names((await callJson("/api/registry/packages?category=monitoring&publisher=acme")).body)).toEqual([]);
    // No category/<x> keyword: the default, cloud (spec §3).
    expect(names((await callJson("/api/registry/packages?category=cloud&name=aws-native")).body)).toEqual(["aws-native"]);
    expect(names((await callJson("/api/registry/packages?category=monitoring&name=aws-native")).body)).toEqual([]);
    expect(names((await callJson("/api/registry/packages?category=monitoring&sort=createdAt")).body)).toEqual(["quiet-db", "quiet-metrics"]);
  });

  it("pages with a continuation token bound to the category", async () => {
    const first = await callJson("/api/registry/packages?category=monitoring&limit=1");
    expect(names(first.body)).toEqual(["quiet-db"]);
    const token = encodeURIComponent(first.body.continuationToken);
    expect(names((await callJson(`/api/registry/packages?category=monitoring&limit=1&continuationToken=${token}`)).body)).toEqual(["quiet-metrics"]);
    expectError(await callJson(`/api/registry/packages?category=network&limit=1&continuationToken=${token}`), 400);
    expectError(await callJson(`/api/registry/packages?limit=1&continuationToken=${token}`), 400);
  });

  it("an unknown category is a 400 naming the allowed values", async () => {
    for (const bad of ["clouds", "Cloud", "", "category/cloud"]) {
      const r = await callJson(`/api/registry/packages?category=${encodeURIComponent(bad)}`);
      expectError(r, 400);
      expect(r.body.message).toContain("cloud, database, infrastructure");
    }
  });
});

import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, countRows, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { PREFIXES, publishPackage } from "./publish-helpers";

let acme: OrgTokens;
let other: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("acme", "Acme Corp");
  other = await orgWithTokens("other");
});

type Ref = { source: string; publisher: string; name: string; version?: string };

const usagePath = (org: string, project: string, stack: string) => `/api/orgs/${org}/registry/usage/${project}/${stack}`;

async function report(token: string | undefined, org: string, project: string, stack: string, packages: Ref[]) {
  return callJson(usagePath(org, project, stack), { method: "PUT", token, body: { packages } });
}

async function reportOk(token: string, org: string, project: string, stack: string, packages: Ref[]) {
  const r = await report(token, org, project, stack, packages);
  if (r.status !== 204) throw new Error(`report ${org}/${project}/${stack}: ${r.status} ${JSON.stringify(r.body)}`);
}

const usageRows = () => countRows("stack_usage");

async function stackRows(org: string, project: string, stack: string) {
  const { results } = await env.DB.prepare(
    "SELECT source, publisher, name, version FROM stack_usage WHERE org_login = ? AND project = ? AND stack = ? ORDER BY source, publisher, canonical_name",
  )
    .bind(org, project, stack)
    .all();
  return results;
}

async function statsOf(token: string | undefined, path: string) {
  const r = await callJson(`/api/registry/packages/${path}/versions/latest`, { token });
  expect(r.status).toBe(200);
  return r.body.usageStats;
}

const pkg = (name: string, version?: string, publisher = "acme", source = "pulumi"): Ref => ({ source, publisher, name, ...(version ? { version } : {}) });

describe("reporting usage", () => {
  it("a publisher's report answers 204 with no body and records one row per package", async () => {
    const before = await usageRows();
    const r = await call(usagePath("acme", "web", "prod"), { method: "PUT", token: acme.publisher, body: { packages: [pkg("aws", "6.0.0"), pkg("random")] } });
    expect(r.status).toBe(204);
    expect(await r.text()).toBe("");
    expect(await usageRows()).toBe(before + 2);
    expect(await stackRows("acme", "web", "prod")).toEqual([
      { source: "pulumi", publisher: "acme", name: "aws", version: "6.0.0" },
      { source: "pulumi", publisher: "acme", name: "random", version: null },
    ]);
  });

  it("an admin token may report too", async () => {
    await reportOk(acme.admin, "acme", "web", "admin-made", [pkg("aws")]);
    expect(await stackRows("acme", "web", "admin-made")).toHaveLength(1);
  });

  it("a second report replaces what the stack uses rather than adding to it", async () => {
    await reportOk(acme.publisher, "acme", "replace", "dev", [pkg("a", "1.0.0"), pkg("b", "1.0.0")]);
    await reportOk(acme.publisher, "acme", "replace", "dev", [pkg("b", "2.0.0"), pkg("c")]);
    expect(await stackRows("acme", "replace", "dev")).toEqual([
      { source: "pulumi", publisher: "acme", name: "b", version: "2.0.0" },
      { source: "pulumi", publisher: "acme", name: "c", version: null },
    ]);
  });

  it("an empty list removes the stack", async () => {
    await reportOk(acme.publisher, "acme", "empty", "dev", [pkg("a", "1.0.0"), pkg("b")]);
    expect(await stackRows("acme", "empty", "dev")).toHaveLength(2);
    await reportOk(acme.publisher, "acme", "empty", "dev", []);
    expect(await stackRows("acme", "empty", "dev")).toHaveLength(0);
  });

  it("DELETE removes the stack with a 204, and deleting it again is still a 204", async () => {
    await reportOk(acme.publisher, "acme", "gone", "dev", [pkg("a", "1.0.0")]);
    await reportOk(acme.publisher, "acme", "gone", "keep", [pkg("a", "1.0.0")]);
    const del = await call(usagePath("acme", "gone", "dev"), { method: "DELETE", token: acme.publisher });
    expect(del.status).toBe(204);
    expect(await stackRows("acme", "gone", "dev")).toHaveLength(0);
    expect(await stackRows("acme", "gone", "keep")).toHaveLength(1);
    expect((await call(usagePath("acme", "gone", "dev"), { method: "DELETE", token: acme.publisher })).status).toBe(204);
  });

  it("1,000 packages with realistic names are accepted, though they exceed 64 KiB", async () => {
    const packages = Array.from({ length: 1000 }, (_, i) => pkg(`provider-with-a-long-name-${i}`, `12.34.${i}-beta.1`, "acme", "opentofu"));
    expect(JSON.stringify({ packages }).length).toBeGreaterThan(64 * 1024);
    await reportOk(acme.publisher, "acme", "big", "prod", packages);
    expect(await stackRows("acme", "big", "prod")).toHaveLength(1000);
  });

  it("a body over 256 KiB is a 413 and records nothing", async () => {
    const before = await usageRows();
    const packages = Array.from({ length: 1000 }, (_, i) => pkg(`${"n".repeat(90)}${i}`, `1.0.0-${"x".repeat(150)}`));
    const r = await report(acme.publisher, "acme", "huge", "prod", packages);
    expectError(r, 413);
    expect(await usageRows()).toBe(before);
  });
});

describe("bad reports are rejected and record nothing", () => {
  // The target stack already has a row: a rejected replace must leave it exactly as it was.
  const seeded = [{ source: "pulumi", publisher: "acme", name: "seed", version: "1.0.0" }];
  beforeAll(async () => {
    await reportOk(acme.publisher, "acme", "guarded", "prod", [pkg("seed", "1.0.0")]);
  });

  async function expectRejected(r: { status: number; body: any }, status: number) {
    expectError(r, status);
    expect(await stackRows("acme", "guarded", "prod")).toEqual(seeded);
  }

  const tooMany = Array.from({ length: 1001 }, (_, i) => pkg(`p${i}`));
  const bodies: Array<[string, unknown]> = [
    ["duplicate entries", { packages: [pkg("dup", "1.0.0"), pkg("other"), pkg("dup", "2.0.0")] }],
    ["entries that differ only in case or separators", { packages: [pkg("My_Pkg"), pkg("my-pkg")] }],
    ["more than 1,000 packages", { packages: tooMany }],
    ["an unknown source", { packages: [pkg("aws", "1.0.0", "acme", "npm")] }],
    ["a missing source", { packages: [{ publisher: "acme", name: "aws" }] }],
    ["a 'v'-prefixed version", { packages: [pkg("aws", "v1.0.0")] }],
    ["a partial version", { packages: [pkg("aws", "1.0")] }],
    ["a non-string version", { packages: [{ ...pkg("aws"), version: 1 }] }],
    ["an invalid publisher", { packages: [pkg("aws", "1.0.0", "bad/publisher")] }],
    ["an invalid name", { packages: [pkg("-aws")] }],
    ["no packages field", {}],
    ["packages that is not an array", { packages: "aws" }],
    ["an entry that is not an object", { packages: ["pulumi/acme/aws"] }],
  ];

  it.each(bodies)("%s is a 400", async (_what, body) => {
    const before = await usageRows();
    await expectRejected(await callJson(usagePath("acme", "guarded", "prod"), { method: "PUT", token: acme.publisher, body }), 400);
    expect(await usageRows()).toBe(before);
  });

  it("a duplicate names the entry it repeats", async () => {
    const r = await report(acme.publisher, "acme", "guarded", "prod", [pkg("dup"), pkg("dup")]);
    await expectRejected(r, 400);
    expect(r.body.message).toContain("packages.1");
    expect(r.body.message).toContain("packages.0");
  });

  it.each([
    ["malformed JSON", "{"],
    ["a JSON array", "[]"],
    ["a JSON string", '"packages"'],
    ["JSON null", "null"],
    ["an empty body", ""],
  ])("%s is a 400", async (_what, raw) => {
    const before = await usageRows();
    const r = await callJson(usagePath("acme", "guarded", "prod"), { method: "PUT", token: acme.publisher, rawBody: raw, headers: { "Content-Type": "application/json" } });
    await expectRejected(r, 400);
    expect(await usageRows()).toBe(before);
  });

  it.each([
    ["a space in the project", "bad%20name", "prod"],
    ["a slash in the project", "a%2Fb", "prod"],
    ["a control character in the stack", "guarded", "a%00b"],
    ["a 101-character stack", "guarded", "s".repeat(101)],
    ["a non-ASCII stack", "guarded", "pr%C3%B6d"],
    ["malformed percent-encoding", "guarded", "%E0%A4%A"],
  ])("%s is a 400", async (_what, project, stack) => {
    const before = await usageRows();
    const put = await callJson(usagePath("acme", project, stack), { method: "PUT", token: acme.publisher, body: { packages: [pkg("aws")] } });
    await expectRejected(put, 400);
    await expectRejected(await callJson(usagePath("acme", project, stack), { method: "DELETE", token: acme.publisher }), 400);
    expect(await usageRows()).toBe(before);
  });

  it("Pulumi-valid project and stack names are accepted", async () => {
    await reportOk(acme.publisher, "acme", "_my.project-1", "dev_eu.west-1", [pkg("aws")]);
    expect(await stackRows("acme", "_my.project-1", "dev_eu.west-1")).toHaveLength(1);
  });

  it.each(["PUT", "DELETE"])("anonymous %s is a 401", async (method) => {
    const before = await usageRows();
    await expectRejected(await callJson(usagePath("acme", "guarded", "prod"), { method, body: { packages: [] } }), 401);
    expect(await usageRows()).toBe(before);
  });

  it("an invalid token is a 401", async () => {
    await expectRejected(await callJson(usagePath("acme", "guarded", "prod"), { method: "PUT", token: "erg_nope", body: { packages: [] } }), 401);
  });

  it.each(["PUT", "DELETE"])("%s with another org's token is a 403", async (method) => {
    const before = await usageRows();
    await expectRejected(await callJson(usagePath("acme", "guarded", "prod"), { method, token: other.publisher, body: { packages: [] } }), 403);
    expect(await usageRows()).toBe(before);
  });

  it.each(["PUT", "DELETE"])("%s with a reader token is a 403", async (method) => {
    const before = await usageRows();
    const r = await callJson(usagePath("acme", "guarded", "prod"), { method, token: acme.reader, body: { packages: [] } });
    await expectRejected(r, 403);
    expect(r.body.message).toContain("reader");
    expect(await usageRows()).toBe(before);
  });
});

describe("usageStats", () => {
  it("two orgs recording overlapping usage each see only their own counts", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/shared", "1.0.0");
    await reportOk(acme.publisher, "acme", "app", "dev", [pkg("shared", "1.0.0")]);
    await reportOk(acme.publisher, "acme", "app", "prod", [pkg("shared", "1.0.0")]);
    await reportOk(other.publisher, "other", "app", "dev", [pkg("shared", "1.0.0")]);
    await reportOk(other.publisher, "other", "svc", "dev", [pkg("shared")]);

    expect(await statsOf(acme.reader, "pulumi/acme/shared")).toEqual({ totalStacks: 2, onLatest: 2, onOlder: 0, versionUnresolved: 0 });
    expect(await statsOf(other.reader, "pulumi/acme/shared")).toEqual({ totalStacks: 2, onLatest: 1, onOlder: 0, versionUnresolved: 1 });
    const listed = await callJson("/api/registry/packages?name=shared", { token: other.publisher });
    expect(listed.body.packages[0].usageStats).toEqual({ totalStacks: 2, onLatest: 1, onOlder: 0, versionUnresolved: 1 });
  });

  it("publishing a newer version moves stacks from onLatest to onOlder without rewriting usage", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/moving", "1.0.0");
    await reportOk(acme.publisher, "acme", "moving", "a", [pkg("moving", "1.0.0")]);
    await reportOk(acme.publisher, "acme", "moving", "b", [pkg("moving", "1.0.0")]);
    expect(await statsOf(acme.reader, "pulumi/acme/moving")).toEqual({ totalStacks: 2, onLatest: 2, onOlder: 0, versionUnresolved: 0 });

    const rows = await usageRows();
    await publishPackage(acme.publisher, "pulumi/acme/moving", "1.1.0");
    expect(await usageRows()).toBe(rows);
    expect(await statsOf(acme.reader, "pulumi/acme/moving")).toEqual({ totalStacks: 2, onLatest: 0, onOlder: 2, versionUnresolved: 0 });

    await reportOk(acme.publisher, "acme", "moving", "b", [pkg("moving", "1.1.0")]);
    expect(await statsOf(acme.reader, "pulumi/acme/moving")).toEqual({ totalStacks: 2, onLatest: 1, onOlder: 1, versionUnresolved: 0 });
  });

  it("a version reported with other build metadata resolves by precedence", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/built-use", "1.0.0+sha.1");
    await reportOk(acme.publisher, "acme", "built", "dev", [pkg("built-use", "1.0.0+sha.2")]);
    expect(await statsOf(acme.reader, "pulumi/acme/built-use")).toEqual({ totalStacks: 1, onLatest: 1, onOlder: 0, versionUnresolved: 0 });
  });

  it("deleting a version turns its users unresolved", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/retiring", "1.0.0");
    await publishPackage(acme.publisher, "pulumi/acme/retiring", "2.0.0");
    await reportOk(acme.publisher, "acme", "retiring", "old", [pkg("retiring", "1.0.0")]);
    await reportOk(acme.publisher, "acme", "retiring", "new", [pkg("retiring", "2.0.0")]);
    expect(await statsOf(acme.reader, "pulumi/acme/retiring")).toEqual({ totalStacks: 2, onLatest: 1, onOlder: 1, versionUnresolved: 0 });

    expect((await call("/api/registry/packages/pulumi/acme/retiring/versions/1.0.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect(await statsOf(acme.reader, "pulumi/acme/retiring")).toEqual({ totalStacks: 2, onLatest: 1, onOlder: 0, versionUnresolved: 1 });

    // The former latest, once deleted, resolves no better than any other deleted version.
    await publishPackage(acme.publisher, "pulumi/acme/retiring", "3.0.0");
    expect((await call("/api/registry/packages/pulumi/acme/retiring/versions/2.0.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect(await statsOf(acme.reader, "pulumi/acme/retiring")).toEqual({ totalStacks: 2, onLatest: 0, onOlder: 0, versionUnresolved: 2 });
  });

  it("no version given, or a version never published, counts as unresolved", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/vague", "1.0.0");
    await reportOk(acme.publisher, "acme", "vague", "none", [pkg("vague")]);
    await reportOk(acme.publisher, "acme", "vague", "unknown", [pkg("vague", "9.9.9")]);
    expect(await statsOf(acme.reader, "pulumi/acme/vague")).toEqual({ totalStacks: 2, onLatest: 0, onOlder: 0, versionUnresolved: 2 });
  });

  it("usage reported before a publish counts after it, matched on the canonical name", async () => {
    await reportOk(acme.publisher, "acme", "early", "dev", [pkg("Early_Bird", "1.0.0")]);
    await publishPackage(acme.publisher, "pulumi/acme/early-bird", "1.0.0");
    expect(await statsOf(acme.reader, "pulumi/acme/early-bird")).toEqual({ totalStacks: 1, onLatest: 1, onOlder: 0, versionUnresolved: 0 });
  });

  it("usage of another source or publisher with the same name does not count", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/lookalike", "1.0.0");
    await reportOk(acme.publisher, "acme", "lookalike", "dev", [pkg("lookalike", "1.0.0", "acme", "opentofu"), pkg("lookalike", "1.0.0", "someone")]);
    expect(await statsOf(acme.reader, "pulumi/acme/lookalike")).toEqual({ totalStacks: 0, onLatest: 0, onOlder: 0, versionUnresolved: 0 });
  });

  it("a removed stack no longer counts", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/dropped", "1.0.0");
    await reportOk(acme.publisher, "acme", "dropped", "a", [pkg("dropped", "1.0.0")]);
    await reportOk(acme.publisher, "acme", "dropped", "b", [pkg("dropped", "1.0.0")]);
    await reportOk(acme.publisher, "acme", "dropped", "a", []);
    await call(usagePath("acme", "dropped", "b"), { method: "DELETE", token: acme.publisher });
    expect(await statsOf(acme.reader, "pulumi/acme/dropped")).toEqual({ totalStacks: 0, onLatest: 0, onOlder: 0, versionUnresolved: 0 });
  });

  it("a listing page carries each package's own counts, zeros where there is no usage", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) await publishPackage(acme.publisher, `private/acme/${name}`, "1.0.0");
    await publishPackage(acme.publisher, "private/acme/page-b", "2.0.0");
    await reportOk(acme.publisher, "acme", "paged", "one", [pkg("page-a", "1.0.0", "acme", "private"), pkg("page-b", "1.0.0", "acme", "private")]);
    await reportOk(acme.publisher, "acme", "paged", "two", [pkg("page-b", "2.0.0", "acme", "private")]);
    const listed = await callJson("/api/registry/packages?orgLogin=acme&visibility=private", { token: acme.reader });
    const byName = Object.fromEntries(listed.body.packages.filter((p: any) => p.name.startsWith("page-")).map((p: any) => [p.name, p.usageStats]));
    expect(byName).toEqual({
      "page-a": { totalStacks: 1, onLatest: 1, onOlder: 0, versionUnresolved: 0 },
      "page-b": { totalStacks: 2, onLatest: 1, onOlder: 1, versionUnresolved: 0 },
      "page-c": { totalStacks: 0, onLatest: 0, onOlder: 0, versionUnresolved: 0 },
    });
  });

  describe.each(PREFIXES)("under %s", (prefix) => {
    beforeAll(async () => {
      await publishPackage(acme.publisher, `pulumi/acme/shown-${prefix.length}`, "1.0.0");
      await reportOk(acme.publisher, "acme", "shown", `s${prefix.length}`, [pkg(`shown-${prefix.length}`, "1.0.0")]);
    });

    it("anonymous list and get responses carry no usageStats", async () => {
      const name = `shown-${prefix.length}`;
      const got = await callJson(`${prefix}/packages/pulumi/acme/${name}/versions/1.0.0`);
      expect(got.status).toBe(200);
      expect("usageStats" in got.body).toBe(false);
      const listed = await callJson(`${prefix}/packages?name=${name}`);
      expect(listed.body.packages).toHaveLength(1);
      expect("usageStats" in listed.body.packages[0]).toBe(false);
    });

    it.each(["reader", "publisher"] as const)("authenticated (%s) list and get both carry usageStats", async (role) => {
      const name = `shown-${prefix.length}`;
      const expected = { totalStacks: 1, onLatest: 1, onOlder: 0, versionUnresolved: 0 };
      const got = await callJson(`${prefix}/packages/pulumi/acme/${name}/versions/1.0.0`, { token: acme[role] });
      expect(got.body.usageStats).toEqual(expected);
      const listed = await callJson(`${prefix}/packages?name=${name}`, { token: acme[role] });
      expect(listed.body.packages[0].usageStats).toEqual(expected);
    });
  });
});

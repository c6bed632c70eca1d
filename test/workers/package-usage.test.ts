import { beforeAll, describe, expect, it } from "vitest";
import { callJson, expectError, orgWithTokens, type OrgTokens } from "./helpers";

let acme: OrgTokens;
let other: OrgTokens;

async function report(token: string, project: string, stack: string, packages: unknown[]) {
  const r = await callJson(`/api/orgs/acme/registry/usage/${project}/${stack}`, { method: "PUT", token, body: { packages } });
  expect(r.status).toBe(204);
}

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
  await report(acme.publisher, "web", "prod", [{ source: "pulumi", publisher: "pulumi", name: "aws", version: "6.52.0" }]);
  await report(acme.publisher, "web", "dev", [{ source: "pulumi", publisher: "pulumi", name: "aws", version: "6.50.0" }]);
  await report(acme.publisher, "api", "prod", [
    { source: "pulumi", publisher: "pulumi", name: "aws" },
    { source: "private", publisher: "acme", name: "vpc", version: "1.0.0" },
  ]);
  await report(acme.publisher, "data", "prod", [{ source: "private", publisher: "acme", name: "aws", version: "0.1.0" }]);
  const r = await callJson("/api/orgs/other/registry/usage/web/prod", { method: "PUT", token: other.publisher, body: { packages: [{ source: "pulumi", publisher: "pulumi", name: "aws", version: "6.52.0" }] } });
  expect(r.status).toBe(204);
});

const usage = (query: string, token: string | undefined = acme.reader) => callJson(`/api/orgs/acme/packages/usage?${query}`, { token });

describe("GET /api/orgs/{org}/packages/usage", () => {
  it("lists the org's stacks using the package, from the stored reports", async () => {
    const r = await usage("packageName=pulumi/pulumi/aws");
    expect(r.status).toBe(200);
    expect(r.body.packageName).toBe("pulumi/pulumi/aws");
    expect(r.body.totalStacks).toBe(3);
    expect(r.body.stacks).toEqual([
      { stackId: "acme/api/prod", stackName: "prod", projectName: "api", lastUpdate: expect.any(String) },
      { stackId: "acme/web/dev", stackName: "dev", projectName: "web", version: "6.50.0", lastUpdate: expect.any(String) },
      { stackId: "acme/web/prod", stackName: "prod", projectName: "web", version: "6.52.0", lastUpdate: expect.any(String) },
    ]);
    expect(Number.isNaN(Date.parse(r.body.stacks[0].lastUpdate))).toBe(false);
    expect(r.body.continuationToken).toBeUndefined();
  });

  it("a bare name matches every source and publisher; publisher/name narrows it", async () => {
    expect((await usage("packageName=aws")).body.totalStacks).toBe(4);
    expect((await usage("packageName=acme/aws")).body.stacks.map((s: any) => s.stackId)).toEqual(["acme/data/prod"]);
  });

  it("version narrows to the stacks on that version", async () => {
    const r = await usage("packageName=pulumi/pulumi/aws&version=6.52.0");
    expect(r.body.totalStacks).toBe(1);
    expect(r.body.stacks.map((s: any) => s.stackId)).toEqual(["acme/web/prod"]);
  });

  it("pages with continuation tokens bound to the query", async () => {
    const first = await usage("packageName=aws&limit=3");
    expect(first.body.stacks).toHaveLength(3);
    expect(first.body.totalStacks).toBe(4);
    const second = await usage(`packageName=aws&limit=3&continuationToken=${first.body.continuationToken}`);
    expect(second.body.stacks).toHaveLength(1);
    expect(second.body.continuationToken).toBeUndefined();
    expect([...first.body.stacks, ...second.body.stacks].map((s: any) => s.stackId)).toEqual(["acme/api/prod", "acme/data/prod", "acme/web/dev", "acme/web/prod"]);
    expectError(await usage(`packageName=vpc&continuationToken=${first.body.continuationToken}`), 400);
  });

  it("needs a token of that org: anonymous 401, another org 403", async () => {
    expectError(await callJson("/api/orgs/acme/packages/usage?packageName=aws"), 401);
    expectError(await usage("packageName=aws", other.admin), 403);
  });

  it("packageName missing or malformed, a bad version or limit → 400", async () => {
    expectError(await usage(""), 400);
    expectError(await usage("packageName="), 400);
    expectError(await usage("packageName=a/b/c/d"), 400);
    expectError(await usage("packageName=nowhere/pulumi/aws"), 400);
    expectError(await usage("packageName=..%2Faws"), 400);
    expectError(await usage("packageName=aws&version=v1"), 400);
    expectError(await usage("packageName=aws&limit=0"), 400);
  });
});

// Path and query validation at the edge: empty segments, huge limits, Allow on 405, and validation before a 304.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, expectError, orgWithTokens, writeSnapshot } from "./helpers";
import { publishPackage } from "./publish-helpers";

let acme: Awaited<ReturnType<typeof orgWithTokens>>;

beforeAll(async () => {
  acme = await orgWithTokens("valid");
  await publishPackage(acme.publisher, "pulumi/valid/widget", "1.0.0");
  await publishPackage(acme.publisher, "private/valid/secret", "1.0.0");
});

describe("empty path segments", () => {
  const paths = [
    "/api/registry/packages/private//widget/versions/latest",
    "/api/preview/registry/packages/pulumi/valid//versions/1.0.0",
    "/api/registry/packages/pulumi/valid/widget/versions//readme",
    "/api/registry/templates/private//tpl/versions/latest",
    "/api/registry/templates/github/owner//versions/latest",
  ];
  for (const path of paths) {
    it(`GET ${path} is the same 400 as any other invalid segment`, async () => {
      const r = await callJson(path);
      expectError(r, 400);
      expect(r.body.message).toMatch(/^invalid (publisher|name|version)/);
    });
  }

  it("a publish start with an empty segment is a 400 and starts nothing", async () => {
    const before = await writeSnapshot();
    // The snapshot covers what a start writes: items/versions on success, and the audit log.
    for (const table of ["items", "versions", "audit_log", "items_search"]) expect(before.rows).toHaveProperty(table);
    const r = await callJson("/api/registry/packages/pulumi//widget/versions", { method: "POST", token: acme.publisher, body: { version: "2.0.0" } });
    expectError(r, 400);
    expect(r.body.message).toMatch(/^invalid publisher ''/);
    const del = await callJson("/api/registry/packages/pulumi/valid//versions/1.0.0", { method: "DELETE", token: acme.publisher });
    expectError(del, 400);
    expect(await writeSnapshot()).toEqual(before);
    expect((await callJson("/api/registry/packages/pulumi/valid/widget/versions/1.0.0")).status).toBe(200);
  });
});

describe("limit", () => {
  it("any integer above 500 clamps to 500, however many digits it has", async () => {
    for (const limit of ["501", "999999999999", "1000000000000", "9".repeat(40), "0".repeat(30) + "7"]) {
      const r = await callJson(`/api/registry/packages?limit=${limit}`);
      expect(r.status, limit).toBe(200);
      expect(r.body.packages.length, limit).toBeGreaterThan(0);
    }
  });

  it("zero, negatives and non-integers stay a 400", async () => {
    for (const limit of ["0", "-1", "1e3", "abc", "", "00"]) expectError(await callJson(`/api/registry/packages?limit=${limit}`), 400);
  });
});

describe("405", () => {
  it("Allow lists HEAD wherever GET is served", async () => {
    const cases: Array<[string, string, string]> = [
      ["/healthz", "DELETE", "GET, HEAD"],
      ["/api/registry/packages", "POST", "GET, HEAD"],
      ["/api/registry/packages/pulumi/valid/widget/versions/1.0.0", "PUT", "GET, HEAD, DELETE"],
      // GET lists the versions (issue 11); POST starts a publish.
      ["/api/registry/packages/pulumi/valid/widget/versions", "PUT", "GET, HEAD, POST"],
    ];
    for (const [path, method, allow] of cases) {
      const r = await callJson(path, { method });
      expectError(r, 405);
      expect(r.response.headers.get("Allow"), path).toBe(allow);
      expect(r.body.message).toContain(allow);
    }
    const head = await call("/api/registry/packages/pulumi/valid/widget/versions/1.0.0", { method: "HEAD" });
    expect(head.status).toBe(200);
  });
});

describe("conditional GET validates the request before answering 304", () => {
  let listTag: string;
  let getTag: string;

  beforeAll(async () => {
    const list = await call("/api/registry/packages");
    listTag = list.headers.get("ETag")!;
    await list.text();
    const got = await call("/api/registry/packages/pulumi/valid/widget/versions/1.0.0");
    getTag = got.headers.get("ETag")!;
    await got.text();
    expect(listTag).toBeTruthy();
    expect(getTag).toBeTruthy();
  });

  it("the validator of an unchanged answer still gets a 304", async () => {
    expect((await call("/api/registry/packages", { headers: { "If-None-Match": listTag } })).status).toBe(304);
    expect((await call("/api/registry/packages/pulumi/valid/widget/versions/1.0.0", { headers: { "If-None-Match": getTag } })).status).toBe(304);
  });

  it("validators are specific to what the URL returns", async () => {
    expect(listTag).not.toBe(getTag);
    const other = await call("/api/registry/packages?name=nothing-here", { headers: { "If-None-Match": listTag } });
    expect(other.status).toBe(200);
    const got = await call("/api/registry/packages/pulumi/valid/widget/versions/latest", { headers: { "If-None-Match": listTag } });
    expect(got.status).toBe(200);
    expect((await got.json<any>()).version).toBe("1.0.0");
  });

  const invalid: Array<[string, number]> = [
    ["/api/registry/packages?limit=abc", 400],
    ["/api/registry/packages?sort=bogus", 400],
    ["/api/registry/packages?asc=maybe", 400],
    ["/api/registry/packages?continuationToken=garbage", 400],
    ["/api/registry/packages?name=..%2Fx", 400],
    ["/api/registry/packages/pulumi/valid/bad%2Fname/versions/1.0.0", 400],
    ["/api/registry/packages/pulumi/valid/widget/versions/v1", 400],
    ["/api/registry/packages/npm/valid/widget/versions/1.0.0", 404],
    ["/api/registry/packages/pulumi/valid/widget/versions/9.9.9", 404],
    ["/api/registry/packages/pulumi/valid/absent/versions/latest", 404],
    ["/api/registry/packages/private/valid/secret/versions/1.0.0", 404],
    ["/api/registry/templates?backing=nope", 400],
  ];
  for (const [path, status] of invalid) {
    it(`${path} with a current validator in If-None-Match is still a ${status}`, async () => {
      const before = await writeSnapshot();
      for (const tag of [listTag, getTag, "*"]) {
        const r = await callJson(path, { headers: { "If-None-Match": tag } });
        expectError(r, status);
      }
      expect(await writeSnapshot()).toEqual(before);
    });
  }
});

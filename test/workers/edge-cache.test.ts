import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, createOrg, createToken, expectError } from "./helpers";
import { publishPackage } from "./publish-helpers";

let token: string;

beforeAll(async () => {
  await createOrg("acme");
  token = (await createToken("acme", "publisher")).token;
  await publishPackage(token, "pulumi/acme/cached", "1.0.0");
});

describe("edge cache for anonymous reads", () => {
  it("a repeated anonymous list is served from the cache until the catalog changes", async () => {
    const first = await call("/api/registry/packages?publisher=acme");
    expect(first.headers.get("X-Edge-Cache")).toBe("miss");
    await first.text();
    // cache.put runs in waitUntil; give it a moment.
    let second = await call("/api/registry/packages?publisher=acme");
    for (let i = 0; i < 20 && second.headers.get("X-Edge-Cache") !== "hit"; i++) {
      await second.text();
      await new Promise((r) => setTimeout(r, 10));
      second = await call("/api/registry/packages?publisher=acme");
    }
    expect(second.headers.get("X-Edge-Cache")).toBe("hit");
    expect(second.headers.get("X-Pulumi-Request-ID")).not.toBe(first.headers.get("X-Pulumi-Request-ID"));
    expect((await second.json<any>()).packages.map((p: any) => p.version)).toEqual(["1.0.0"]);

    await publishPackage(token, "pulumi/acme/cached", "1.1.0");
    const after = await call("/api/registry/packages?publisher=acme");
    expect(after.headers.get("X-Edge-Cache")).toBe("miss");
    expect((await after.json<any>()).packages.map((p: any) => p.version)).toEqual(["1.1.0"]);
  });

  it("a deletion is visible to the next anonymous get", async () => {
    const before = await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest");
    expect(before.body.version).toBe("1.1.0");
    await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest");
    expect((await call("/api/registry/packages/pulumi/acme/cached/versions/1.1.0", { method: "DELETE", token })).status).toBe(204);
    expect((await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest")).body.version).toBe("1.0.0");
  });

  it("clients revalidate with the ETag: unchanged → 304, changed → 200", async () => {
    const r = await call("/api/registry/packages/pulumi/acme/cached/versions/latest");
    const etag = r.headers.get("ETag")!;
    expect(r.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
    await r.text();
    const again = await call("/api/registry/packages/pulumi/acme/cached/versions/latest", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    await publishPackage(token, "pulumi/acme/cached", "1.2.0");
    const changed = await call("/api/registry/packages/pulumi/acme/cached/versions/latest", { headers: { "If-None-Match": etag } });
    expect(changed.status).toBe(200);
    expect((await changed.json<any>()).version).toBe("1.2.0");
  });

  it("authenticated reads are never shared-cached", async () => {
    const r = await call("/api/registry/packages?publisher=acme", { token });
    expect(r.headers.get("X-Edge-Cache")).toBeNull();
    expect(r.headers.get("ETag")).toBeNull();
  });

  it("errors are not cached", async () => {
    expectError(await callJson("/api/registry/packages/pulumi/acme/nope/versions/1.0.0"), 404);
    expect((await call("/api/registry/packages/pulumi/acme/nope/versions/1.0.0")).headers.get("X-Edge-Cache")).toBeNull();
  });
});

describe("featured packages", () => {
  it("the operator marks a package featured; listings show it at once", async () => {
    expect((await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest")).body.isFeatured).toBe(false);
    const r = await call("/api/admin/packages/pulumi/acme/cached/featured", { method: "PUT", token: ADMIN, body: { featured: true } });
    expect(r.status).toBe(204);
    expect((await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest")).body.isFeatured).toBe(true);
    expect((await callJson("/api/registry/packages?publisher=acme")).body.packages[0].isFeatured).toBe(true);
  });

  it("bad input, unknown packages and org tokens are refused", async () => {
    expectError(await callJson("/api/admin/packages/pulumi/acme/cached/featured", { method: "PUT", token: ADMIN, body: { featured: "yes" } }), 400);
    expectError(await callJson("/api/admin/packages/pulumi/acme/absent/featured", { method: "PUT", token: ADMIN, body: { featured: true } }), 404);
    expectError(await callJson("/api/admin/packages/pulumi/acme/cached/featured", { method: "PUT", token, body: { featured: false } }), 403);
    expect((await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest")).body.isFeatured).toBe(true);
  });
});

import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { EDGE_TTL_SECONDS, GENERATION_CONFIRM_MS } from "../../src/http/edge-cache";
import { ADMIN, BASE, call, callJson, createOrg, createToken, expectError } from "./helpers";
import { publishPackage } from "./publish-helpers";

/** An anonymous GET until the edge cache answers it (cache.put runs after the response, in waitUntil). */
async function untilHit(path: string): Promise<Response> {
  for (let i = 0; i < 50; i++) {
    const r = await call(path);
    if (r.headers.get("X-Edge-Cache") === "hit") return r;
    await r.text();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} never became a cache hit`);
}

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

  it("a cache hit makes no D1 query at all", async () => {
    const hit = await untilHit("/api/registry/packages?publisher=acme&limit=7");
    expect(hit.headers.get("X-D1-Queries")).toBe("0");
    const get = await untilHit("/api/registry/packages/pulumi/acme/cached/versions/latest");
    expect(get.headers.get("X-D1-Queries")).toBe("0");
    const miss = await call("/api/registry/packages?publisher=acme&limit=8");
    expect(miss.headers.get("X-Edge-Cache")).toBe("miss");
    expect(Number(miss.headers.get("X-D1-Queries"))).toBeGreaterThan(0);
  });

  it("the key is canonical: parameter order, explicit defaults and unknown parameters share one entry", async () => {
    const first = await untilHit("/api/registry/packages?publisher=acme&orgLogin=acme&limit=3");
    const body = await first.text();
    for (const variant of [
      "/api/registry/packages?orgLogin=acme&publisher=acme&limit=3",
      "/api/registry/packages?limit=3&publisher=acme&orgLogin=acme&sort=name&asc=true",
      "/api/registry/packages?publisher=acme&orgLogin=acme&limit=3&utm_source=x&__catalog=9",
      "/api/registry/packages?publisher=acme&orgLogin=acme&limit=3&continuationToken=",
    ]) {
      const r = await call(variant);
      expect(r.headers.get("X-Edge-Cache"), variant).toBe("hit");
      expect(await r.text()).toBe(body);
    }
    // A different filter value is a different entry.
    const other = await call("/api/registry/packages?publisher=acme&orgLogin=acme&limit=4");
    expect(other.headers.get("X-Edge-Cache")).toBe("miss");
    await other.text();
    // Gets are keyed by the canonical identity and version: case/separator spellings of the name share it.
    await untilHit("/api/registry/packages/pulumi/acme/cached/versions/latest");
    const spelled = await call("/api/registry/packages/pulumi/acme/Cached/versions/latest");
    expect(spelled.headers.get("X-Edge-Cache")).toBe("hit");
    await spelled.text();
  });

  it("a key read steadily is refreshed in the background before it expires: no reader waits on D1", async () => {
    const path = "/api/registry/packages?publisher=acme&limit=9";
    await untilHit(path);
    const started = Date.now();
    while (Date.now() - started < (EDGE_TTL_SECONDS + 2) * 1000) {
      const r = await call(path);
      expect(r.headers.get("X-Edge-Cache")).toBe("hit");
      expect(r.headers.get("X-D1-Queries")).toBe("0");
      await r.text();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 20_000);

  it("bad parameters are answered (400) before the cache and never stored", async () => {
    for (let i = 0; i < 2; i++) {
      for (const path of ["/api/registry/packages?sort=bogus", "/api/registry/packages?continuationToken=forged_token_0123456789abcdef"]) {
        const r = await callJson(path, { headers: { "If-None-Match": "*" } });
        expectError(r, 400);
        expect(r.response.headers.get("X-Edge-Cache")).toBeNull();
      }
    }
  });

  it(`a change written elsewhere (not through this location) shows within EDGE_TTL_SECONDS (${EDGE_TTL_SECONDS} s)`, async () => {
    const path = "/api/registry/packages/pulumi/acme/cached/versions/latest";
    const before = await untilHit(path);
    const { isFeatured } = await before.json<any>();
    // Another location's write reaches D1 but not this location's cache: simulate it with a direct D1 write.
    const written = Date.now();
    await env.DB.prepare("UPDATE items SET featured = ? WHERE canonical_name = 'cached'").bind(isFeatured ? 0 : 1).run();
    const stale = await call(path);
    expect(stale.headers.get("X-Edge-Cache")).toBe("hit");
    expect((await stale.json<any>()).isFeatured).toBe(isFeatured);
    // ...but never for longer than the bound.
    let fresh: any;
    while (Date.now() - written < (EDGE_TTL_SECONDS + 1) * 1000) {
      const r = await call(path);
      const body = await r.json<any>();
      if (body.isFeatured !== isFeatured) {
        fresh = { at: Date.now() - written };
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(fresh, "the change never showed").toBeDefined();
    expect(fresh.at).toBeLessThanOrEqual((EDGE_TTL_SECONDS + 0.5) * 1000);
    await env.DB.prepare("UPDATE items SET featured = ? WHERE canonical_name = 'cached'").bind(isFeatured ? 1 : 0).run();
  }, 20_000);

  it(`a write served by another isolate of this location shows here within GENERATION_CONFIRM_MS (${GENERATION_CONFIRM_MS} ms)`, async () => {
    const path = "/api/registry/packages?publisher=acme&limit=6";
    await (await untilHit(path)).text();
    // Another isolate's write moves the location's generation in the Cache API, not this isolate's memory.
    const moved = Date.now();
    await caches.default.put(
      `${BASE}/__edge-cache/generation`,
      new Response(crypto.randomUUID(), { headers: { "Cache-Control": "public, max-age=86400", "Content-Type": "text/plain" } }),
    );
    let seenAt: number | undefined;
    while (Date.now() - moved < GENERATION_CONFIRM_MS + 1000) {
      const r = await call(path);
      await r.text();
      if (r.headers.get("X-Edge-Cache") === "miss") {
        seenAt = Date.now() - moved;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seenAt, "the moved generation was never seen").toBeDefined();
    expect(seenAt!).toBeLessThanOrEqual(GENERATION_CONFIRM_MS + 50);
  });

  it("a write served here is visible at once to anonymous readers here, and to the writer", async () => {
    await untilHit("/api/registry/packages?publisher=acme&limit=5");
    await untilHit("/api/registry/packages/pulumi/acme/cached/versions/latest");
    await publishPackage(token, "pulumi/acme/cached", "1.5.0");
    const list = await callJson("/api/registry/packages?publisher=acme&limit=5");
    expect(list.response.headers.get("X-Edge-Cache")).toBe("miss");
    expect(list.body.packages.map((p: any) => p.version)).toEqual(["1.5.0"]);
    expect((await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest")).body.version).toBe("1.5.0");
    // The writer (any token) never reads through the cache.
    const own = await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest", { token });
    expect(own.response.headers.get("X-Edge-Cache")).toBeNull();
    expect(own.body.version).toBe("1.5.0");
    expect((await call("/api/registry/packages/pulumi/acme/cached/versions/1.5.0", { method: "DELETE", token })).status).toBe(204);
    expect((await callJson("/api/registry/packages/pulumi/acme/cached/versions/latest")).body.version).toBe("1.0.0");
  });

  it("clients revalidate with the ETag: unchanged → 304, changed → 200", async () => {
    const r = await call("/api/registry/packages/pulumi/acme/cached/versions/latest");
    const etag = r.headers.get("ETag")!;
    expect(r.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
    await r.text();
    const again = await call("/api/registry/packages/pulumi/acme/cached/versions/latest", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe("");
    expect((await call("/api/registry/packages/pulumi/acme/cached/versions/latest", { headers: { "If-None-Match": "*" } })).status).toBe(304);
    const other = await call("/api/registry/packages/pulumi/acme/cached/versions/latest", { headers: { "If-None-Match": 'W/"0000"' } });
    expect(other.status).toBe(200);
    await other.text();
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

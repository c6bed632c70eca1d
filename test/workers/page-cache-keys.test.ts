// Anonymous pages are cached under canonical keys: the parameters each page reads, validated, in a fixed
// order. An unknown parameter is served from the same entry (no D1 query); a known one still varies it.
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken, expectError } from "./helpers";
import { publishPackage } from "./publish-helpers";

/** Requests `path` until the edge cache has stored it (cache.put runs after the response, in waitUntil). */
async function cached(path: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await call(path);
    await r.text();
    if (r.headers.get("X-Edge-Cache") === "hit") return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} never became a cache hit`);
}

async function fetched(path: string) {
  const r = await call(path);
  return { status: r.status, cache: r.headers.get("X-Edge-Cache"), queries: r.headers.get("X-D1-Queries"), html: await r.text() };
}

beforeAll(async () => {
  await createOrg("pagekeys");
  const token = (await createToken("pagekeys", "publisher")).token;
  await publishPackage(token, "pulumi/pagekeys/keyed", "1.0.0");
});

describe("page cache keys", () => {
  it("unknown parameters are served from the page's entry, without a D1 query, and do not reach its links", async () => {
    for (const path of ["/", "/packages/pulumi/pagekeys/keyed", "/packages", "/templates", "/packages/pulumi/pagekeys/keyed/1.0.0/api"]) {
      await cached(path);
      for (const junk of ["?junk=1", "?junk=zqxjunkzqx&utm_source=x", "?"]) {
        const r = await fetched(path + junk);
        expect([path + junk, r.status, r.cache, r.queries]).toEqual([path + junk, 200, "hit", "0"]);
        expect(r.html).not.toContain("zqxjunkzqx");
      }
    }
  });

  it("the parameters a page reads still vary it, whatever else comes with them or in which order", async () => {
    const miss = await fetched("/packages/pulumi/pagekeys/keyed?lang=python");
    expect(miss.cache).toBe("miss");
    expect(Number(miss.queries)).toBeGreaterThan(0);
    await cached("/packages/pulumi/pagekeys/keyed?lang=python&os=linux");
    expect((await fetched("/packages/pulumi/pagekeys/keyed?os=linux&junk=2&lang=python")).queries).toBe("0");
    expect((await fetched("/packages/pulumi/pagekeys/keyed?lang=go")).cache).toBe("miss");
  });

  it("list pages are keyed by their parsed filters: a default spelled out is the same entry", async () => {
    await cached("/packages?search=keyed");
    expect((await fetched("/packages?junk=1&search=keyed")).queries).toBe("0");
    expect((await fetched("/packages?search=keyed&sort=name")).queries).toBe("0");
    expect((await fetched("/packages?search=keyed&publisher=")).queries).toBe("0");
    expect((await fetched("/packages?search=other")).cache).toBe("miss");
  });

  it("a bad value of a known parameter is a 400, never an entry", async () => {
    const r = await call("/packages/pulumi/pagekeys/keyed?lang=klingon", { headers: { Accept: "application/json" } });
    expectError({ status: r.status, body: await r.json() }, 400);
    expect((await fetched("/packages?sort=sideways")).status).toBe(400);
  });
});

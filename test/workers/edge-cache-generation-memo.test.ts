// The generation memo (GENERATION_CONFIRM_MS): a generation read that overlaps this isolate's write for
// another origin must not fall back to this origin's expired memo (writes are counted per origin), else
// an entry stamped before another isolate's write would be served as a hit. Found in review.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { catalogChanged, edgeCached, GENERATION_CONFIRM_MS } from "../../src/http/edge-cache";

function fakeContext(): any {
  const waits: Promise<unknown>[] = [];
  return { env, ctx: { waitUntil: (p: Promise<unknown>) => waits.push(p) }, db: undefined, primaryDb: undefined, d1: undefined, log: {} };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scenario(origin: string, otherOrigin: string | undefined): Promise<string> {
  const url = `${origin}/api/registry/packages?x=1`;
  const key = `${origin}/__review/list`;
  let data = "v1";
  const produce = async () => new Response(data, { status: 200, headers: { "Content-Type": "text/plain" } });
  // 1. A miss here stores the answer stamped with this location's generation (confirmed in memory).
  expect(await (await edgeCached(new Request(url), fakeContext(), key, produce)).text()).toBe("v1");
  // 2. The memo expires.
  await sleep(GENERATION_CONFIRM_MS + 50);
  // 3. Another isolate of this location serves a write: the data changes and it moves the generation.
  data = "v2";
  await caches.default.put(
    `${origin}/__edge-cache/generation`,
    new Response(crypto.randomUUID(), { headers: { "Cache-Control": "public, max-age=86400", "Content-Type": "text/plain" } }),
  );
  // 4. This isolate reads again; meanwhile it serves a write for another origin (a PUBLIC_URL alias).
  const read = edgeCached(new Request(url), fakeContext(), key, produce);
  const write = otherOrigin ? catalogChanged(new Request(`${otherOrigin}/api/x`, { method: "PUT" })) : Promise.resolve();
  const [r] = await Promise.all([read, write]);
  return `${await r.text()} ${r.headers.get("X-Edge-Cache")}`;
}

describe("generation memo", () => {
  it("control: without the overlapping write, the other isolate's write shows after GENERATION_CONFIRM_MS", async () => {
    expect(await scenario("http://memo-a.test", undefined)).toBe("v2 miss");
  });

  it("an overlapping write for another origin must not revive this origin's expired generation", async () => {
    expect(await scenario("http://memo-b.test", "http://memo-c.test")).toBe("v2 miss");
  });
});

// Edge cache for anonymous reads of the public catalog: the Cache API keyed by URL and catalog
// generation (so a change is visible at once), plus ETag/If-None-Match. Authenticated reads are never
// shared-cached: they may include private items and per-org usage statistics.
import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { catalogState } from "../db/schema";
import type { RequestContext } from "../http/context";

const STORED_SECONDS = 300;

/** The statement that moves the generation; added to every D1 batch that changes what anonymous readers see. */
export function bumpGeneration(db: Database) {
  return db
    .insert(catalogState)
    .values({ id: 1, generation: 1 })
    .onConflictDoUpdate({ target: catalogState.id, set: { generation: sql`${catalogState.generation} + 1` } });
}

export async function catalogGeneration(db: Database): Promise<number> {
  const row = await db.select({ generation: catalogState.generation }).from(catalogState).where(eq(catalogState.id, 1)).get();
  return row?.generation ?? 0;
}

/**
 * Serves `produce()` through the cache when the caller is anonymous. The stored copy lives a few
 * minutes under a generation-specific key; the client is told to revalidate every time (its ETag is
 * the generation), so neither the edge nor a client ever shows a catalog older than the last change.
 */
export async function anonymousCached(request: Request, context: RequestContext, produce: () => Promise<Response>): Promise<Response> {
  if ((await context.caller()).kind !== "anonymous" || request.method !== "GET") return produce();
  const generation = await catalogGeneration(context.db);
  const etag = `W/"catalog-${generation}"`;
  const conditional = request.headers.get("If-None-Match");
  if (conditional && conditional.split(",").some((t) => t.trim() === etag)) {
    return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": "public, max-age=0, must-revalidate" } });
  }
  const url = new URL(request.url);
  url.searchParams.set("__catalog", String(generation));
  const key = new Request(url.toString(), { method: "GET" });
  const cache = caches.default;
  const hit = await cache.match(key);
  if (hit) return forClient(hit, etag, "hit");
  const response = await produce();
  if (response.status !== 200) return response;
  const stored = new Response(response.clone().body, response);
  stored.headers.set("Cache-Control", `public, max-age=${STORED_SECONDS}`);
  context.ctx.waitUntil(cache.put(key, stored));
  return forClient(response, etag, "miss");
}

function forClient(response: Response, etag: string, state: "hit" | "miss"): Response {
  const out = new Response(response.body, response);
  out.headers.set("ETag", etag);
  out.headers.set("Cache-Control", "public, max-age=0, must-revalidate");
  out.headers.set("X-Edge-Cache", state);
  return out;
}

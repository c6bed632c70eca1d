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
 * minutes under a generation-specific key; the client is told to revalidate every time, so neither
 * the edge nor a client ever shows a catalog older than the last change.
 *
 * The caller validates the request (path, query, and for a get the entry itself) before calling this:
 * a 304 is only ever the conditional form of the 200 that `produce()` or the cache would give. The
 * ETag is a digest of that 200's body, so it is specific to what this URL returns.
 */
export async function anonymousCached(request: Request, context: RequestContext, produce: () => Promise<Response>): Promise<Response> {
  if ((await context.caller()).kind !== "anonymous" || request.method !== "GET") return produce();
  const generation = await catalogGeneration(context.db);
  const url = new URL(request.url);
  url.searchParams.set("__catalog", String(generation));
  const key = new Request(url.toString(), { method: "GET" });
  const cache = caches.default;
  const hit = await cache.match(key);
  if (hit) return revalidated(request, forClient(hit, hit.headers.get("ETag") ?? (await bodyTag(hit.clone())), "hit"));
  const response = await produce();
  if (response.status !== 200) return response;
  const etag = await bodyTag(response.clone());
  const stored = new Response(response.clone().body, response);
  stored.headers.set("Cache-Control", `public, max-age=${STORED_SECONDS}`);
  stored.headers.set("ETag", etag);
  context.ctx.waitUntil(cache.put(key, stored));
  return revalidated(request, forClient(response, etag, "miss"));
}

/** A weak validator from the body's SHA-256: equal bodies, equal tags; anything else differs. */
async function bodyTag(response: Response): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await response.arrayBuffer()));
  return `W/"${[...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

/** If-None-Match naming the validator of this 200 (or `*`) turns it into a 304. */
function revalidated(request: Request, response: Response): Response {
  const etag = response.headers.get("ETag");
  const conditional = request.headers.get("If-None-Match");
  const tags = conditional?.split(",").map((t) => t.trim()) ?? [];
  if (!etag || !(tags.includes(etag) || tags.includes("*"))) return response;
  response.body?.cancel().catch(() => undefined);
  const headers = new Headers({ ETag: etag, "Cache-Control": response.headers.get("Cache-Control") ?? "" });
  const state = response.headers.get("X-Edge-Cache");
  if (state) headers.set("X-Edge-Cache", state);
  return new Response(null, { status: 304, headers });
}

function forClient(response: Response, etag: string, state: "hit" | "miss"): Response {
  const out = new Response(response.body, response);
  out.headers.set("ETag", etag);
  out.headers.set("Cache-Control", "public, max-age=0, must-revalidate");
  out.headers.set("X-Edge-Cache", state);
  return out;
}

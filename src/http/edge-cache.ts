// Edge cache for anonymous GETs (any route: lists, versions, documentation): the Cache API under a
// canonical key, no D1 query on a hit. Freshness (README "Edge cache"): an entry lives EDGE_TTL_SECONDS
// in its location; a write made through this Worker moves the location's generation (one small cache
// entry), so that location's older entries stop matching (at once in the writing isolate, within
// GENERATION_CONFIRM_MS in the location's others); token-bearing requests never use it.
import { database } from "../db/client";
import { countingD1, newD1Stats } from "../db/counting";
import { noneMatchHits } from "./conditional";
import type { RequestContext } from "./context";

/** How long a location may serve an entry without looking at D1: the cross-location staleness bound. */
export const EDGE_TTL_SECONDS = 5;
const GENERATION_TTL_SECONDS = 86_400;
const GENERATION_HEADER = "X-Edge-Generation";
const STORED_AT_HEADER = "X-Edge-Stored-At";
/**
 * Past this share of its life a hit also refreshes its entry in the background: late enough that a key
 * read about once a second refreshes once per life, early enough (1 s left) for the refill to land.
 */
const REFRESH_AFTER = 0.8;
/** Keys this isolate is refreshing now, so a hot key is refreshed once, not by every request that sees it age. */
const refreshing = new Set<string>();
const CLIENT_CACHE_CONTROL = "public, max-age=0, must-revalidate";

/**
 * The cache key of a canonical request: the request's origin, the given path (default: the request's),
 * and the given parameters in the order given. Routes pass their parsed, validated parameters in a fixed
 * order (defaults included), so spelling, order and unknown parameters never make a new entry.
 */
export function canonicalKey(request: Request, params: ReadonlyArray<readonly [string, string | number | boolean | undefined]>, path?: string): string {
  const url = new URL(request.url);
  const query = params
    .filter((p): p is readonly [string, string | number | boolean] => p[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return `${url.origin}${path ?? url.pathname}${query ? `?${query}` : ""}`;
}

function generationKey(request: Request): string {
  return `${new URL(request.url).origin}/__edge-cache/generation`;
}

/**
 * How long an isolate trusts the location's generation it last read (or wrote) before reading it again:
 * the bound on how late a write served by another isolate of the same location shows here. A hit inside
 * it does no I/O at all; the isolate that served a write sees it at once.
 */
export const GENERATION_CONFIRM_MS = 100;

/** The location's generation as this isolate last read or wrote it, per origin. */
const confirmed = new Map<string, { generation: string | undefined; at: number }>();
/** Per origin, moves on every generation this isolate writes, so a read that started before a write cannot undo it. */
const localWrites = new Map<string, number>();

function rememberGeneration(origin: string, generation: string | undefined, at: number): void {
  // One origin in practice (a few with PUBLIC_URL aliases); never a growing map, whatever Host says.
  if (confirmed.size >= 8 && !confirmed.has(origin)) {
    confirmed.clear();
    localWrites.clear();
  }
  confirmed.set(origin, { generation, at });
}

async function currentGeneration(request: Request): Promise<string | undefined> {
  const origin = new URL(request.url).origin;
  const known = confirmed.get(origin);
  if (known && Date.now() - known.at <= GENERATION_CONFIRM_MS) return known.generation;
  // Timed from before the read: the confirmation never claims to be newer than what it saw.
  const at = Date.now();
  const writes = localWrites.get(origin) ?? 0;
  const hit = await caches.default.match(generationKey(request));
  const generation = hit ? (await hit.text()) || undefined : undefined;
  // This isolate wrote this origin's generation meanwhile: what it wrote is newer than what was read.
  if ((localWrites.get(origin) ?? 0) !== writes) return confirmed.get(origin)?.generation;
  rememberGeneration(origin, generation, at);
  return generation;
}

async function putGeneration(request: Request, generation: string): Promise<void> {
  const origin = new URL(request.url).origin;
  rememberGeneration(origin, generation, Date.now());
  localWrites.set(origin, (localWrites.get(origin) ?? 0) + 1);
  await caches.default.put(
    generationKey(request),
    new Response(generation, { headers: { "Cache-Control": `public, max-age=${GENERATION_TTL_SECONDS}`, "Content-Type": "text/plain" } }),
  );
}

/**
 * Call after a write that anonymous readers can see has committed, before answering it: every entry this
 * location stored earlier stops matching (other locations' entries expire within EDGE_TTL_SECONDS).
 */
export async function catalogChanged(request: Request): Promise<void> {
  await putGeneration(request, crypto.randomUUID());
}

/** A weak validator from the body's SHA-256: equal bodies, equal tags; anything else differs. */
async function etagOf(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return `W/"${[...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

function forClient(request: Request, body: BodyInit | null, from: { status: number; headers: Headers }, etag: string, state: "hit" | "miss"): Response {
  const headers = new Headers(from.headers);
  headers.set("ETag", etag);
  headers.set("Cache-Control", CLIENT_CACHE_CONTROL);
  headers.set("X-Edge-Cache", state);
  headers.delete(GENERATION_HEADER);
  headers.delete(STORED_AT_HEADER);
  if (noneMatchHits(request.headers.get("If-None-Match"), etag)) {
    for (const h of ["Content-Type", "Content-Length"]) headers.delete(h);
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { status: from.status, headers });
}

/**
 * Serves an anonymous GET through the edge cache under `key` (see canonicalKey); any other request goes
 * straight to `produce`. On a miss `produce` gets the context reading D1's primary, so an entry is never
 * older than its EDGE_TTL_SECONDS; only 200s are stored. Answers carry a content ETag (If-None-Match → 304).
 */
/** An entry as this isolate last stored or read it: the Cache API copy, without re-reading its body. */
interface Entry {
  body: ArrayBuffer;
  headers: Headers;
  status: number;
  generation: string;
  storedAt: number;
  etag: string;
}

// Bodies this isolate holds (most recent last), so a hit reads only the small generation entry from
// the Cache API. Bounded; the Cache API copy stays the shared one.
const MEMORY_ENTRIES = 256;
const MEMORY_BYTES = 16 * 1024 * 1024;
const memory = new Map<string, Entry>();
let memoryBytes = 0;

function remember(key: string, entry: Entry): void {
  forget(key);
  memory.set(key, entry);
  memoryBytes += entry.body.byteLength;
  for (const [oldest, e] of memory) {
    if (memory.size <= MEMORY_ENTRIES && memoryBytes <= MEMORY_BYTES) break;
    memory.delete(oldest);
    memoryBytes -= e.body.byteLength;
  }
}

function forget(key: string): void {
  const e = memory.get(key);
  if (e) {
    memory.delete(key);
    memoryBytes -= e.body.byteLength;
  }
}

async function entryFrom(hit: Response): Promise<Entry> {
  return {
    body: await hit.arrayBuffer(),
    headers: new Headers(hit.headers),
    status: hit.status,
    generation: hit.headers.get(GENERATION_HEADER) ?? "",
    storedAt: Number(hit.headers.get(STORED_AT_HEADER) ?? 0),
    etag: hit.headers.get("ETag") ?? "",
  };
}

export async function edgeCached(
  request: Request,
  context: RequestContext,
  key: string,
  produce: (context: RequestContext) => Promise<Response>,
): Promise<Response> {
  if (request.method !== "GET" || request.headers.has("Authorization")) return produce(context);
  const maxAge = EDGE_TTL_SECONDS * 1000;
  const fresh = (e: Entry | undefined, generation: string | undefined): e is Entry =>
    e !== undefined && generation !== undefined && e.generation === generation && Date.now() - e.storedAt <= maxAge;
  // The location's generation is read every time (a write served here moves it); the body comes from
  // this isolate's memory when it has it, else from the Cache API, both asked for at once.
  const known = memory.get(key);
  const usable = known && Date.now() - known.storedAt <= maxAge ? known : undefined;
  const [hit, generation] = await Promise.all([usable ? undefined : caches.default.match(key), currentGeneration(request)]);
  let entry = usable;
  if (!entry && hit) {
    entry = await entryFrom(hit);
    if (fresh(entry, generation)) remember(key, entry);
  }
  if (fresh(entry, generation)) {
    // Past REFRESH_AFTER of its life, a hit also refreshes the entry in the background (once per isolate), so a
    // key read steadily never pays a miss; what is served is still never older than EDGE_TTL_SECONDS.
    if (Date.now() - entry.storedAt > maxAge * REFRESH_AFTER && !refreshing.has(key)) {
      refreshing.add(key);
      // Counted on its own: no reader waits for these D1 calls, so the response does not report them.
      const stats = newD1Stats();
      const background = { ...context, d1: stats, primaryDb: database(countingD1(context.env.DB, stats)) };
      context.ctx.waitUntil(fill(key, generation!, background, produce).finally(() => refreshing.delete(key)));
    }
    return forClient(request, entry.body, entry, entry.etag, "hit");
  }
  forget(key);
  // A location with no generation yet starts one before reading D1, so an entry's stamp is never newer
  // than what it was produced from: a write committing meanwhile moves the generation past it.
  let stamp = generation;
  if (stamp === undefined) {
    stamp = crypto.randomUUID();
    await putGeneration(request, stamp);
  }
  const filled = await fill(key, stamp, context, produce);
  if (!filled.stored) return filled.response;
  return forClient(request, filled.body, filled.response, filled.etag, "miss");
}

/** Produces the answer from D1's primary and, if it is a 200, stores it stamped with `stamp` (here and in the Cache API). */
async function fill(
  key: string,
  stamp: string,
  context: RequestContext,
  produce: (context: RequestContext) => Promise<Response>,
): Promise<{ stored: false; response: Response } | { stored: true; response: Response; body: ArrayBuffer; etag: string }> {
  const storedAt = Date.now();
  const response = await produce({ ...context, db: context.primaryDb });
  if (response.status !== 200) return { stored: false, response };
  const body = await response.arrayBuffer();
  const etag = await etagOf(body);
  const stored = new Response(body, response);
  stored.headers.set("Cache-Control", `public, max-age=${EDGE_TTL_SECONDS}`);
  stored.headers.set("ETag", etag);
  stored.headers.set(GENERATION_HEADER, stamp);
  // The time before reading D1: the entry's age never understates how old its data is.
  stored.headers.set(STORED_AT_HEADER, String(storedAt));
  remember(key, { body, headers: new Headers(stored.headers), status: 200, generation: stamp, storedAt, etag });
  context.ctx.waitUntil(caches.default.put(key, stored));
  return { stored: true, response, body, etag };
}

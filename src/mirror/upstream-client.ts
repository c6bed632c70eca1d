// Every request the mirror makes to an upstream (its API, its artifacts, plugin hosts) goes through here:
// offline mode, the upstream's request budget and a 429's hold are checked first (in D1, shared by every
// isolate), each request has a time-out, redirects are followed by hand so a token never leaves the
// upstream's origin, and a fault becomes a clear error that leaves nothing stored.
import { sql } from "drizzle-orm";
import { ApiError } from "../http/api-error";
import { readWithin } from "../http/bytes";
import type { Database } from "../db/client";
import type { Env } from "../env";
import { allowedUrl, isOffline, type MirrorUpstream } from "./upstreams";

const MAX_REDIRECTS = 5;
const WINDOW_MS = 60_000;

export const upstreamUnavailable = (upstream: MirrorUpstream, why: string) => new ApiError(502, `upstream '${upstream.id}' ${why}`);

/** Offline: the caller answers from what is stored. */
export class UpstreamOffline extends Error {}

/**
 * Takes one request from the upstream's budget (a fixed one-minute window, counted in D1 so every isolate
 * shares it) unless a 429 holds the upstream; 503 with Retry-After when neither allows it.
 */
async function takeBudget(db: Database, upstream: MirrorUpstream, now: number): Promise<void> {
  const window = now - (now % WINDOW_MS);
  const row = await db.get<{ window_count: number } | undefined>(sql`
    INSERT INTO mirror_upstreams (id, window_start, window_count, blocked_until) VALUES (${upstream.id}, ${window}, 1, 0)
    ON CONFLICT(id) DO UPDATE SET
      window_count = CASE WHEN window_start = excluded.window_start THEN window_count + 1 ELSE 1 END,
      window_start = excluded.window_start
    WHERE blocked_until <= ${now} AND (window_start <> excluded.window_start OR window_count < ${upstream.requestsPerMinute})
    RETURNING window_count`);
  if (row) return;
  const state = await db.get<{ blocked_until: number; window_start: number } | undefined>(sql`SELECT blocked_until, window_start FROM mirror_upstreams WHERE id = ${upstream.id}`);
  const until = Math.max(state?.blocked_until ?? 0, (state?.window_start ?? window) + WINDOW_MS);
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  const why = (state?.blocked_until ?? 0) > now ? "asked us to slow down (429)" : `used its budget of ${upstream.requestsPerMinute} requests a minute`;
  throw new ApiError(503, `upstream '${upstream.id}' ${why}; retry after ${seconds} seconds`, undefined, { "Retry-After": String(seconds) });
}

/** Holds every request to the upstream until `until` (its 429's Retry-After). */
async function hold(db: Database, upstream: MirrorUpstream, until: number): Promise<void> {
  await db.run(sql`
    INSERT INTO mirror_upstreams (id, window_start, window_count, blocked_until) VALUES (${upstream.id}, 0, 0, ${until})
    ON CONFLICT(id) DO UPDATE SET blocked_until = max(blocked_until, excluded.blocked_until)`);
}

function retryAfterMs(value: string | null): number {
  if (!value) return 60_000;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.min(Math.max(at - Date.now(), 0), 3_600_000) : 60_000;
}

export interface UpstreamFetch {
  /** Answers with this status are returned rather than thrown (e.g. 404 for "absent upstream"). */
  passStatuses?: readonly number[];
  accept?: string;
  /** Extra headers (e.g. GitHub's Accept for an asset); never Authorization. */
  headers?: Record<string, string>;
}

/**
 * GET `url` on behalf of `upstream`. The upstream's token goes only to the upstream's own origin; a
 * redirect elsewhere is followed without it. Throws UpstreamOffline, 503 (budget, 429) or 502 (down,
 * time-out, a status not passed); answers the response otherwise.
 */
export async function upstreamGet(env: Env, db: Database, upstream: MirrorUpstream, url: string, options: UpstreamFetch = {}): Promise<Response> {
  if (isOffline(env, upstream)) throw new UpstreamOffline(`upstream '${upstream.id}' is offline`);
  await takeBudget(db, upstream, Date.now());
  const origin = new URL(upstream.base).origin;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const target = new URL(current);
    const headers: Record<string, string> = { "User-Agent": "edge-registry-mirror/1", ...options.headers };
    if (options.accept) headers.Accept = options.accept;
    if (upstream.token && target.origin === origin) headers.Authorization = `token ${upstream.token}`;
    let response: Response;
    try {
      response = await fetch(target.toString(), { headers, redirect: "manual", signal: AbortSignal.timeout(upstream.timeoutMs) });
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      throw upstreamUnavailable(upstream, name === "TimeoutError" || name === "AbortError" ? `did not answer within ${upstream.timeoutMs} ms (${target.host})` : `is unreachable (${target.host})`);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has("Location")) {
      await response.body?.cancel();
      current = new URL(response.headers.get("Location")!, target).toString();
      // A redirect is held to the rules the upstream's own URLs are: https (or local http when allowed), no credentials.
      if (!allowedUrl(current, env.MIRROR_ALLOW_LOCAL_HTTP === "true")) throw upstreamUnavailable(upstream, `redirected to a URL this mirror does not fetch (${current.slice(0, 100)})`);
      continue;
    }
    if (response.ok || options.passStatuses?.includes(response.status)) return response;
    await response.body?.cancel();
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers.get("Retry-After"));
      await hold(db, upstream, Date.now() + wait);
      const seconds = Math.max(1, Math.ceil(wait / 1000));
      throw new ApiError(503, `upstream '${upstream.id}' asked us to slow down (429); retry after ${seconds} seconds`, undefined, { "Retry-After": String(seconds) });
    }
    throw upstreamUnavailable(upstream, `answered ${response.status} for ${target.host}${target.pathname}`);
  }
  throw upstreamUnavailable(upstream, `redirected more than ${MAX_REDIRECTS} times`);
}

/** The JSON body of an upstream answer, read whole (bounded), or a 502 saying it is not JSON. */
export async function upstreamJson(upstream: MirrorUpstream, response: Response, maxBytes = 4 * 1024 * 1024): Promise<unknown> {
  const length = Number(response.headers.get("Content-Length") ?? "0");
  if (length > maxBytes) {
    await response.body?.cancel();
    throw upstreamUnavailable(upstream, `answered ${length} bytes of JSON; at most ${maxBytes} are read`);
  }
  // Read bounded: an answer without a length (or lying about it) is cut off at the limit, not read whole.
  let whole: Uint8Array;
  try {
    whole = response.body ? await readWithin(response.body, maxBytes, () => upstreamUnavailable(upstream, `answered more than ${maxBytes} bytes of JSON`)) : new Uint8Array();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw upstreamUnavailable(upstream, "broke off its answer");
  }
  const text = new TextDecoder().decode(whole);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw upstreamUnavailable(upstream, "answered something that is not JSON");
  }
}

// What every handler receives besides the request: bindings, configuration and the caller, resolved once.
import type { IRequest } from "itty-router";
import type { Database } from "../db/client";
import type { Env } from "../env";
import type { CoreContext } from "../core/vocabulary/core-context";
import type { Limits } from "../core/vocabulary/limits";
import type { Caller } from "../identity/rights";
import type { D1Stats } from "../db/counting";
import type { ReadPlan } from "../core/vocabulary/read-plan";
import type { Viewer } from "../core/vocabulary/viewer";

export interface RequestContext extends CoreContext {
  env: Env;
  ctx: ExecutionContext;
  /** Anonymous requests: a D1 session that may read from the nearest replica. Token requests: the primary. */
  db: Database;
  /** Always the primary: what edge-cache fills read, so a cached answer's age is bounded by the cache alone. */
  primaryDb: Database;
  /** D1 calls made so far by this request (counted around the real binding). */
  d1: D1Stats;
  limits: Limits;
  requestId: string;
  /** Origin that artifact URLs in responses are built on (PUBLIC_URL, else the request's). */
  origin: string;
  /** Resolved lazily: routes that do not read the Authorization header never pay for the lookup. */
  caller(): Promise<Caller>;
  /** Runs a catalog read as the caller, batching an unchecked token's lookup with it (one D1 round trip). */
  readAs<T>(plan: (viewer: Viewer, db: Database) => ReadPlan<T>, db?: Database): Promise<{ caller: Caller; value: T }>;
  /** A miss that may ask a mirror's upstream, counted against this caller's own budget (429 when spent). */
  countUpstreamMiss(): Promise<void>;
  /** For the log line: the caller once known; the phases of a complete (promote.ts) and their milliseconds. */
  log: { org?: string; phasesMs?: Record<string, number> };
}

export type Handler = (request: IRequest, context: RequestContext) => Promise<Response>;

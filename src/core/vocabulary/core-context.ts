// What a core service needs of whoever calls it (an HTTP request today; a queue consumer or a mirror's
// fetch later): bindings, limits, the id its audit entries carry, and how to announce a catalog change.
import type { Database } from "../../db/client";
import type { Env } from "../../env";
import type { Limits } from "./limits";

export interface CoreContext {
  env: Env;
  ctx: { waitUntil(promise: Promise<unknown>): void };
  /** Reads (may be a replica for anonymous callers). */
  db: Database;
  limits: Limits;
  requestId: string;
  /** Origin that artifact URLs (and upload URLs) are built on. */
  origin: string;
  /** Called once a change has committed: caches of the catalog must not answer the old state. */
  catalogChanged(): Promise<void>;
  /** What the caller's log line says of this work, when it keeps one (a request's). */
  log?: { phasesMs?: Record<string, number> };
}

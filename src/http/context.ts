// What every handler receives besides the request: bindings, configuration and the caller, resolved once.
import type { IRequest } from "itty-router";
import type { Database } from "../db/client";
import type { Env, Limits } from "../env";
import type { Caller } from "../identity/rights";

export interface RequestContext {
  env: Env;
  ctx: ExecutionContext;
  db: Database;
  limits: Limits;
  requestId: string;
  /** Origin that artifact URLs in responses are built on (PUBLIC_URL, else the request's). */
  origin: string;
  /** Resolved lazily: routes that do not read the Authorization header never pay for the lookup. */
  caller(): Promise<Caller>;
  /** Set once the caller is known, for the log line. */
  log: { org?: string };
}

export type Handler = (request: IRequest, context: RequestContext) => Promise<Response>;

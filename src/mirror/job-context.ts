// What the mirror's durable jobs (sync, recheck) run with: a core context without a request, and how an
// upstream's answer that means "wait" is told apart from a fault.
import { database } from "../db/client";
import { limitsFrom, type Env } from "../env";
import { ApiError } from "../http/api-error";
import { catalogChanged } from "../http/edge-cache";
import type { JobRow } from "../jobs/jobs";
import type { MirrorContext } from "./pull-through";

export interface JobContext extends MirrorContext {
  /** Waits for what the step handed to `ctx.waitUntil` (webhook enqueues): a step ends with its work done. */
  settle(): Promise<void>;
}

/**
 * A job step's context. Audit entries carry `job:<kind>:<subject>:<attempt>:<step>` as their request id.
 * The edge cache is told of changes only where the registry's origin is known (PUBLIC_URL); elsewhere its
 * entries expire within EDGE_TTL_SECONDS anyway.
 */
export function jobContext(env: Env, job: JobRow, origin?: string): JobContext {
  const pending: Promise<unknown>[] = [];
  const db = database(env.DB);
  const base = (env.PUBLIC_URL ?? origin ?? "http://localhost").replace(/\/+$/, "");
  return {
    env,
    ctx: { waitUntil: (promise) => void pending.push(promise) },
    db,
    primaryDb: db,
    limits: limitsFrom(env),
    requestId: `job:${job.kind}:${job.subject}:${job.attempt}:${job.step}`,
    origin: base,
    async catalogChanged() {
      if (env.PUBLIC_URL || origin) await catalogChanged(new Request(`${base}/`)).catch(() => undefined);
    },
    async settle() {
      await Promise.allSettled(pending);
    },
  };
}

/**
 * Seconds to wait when `error` says the upstream must not be asked now (its budget is used, a 429 holds it,
 * another request is fetching the same thing): a 503 with Retry-After. Undefined for anything else.
 */
export function waitSeconds(error: unknown): number | undefined {
  if (!(error instanceof ApiError) || error.status !== 503) return undefined;
  const after = Number(error.headers?.["Retry-After"] ?? "5");
  return Number.isFinite(after) && after > 0 ? Math.min(Math.ceil(after), 3600) : 5;
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

// Admin API for the mirror (docs/operator/mirror.md): each upstream's configuration (never its token),
// request budget, and its last sync and recheck runs; and starting a sync by hand.
import { sql } from "drizzle-orm";
import { ApiError, notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { json } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { requireOperator } from "../identity/operator-auth";
import { findJob, type JobRow } from "../jobs/jobs";
import { isOffline, MirrorConfigError, mirrorUpstreams, type MirrorUpstream } from "../mirror/upstreams";
import { MIRROR_SYNC_JOB, requestSync, type SyncState } from "../mirror/sync-job";
import { MIRROR_RECHECK_JOB, type RecheckState } from "../mirror/recheck-job";

function upstreams(context: RequestContext): MirrorUpstream[] {
  try {
    return mirrorUpstreams(context.env);
  } catch (error) {
    if (error instanceof MirrorConfigError) throw new ApiError(500, `the mirror is misconfigured: ${error.message}`);
    throw error;
  }
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

function jobView(job: JobRow) {
  return {
    attempt: job.attempt,
    status: job.status,
    stepsDone: job.step,
    stepRuns: job.runs,
    ...(job.error ? { error: job.error } : {}),
    updatedAt: iso(job.updatedAt),
  };
}

function syncView(job: JobRow | undefined) {
  if (!job) return null;
  const state = JSON.parse(job.state) as SyncState | null;
  return {
    ...jobView(job),
    ...(state
      ? {
          startedBy: state.startedBy,
          startedAt: iso(state.startedAt),
          entry: state.entry,
          counts: state.counts,
          skippedPackages: state.skippedPackages,
          failures: state.failures,
          ...(state.lastError ? { lastError: state.lastError } : {}),
          ...(state.waitingUntil && state.waitingUntil > Date.now() ? { waitingUntil: iso(state.waitingUntil) } : {}),
        }
      : {}),
  };
}

function recheckView(job: JobRow | undefined) {
  if (!job) return null;
  const state = JSON.parse(job.state) as RecheckState | null;
  return {
    ...jobView(job),
    ...(state
      ? {
          startedAt: iso(state.startedAt),
          counts: state.counts,
          ...(state.lastError ? { lastError: state.lastError } : {}),
          ...(state.waitingUntil && state.waitingUntil > Date.now() ? { waitingUntil: iso(state.waitingUntil) } : {}),
        }
      : {}),
  };
}

async function upstreamView(context: RequestContext, upstream: MirrorUpstream) {
  const db = context.primaryDb;
  const budget = await db.get<{ window_start: number; window_count: number; blocked_until: number } | undefined>(
    sql`SELECT window_start, window_count, blocked_until FROM mirror_upstreams WHERE id = ${upstream.id}`,
  );
  const now = Date.now();
  const windowStart = now - (now % 60_000);
  return {
    id: upstream.id,
    url: upstream.base,
    offline: isOffline(context.env, upstream),
    serves: upstream.serves,
    org: upstream.org,
    authenticated: upstream.token !== undefined,
    syncMinutes: upstream.syncMinutes,
    recheckHours: upstream.recheckHours,
    sync: upstream.sync,
    budget: {
      requestsPerMinute: upstream.requestsPerMinute,
      usedThisMinute: budget && budget.window_start === windowStart ? budget.window_count : 0,
      ...(budget && budget.blocked_until > now ? { heldUntil: iso(budget.blocked_until) } : {}),
    },
    lastSync: syncView(await findJob(db, MIRROR_SYNC_JOB, upstream.id)),
    lastRecheck: recheckView(await findJob(db, MIRROR_RECHECK_JOB, upstream.id)),
  };
}

export const mirrorAdminRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/admin/mirror",
    {
      async GET(request, context) {
        await requireOperator(request, context);
        const all = upstreams(context);
        const views = [];
        for (const upstream of all) views.push(await upstreamView(context, upstream));
        return json({ upstreams: views });
      },
    },
  ],
  [
    "/api/admin/mirror/:upstream/sync",
    {
      async POST(request, context) {
        await requireOperator(request, context);
        const upstream = upstreams(context).find((u) => u.id === request.params.upstream);
        if (!upstream) throw notFound(`upstream '${String(request.params.upstream).slice(0, 40)}' is not configured`);
        await requestSync(context.env, upstream, context.origin);
        return json(await upstreamView(context, upstream), 202);
      },
    },
  ],
];

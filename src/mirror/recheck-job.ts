// The deletion recheck: a durable job (kind `mirror-recheck`, subject the upstream id, a new attempt per
// run, started by the cron trigger) that asks the upstream again about every mirrored live version last
// confirmed more than `recheckHours` ago, oldest first, a bounded batch per step (index
// versions_mirror_check). Gone upstream (404): retired here through the coordinator, as the mirror's org,
// with the audit entry and the webhook event a delete makes. Deprecated upstream: deprecated here (and
// undeprecated when the upstream's deprecation went away). Otherwise only `mirror_checked_at` moves on.
// An upstream that cannot answer changes nothing: its versions stay due and are asked again next run.
import { sql } from "drizzle-orm";
import { database, type Database } from "../db/client";
import type { Env } from "../env";
import { actorOf, stampFor } from "../audit/audit-log";
import { enqueueEvent } from "../webhooks/webhook-events";
import { coordinatorFor } from "../core/publish/coordinator-stub";
import type { Deprecation } from "../core/vocabulary/deprecation";
import type { Identity } from "../core/vocabulary/identity";
import { kindEvent } from "../core/vocabulary/kind-actions";
import { createJob, findJob, sendJob, type JobHandler, type JobRow, type StepOutcome } from "../jobs/jobs";
import { isOffline, upstreamById, type MirrorUpstream } from "./upstreams";
import { upstreamGet, upstreamJson, upstreamUnavailable, UpstreamOffline } from "./upstream-client";
import { localDeprecation, UpstreamList, UpstreamMetadata, versionUrl } from "./upstream-api";
import { mirrorCaller } from "./pull-through";
import { errorText, jobContext, waitSeconds, type JobContext } from "./job-context";

export const MIRROR_RECHECK_JOB = "mirror-recheck";

/** Versions asked about per step (each one upstream request). */
export const RECHECK_BATCH = 20;
/** Faults in a row (time-outs, 5xx) after which a run gives up: the upstream is down; the next run asks again. */
const FAULTS_IN_A_ROW = 3;

export interface RecheckCounts {
  checked: number;
  unchanged: number;
  deleted: number;
  deprecated: number;
  undeprecated: number;
  errors: number;
}

export interface RecheckState {
  startedAt: number;
  /** Versions confirmed before this are due (fixed when the run starts). */
  cutoff: number;
  /** The last version handled (mirror_checked_at, id): the next batch starts after it. */
  after?: [number, string];
  counts: RecheckCounts;
  lastError?: string;
  waitingUntil?: number;
}

interface DueVersion {
  id: string;
  version: string;
  precedence_key: string;
  deprecation: string | null;
  mirror_checked_at: number;
  source: string;
  publisher: string;
  name: string;
  canonical_name: string;
  owner_org: string;
}

async function dueVersions(db: Database, upstream: MirrorUpstream, cutoff: number, after: [number, string] | undefined, limit: number): Promise<DueVersion[]> {
  const afterClause = after ? sql`AND (v.mirror_checked_at, v.id) > (${after[0]}, ${after[1]})` : sql``;
  return db.all<DueVersion>(sql`
    SELECT v.id, v.version, v.precedence_key, v.deprecation, v.mirror_checked_at, i.source, i.publisher, i.name, i.canonical_name, i.owner_org
    FROM versions v JOIN items i ON i.id = v.item_id
    WHERE v.mirror_checked_at IS NOT NULL AND v.mirror_checked_at < ${cutoff} ${afterClause}
      AND v.retired = 0 AND i.mirror = ${upstream.id} AND i.kind = 'package'
    ORDER BY v.mirror_checked_at, v.id LIMIT ${limit}`);
}

const cutoffFor = (upstream: MirrorUpstream, now: number) => now - upstream.recheckHours * 3_600_000;

function identityOf(row: DueVersion): Identity {
  return { kind: "package", source: row.source, publisher: row.publisher, name: row.name, canonicalName: row.canonical_name };
}

const stored = (raw: string | null) => (raw ? (JSON.parse(raw) as Deprecation) : null);

type Result = "unchanged" | "deleted" | "deprecated" | "undeprecated";

/**
 * Throws 502 unless the upstream answers its package list (`GET <url>/packages?limit=1`) as a registry API
 * does. A 404 is taken as a deletion only from an upstream that passes this: an operator's wrong `url` (or an
 * upstream that moved its API) answers 404 for every version, and a deleted version number never comes back.
 */
async function confirmRegistryApi(context: JobContext, upstream: MirrorUpstream): Promise<void> {
  const response = await upstreamGet(context.env, context.primaryDb, upstream, `${upstream.base}/packages?limit=1`, { passStatuses: [404] });
  if (response.status === 404) {
    await response.body?.cancel();
    throw upstreamUnavailable(upstream, `answered 404 for its package list (${upstream.base}/packages): its url does not look like a registry API, so its 404s delete nothing`);
  }
  if (!UpstreamList.safeParse(await upstreamJson(upstream, response)).success) {
    throw upstreamUnavailable(upstream, `answered its package list (${upstream.base}/packages) without \`packages\`, so its 404s delete nothing`);
  }
}

async function recheckOne(context: JobContext, upstream: MirrorUpstream, row: DueVersion, confirmApi: () => Promise<void>): Promise<Result> {
  const identity = identityOf(row);
  const response = await upstreamGet(context.env, context.primaryDb, upstream, versionUrl(upstream, identity, row.version), { passStatuses: [404] });
  const caller = mirrorCaller(upstream);
  const audit = stampFor(context, actorOf(caller));
  const coordinator = coordinatorFor(context.env, identity);
  if (response.status === 404) {
    await response.body?.cancel();
    await confirmApi();
    const retired = await coordinator.retire({ ...identity, version: row.version, precedenceKey: row.precedence_key, org: row.owner_org, lastNeedsForce: false, force: true, audit });
    if (!retired.ok && retired.status !== 404) throw new Error(`retiring ${row.version}: ${retired.message}`);
    await context.primaryDb.run(sql`UPDATE versions SET mirror_checked_at = NULL WHERE id = ${row.id}`);
    if (retired.ok) {
      enqueueEvent(context, { type: kindEvent("package", "deleted"), org: row.owner_org, identity, version: row.version });
      await context.catalogChanged();
      console.log(JSON.stringify({ mirrorDeleted: { upstream: upstream.id, package: `${row.source}/${row.publisher}/${row.name}`, version: row.version } }));
    }
    return "deleted";
  }
  const parsed = UpstreamMetadata.safeParse(await upstreamJson(upstream, response));
  if (!parsed.success) throw upstreamUnavailable(upstream, `answered a version without ${parsed.error.issues[0]?.path.join(".") || "the expected fields"}`);
  const wanted = localDeprecation(parsed.data.deprecation);
  const current = stored(row.deprecation);
  let result: Result = "unchanged";
  if ((wanted?.message ?? null) !== (current?.message ?? null) || (!wanted && current)) {
    const changed = await coordinator.deprecate({ ...identity, version: { raw: row.version, precedenceKey: row.precedence_key }, deprecation: wanted, org: row.owner_org, audit });
    if (!changed.ok && changed.status !== 404) throw new Error(`deprecating ${row.version}: ${changed.message}`);
    if (changed.ok && changed.value.changed) {
      result = wanted ? "deprecated" : "undeprecated";
      await context.catalogChanged();
      enqueueEvent(context, {
        type: kindEvent("package", wanted ? "deprecated" : "undeprecated"),
        org: changed.value.ownerOrg,
        identity,
        version: row.version,
        ...(changed.value.deprecation ? { deprecation: changed.value.deprecation } : {}),
      });
    }
  }
  await context.primaryDb.run(sql`UPDATE versions SET mirror_checked_at = ${Date.now()} WHERE id = ${row.id} AND retired = 0`);
  return result;
}

async function recheckStep(env: Env, job: JobRow, raw: unknown): Promise<StepOutcome> {
  const upstream = upstreamById(env, job.subject);
  if (!upstream || isOffline(env, upstream)) return { done: true };
  const state = { ...((raw ?? { startedAt: Date.now(), cutoff: cutoffFor(upstream, Date.now()), counts: emptyCounts() }) as RecheckState) };
  delete state.waitingUntil;
  const context = jobContext(env, job);
  const batch = await dueVersions(context.primaryDb, upstream, state.cutoff, state.after, RECHECK_BATCH);
  if (!batch.length) return { done: true };
  const counts = { ...state.counts };
  let faults = 0;
  // Asked at most once a step, on the first 404 (a success is remembered; a fault is asked again).
  let confirmed = false;
  const confirmApi = async () => {
    if (confirmed) return;
    await confirmRegistryApi(context, upstream);
    confirmed = true;
  };
  try {
    for (const row of batch) {
      try {
        const result = await recheckOne(context, upstream, row, confirmApi);
        counts.checked++;
        counts[result]++;
        faults = 0;
      } catch (error) {
        const wait = waitSeconds(error);
        if (wait !== undefined) {
          // The budget: this version and the rest of the batch wait, nothing counted as a failure.
          return { done: false, state: { ...state, counts, lastError: errorText(error), waitingUntil: Date.now() + wait * 1000 }, delaySeconds: wait };
        }
        // Offline meanwhile, or unreachable: nothing changes for this version; it stays due for the next run.
        if (error instanceof UpstreamOffline) return { done: false, state: { ...state, counts, lastError: errorText(error), after: [Number.MAX_SAFE_INTEGER, ""] } };
        counts.errors++;
        state.lastError = errorText(error);
        if (++faults >= FAULTS_IN_A_ROW) return { done: false, state: { ...state, counts, after: [Number.MAX_SAFE_INTEGER, ""] } };
      }
      state.after = [row.mirror_checked_at, row.id];
    }
  } finally {
    await context.settle();
  }
  return { done: false, state: { ...state, counts } };
}

const emptyCounts = (): RecheckCounts => ({ checked: 0, unchanged: 0, deleted: 0, deprecated: 0, undeprecated: 0, errors: 0 });

export const mirrorRecheckJob: JobHandler = {
  kind: MIRROR_RECHECK_JOB,
  step: recheckStep,
  async failed(_env, job, error) {
    console.log(JSON.stringify({ mirrorRecheckFailed: { upstream: job.subject, attempt: job.attempt, error } }));
  },
};

/** Starts a run when versions of `upstream` are due and no run is going on; answers whether it started one. */
export async function startRecheckIfDue(env: Env, upstream: MirrorUpstream, now = Date.now()): Promise<boolean> {
  if (isOffline(env, upstream)) return false;
  const db = database(env.DB);
  const job = await findJob(db, MIRROR_RECHECK_JOB, upstream.id);
  if (job?.status === "pending") return false;
  const cutoff = cutoffFor(upstream, now);
  if (!(await dueVersions(db, upstream, cutoff, undefined, 1)).length) return false;
  const row = await createJob(db, MIRROR_RECHECK_JOB, upstream.id, { startedAt: now, cutoff, counts: emptyCounts() } satisfies RecheckState).get();
  await sendJob(env, { kind: MIRROR_RECHECK_JOB, subject: upstream.id, attempt: row!.attempt, step: 0 });
  return true;
}

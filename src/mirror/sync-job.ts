// The scheduled sync: a durable job (src/jobs/jobs.ts; kind `mirror-sync`, subject the upstream id, a new
// attempt per run) that prefetches an upstream's `sync` entries. Each step does one bounded thing: list one
// page of an entry's versions upstream, or pull one missing version through (pullThrough: stored through
// the publish service, docs derivation started like any publish). The state says where it is, so a step
// re-run after a crash starts from there. The upstream's budget is respected: a budget wait or a 429 makes
// the step end unchanged with a delay (no failure); a version that fails is retried with backoff, then
// counted failed and passed over.
import { and, eq, sql } from "drizzle-orm";
import satisfies from "semver/functions/satisfies";
import { database, type Database } from "../db/client";
import { jobs } from "../db/schema";
import type { Env } from "../env";
import { ApiError } from "../http/api-error";
import { findItem, otherPublisherSpelling } from "../core/catalog/lookups";
import type { Identity } from "../core/vocabulary/identity";
import { parseVersion } from "../core/vocabulary/versions";
import { packageKind } from "../packages/package-kind";
import { createJob, findJob, sendJob, type JobHandler, type JobRow, type StepOutcome } from "../jobs/jobs";
import { isOffline, upstreamById, type MirrorUpstream } from "./upstreams";
import { upstreamGet, upstreamJson, upstreamUnavailable, UpstreamOffline } from "./upstream-client";
import { UpstreamVersionList, versionsUrl } from "./upstream-api";
import { pullThrough } from "./pull-through";
import { errorText, jobContext, waitSeconds } from "./job-context";

export const MIRROR_SYNC_JOB = "mirror-sync";

/** A version that failed this many times in a row is counted failed and passed over. */
const VERSION_TRIES = 3;
/** At most this many failures are kept in the state (the counts keep all). */
const KEPT_FAILURES = 20;
/** At most this many pages of one entry's version list (100 versions a page upstream): an upstream that never ends its list is cut off. */
const MAX_PAGES = 500;

export interface SyncCounts {
  /** Versions in range the upstream listed. */
  listed: number;
  /** Pulled through by this run. */
  fetched: number;
  /** In range but stored here already, or under an item this upstream may not fill (a local one). */
  skipped: number;
  failed: number;
}

export interface SyncState {
  origin?: string;
  startedAt: number;
  startedBy: "cron" | "operator";
  /** Index into the upstream's `sync` entries. */
  entry: number;
  /** The next page of the current entry's list: `undefined` before its first page, `null` after its last. */
  token?: string | null;
  /** Versions of the current page in range, not yet handled. */
  pending: string[];
  /** Pages of the current entry's list read so far. */
  pages?: number;
  /** Failures in a row of `pending[0]`. */
  tries: number;
  counts: SyncCounts;
  /** Sync entries not synced, and why (a local item of that identity, unknown upstream, ...). */
  skippedPackages: Array<{ package: string; reason: string }>;
  failures: Array<{ package: string; version?: string; error: string }>;
  lastError?: string;
  /** When the upstream asked to wait: until when (ms). */
  waitingUntil?: number;
}

function initialState(startedBy: SyncState["startedBy"], origin?: string): SyncState {
  return { ...(origin ? { origin } : {}), startedAt: Date.now(), startedBy, entry: 0, pending: [], tries: 0, counts: { listed: 0, fetched: 0, skipped: 0, failed: 0 }, skippedPackages: [], failures: [] };
}

function entryIdentity(name: string): Identity {
  const [source, publisher, pkg] = name.split("/") as [string, string, string];
  return packageKind.identity({ source, publisher: encodeURIComponent(publisher), name: encodeURIComponent(pkg) });
}

/** The state moved to the next sync entry. */
function nextEntry(state: SyncState): SyncState {
  const { token: _token, pages: _pages, ...rest } = state;
  return { ...rest, entry: state.entry + 1, pending: [], tries: 0 };
}

function recordFailure(state: SyncState, failure: SyncState["failures"][number]): SyncState["failures"] {
  return [...state.failures, failure].slice(-KEPT_FAILURES);
}

async function storedHere(db: Database, itemId: string, precedenceKey: string): Promise<boolean> {
  // Retired versions count too: a version number stays taken, and the recheck retired it for a reason.
  const row = await db.get<{ id: string } | undefined>(sql`SELECT id FROM versions WHERE item_id = ${itemId} AND precedence_key = ${precedenceKey} LIMIT 1`);
  return row !== undefined;
}

async function syncStep(env: Env, job: JobRow, stored: unknown): Promise<StepOutcome> {
  let state = (stored ?? initialState("operator")) as SyncState;
  delete state.waitingUntil;
  const upstream = upstreamById(env, job.subject);
  if (!upstream) return { done: true };
  const entries = upstream.sync;
  if (state.entry >= entries.length) return { done: true };
  if (isOffline(env, upstream)) return { done: false, state: { ...state, entry: entries.length, lastError: `upstream '${upstream.id}' is offline` } };
  const entry = entries[state.entry]!;
  const context = jobContext(env, job, state.origin);
  const db = context.primaryDb;
  let identity: Identity;
  try {
    identity = entryIdentity(entry.package);
  } catch (error) {
    return { done: false, state: { ...nextEntry(state), skippedPackages: [...state.skippedPackages, { package: entry.package, reason: errorText(error) }] } };
  }
  // The operator's spelling of the publisher may differ in case from the one stored (the upstream's).
  const spelled = await otherPublisherSpelling(db, "package", identity.source, identity.publisher);
  if (spelled) identity = { ...identity, publisher: spelled };
  const item = await findItem(db, "package", identity.source, identity.publisher, identity.canonicalName);
  if (item && item.mirror !== upstream.id) {
    // Local wins (docs/operator/mirror.md); an item another upstream fills is that upstream's.
    const reason = item.mirror ? `mirrored from upstream '${item.mirror}'` : "a local package of this identity exists";
    return { done: false, state: { ...nextEntry(state), skippedPackages: [...state.skippedPackages, { package: entry.package, reason }] } };
  }

  try {
    // Versions of the current page: those stored already are passed over here (cheap reads), the first
    // missing one is pulled through, one per step.
    if (state.pending.length) {
      const pending = [...state.pending];
      const counts = { ...state.counts };
      while (pending.length) {
        const version = parseVersion(pending[0]!)!;
        if (item && (await storedHere(db, item.id, version.precedenceKey))) {
          counts.skipped++;
          pending.shift();
          continue;
        }
        try {
          const outcome = await pullThrough(context, packageKind, upstream, identity, version, { retryFailed: true });
          pending.shift();
          if (outcome.status === "stored") counts.fetched++;
          else {
            counts.failed++;
            state = { ...state, failures: recordFailure(state, { package: entry.package, version: version.raw, error: "listed by the upstream, but not found there" }) };
          }
          return { done: false, state: { ...state, pending, counts, tries: 0 } };
        } catch (error) {
          if (waitSeconds(error) !== undefined || error instanceof UpstreamOffline) throw error;
          const text = errorText(error);
          if (state.tries + 1 < VERSION_TRIES) {
            // Tried again after a backoff, from here (the versions passed over stay passed over).
            return { done: false, state: { ...state, pending, counts, tries: state.tries + 1, lastError: text }, delaySeconds: 5 * 2 ** (state.tries + 1) };
          }
          pending.shift();
          counts.failed++;
          return { done: false, state: { ...state, pending, counts, tries: 0, lastError: text, failures: recordFailure(state, { package: entry.package, version: version.raw, error: text }) } };
        } finally {
          await context.settle();
        }
      }
      return { done: false, state: { ...state, pending, counts, tries: 0 } };
    }
    if (state.token === null) return { done: false, state: nextEntry(state) };
    if ((state.pages ?? 0) >= MAX_PAGES) {
      const error = `upstream '${upstream.id}' listed more than ${MAX_PAGES} pages of versions; the rest of this package's list was not read`;
      return { done: false, state: { ...nextEntry(state), lastError: error, failures: recordFailure(state, { package: entry.package, error }) } };
    }

    // One page of the upstream's version list.
    const response = await upstreamGet(env, db, upstream, versionsUrl(upstream, identity, state.token), { passStatuses: [404] });
    if (response.status === 404) {
      await response.body?.cancel();
      return { done: false, state: { ...nextEntry(state), skippedPackages: [...state.skippedPackages, { package: entry.package, reason: "the upstream does not have it" }] } };
    }
    const page = UpstreamVersionList.safeParse(await upstreamJson(upstream, response));
    if (!page.success) throw upstreamUnavailable(upstream, `answered a version list without ${page.error.issues[0]?.path.join(".") || "the expected fields"}`);
    const inRange = page.data.packages
      .map((p) => p.version)
      .filter((v) => parseVersion(v) !== null && satisfies(v, entry.versions));
    // A token that names the page just read would page forever: the list ends there.
    const next = page.data.continuationToken && page.data.continuationToken !== state.token ? page.data.continuationToken : null;
    return {
      done: false,
      state: { ...state, pending: inRange, token: next, pages: (state.pages ?? 0) + 1, tries: 0, counts: { ...state.counts, listed: state.counts.listed + inRange.length } },
    };
  } catch (error) {
    const wait = waitSeconds(error);
    if (wait !== undefined) return { done: false, state: { ...state, waitingUntil: Date.now() + wait * 1000, lastError: errorText(error) }, delaySeconds: wait };
    if (error instanceof UpstreamOffline) return { done: false, state: { ...state, entry: entries.length, lastError: errorText(error) } };
    // A page the upstream could not answer: the runner retries the step with backoff (and fails the run after MAX_TRIES).
    throw error;
  }
}

export const mirrorSyncJob: JobHandler = {
  kind: MIRROR_SYNC_JOB,
  step: syncStep,
  async failed(_env, job, error) {
    console.log(JSON.stringify({ mirrorSyncFailed: { upstream: job.subject, attempt: job.attempt, error } }));
  },
};

/** Starts a new run (a new attempt) of `upstream`'s sync; answers its attempt. */
export async function startSync(env: Env, upstream: MirrorUpstream, startedBy: SyncState["startedBy"], origin?: string): Promise<number> {
  const db = database(env.DB);
  const row = await createJob(db, MIRROR_SYNC_JOB, upstream.id, initialState(startedBy, origin)).get();
  await sendJob(env, { kind: MIRROR_SYNC_JOB, subject: upstream.id, attempt: row!.attempt, step: 0 });
  return row!.attempt;
}

/** Whether the cron trigger should start a sync of `upstream` now: it has entries, none is running, the last started `syncMinutes` ago. */
export function syncDue(upstream: MirrorUpstream, job: JobRow | undefined, now: number): boolean {
  if (!upstream.sync.length) return false;
  if (!job) return true;
  if (job.status === "pending") return false;
  const started = (JSON.parse(job.state) as SyncState | null)?.startedAt ?? job.updatedAt;
  return now - started >= upstream.syncMinutes * 60_000;
}

/** The operator's route: a new run unless one is running (409). */
export async function requestSync(env: Env, upstream: MirrorUpstream, origin: string): Promise<JobRow> {
  if (isOffline(env, upstream)) throw new ApiError(409, `upstream '${upstream.id}' is offline; nothing is synced from it`);
  if (!upstream.sync.length) throw new ApiError(409, `upstream '${upstream.id}' has no sync entries (MIRROR_UPSTREAMS … "sync")`);
  const db = database(env.DB);
  const current = await findJob(db, MIRROR_SYNC_JOB, upstream.id);
  if (current?.status === "pending") throw new ApiError(409, `a sync of upstream '${upstream.id}' is running (attempt ${current.attempt}, ${current.step} steps done)`);
  await startSync(env, upstream, "operator", origin);
  return (await db.select().from(jobs).where(and(eq(jobs.kind, MIRROR_SYNC_JOB), eq(jobs.subject, upstream.id))).get())!;
}

// A package version's docs, derived after complete by the durable job runner (src/jobs/jobs.ts): the
// job's subject is the version id, its state says where the docs go and how far the derivation got.
//
// A first derivation writes beside the schema (docsPrefix), where nothing is readable until the last
// step records the manifest in the version's artifact map. A re-derivation (an operator's re-drive, a
// version whose docs the previous release derived) writes under a fresh `a<attempt>/` prefix and swaps
// the map in one write, so readers see the old docs or the new ones, never a mix; the old objects are
// deleted after the swap.
import { and, eq, exists, isNull, sql } from "drizzle-orm";
import { database, type Database } from "../db/client";
import { items, jobs, versions, type VersionRow as StoredVersion } from "../db/schema";
import { DOCS_STATUSES } from "../packages/package-answer";
import { oneOf } from "../openapi/schema-kit";
import { unwrap } from "../core/vocabulary/outcome";
import type { Env } from "../env";
import { coordinatorFor } from "../core/publish/coordinator-stub";
import type { Identity } from "../core/vocabulary/identity";
import { createJob, findJob, MAX_TRIES, sendJob, type JobHandler, type JobRow } from "../jobs/jobs";
import { deriveStep, discardDerivation, type DerivationInput, type StepLimits } from "./derive-steps";
import { artifactName, docsPrefix, docsPrefixOf } from "./storage";
import { deleteRenderings, RENDERED_FOLDER } from "../artifacts/renderings";

export const DOCS_JOB = "docs";

/** DOCS_STEP_BYTES: schema bytes one pack step packs (a scan step reads 8 times as many); default derive-steps.ts's. */
function stepLimits(env: Env): Partial<StepLimits> {
  const bytes = Number(env.DOCS_STEP_BYTES);
  return Number.isInteger(bytes) && bytes >= 4096 ? { packBytes: bytes, scanBytes: 8 * bytes } : {};
}
/** Artifact-map names of docs objects start with this (storage.ts `artifactName`). */
const DOCS_ARTIFACTS = "docs.";

interface DocsJobState {
  /** Decided by the first step. */
  prefix?: string;
  inner?: unknown;
  /**
   * After a re-derivation swapped its docs in: the replaced objects and the folder of their pages' renderings,
   * deleted by a last step DOCS_SWEEP_SECONDS later, so a reader that read the version's old artifact map (a
   * request under way, a D1 replica a moment behind) still finds what it names.
   */
  sweep?: Sweep;
  /**
   * The sweep an operator's re-drive found waiting (rederiveDocs carries it into the new attempt's state, in
   * the same write): kept by this attempt's first-step cleanup and swept with this attempt's own replaced docs,
   * so the docs a reader may still hold outlive their swap by DOCS_SWEEP_SECONDS whatever re-drive comes.
   */
  carried?: Sweep;
}

interface Sweep {
  keys: string[];
  /** Folders of renderings (one, or several with a carried sweep's). */
  renderings?: string | string[];
}

const renderingsOf = (sweep: Sweep | undefined): string[] => (sweep?.renderings === undefined ? [] : typeof sweep.renderings === "string" ? [sweep.renderings] : sweep.renderings);

/** DOCS_SWEEP_SECONDS: how long the objects of replaced docs outlive the swap (default 60). */
function sweepSeconds(env: Env): number {
  const s = Number(env.DOCS_SWEEP_SECONDS);
  return Number.isInteger(s) && s >= 0 ? Math.min(s, MAX_SWEEP_SECONDS) : 60;
}
/** A queue message's longest delay (Cloudflare Queues: 12 h); a longer one's send is refused after the step advanced. */
export const MAX_SWEEP_SECONDS = 43_200;

interface VersionRow {
  id: string;
  artifacts: Record<string, string>;
  identity: Identity;
}

async function liveVersion(db: Database, versionId: string): Promise<VersionRow | undefined> {
  const row = await db
    .select({ id: versions.id, artifacts: versions.artifacts, kind: items.kind, source: items.source, publisher: items.publisher, name: items.name, canonicalName: items.canonicalName })
    .from(versions)
    .innerJoin(items, eq(items.id, versions.itemId))
    .where(and(eq(versions.id, versionId), eq(versions.retired, false)))
    .get();
  if (!row) return undefined;
  const { id, artifacts, ...identity } = row;
  return { id, artifacts: JSON.parse(artifacts) as Record<string, string>, identity };
}

function inputFor(job: JobRow, version: VersionRow, prefix: string): DerivationInput {
  const a = version.artifacts;
  return { schemaKey: a.schema!, readmeKey: a.index, installationKey: a.installationConfiguration, prefix, workId: `${job.subject}-${job.attempt}` };
}

/** A fresh prefix unless this is the first derivation of a version that has none recorded yet. */
function prefixFor(job: JobRow, version: VersionRow): string {
  const base = docsPrefix(version.artifacts.schema!);
  return job.attempt === 1 && !version.artifacts[artifactName("manifest.json")] ? base : `${base}a${job.attempt}/`;
}

export const docsJob: JobHandler = {
  kind: DOCS_JOB,

  async step(env, job, stored) {
    const db = database(env.DB);
    const state = (stored ?? {}) as DocsJobState;
    // The replaced docs' objects (referenced by no artifact map since the swap, so whether or not the version still exists).
    // Its last try failing ends the job `done`, not `failed`: the new docs are recorded and served, and a failed row
    // would keep every later upgrade (rederiveAfterDone) away from the version. What stayed is unreferenced under
    // the version's docs/ folder: the next attempt's first step (dropLeftovers) deletes it.
    if (state.sweep) {
      try {
        await sweepNow(env.ARTIFACTS, state.sweep);
      } catch (error) {
        if (job.tries < MAX_TRIES) throw error;
        console.log(JSON.stringify({ docsSweepFailed: { versionId: job.subject, keys: state.sweep.keys.length, error: String(error) } }));
      }
      return { done: true };
    }
    const version = await liveVersion(db, job.subject);
    // Deleted meanwhile (its retire removed the recorded objects): drop what this attempt wrote.
    if (!version?.artifacts.schema) {
      if (state.prefix) await dropLeftovers(env.ARTIFACTS, state.prefix, () => false);
      await sweepNow(env.ARTIFACTS, state.carried);
      return { done: true };
    }
    const carried = state.carried;
    const prefix = state.prefix ?? prefixFor(job, version);
    const input = inputFor(job, version, prefix);
    // A new attempt's first step: what a superseded attempt left (temporaries, open multipart uploads,
    // docs objects it never recorded) goes, so a re-drive mid-derivation leaks nothing.
    if (!state.prefix && job.attempt > 1) {
      const recorded = new Set(Object.values(version.artifacts));
      const base = docsPrefix(version.artifacts.schema!);
      const waiting = new Set(carried?.keys ?? []);
      const folders = renderingsOf(carried);
      await dropLeftovers(
        env.ARTIFACTS,
        base,
        (key) => recorded.has(key) || key.startsWith(prefix) || newerAttempt(base, key, job.attempt) || waiting.has(key) || folders.some((f) => key.startsWith(f)),
      );
    }
    // The last step recorded this attempt's docs and was cut off before the job advanced: its cleanup is left, and
    // the sweep of the docs it replaced (the swap's list of them is lost: they are what lies under the version's
    // docs/ unrecorded, outside this attempt's prefix and newer attempts'), DOCS_SWEEP_SECONDS later as ever.
    if (state.prefix && version.artifacts[artifactName("manifest.json")] === `${state.prefix}manifest.json`) {
      await discardDerivation(env.ARTIFACTS, input);
      const base = docsPrefix(version.artifacts.schema!);
      if (prefix === base) return { done: true };
      const recorded = new Set(Object.values(version.artifacts));
      const keys = await listUnder(env.ARTIFACTS, base, (key) => !recorded.has(key) && !key.startsWith(prefix) && !newerAttempt(base, key, job.attempt));
      if (!keys.length) return { done: true };
      return { done: false, state: { prefix, sweep: { keys } } satisfies DocsJobState, delaySeconds: sweepSeconds(env) };
    }
    const result = await deriveStep(env.ARTIFACTS, input, state.inner ?? null, stepLimits(env));
    if (!result.done) return { done: false, state: { prefix, inner: result.state, ...(carried ? { carried } : {}) } satisfies DocsJobState };
    const recorded = await coordinatorFor(env, version.identity).recordArtifacts({
      ...version.identity,
      versionId: version.id,
      artifacts: result.artifacts,
      replacing: DOCS_ARTIFACTS,
      docsStatus: "ready",
      job: { kind: DOCS_JOB, attempt: job.attempt },
    });
    if (!recorded.ok || !recorded.value.recorded) {
      // Retired while the last step ran, or superseded by a newer attempt: nothing refers to what it wrote.
      await env.ARTIFACTS.delete(Object.values(result.artifacts));
      await discardDerivation(env.ARTIFACTS, input);
      // Superseded: the newer attempt carried the waiting sweep on (rederiveDocs); retired: nothing reads them.
      if (carried && (!recorded.ok || (await liveVersion(db, job.subject)) === undefined)) await sweepNow(env.ARTIFACTS, carried);
      return { done: true };
    }
    await discardDerivation(env.ARTIFACTS, input);
    // The replaced docs, and the pages' renderings of them (not in the map), go a while after the swap.
    const replaced = docsPrefixOf(version.artifacts);
    const renderings = version.artifacts[artifactName("manifest.json")] && replaced && replaced !== prefix ? replaced + RENDERED_FOLDER : undefined;
    const keys = [...recorded.value.unreferenced, ...(carried?.keys ?? [])];
    const folders = [...(renderings ? [renderings] : []), ...renderingsOf(carried)];
    if (!keys.length && !folders.length) return { done: true };
    const sweep: Sweep = { keys, ...(folders.length ? { renderings: folders } : {}) };
    return { done: false, state: { prefix, sweep } satisfies DocsJobState, delaySeconds: sweepSeconds(env) };
  },

  async failed(env, job, error) {
    const db = database(env.DB);
    const version = await liveVersion(db, job.subject);
    const state = JSON.parse(job.state) as DocsJobState | null;
    // Only the sweep of replaced docs was left (the new docs are recorded and served): what it did not delete stays.
    if (state?.sweep) {
      console.log(JSON.stringify({ docsSweepFailed: { versionId: job.subject, keys: state.sweep.keys.length, error } }));
      return;
    }
    // A sweep it carried (the docs replaced before this attempt) is not left behind by its failure.
    await sweepNow(env.ARTIFACTS, state?.carried);
    // Deleted meanwhile: its recorded objects went with it, this attempt's work goes now.
    if (!version?.artifacts.schema) {
      if (state?.prefix) await dropLeftovers(env.ARTIFACTS, state.prefix, () => false);
      return;
    }
    const prefix = state?.prefix ?? prefixFor(job, version);
    await discardDerivation(env.ARTIFACTS, inputFor(job, version, prefix));
    // Objects a fresh prefix got are this attempt's alone; beside the schema, only when none are recorded.
    const recordedManifest = version.artifacts[artifactName("manifest.json")];
    // Beside the schema, the `a<k>/` prefixes below are other attempts' (a newer one may be running): kept.
    const base = docsPrefix(version.artifacts.schema!);
    const recorded = new Set(Object.values(version.artifacts));
    await dropLeftovers(env.ARTIFACTS, prefix, (key) => recorded.has(key) || (prefix === base && /^a\d+\//.test(key.slice(base.length))) || newerAttempt(base, key, job.attempt));
    // Docs that were ready stay served (a failed re-derivation changes nothing readers see); a superseded attempt records nothing.
    if (!recordedManifest) {
      await coordinatorFor(env, version.identity).recordArtifacts({ ...version.identity, versionId: version.id, artifacts: {}, docsStatus: "failed", job: { kind: DOCS_JOB, attempt: job.attempt } });
    }
    console.log(JSON.stringify({ docsDerivationFailed: { versionId: version.id, error } }));
  },
};

/** Whether `key` lies under the `a<n>/` prefix of an attempt newer than `attempt` (which may be running). */
function newerAttempt(base: string, key: string, attempt: number): boolean {
  const m = /^a(\d+)\//.exec(key.slice(base.length));
  return !!m && Number(m[1]) > attempt;
}

/** A sweep's objects deleted (its delayed step's work; at once for a carried sweep whose attempt ends without a swap of its own). */
async function sweepNow(bucket: R2Bucket, sweep: Sweep | undefined): Promise<void> {
  if (!sweep) return;
  for (let i = 0; i < sweep.keys.length; i += 1000) await bucket.delete(sweep.keys.slice(i, i + 1000));
  for (const folder of renderingsOf(sweep)) await deleteRenderings(bucket, folder);
}

/** The keys under `prefix` that `pick` picks. */
async function listUnder(bucket: R2Bucket, prefix: string, pick: (key: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    for (const o of page.objects) if (pick(o.key)) out.push(o.key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

/**
 * Deletes every object under `prefix` that `keep` does not claim, aborting first the multipart uploads whose ids
 * a derivation's temporaries hold (`<p>tmp/<work>/<target>-upload` is the upload of `<p><target>`).
 */
async function dropLeftovers(bucket: R2Bucket, prefix: string, keep: (key: string) => boolean): Promise<void> {
  const doomed = await listUnder(bucket, prefix, (key) => !keep(key));
  for (const key of doomed) {
    const upload = /^(.*)tmp\/[^/]+\/(.+)-upload$/.exec(key);
    if (!upload) continue;
    const id = await (await bucket.get(key))?.text();
    if (id) await bucket.resumeMultipartUpload(upload[1]! + upload[2]!, id).abort().catch(() => undefined);
  }
  for (let i = 0; i < doomed.length; i += 1000) await bucket.delete(doomed.slice(i, i + 1000));
}

/** Starts a version's first derivation unless it has a job already; answers whether it started one. */
export async function startDocsJobIfAbsent(env: Env, versionId: string): Promise<boolean> {
  const db = database(env.DB);
  const now = Date.now();
  const created = await db
    .insert(jobs)
    .values({ kind: DOCS_JOB, subject: versionId, attempt: 1, status: "pending", step: 0, state: "null", createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning({ attempt: jobs.attempt })
    .get();
  if (!created) return false;
  await db.update(versions).set({ docsStatus: "pending" }).where(and(eq(versions.id, versionId), isNull(versions.docsStatus)));
  await sendJob(env, { kind: DOCS_JOB, subject: versionId, attempt: 1, step: 0 });
  return true;
}

/**
 * A new attempt of a version's derivation (an operator's re-drive). A version with docs keeps serving
 * them, and its status, until the new ones replace them; one without shows `pending` again.
 */
export async function rederiveDocs(env: Env, identity: Identity, versionId: string, hasDocs: boolean): Promise<number> {
  const db = database(env.DB);
  // A sweep waiting in the row (or one its attempt carries) goes on into the new attempt's state, in this same write.
  const carry = sql`CASE WHEN ${jobs.status} = 'pending' AND COALESCE(json_extract(${jobs.state}, '$.sweep'), json_extract(${jobs.state}, '$.carried')) IS NOT NULL
    THEN json_object('carried', json(COALESCE(json_extract(${jobs.state}, '$.sweep'), json_extract(${jobs.state}, '$.carried')))) ELSE 'null' END`;
  const row = await createJob(db, DOCS_JOB, versionId, null, Date.now(), { stateOnConflict: carry }).get();
  if (!hasDocs) unwrap(await coordinatorFor(env, identity).recordArtifacts({ ...identity, versionId, artifacts: {}, docsStatus: "pending" }));
  await sendJob(env, { kind: DOCS_JOB, subject: versionId, attempt: row!.attempt, step: 0 });
  return row!.attempt;
}

/** Versions this isolate has asked to upgrade: each is asked once (the set is emptied past MAX_UPGRADES_ASKED). */
const upgradesAsked = new Set<string>();
const MAX_UPGRADES_ASKED = 10_000;

/**
 * Docs an earlier release derived in an earlier layout (their manifest predates DOCS_LAYOUT: heads and lists
 * whose reads grow with the package) are derived again in the background, the first time they are read: a
 * new attempt of the version's docs job, unless one is running or the last one failed (an operator re-drives
 * those). The old docs serve until the new ones are swapped in. Answers whether it started one.
 */
export async function upgradeDocs(env: Env, versionId: string, manifestKey?: string): Promise<boolean> {
  if (upgradesAsked.has(versionId)) return false;
  if (upgradesAsked.size >= MAX_UPGRADES_ASKED) upgradesAsked.clear();
  upgradesAsked.add(versionId);
  return rederiveAfterDone(env, versionId, manifestKey);
}

/**
 * A new attempt of a version's docs job if its last one finished (or it has none); answers whether it started one.
 * `manifestKey`: only while the version's recorded manifest is still that one (the docs the reader found in the
 * earlier layout), so a reader that read the map just before an upgrade's swap (another isolate, a replica behind)
 * does not start a second derivation of docs already upgraded.
 */
export async function rederiveAfterDone(env: Env, versionId: string, manifestKey?: string): Promise<boolean> {
  const db = database(env.DB);
  const manifestName = `$."${artifactName("manifest.json")}"`;
  const onlyIf =
    manifestKey === undefined
      ? undefined
      : exists(
          db
            .select({ one: sql`1` })
            .from(versions)
            .where(and(eq(versions.id, versionId), sql`json_extract(${versions.artifacts}, ${manifestName}) = ${manifestKey}`)),
        );
  // A job failed in its sweep only (its step cut off MAX_TRIES times: the docs were swapped in) counts as finished.
  const orIf = and(eq(jobs.status, "failed"), sql`json_extract(${jobs.state}, '$.sweep') IS NOT NULL`);
  const row = await createJob(db, DOCS_JOB, versionId, null, Date.now(), { afterDone: true, orIf, onlyIf }).get();
  if (!row) return false;
  await sendJob(env, { kind: DOCS_JOB, subject: versionId, attempt: row.attempt, step: 0 });
  return true;
}

/** What the operator's docs route answers about a version's derivation (`status` as the version answer says it). */
export async function docsJobReport(env: Env, version: Pick<StoredVersion, "id" | "docsStatus" | "artifacts">) {
  const job = await findJob(database(env.DB), DOCS_JOB, version.id);
  return {
    status: docsStatusOf(version),
    ...(job
      ? { job: { attempt: job.attempt, status: job.status, stepsDone: job.step, stepRuns: job.runs, ...(job.error ? { error: job.error } : {}), updatedAt: new Date(job.updatedAt).toISOString() } }
      : {}),
  };
}

/**
 * A version's docs status: as recorded, or for a version stored before docs were derived off the request
 * path, `ready` when its docs exist and `pending` when they are derived on first request.
 */
export function docsStatusOf(version: Pick<StoredVersion, "docsStatus" | "artifacts">): (typeof DOCS_STATUSES)[number] {
  if (version.docsStatus) return oneOf(DOCS_STATUSES, version.docsStatus, "docs status");
  return (JSON.parse(version.artifacts) as Record<string, string>)[artifactName("manifest.json")] ? "ready" : "pending";
}

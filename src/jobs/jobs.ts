// Durable work after a request, in bounded steps: a D1 row holds each job's resumable state, a queue
// message runs one step, and a re-driver finds jobs whose chain broke (a crash, a lost message).
//
// Why Queues and a D1 row rather than Workflows: the state has to be ours anyway (a version's docs status
// is read with the version, an operator re-drives a failed job, the re-driver lists stalled jobs with one
// indexed query), and a local Workflow interrupted by kill -9 never resumes, while a queue message lost
// in a crash is simply sent again by the re-driver. docs/operator/durable-jobs.md has the whole contract.
//
// The protocol. A message names (kind, subject, attempt, step). Running it first *claims* the row: one
// conditional UPDATE that succeeds only while the row is pending at that attempt and step and no lease
// is held, and takes a lease. The step's result is stored by a second conditional UPDATE on the same
// (attempt, step), which also moves `step` on; only then is the next message sent. So a duplicate or
// stale message claims nothing, a step re-run after a crash starts from the state stored before it
// (steps must therefore be idempotent: deterministic object names, overwritten), and a job whose
// message was lost is found by `redriveStalled` (pending, no lease, unchanged for JOB_STALL_SECONDS).
import { and, eq, lt, sql } from "drizzle-orm";
import { database } from "../db/client";
import { jobs } from "../db/schema";
import type { Env } from "../env";
import type { JobMessage, JobRow } from "./job-rows";

export { createJob, findJob, type JobMessage, type JobRow } from "./job-rows";

/**
 * `delaySeconds`: the next step waits that long (e.g. an upstream's request budget): the row keeps a lease
 * until then, so the re-driver leaves it alone, and the wait is not a failure (it counts toward no MAX_TRIES).
 */
export type StepOutcome = { done: false; state: unknown; delaySeconds?: number } | { done: true };

export interface JobHandler {
  kind: string;
  /** One bounded step from the stored state (null before the first). The last step does the job's final writes. */
  step(env: Env, job: JobRow, state: unknown): Promise<StepOutcome>;
  /** The attempt failed for good: clean up and record it where readers look (idempotent). */
  failed(env: Env, job: JobRow, error: string): Promise<void>;
}

/** The queue that carries job messages (wrangler.toml); the entry's other queues are the webhooks'. */
export const JOBS_QUEUE_NAME = "edge-registry-jobs";

/** A step started this many times without completing fails its job (a crash loop, e.g. the CPU limit). */
export const MAX_TRIES = 3;
const DEFAULT_LEASE_SECONDS = 120;
const DEFAULT_STALL_SECONDS = 20;
const REDRIVE_BATCH = 50;

const seconds = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
};
const leaseMs = (env: Env) => seconds(env.JOB_LEASE_SECONDS, DEFAULT_LEASE_SECONDS) * 1000;
const stallMs = (env: Env) => seconds(env.JOB_STALL_SECONDS, DEFAULT_STALL_SECONDS) * 1000;

/** Sends the message that runs the job's next step; without a queue binding nothing runs until a re-drive. */
export async function sendJob(env: Env, message: JobMessage, delaySeconds = 0): Promise<void> {
  if (!env.JOBS_QUEUE) return;
  await env.JOBS_QUEUE.send(message, delaySeconds ? { delaySeconds } : undefined);
}

function logStep(message: JobMessage, phase: "start" | "end" | "failed", extra: Record<string, unknown> = {}) {
  // The bench reads these lines to attribute the server's CPU to single steps.
  console.log(JSON.stringify({ jobStep: { ...message, phase, at: Date.now(), ...extra } }));
}

/** Runs one message's step, if it can still claim it. Never throws: a step's failure is recorded on its job. */
export async function runJobMessage(env: Env, handlers: ReadonlyMap<string, JobHandler>, message: JobMessage): Promise<void> {
  const handler = handlers.get(message.kind);
  if (!handler) return;
  const db = database(env.DB);
  const now = Date.now();
  const match = and(
    eq(jobs.kind, message.kind),
    eq(jobs.subject, message.subject),
    eq(jobs.attempt, message.attempt),
    eq(jobs.step, message.step),
    eq(jobs.status, "pending"),
  );
  const claimed = await db
    .update(jobs)
    .set({ leaseUntil: now + leaseMs(env), runs: sql`${jobs.runs} + 1`, tries: sql`${jobs.tries} + 1`, updatedAt: now })
    .where(and(match, lt(jobs.leaseUntil, now)))
    .returning()
    .get();
  if (!claimed) return;
  if (claimed.tries > MAX_TRIES) {
    await failJob(env, handler, claimed, `step ${claimed.step} was started ${MAX_TRIES} times without completing (last error: ${claimed.error ?? "none recorded: the step was cut off"})`);
    return;
  }
  logStep(message, "start");
  let outcome: StepOutcome;
  try {
    outcome = await handler.step(env, claimed, JSON.parse(claimed.state));
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    logStep(message, "failed", { error: text });
    if (claimed.tries >= MAX_TRIES) {
      await failJob(env, handler, claimed, text);
      return;
    }
    // The lease is given back and the same step is tried again later, from the same stored state.
    await db.update(jobs).set({ leaseUntil: 0, error: text, updatedAt: Date.now() }).where(match);
    await sendJob(env, message, 5 * 2 ** claimed.tries);
    return;
  }
  const delaySeconds = outcome.done ? 0 : Math.max(0, Math.ceil(outcome.delaySeconds ?? 0));
  const advanced = await db
    .update(jobs)
    .set({
      step: message.step + 1,
      state: outcome.done ? claimed.state : JSON.stringify(outcome.state),
      status: outcome.done ? "done" : "pending",
      tries: 0,
      error: null,
      // Held until just before the delayed message arrives (so that message can still claim it).
      leaseUntil: delaySeconds > 1 ? Date.now() + (delaySeconds - 1) * 1000 : 0,
      updatedAt: Date.now(),
    })
    .where(match)
    .returning({ step: jobs.step })
    .get();
  logStep(message, "end", { done: outcome.done });
  if (advanced && !outcome.done) await sendJob(env, { ...message, step: message.step + 1 }, delaySeconds);
}

async function failJob(env: Env, handler: JobHandler, job: JobRow, error: string): Promise<void> {
  const db = database(env.DB);
  await handler.failed(env, job, error);
  await db
    .update(jobs)
    .set({ status: "failed", error, leaseUntil: 0, updatedAt: Date.now() })
    .where(and(eq(jobs.kind, job.kind), eq(jobs.subject, job.subject), eq(jobs.attempt, job.attempt)));
  console.log(JSON.stringify({ jobFailed: { kind: job.kind, subject: job.subject, attempt: job.attempt, step: job.step, error } }));
}

/**
 * Sends again the next message of every pending job that holds no lease and has not changed for
 * JOB_STALL_SECONDS (its message was lost, or its worker died mid-step and the lease ran out). Safe to
 * run any time and anywhere: a duplicate message claims nothing. Answers how many it re-sent.
 */
export async function redriveStalled(env: Env, now = Date.now()): Promise<number> {
  const db = database(env.DB);
  const stalled = await db
    .select({ kind: jobs.kind, subject: jobs.subject, attempt: jobs.attempt, step: jobs.step })
    .from(jobs)
    .where(and(eq(jobs.status, "pending"), lt(jobs.updatedAt, now - stallMs(env)), lt(jobs.leaseUntil, now)))
    .limit(REDRIVE_BATCH)
    .all();
  for (const job of stalled) {
    // Marked first, so a re-drive running elsewhere meanwhile does not send it too.
    const marked = await db
      .update(jobs)
      .set({ updatedAt: now })
      .where(and(eq(jobs.kind, job.kind), eq(jobs.subject, job.subject), eq(jobs.attempt, job.attempt), eq(jobs.step, job.step), lt(jobs.updatedAt, now - stallMs(env))))
      .returning({ step: jobs.step })
      .get();
    if (marked) await sendJob(env, job);
  }
  if (stalled.length) console.log(JSON.stringify({ jobsRedriven: stalled.length }));
  return stalled.length;
}

let lastRedrive = 0;
const REDRIVE_EVERY_MS = 5_000;

/**
 * A re-drive at most every few seconds per isolate, off the request's path: called from `/healthz`, so a
 * restarted server resumes its stalled work as soon as anything probes it (the cron trigger does the
 * same every minute in production).
 */
export function redriveSoon(env: Env, ctx: ExecutionContext): void {
  const now = Date.now();
  if (now - lastRedrive < REDRIVE_EVERY_MS) return;
  lastRedrive = now;
  ctx.waitUntil(redriveStalled(env, now).catch((error) => console.log(JSON.stringify({ jobsRedriveFailed: String(error) }))));
}

// A durable job's row and message (src/jobs/jobs.ts runs them): what a write that starts a job needs,
// without the runner (so the publish coordinator can create jobs in its batch).
import { and, eq, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { jobs } from "../db/schema";

export interface JobMessage {
  kind: string;
  subject: string;
  attempt: number;
  step: number;
}

export type JobRow = typeof jobs.$inferSelect;

/**
 * The statement that creates a job (or starts a new attempt of it); meant for the batch of the write that needs it.
 * `afterDone`: a new attempt only of a job whose last one finished (a pending or failed one is left as it is,
 * and the statement returns no row); `onlyIf`, a further condition on that new attempt (the insert of a first row is
 * not conditional); `orIf`, a row not `done` that may have one too. `stateOnConflict`: the new attempt's state computed from the row's (by default `state`).
 */
export function createJob(
  db: Database,
  kind: string,
  subject: string,
  state: unknown,
  now = Date.now(),
  options: { afterDone?: boolean; orIf?: SQL; onlyIf?: SQL; stateOnConflict?: SQL } = {},
) {
  const fresh = { attempt: 1, status: "pending" as const, step: 0, state: JSON.stringify(state ?? null), runs: 0, tries: 0, error: null, leaseUntil: 0, updatedAt: now };
  const set = { ...fresh, attempt: sql`${jobs.attempt} + 1`, ...(options.stateOnConflict ? { state: options.stateOnConflict } : {}) };
  return db
    .insert(jobs)
    .values({ kind, subject, createdAt: now, ...fresh })
    .onConflictDoUpdate({ target: [jobs.kind, jobs.subject], set, ...(options.afterDone ? { setWhere: and(options.orIf ? or(eq(jobs.status, "done"), options.orIf) : eq(jobs.status, "done"), options.onlyIf) } : {}) })
    .returning({ attempt: jobs.attempt });
}

export async function findJob(db: Database, kind: string, subject: string): Promise<JobRow | undefined> {
  return db.select().from(jobs).where(and(eq(jobs.kind, kind), eq(jobs.subject, subject))).get();
}


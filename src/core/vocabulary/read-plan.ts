// A read as D1 statements plus what turns their results into the answer, so several reads (and a
// token or session lookup) can go to D1 in one batch: one round trip.
import type { Database } from "../../db/client";

export interface ReadPlan<T> {
  // drizzle's batchable queries; typed loosely so plans of different shapes compose.
  statements: BatchStatement[];
  finish(results: unknown[]): T;
}
export type BatchStatement = Parameters<Database["batch"]>[0][number];

/** Runs plans in one batch. */
export type PlanReader = <T extends readonly unknown[]>(...plans: { [K in keyof T]: ReadPlan<T[K]> }) => Promise<T>;

async function runStatements(db: Database, statements: BatchStatement[]): Promise<unknown[]> {
  if (statements.length === 0) return [];
  return statements.length === 1 ? [await statements[0]!] : ((await db.batch(statements as [BatchStatement, ...BatchStatement[]])) as unknown[]);
}

export async function runPlan<T>(db: Database, plan: ReadPlan<T>): Promise<T> {
  return plan.finish(await runStatements(db, plan.statements));
}

/** Several plans as one: their statements in order, each finished from its own results. */
export function joinPlans<T extends readonly unknown[]>(plans: { [K in keyof T]: ReadPlan<T[K]> }): ReadPlan<T> {
  const all: ReadonlyArray<ReadPlan<unknown>> = plans;
  return {
    statements: all.flatMap((p) => p.statements),
    finish(results) {
      let at = 0;
      const values = all.map((p) => p.finish(results.slice(at, (at += p.statements.length))));
      // The tuple's element types are the plans' own, in order: what the mapped type says.
      return values as unknown as T;
    },
  };
}

/** Several reads in one D1 batch (one round trip), each finished from its own statements' results. */
export function runPlans<T extends readonly unknown[]>(db: Database, plans: { [K in keyof T]: ReadPlan<T[K]> }): Promise<T> {
  return runPlan(db, joinPlans<T>(plans));
}

// What a list plan costs when run on the D1 binding: its statements' query plans, D1's rows_read, and
// what it lists; and the check that a plan is index-backed (no full scan of a large table, rows bounded).
import { env } from "cloudflare:workers";
import { database } from "../../src/db/client";
import { listPlan } from "../../src/core/catalog/list";
import { type ListQuery, type ListResult } from "../../src/core/catalog/list-query";
import { type Viewer } from "../../src/core/vocabulary/viewer";

export interface Measured {
  plan: string[];
  rowsRead: number;
  names: string[];
  next: ListResult["next"];
}

/** Runs a list plan's statements directly on the binding: their query plans, rows read and what they list. */
export async function measure(query: ListQuery, viewer: Viewer = { kind: "anonymous" }): Promise<Measured> {
  const db = database(env.DB);
  const plan = listPlan(db, query, viewer);
  const out: Measured = { plan: [], rowsRead: 0, names: [], next: undefined };
  const results: unknown[] = [];
  for (const statement of plan.statements) {
    const { sql, params } = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
    const explained = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
    out.plan.push(...explained.results.map((r) => r.detail));
    const result = await env.DB.prepare(sql).bind(...params).all();
    out.rowsRead += result.meta.rows_read;
    // The plan's own mapping, to check the answer as well as its cost.
    results.push(await statement);
  }
  const answer = plan.finish(results);
  out.names = answer.entries.map((e) => e.item.name);
  out.next = answer.next;
  return out;
}

const LARGE = /^(SCAN|SEARCH) (items|latest_history|versions|stack_usage|orgs|tokens)\b/;

export function expectIndexBacked(m: Measured, label: string, maxRows: number) {
  for (const line of m.plan) {
    if (/^SCAN (items|latest_history|versions|stack_usage|orgs|tokens)\b/.test(line)) throw new Error(`${label}: full scan in plan: ${line}\n${m.plan.join("\n")}`);
    if (LARGE.test(line) && !/USING (INDEX|COVERING INDEX|INTEGER PRIMARY KEY|PRIMARY KEY)/.test(line)) throw new Error(`${label}: no index: ${line}`);
  }
  if (m.rowsRead > maxRows) throw new Error(`${label}: read ${m.rowsRead} rows, more than ${maxRows}\n${m.plan.join("\n")}`);
}

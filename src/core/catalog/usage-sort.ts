// sort=usageTotal: the org's used packages by stack count, then every other package by name.
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { items, orgs, versions } from "../../db/schema";
import type { Position } from "../continuation";
import type { CatalogEntry } from "../vocabulary/catalog-entry";
import type { BatchStatement, ReadPlan } from "../vocabulary/read-plan";
import type { Viewer } from "../vocabulary/viewer";
import { viewerOrg } from "../visibility";
import { entryColumns, entryOf } from "./entries";
import type { ListQuery, ListResult } from "./list-query";
import { filterConditions, firstAnswer, keyset, orderTerm, walkPlan, walksFor } from "./list-planner";
import { usageRowsOf } from "./usage-sql";

/**
 * sort=usageTotal: the org's used packages by stack count (read from the org's own usage rows, bounded
 * by what it reported), then every other package by name, both in the sort's direction. Both halves are
 * asked for in one batch; a position names its half (1 used, 2 unused).
 */
export function usageTotalPlan(db: Database, query: ListQuery, viewer: Viewer): ReadPlan<ListResult> {
  const org = viewerOrg(viewer);
  if (!org) throw new Error("sort=usageTotal needs an org viewer");
  const after = query.after;
  if (after && (after.length !== 5 || (after[0] !== 1 && after[0] !== 2))) throw new Error("continuation position does not fit the sort");
  const phases: Array<1 | 2> = query.asc ? [2, 1] : [1, 2];
  const startPhase = after ? (after[0] as 1 | 2) : phases[0]!;
  const wanted = phases.slice(phases.indexOf(startPhase));
  const names = [items.canonicalName, items.source, items.publisher];
  type Entry = { entry: CatalogEntry; position: Position };
  const halves: Array<{ statements: BatchStatement[]; finish(results: unknown[]): { entries: Entry[]; cut?: Position } }> = [];
  for (const phase of wanted) {
    const resume = after && after[0] === phase ? after.slice(1) : undefined;
    if (phase === 1) {
      if (query.usage === "unused") continue;
      // The used half is driven by the org's usage rows, like usage=used; every other filter is checked on them.
      const total = sql<number>`(select count(*) ${usageRowsOf(org)})`;
      const conditions = filterConditions({ ...query, usage: query.usage ?? "used" }, viewer, "usage", false);
      if (resume) conditions.push(keyset([total, ...names], resume, query.asc));
      const statement = db
        .select({ ...entryColumns, total: total.mapWith(Number).as("total") })
        .from(items)
        .leftJoin(versions, eq(versions.id, items.latestVersionId))
        .leftJoin(orgs, eq(orgs.login, items.publisher))
        .where(and(...conditions))
        .orderBy(...[total, ...names].map((c) => orderTerm(c, "usage", query.asc)))
        .limit(query.limit + 1);
      halves.push({
        statements: [statement as unknown as BatchStatement],
        finish: ([rows]) => ({
          entries: (rows as Array<Parameters<typeof entryOf>[0] & { total: number }>).map((r) => ({
            entry: entryOf(r),
            position: [1, Number(r.total), r.item.canonicalName, r.item.source, r.item.publisher],
          })),
        }),
      });
    } else {
      if (query.usage === "used" || query.usage === "notOnLatest") continue;
      // Every other package by name: the same walks as a name-sorted list with usage=unused (a search
      // among them is the same exclusive pair, budgeted the same way).
      const unused: ListQuery = { ...query, usage: "unused", sort: "name", after: resume?.slice(1) };
      const plan = firstAnswer(walksFor(unused, viewer).map((walk) => walkPlan(db, unused, viewer, walk)));
      halves.push({
        statements: plan.statements,
        finish(results) {
          const { entries, next } = plan.finish(results);
          return {
            entries: entries.map((entry) => ({ entry, position: [2, 0, entry.item.canonicalName, entry.item.source, entry.item.publisher] })),
            cut: next && [2, 0, ...next],
          };
        },
      });
    }
  }
  return {
    statements: halves.flatMap((h) => h.statements),
    finish(results) {
      const rows: Entry[] = [];
      let cut: Position | undefined;
      let at = 0;
      for (const half of halves) {
        const answer = half.finish(results.slice(at, (at += half.statements.length)));
        rows.push(...answer.entries);
        // A half that stops before its end (a full page, or a search walk's budget) ends the answer there.
        if (answer.cut) {
          cut = answer.cut;
          break;
        }
      }
      const page = rows.slice(0, query.limit);
      const entries = page.map((r) => r.entry);
      if (rows.length > query.limit) return { entries, next: page[page.length - 1]!.position };
      return cut ? { entries, next: cut } : { entries };
    },
  };
}


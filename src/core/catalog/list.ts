// Listings at each item's latest, keyset-paginated: the one entry point of the list planner.
// Each read is built as statements plus a `finish` step, so a caller can batch it with the token lookup
// (one D1 round trip); see docs/listing-indexes.md for which index drives which filter and sort.
import type { Database } from "../../db/client";
import { runPlan, type ReadPlan } from "../vocabulary/read-plan";
import type { Viewer } from "../vocabulary/viewer";
import type { ListQuery, ListResult } from "./list-query";
import { firstAnswer, walkPlan, walksFor } from "./list-planner";
import { usageTotalPlan } from "./usage-sort";

export function listPlan(db: Database, query: ListQuery, viewer: Viewer): ReadPlan<ListResult> {
  if (!query.backings.length) return { statements: [], finish: () => ({ entries: [] }) };
  if (query.sort === "usageTotal") return usageTotalPlan(db, query, viewer);
  return firstAnswer(walksFor(query, viewer).map((walk) => walkPlan(db, query, viewer, walk)));
}


/** One page of `listPlan` run on its own (the web pages, which have the caller already). */
export function listLatest(db: Database, query: ListQuery, viewer: Viewer): Promise<ListResult> {
  return runPlan(db, listPlan(db, query, viewer));
}


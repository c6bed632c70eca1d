// The home page's featured packages.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { items, orgs, versions } from "../../db/schema";
import type { CatalogEntry } from "../vocabulary/catalog-entry";
import type { ReadPlan } from "../vocabulary/read-plan";
import type { Viewer } from "../vocabulary/viewer";
import { visibleTo } from "../visibility";
import { entryColumns, entryOf } from "./entries";

/**
 * Featured packages the viewer may see, by name, at their latest versions (the home page). A partial
 * index holds only featured rows: the walk reads featured rows in name order until `limit` are visible.
 */
export function featuredPlan(db: Database, viewer: Viewer, limit: number): ReadPlan<CatalogEntry[]> {
  const statement = db
    .select(entryColumns)
    .from(items)
    .innerJoin(versions, eq(versions.id, items.latestVersionId))
    .leftJoin(orgs, eq(orgs.login, items.publisher))
    .where(and(eq(items.kind, "package"), sql`${items.featured} = 1`, visibleTo(viewer)))
    .orderBy(asc(items.canonicalName), asc(items.source), asc(items.publisher))
    .limit(limit);
  return { statements: [statement], finish: ([rows]) => (rows as Array<Parameters<typeof entryOf>[0]>).map(entryOf) };
}


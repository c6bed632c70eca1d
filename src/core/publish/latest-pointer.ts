// An item's `latest` and the copies listings sort and search on, moved under the coordinator's lock.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { items, latestHistory, versions, type VersionRow } from "../../db/schema";
import { visibilityForSource } from "../visibility";
import type { Identity } from "../vocabulary/identity";

export type LiveVersion = Pick<VersionRow, "id" | "precedenceKey" | "prerelease" | "createdAt" | "searchText" | "packageTypes"> & { deprecated: boolean; category: string };

/** A version's list category: the package metadata's `category` (read from the schema at complete); "" for templates. */
export function categoryOf(metadata: string): string {
  const category = (JSON.parse(metadata) as { category?: unknown }).category;
  return typeof category === "string" ? category : "";
}

/** An item's live versions: what `latest` is picked from. */
export function liveVersions(db: Database, itemId: string): Promise<LiveVersion[]> {
  return db
    .select({
      id: versions.id,
      precedenceKey: versions.precedenceKey,
      prerelease: versions.prerelease,
      createdAt: versions.createdAt,
      searchText: versions.searchText,
      deprecated: sql<boolean>`${versions.deprecation} is not null`.mapWith(Boolean),
      packageTypes: versions.packageTypes,
      category: sql<string>`coalesce(json_extract(${versions.metadata}, '$.category'), '')`,
    })
    .from(versions)
    .where(and(eq(versions.itemId, itemId), eq(versions.retired, false)))
    .all();
}

/**
 * Statements that point an item's `latest` (and the copies listings sort and search on) at `latest`,
 * picked by pickLatest under the coordinator's lock, and record the move in latest_history for
 * createdAt walks.
 */
export function moveLatest(db: Database, id: Identity & { itemId: string; ownerOrg: string }, latest: LiveVersion | undefined, now: number) {
  const statements = [
    db
      .update(items)
      .set({
        latestVersionId: latest?.id ?? null,
        latestCreatedAt: latest?.createdAt ?? null,
        searchText: latest?.searchText ?? "",
        packageTypes: latest?.packageTypes ?? "",
        category: latest?.category ?? "",
      })
      .where(eq(items.id, id.itemId)),
    db
      .update(latestHistory)
      .set({ validTo: now })
      .where(and(eq(latestHistory.itemId, id.itemId), isNull(latestHistory.validTo))),
  ];
  if (!latest) return statements;
  return [
    ...statements,
    db.insert(latestHistory).values({
      itemId: id.itemId,
      kind: id.kind,
      source: id.source,
      publisher: id.publisher,
      canonicalName: id.canonicalName,
      ownerOrg: id.ownerOrg,
      visibility: visibilityForSource(id.source),
      packageTypes: latest.packageTypes,
      category: latest.category,
      latestCreatedAt: latest.createdAt,
      validFrom: now,
    }),
  ];
}

// usageStats on package views: one grouped D1 query per page counts, within the caller's org, the
// stacks using each listed package. Strategy: usage rows keep the reported precedence key and are
// resolved against live versions at read time, so a publish or delete shifts counts without rewriting rows.
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { items, stackUsage, versions } from "../db/schema";
import type { CoreContext } from "../core/vocabulary/core-context";
import type { Caller } from "../identity/rights";
import type { CatalogEntry } from "../core/vocabulary/catalog-entry";
import type { RegistryKind } from "../core/kind";

export interface UsageStats {
  totalStacks: number;
  onLatest: number;
  onOlder: number;
  /** Version not given, unknown, or deleted. */
  versionUnresolved: number;
}

const NO_USAGE: UsageStats = { totalStacks: 0, onLatest: 0, onOlder: 0, versionUnresolved: 0 };

/** Usage counts by item id for the given items, within one org; items without usage are absent. */
export async function countUsage(db: Database, org: string, itemIds: readonly string[]): Promise<Map<string, UsageStats>> {
  const counts = new Map<string, UsageStats>();
  if (itemIds.length === 0) return counts;
  // The page's ids travel as one JSON parameter: a page holds up to 500 items and D1 caps bound
  // parameters per statement at 100.
  const pageIds = JSON.stringify(itemIds);
  const rows = await db
    .select({
      itemId: items.id,
      totalStacks: sql<number>`count(*)`.mapWith(Number),
      onLatest: sql<number>`coalesce(sum(${versions.id} = ${items.latestVersionId}), 0)`.mapWith(Number),
      onOlder: sql<number>`coalesce(sum(${versions.id} <> ${items.latestVersionId}), 0)`.mapWith(Number),
    })
    .from(items)
    .innerJoin(
      stackUsage,
      and(
        eq(stackUsage.orgLogin, org),
        eq(stackUsage.source, items.source),
        eq(stackUsage.publisher, items.publisher),
        eq(stackUsage.canonicalName, items.canonicalName),
      ),
    )
    // A usage row resolves only to a live version of the item with the same precedence.
    .leftJoin(versions, and(eq(versions.itemId, items.id), eq(versions.precedenceKey, stackUsage.precedenceKey), eq(versions.retired, false)))
    .where(sql`${items.id} in (select value from json_each(${pageIds}))`)
    .groupBy(items.id)
    .all();
  for (const row of rows) {
    counts.set(row.itemId, {
      totalStacks: row.totalStacks,
      onLatest: row.onLatest,
      onOlder: row.onOlder,
      versionUnresolved: row.totalStacks - row.onLatest - row.onOlder,
    });
  }
  return counts;
}

/** `decorate` for the package kind: org callers get usageStats on every entry, anonymous callers nothing. */
export const packageUsageDecorator: NonNullable<RegistryKind["decorate"]> = async (
  entries: CatalogEntry[],
  caller: Caller,
  context: CoreContext,
) => {
  if (caller.kind !== "org") return () => undefined;
  // An org that never reported usage has all-zero counts: no query (the token lookup told us).
  const counts = caller.usageReported === false ? new Map<string, UsageStats>() : await countUsage(
    context.db,
    caller.org,
    entries.map((entry) => entry.item.id),
  );
  return (view, entry) => {
    view.usageStats = { ...(counts.get(entry.item.id) ?? NO_USAGE) };
  };
};

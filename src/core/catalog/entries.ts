// Reads of one item: at one version (what resolveVersion answers from), its live versions, one page of them.
import { and, desc, eq, getTableColumns, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { items, orgs, versions, type ItemRow, type VersionRow } from "../../db/schema";
import type { Caller } from "../../identity/rights";
import type { CatalogEntry, LiveVersion } from "../vocabulary/catalog-entry";
import type { Kind } from "../vocabulary/identity";
import { runPlan, type ReadPlan } from "../vocabulary/read-plan";
import type { Viewer } from "../vocabulary/viewer";
import { visibleTo } from "../visibility";

/**
 * The version's columns under their own names: D1's batch answers rows as objects, so two columns both
 * called `id` (items and versions) would collapse into one.
 */
const versionColumns = Object.fromEntries(
  Object.entries(getTableColumns(versions)).map(([field, column]) => [field, sql`${column}`.mapWith(column).as(`version_${column.name}`)]),
) as { [K in keyof VersionRow]: SQL.Aliased<VersionRow[K]> };

export const entryColumns = { item: items, version: versionColumns, publisherDisplayName: orgs.displayName };

/** A left-joined version that is absent comes back as an object of nulls. */
export function entryOf(row: { item: ItemRow; version: { [K in keyof VersionRow]: VersionRow[K] | null }; publisherDisplayName: string | null }): CatalogEntry {
  return { item: row.item, version: row.version.id === null ? null : (row.version as VersionRow), publisherDisplayName: row.publisherDisplayName };
}


export interface EntryKey {
  kind: Kind;
  source: string;
  publisher: string;
  canonicalName: string;
  /** `latest`, or the precedence key of a specific version. */
  version: "latest" | { precedenceKey: string };
}

/** One item at one live version, if the viewer may see it; absent and invisible look the same. */
export function entryPlan(db: Database, key: EntryKey, viewer: Viewer): ReadPlan<CatalogEntry | null> {
  const versionJoin =
    key.version === "latest"
      ? eq(versions.id, items.latestVersionId)
      : and(eq(versions.itemId, items.id), eq(versions.precedenceKey, key.version.precedenceKey), eq(versions.retired, false));
  const statement = db
    .select(entryColumns)
    .from(items)
    .leftJoin(versions, versionJoin)
    .leftJoin(orgs, eq(orgs.login, items.publisher))
    .where(
      and(
        eq(items.kind, key.kind),
        eq(items.source, key.source),
        eq(items.publisher, key.publisher),
        eq(items.canonicalName, key.canonicalName),
        visibleTo(viewer),
      ),
    )
    .limit(1);
  return {
    statements: [statement],
    finish([rows]) {
      const row = (rows as Awaited<typeof statement>)[0];
      if (!row) return null;
      const entry = entryOf(row);
      if (!entry.version && entry.item.backing !== "vcs") return null;
      return entry;
    },
  };
}

export function getEntry(db: Database, key: EntryKey, viewer: Viewer): Promise<CatalogEntry | null> {
  return runPlan(db, entryPlan(db, key, viewer));
}


export interface VersionsQuery {
  kind: Kind;
  source: string;
  publisher: string;
  canonicalName: string;
  limit: number;
  /** The precedence key of the last version on the previous page. */
  after?: string;
}

/**
 * One item's live versions, newest first by SemVer precedence (the precedence key sorts exactly so),
 * keyset-paged on that key. Null when the item is absent or invisible to the caller.
 */
export async function listVersions(db: Database, query: VersionsQuery, caller: Caller): Promise<{ item: ItemRow; entries: CatalogEntry[]; next?: string } | null> {
  // The item as a get of `latest` finds it: absent, invisible or with every version deleted → null.
  const found = await getEntry(db, { ...query, version: "latest" }, caller);
  if (!found) return null;
  const conditions = [eq(versions.itemId, found.item.id), eq(versions.retired, false)];
  if (query.after !== undefined) conditions.push(lt(versions.precedenceKey, query.after));
  const rows = await db
    .select()
    .from(versions)
    .where(and(...conditions))
    .orderBy(desc(versions.precedenceKey))
    .limit(query.limit + 1)
    .all();
  const page = rows.slice(0, query.limit);
  const entries = page.map((version) => ({ item: found.item, version, publisherDisplayName: found.publisherDisplayName }));
  const last = page[page.length - 1];
  return { item: found.item, entries, ...(rows.length > query.limit && last ? { next: last.precedenceKey } : {}) };
}


/**
 * Every live version of an item, newest (highest precedence) first, found by identity if the viewer may
 * see the item (else none): the web pages' version selectors read it beside the item's entry, not after it.
 */
export function versionsPlan(db: Database, key: Omit<EntryKey, "version">, viewer: Viewer): ReadPlan<LiveVersion[]> {
  const statement = db
    .select({
      version: versions.version,
      prerelease: versions.prerelease,
      createdAt: versions.createdAt,
      deprecated: sql<boolean>`${versions.deprecation} is not null`.mapWith(Boolean),
    })
    .from(items)
    .innerJoin(versions, and(eq(versions.itemId, items.id), eq(versions.retired, false)))
    .where(and(eq(items.kind, key.kind), eq(items.source, key.source), eq(items.publisher, key.publisher), eq(items.canonicalName, key.canonicalName), visibleTo(viewer)))
    .orderBy(desc(versions.precedenceKey));
  return {
    statements: [statement],
    finish: ([rows]) => rows as LiveVersion[],
  };
}


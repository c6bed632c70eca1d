// Catalog reads from D1: one item at one version, and keyset-paginated listings at each item's latest.
// Reads never touch the Durable Object.
import { and, asc, desc, eq, gt, isNotNull, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { items, latestHistory, orgs, versions, type ItemRow, type VersionRow } from "../db/schema";
import type { Caller, Visibility } from "../identity/rights";
import type { Position } from "./continuation";
import type { Kind } from "./kind";

export interface CatalogEntry {
  item: ItemRow;
  /** Null only for VCS-backed templates, which have no versions. */
  version: VersionRow | null;
  publisherDisplayName: string | null;
}

export type SortField = "name" | "publisher" | "createdAt";

export interface ListQuery {
  kind: Kind;
  canonicalName?: string;
  publisher?: string;
  orgLogin?: string;
  visibility?: Visibility;
  featured?: boolean;
  /** Lower-cased terms; each must be a substring of the item's search text. */
  searchTerms?: string[];
  backings: Array<"registry" | "vcs">;
  sort: SortField;
  asc: boolean;
  limit: number;
  after?: Position;
}

function visibleTo(caller: Caller): SQL {
  return caller.kind === "org" ? or(eq(items.visibility, "public"), eq(items.ownerOrg, caller.org))! : eq(items.visibility, "public");
}

const sortColumns = {
  name: [items.canonicalName, items.source, items.publisher],
  publisher: [items.publisher, items.source, items.canonicalName],
  // createdAt walks latest_history as of the walk's start, so a moving latest keeps its place.
  createdAt: [latestHistory.latestCreatedAt, latestHistory.source, latestHistory.publisher, latestHistory.canonicalName],
} as const;

const entryColumns = { item: items, version: versions, publisherDisplayName: orgs.displayName };

export async function listLatest(db: Database, query: ListQuery, caller: Caller): Promise<{ entries: CatalogEntry[]; next?: Position }> {
  const conditions: SQL[] = [eq(items.kind, query.kind), visibleTo(caller)];
  const backing: SQL[] = [];
  if (query.backings.includes("registry")) backing.push(and(eq(items.backing, "registry"), isNotNull(items.latestVersionId))!);
  if (query.backings.includes("vcs")) backing.push(eq(items.backing, "vcs"));
  if (!backing.length) return { entries: [] };
  conditions.push(backing.length === 1 ? backing[0]! : or(...backing)!);
  if (query.canonicalName !== undefined) conditions.push(eq(items.canonicalName, query.canonicalName));
  if (query.publisher !== undefined) conditions.push(eq(items.publisher, query.publisher));
  if (query.orgLogin !== undefined) conditions.push(eq(items.ownerOrg, query.orgLogin));
  if (query.visibility !== undefined) conditions.push(eq(items.visibility, query.visibility));
  if (query.featured !== undefined) conditions.push(eq(items.featured, query.featured));
  // instr() matches literally: search terms are data, never LIKE patterns.
  for (const term of query.searchTerms ?? []) conditions.push(sql`instr(${items.searchText}, ${term}) > 0`);

  const columns = sortColumns[query.sort];
  const byTime = query.sort === "createdAt";
  let after = query.after;
  let asOf = Date.now();
  if (byTime && after) {
    // A createdAt position starts with the walk's snapshot time.
    if (typeof after[0] !== "number") throw new Error("continuation position does not fit the sort");
    asOf = after[0];
    after = after.slice(1);
  }
  if (after) {
    if (after.length !== columns.length) throw new Error("continuation position does not fit the sort");
    const left = sql.join(columns.map((c) => sql`${c}`), sql`, `);
    const right = sql.join(after.map((v) => sql`${v}`), sql`, `);
    conditions.push(query.asc ? sql`(${left}) > (${right})` : sql`(${left}) < (${right})`);
  }
  const order = columns.map((c) => (query.asc ? asc(c) : desc(c)));
  if (byTime) {
    conditions.push(
      eq(latestHistory.kind, query.kind),
      lte(latestHistory.validFrom, asOf),
      or(isNull(latestHistory.validTo), gt(latestHistory.validTo, asOf))!,
    );
  }
  // createdAt drives the walk from the history snapshot; the other sorts from the items themselves.
  const selection = { ...entryColumns, walk: { createdAt: byTime ? latestHistory.latestCreatedAt : items.latestCreatedAt } };
  const from = byTime
    ? db.select(selection).from(latestHistory).innerJoin(items, eq(items.id, latestHistory.itemId)).$dynamic()
    : db.select(selection).from(items).$dynamic();
  const rows = await from
    .leftJoin(versions, eq(versions.id, items.latestVersionId))
    .leftJoin(orgs, eq(orgs.login, items.publisher))
    .where(and(...conditions))
    .orderBy(...order)
    .limit(query.limit + 1)
    .all();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const more = rows.length > query.limit && last !== undefined;
  const entries = page.map(({ item, version, publisherDisplayName }) => ({ item, version, publisherDisplayName }));
  if (!more) return { entries };
  const i = last.item;
  const next: Position =
    query.sort === "name"
      ? [i.canonicalName, i.source, i.publisher]
      : query.sort === "publisher"
        ? [i.publisher, i.source, i.canonicalName]
        : [asOf, last.walk.createdAt, i.source, i.publisher, i.canonicalName];
  return { entries, next };
}

export interface EntryKey {
  kind: Kind;
  source: string;
  publisher: string;
  canonicalName: string;
  /** `latest`, or the precedence key of a specific version. */
  version: "latest" | { precedenceKey: string };
}

/** One item at one live version, if the caller may see it; absent and invisible look the same. */
export async function getEntry(db: Database, key: EntryKey, caller: Caller): Promise<CatalogEntry | null> {
  const versionJoin =
    key.version === "latest"
      ? eq(versions.id, items.latestVersionId)
      : and(eq(versions.itemId, items.id), eq(versions.precedenceKey, key.version.precedenceKey), eq(versions.retired, false));
  const row = await db
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
        visibleTo(caller),
      ),
    )
    .get();
  if (!row) return null;
  if (!row.version && row.item.backing !== "vcs") return null;
  return row;
}

export async function findItem(db: Database, kind: Kind, source: string, publisher: string, canonicalName: string): Promise<ItemRow | undefined> {
  return db
    .select()
    .from(items)
    .where(and(eq(items.kind, kind), eq(items.source, source), eq(items.publisher, publisher), eq(items.canonicalName, canonicalName)))
    .get();
}

export interface LiveVersion {
  version: string;
  prerelease: boolean;
  createdAt: string;
}

/** Every live version of an item, newest (highest precedence) first. The caller has already checked visibility. */
export async function listLiveVersions(db: Database, itemId: string): Promise<LiveVersion[]> {
  return db
    .select({ version: versions.version, prerelease: versions.prerelease, createdAt: versions.createdAt })
    .from(versions)
    .where(and(eq(versions.itemId, itemId), eq(versions.retired, false)))
    .orderBy(desc(versions.precedenceKey))
    .all();
}

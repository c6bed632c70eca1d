// The list planner's walks: which index drives a listing, the filter conditions with only the driver
// index-usable, the search plans (few FTS matches sorted, or a budgeted walk), and keyset paging.
// docs/listing-indexes.md explains the choices.
import { and, asc, desc, eq, gt, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { hasPackageType, items, latestHistory, orgs, versions } from "../../db/schema";
import type { Position } from "../continuation";
import type { ReadPlan } from "../vocabulary/read-plan";
import type { Viewer } from "../vocabulary/viewer";
import { indexed, viewerOrg, visibleTo } from "../visibility";
import { entryColumns, entryOf } from "./entries";
import type { ListQuery, ListResult } from "./list-query";
import { offLatest, usageRowsOf, usedBy } from "./usage-sql";

/** AND of literal substrings: each term becomes a quoted FTS5 phrase (quotes doubled), never query syntax. */
export function ftsQuery(terms: readonly string[]): string | undefined {
  const long = terms.filter((t) => [...t].length >= 3);
  return long.length ? long.map((t) => `"${t.replaceAll('"', '""')}"`).join(" ") : undefined;
}


export type Driver = "name" | "publisher" | "orgLogin" | "search" | "usage" | "category" | "packageType" | "visibility" | "backing" | "sort";

const singleTemplateBacking = (q: Pick<ListQuery, "kind" | "backings" | "sort">) => q.kind === "template" && q.backings.length === 1 && q.sort === "name";

/**
 * The one filter whose index drives the walk, by a fixed priority (the most selective kinds first); the
 * others are checked on the rows it yields. docs/listing-indexes.md explains the order.
 */
export function drivingFilter(q: Pick<ListQuery, "kind" | "canonicalName" | "publisher" | "orgLogin" | "usage" | "category" | "packageType" | "visibility" | "backings" | "sort">): Driver {
  if (q.canonicalName !== undefined) return "name";
  if (q.publisher !== undefined) return "publisher";
  if (q.orgLogin !== undefined) return "orgLogin";
  if (q.usage === "used" || q.usage === "notOnLatest") return "usage";
  // Private items are the few on a shared registry and public ones the bulk: private drives before a
  // package type, public only when nothing else is asked for.
  if (q.visibility === "private") return "visibility";
  // A category is one of seven, a package type one of three: the category drives first.
  if (q.category !== undefined) return "category";
  if (q.packageType !== undefined) return "packageType";
  if (q.visibility !== undefined) return "visibility";
  // Template lists asking for one backing (registry-published or VCS-backed) walk that backing's rows.
  if (singleTemplateBacking(q)) return "backing";
  return "sort";
}


/**
 * A `search` is planned two ways, both asked for in one batch and exclusive (docs/listing-indexes.md):
 * - at most `fewSearchMatches(limit)` FTS matches (a narrow term): the matches are read and sorted;
 * - more (a broad or middle term): the sort's (or the next filter's) index is walked for at most
 *   `walkBudget(limit)` rows, each tested literally (`instr`) on the item row the walk reads anyway. A
 *   page that does not fill within the budget is answered short, with a continuation at the budget's
 *   last row, so every request reads a bounded number of rows whatever the catalog's size.
 */
export const fewSearchMatches = (limit: number) => 2 * (limit + 1);
export const walkBudget = (limit: number) => 4 * (limit + 1);

/**
 * The rowids of the FTS matches of this kind that the viewer may see, at most `limit` of them. Which plan
 * answers is decided on these alone: a count over every match (other orgs' private items, the other
 * kind) would tell an anonymous caller, by the shape of the answer, how many private items hold a word.
 */
const visibleMatches = (match: string, query: ListQuery, viewer: Viewer, limit: SQL | number) =>
  sql`select items_search.rowid from items_search join ${items} on ${items}.rowid = items_search.rowid where items_search match ${match} and ${items.kind} = ${query.kind} and ${visibleTo(viewer)} limit ${limit}`;

/** How many visible matches there are, counting at most `cap + 1`. */
const matchCount = (match: string, cap: number, query: ListQuery, viewer: Viewer) => sql`(select count(*) from (${visibleMatches(match, query, viewer, cap + 1)}))`;


/** The filter conditions on items (and, for createdAt walks, on latest_history) with only the driver index-usable. */
/**
 * @param kindValue what the index-usable `kind = …` compares with: normally the kind; the broad-search
 *   walk makes it null unless the term is broad, so SQLite's index range is empty and nothing is read.
 */
export function filterConditions(query: ListQuery, viewer: Viewer, driver: Driver, onHistory: boolean, kindValue: SQL = sql`${query.kind}`): SQL[] {
  const lh = latestHistory;
  // Columns that exist on both tables are filtered on latest_history when it drives the walk.
  const on = <A, B>(itemColumn: A, historyColumn: B) => (onHistory ? historyColumn : itemColumn);
  const drivesHere = (d: Driver) => driver === d;
  const conditions: SQL[] = [];
  // kind leads every index: it is index-usable on the table that drives, except under search, whose
  // driving lookup is the FTS rowid list.
  const drivenFromItems = !onHistory || driver === "search" || driver === "usage";
  const itemsKindIndexed = drivenFromItems && driver !== "search";
  conditions.push(sql`${indexed(items.kind, itemsKindIndexed)} = ${itemsKindIndexed ? kindValue : query.kind}`);
  if (onHistory) conditions.push(sql`${indexed(lh.kind, !drivenFromItems)} = ${!drivenFromItems ? kindValue : query.kind}`);
  conditions.push(visibleTo(viewer));
  const backing: SQL[] = [];
  if (query.backings.includes("registry")) backing.push(sql`(${indexed(items.backing, false)} = 'registry' and ${items.latestVersionId} is not null)`);
  if (query.backings.includes("vcs")) backing.push(sql`${indexed(items.backing, false)} = 'vcs'`);
  conditions.push(backing.length === 1 ? backing[0]! : sql`(${sql.join(backing, sql` or `)})`);
  if (query.canonicalName !== undefined) conditions.push(sql`${indexed(on(items.canonicalName, lh.canonicalName), drivesHere("name"))} = ${query.canonicalName}`);
  if (query.publisher !== undefined) conditions.push(sql`${indexed(on(items.publisher, lh.publisher), drivesHere("publisher"))} = ${query.publisher}`);
  if (query.orgLogin !== undefined) conditions.push(sql`${indexed(on(items.ownerOrg, lh.ownerOrg), drivesHere("orgLogin"))} = ${query.orgLogin}`);
  if (query.visibility !== undefined) conditions.push(sql`${indexed(on(items.visibility, lh.visibility), drivesHere("visibility"))} = ${query.visibility}`);
  // A template list of one backing: the backing is part of the driving index (items_by_backing_*).
  if (drivesHere("backing") || (drivesHere("orgLogin") && singleTemplateBacking(query))) conditions.push(sql`${items.backing} = ${query.backings[0]!}`);
  if (query.packageType !== undefined) {
    // Written exactly as the partial indexes' WHERE, or wrapped so it cannot pick them.
    const column = on(items.packageTypes, lh.packageTypes);
    const cond = hasPackageType(column, query.packageType);
    conditions.push(drivesHere("packageType") ? cond : sql`+(${cond})`);
  }
  if (query.category !== undefined) conditions.push(sql`${indexed(on(items.category, lh.category), drivesHere("category"))} = ${query.category}`);
  if (query.searchTerms?.length) {
    const match = ftsQuery(query.searchTerms);
    // Driving: the FTS matches are the candidates. The count (at most fewSearchMatches + 1 read) is the
    // candidates' LIMIT, 0 when there are more: then nothing is read (the walk answers instead).
    if (match && drivesHere("search")) {
      const cap = fewSearchMatches(query.limit);
      const gate = sql`case when ${matchCount(match, cap, query, viewer)} <= ${cap} then ${cap} else 0 end`;
      conditions.push(sql`${items}.rowid in (${visibleMatches(match, query, viewer, gate)})`);
    }
    // The definitive test whichever plan found the row: each term a literal substring of the item's
    // (lower-cased) search text. A trigram FTS match is implied by it, so both plans list the same items.
    for (const term of query.searchTerms) conditions.push(sql`instr(${items.searchText}, ${term}) > 0`);
  }
  if (query.usage !== undefined) {
    const org = viewerOrg(viewer);
    if (!org) throw new Error("a usage filter needs an org viewer");
    if (query.usage === "unused") conditions.push(sql`not exists (select 1 ${usageRowsOf(org)})`);
    else {
      conditions.push(drivesHere("usage") ? usedBy(org) : sql`exists (select 1 ${usageRowsOf(org)})`);
      if (query.usage === "notOnLatest") conditions.push(offLatest(org));
    }
  }
  return conditions;
}


/**
 * An ORDER BY term. Drivers that find a handful of rows (one name, the search matches, the org's used
 * packages) sort them; `+` keeps SQLite from walking a sort index instead. The others walk an index
 * that is already in sort order.
 */
export function orderTerm(column: unknown, driver: Driver, ascending: boolean): SQL {
  const term = driver === "name" || driver === "search" || driver === "usage" ? sql`+${column}` : sql`${column}`;
  return ascending ? asc(term) : desc(term);
}

export function keyset(columns: readonly unknown[], after: Position, ascending: boolean): SQL {
  const left = sql.join(columns.map((c) => sql`${c}`), sql`, `);
  const right = sql.join(after.map((v) => sql`${v}`), sql`, `);
  return ascending ? sql`(${left}) > (${right})` : sql`(${left}) < (${right})`;
}

export function pageOf<R extends Parameters<typeof entryOf>[0]>(rows: R[], limit: number) {
  const page = rows.slice(0, limit);
  return { page, more: rows.length > limit, entries: page.map(entryOf) };
}


/** One way to answer a list query: which index drives, and for a search walk its gate and row budget. */
export interface Walk {
  driver: Driver;
  /** See filterConditions: null (nothing read) unless this walk is the one that answers. */
  kindValue?: SQL;
  /** At most this many rows of the walk are tested; a page that does not fill ends at the last of them. */
  budget?: number;
}

/**
 * The walks that answer a query, in one batch; at most one of them returns rows. Without a search, the
 * driving filter's walk. With a search (unless one name drives: a handful of rows), the FTS matches
 * sorted when they are few, else a budgeted walk of the next driver's index.
 */
export function walksFor(query: ListQuery, viewer: Viewer): Walk[] {
  const driver = drivingFilter(query);
  if (!query.searchTerms?.length || driver === "name") return [{ driver }];
  const match = ftsQuery(query.searchTerms);
  if (!match) return [{ driver, budget: walkBudget(query.limit) }];
  const broad = sql`case when ${matchCount(match, fewSearchMatches(query.limit), query, viewer)} > ${fewSearchMatches(query.limit)} then ${query.kind} end`;
  return [{ driver: "search" }, { driver, kindValue: broad, budget: walkBudget(query.limit) }];
}

/** The answer of the first walk that found anything; an empty page when none did. */
export function firstAnswer(plans: Array<ReadPlan<ListResult>>): ReadPlan<ListResult> {
  return {
    statements: plans.flatMap((p) => p.statements),
    finish(results) {
      let at = 0;
      for (const plan of plans) {
        const answer = plan.finish(results.slice(at, (at += plan.statements.length)));
        if (answer.entries.length || answer.next) return answer;
      }
      return { entries: [] };
    },
  };
}


export function walkPlan(db: Database, query: ListQuery, viewer: Viewer, { driver, kindValue, budget }: Walk): ReadPlan<ListResult> {
  const byTime = query.sort === "createdAt";
  const columns =
    query.sort === "name"
      ? [items.canonicalName, items.source, items.publisher]
      : query.sort === "publisher"
        ? [items.publisher, items.source, items.canonicalName]
        : // createdAt walks latest_history as of the walk's start, so a moving latest keeps its place.
          [latestHistory.latestCreatedAt, latestHistory.source, latestHistory.publisher, latestHistory.canonicalName];
  const conditions = filterConditions(query, viewer, driver, byTime, kindValue);
  // A budgeted walk's rows before the search test: the budget counts these.
  const walked = budget ? filterConditions({ ...query, searchTerms: undefined }, viewer, driver, byTime, kindValue) : [];
  let after = query.after;
  let asOf = Date.now();
  if (byTime && after) {
    // A createdAt position starts with the walk's snapshot time.
    if (typeof after[0] !== "number") throw new Error("continuation position does not fit the sort");
    asOf = after[0];
    after = after.slice(1);
  }
  const shared: SQL[] = [];
  if (after) {
    if (after.length !== columns.length) throw new Error("continuation position does not fit the sort");
    shared.push(keyset(columns, after, query.asc));
  }
  if (byTime) shared.push(lte(latestHistory.validFrom, asOf), or(isNull(latestHistory.validTo), gt(latestHistory.validTo, asOf))!);
  conditions.push(...shared);
  const order = columns.map((c) => orderTerm(c, driver, query.asc));
  const walkedAt = byTime ? latestHistory.latestCreatedAt : items.latestCreatedAt;
  // A budgeted walk (a search): at most `budget` rows of the walk, in order, each with its search test;
  // the page is the first limit + 1 that pass. A separate statement reads the key of the budget-th row
  // (none when the walk ends sooner): a page that does not fill continues after it.
  const keyColumns = Object.fromEntries(columns.map((c, n) => [`k${n}`, sql<string>`${c}`.as(`k${n}`)]));
  const walkFrom = <S extends Record<string, unknown>>(selection: S) =>
    (byTime ? db.select(selection as never).from(latestHistory).innerJoin(items, eq(items.id, latestHistory.itemId)) : db.select(selection as never).from(items)).$dynamic();
  const windowEnd = budget
    ? walkFrom(keyColumns)
        .where(and(...walked, ...shared))
        .orderBy(...order)
        .limit(1)
        .offset(budget - 1)
    : undefined;
  let statement;
  if (budget) {
    const tests = (query.searchTerms ?? []).map((term) => sql`instr(${items.searchText}, ${term}) > 0`);
    const window = walkFrom({ rid: sql<number>`${items}.rowid`.as("rid"), hit: sql<number>`(${and(...tests)})`.as("hit"), ...keyColumns })
      .where(and(...walked, ...shared))
      .orderBy(...order)
      .limit(budget)
      .as("w");
    const w = window as unknown as Record<string, SQL.Aliased<string>>;
    const keys = columns.map((_, n) => w[`k${n}`]!);
    statement = db
      .select({ ...entryColumns, walk: { createdAt: sql<string | null>`${byTime ? keys[0] : items.latestCreatedAt}`.as("walk_created_at") } })
      .from(window)
      .innerJoin(items, sql`${items}.rowid = ${w.rid}`)
      .leftJoin(versions, eq(versions.id, items.latestVersionId))
      .leftJoin(orgs, eq(orgs.login, items.publisher))
      .where(sql`${w.hit} = 1`)
      .orderBy(...keys.map((k) => (query.asc ? asc(k) : desc(k))))
      .limit(query.limit + 1);
  } else {
    const selection = { ...entryColumns, walk: { createdAt: sql<string | null>`${walkedAt}`.as("walk_created_at") } };
    const from = byTime
      ? db.select(selection).from(latestHistory).innerJoin(items, eq(items.id, latestHistory.itemId)).$dynamic()
      : db.select(selection).from(items).$dynamic();
    statement = from
      .leftJoin(versions, eq(versions.id, items.latestVersionId))
      .leftJoin(orgs, eq(orgs.login, items.publisher))
      .where(and(...conditions))
      .orderBy(...order)
      .limit(query.limit + 1);
  }
  return {
    statements: windowEnd ? [statement, windowEnd] : [statement],
    finish([rows, ends]) {
      const { page, more, entries } = pageOf(rows as Awaited<typeof statement>, query.limit);
      const last = page[page.length - 1];
      // A full budget and a page that did not fill: the next page starts after the budget's last row.
      const end = (ends as Array<Record<string, string>> | undefined)?.[0];
      if (!more && end) {
        const position = columns.map((_, n) => end[`k${n}`] ?? null);
        return { entries, next: byTime ? [asOf, ...position] : position };
      }
      if (!more || !last) return { entries };
      const i = last.item;
      const next: Position =
        query.sort === "name"
          ? [i.canonicalName, i.source, i.publisher]
          : query.sort === "publisher"
            ? [i.publisher, i.source, i.canonicalName]
            : [asOf, last.walk.createdAt, i.source, i.publisher, i.canonicalName];
      return { entries, next };
    },
  };
}


// Catalog reads from D1: one item at one version, and keyset-paginated listings at each item's latest.
// Reads never touch the Durable Object. Each read is built as statements plus a `finish` step, so a
// caller can batch it with the token lookup (one D1 round trip); see docs/listing-indexes.md for
// which index drives which filter and sort.
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { hasPackageType, items, latestHistory, orgs, stackUsage, tokens, versions, webSessions, type ItemRow, type PackageType, type VersionRow } from "../db/schema";
import type { Caller, Visibility } from "../identity/rights";
import type { Position } from "./continuation";
import type { Kind } from "./kind";

export interface CatalogEntry {
  item: ItemRow;
  /** Null only for VCS-backed templates, which have no versions. */
  version: VersionRow | null;
  publisherDisplayName: string | null;
}

/**
 * Who is reading, as far as SQL needs to know. `token` is a caller whose token is looked up in the same
 * batch: the query names its org by the token's hash, and the result is thrown away unless the token
 * turns out to be valid.
 */
export type Viewer = { kind: "anonymous" } | { kind: "org"; org: string } | { kind: "token"; hash: string } | SessionViewer;

/**
 * A browser session (src/web/session.ts) read by the SHA-256 of its id: the query names the session's org
 * only while the session and its token are live at `now` (ISO), so a page's reads need not wait for the
 * session lookup, and a revoked token's session reads as anonymous.
 */
export type SessionViewer = { kind: "session"; idHash: string; now: string };

export type SortField = "name" | "publisher" | "createdAt" | "usageTotal";
export type UsageFilter = "used" | "unused" | "notOnLatest";

export interface ListQuery {
  kind: Kind;
  canonicalName?: string;
  publisher?: string;
  orgLogin?: string;
  visibility?: Visibility;
  packageType?: PackageType;
  /** A package category (`cloud`, `database`, …): one per package, so plain indexes led by it. */
  category?: string;
  /** Lower-cased terms; each must be a substring of the item's search text. */
  searchTerms?: string[];
  /** The viewer's org's usage; needs an org viewer. */
  usage?: UsageFilter;
  backings: Array<"registry" | "vcs">;
  sort: SortField;
  asc: boolean;
  limit: number;
  after?: Position;
}

/** A read as D1 statements plus what turns their results into the answer; run alone or in a batch. */
export interface ReadPlan<T> {
  // drizzle's batchable queries; typed loosely so plans of different shapes compose.
  statements: BatchStatement[];
  finish(results: unknown[]): T;
}
export type BatchStatement = Parameters<Database["batch"]>[0][number];

export async function runPlan<T>(db: Database, plan: ReadPlan<T>): Promise<T> {
  if (plan.statements.length === 0) return plan.finish([]);
  const results = plan.statements.length === 1 ? [await plan.statements[0]!] : await db.batch(plan.statements as [BatchStatement, ...BatchStatement[]]);
  return plan.finish(results as unknown[]);
}

/** Several reads in one D1 batch (one round trip), each finished from its own statements' results. */
export async function runPlans<T extends readonly unknown[]>(db: Database, plans: { [K in keyof T]: ReadPlan<T[K]> }): Promise<T> {
  const all = plans as unknown as Array<ReadPlan<unknown>>;
  const statements = all.flatMap((p) => p.statements);
  const results: unknown[] = statements.length === 0 ? [] : statements.length === 1 ? [await statements[0]!] : await db.batch(statements as [BatchStatement, ...BatchStatement[]]);
  let at = 0;
  return all.map((p) => {
    const mine = results.slice(at, at + p.statements.length);
    at += p.statements.length;
    return p.finish(mine);
  }) as unknown as T;
}

/** The viewer's org as SQL: a literal, or the org of the token being looked up alongside. */
export function viewerOrg(viewer: Viewer): SQL | undefined {
  if (viewer.kind === "org") return sql`${viewer.org}`;
  if (viewer.kind === "token") return sql`(select ${tokens.orgLogin} from ${tokens} where ${tokens.tokenHash} = ${viewer.hash})`;
  if (viewer.kind === "session") {
    const now = viewer.now;
    return sql`(select ${tokens.orgLogin} from ${webSessions} join ${tokens} on ${tokens.id} = ${webSessions.tokenId} where ${webSessions.idHash} = ${viewer.idHash} and ${webSessions.expiresAt} > ${now} and ${tokens.revokedAt} is null and (${tokens.expiresAt} is null or ${tokens.expiresAt} > ${now}))`;
  }
  return undefined;
}

// `+column` is SQLite's way to keep a term from choosing the index: only the driving filter may.
const indexed = (column: unknown, use: boolean): SQL => (use ? sql`${column}` : sql`+${column}`);

function visibleTo(viewer: Viewer, from: { visibility: unknown; ownerOrg: unknown } = items): SQL {
  const org = viewerOrg(viewer);
  const pub = sql`${indexed(from.visibility, false)} = 'public'`;
  return org ? sql`(${pub} or ${indexed(from.ownerOrg, false)} = ${org})` : pub;
}

/** AND of literal substrings: each term becomes a quoted FTS5 phrase (quotes doubled), never query syntax. */
export function ftsQuery(terms: readonly string[]): string | undefined {
  const long = terms.filter((t) => [...t].length >= 3);
  return long.length ? long.map((t) => `"${t.replaceAll('"', '""')}"`).join(" ") : undefined;
}

const usedBy = (org: SQL) =>
  sql`(${items.source}, ${items.publisher}, ${items.canonicalName}) in (select ${stackUsage.source}, ${stackUsage.publisher}, ${stackUsage.canonicalName} from ${stackUsage} where ${stackUsage.orgLogin} = ${org})`;
const usageRowsOf = (org: SQL) =>
  sql`from ${stackUsage} where ${stackUsage.orgLogin} = ${org} and ${stackUsage.source} = ${items.source} and ${stackUsage.publisher} = ${items.publisher} and ${stackUsage.canonicalName} = ${items.canonicalName}`;
/** Some stack of the org reports a version other than the current latest (or none it can resolve). */
const offLatest = (org: SQL) =>
  sql`exists (select 1 ${usageRowsOf(org)} and ${stackUsage.precedenceKey} is not (select ${versions.precedenceKey} from ${versions} where ${versions.id} = ${items.latestVersionId}))`;

type Driver = "name" | "publisher" | "orgLogin" | "search" | "usage" | "category" | "packageType" | "visibility" | "backing" | "sort";

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
 * The version's columns under their own names: D1's batch answers rows as objects, so two columns both
 * called `id` (items and versions) would collapse into one.
 */
const versionColumns = Object.fromEntries(
  Object.entries(getTableColumns(versions)).map(([field, column]) => [field, sql`${column}`.mapWith(column).as(`version_${column.name}`)]),
) as { [K in keyof VersionRow]: SQL.Aliased<VersionRow[K]> };

const entryColumns = { item: items, version: versionColumns, publisherDisplayName: orgs.displayName };

/** A left-joined version that is absent comes back as an object of nulls. */
function entryOf(row: { item: ItemRow; version: { [K in keyof VersionRow]: VersionRow[K] | null }; publisherDisplayName: string | null }): CatalogEntry {
  return { item: row.item, version: row.version.id === null ? null : (row.version as VersionRow), publisherDisplayName: row.publisherDisplayName };
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
function filterConditions(query: ListQuery, viewer: Viewer, driver: Driver, onHistory: boolean, kindValue: SQL = sql`${query.kind}`): SQL[] {
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
function orderTerm(column: unknown, driver: Driver, ascending: boolean): SQL {
  const term = driver === "name" || driver === "search" || driver === "usage" ? sql`+${column}` : sql`${column}`;
  return ascending ? asc(term) : desc(term);
}

function keyset(columns: readonly unknown[], after: Position, ascending: boolean): SQL {
  const left = sql.join(columns.map((c) => sql`${c}`), sql`, `);
  const right = sql.join(after.map((v) => sql`${v}`), sql`, `);
  return ascending ? sql`(${left}) > (${right})` : sql`(${left}) < (${right})`;
}

function pageOf<R extends Parameters<typeof entryOf>[0]>(rows: R[], limit: number) {
  const page = rows.slice(0, limit);
  return { page, more: rows.length > limit, entries: page.map(entryOf) };
}

export type ListResult = { entries: CatalogEntry[]; next?: Position };

/** One way to answer a list query: which index drives, and for a search walk its gate and row budget. */
interface Walk {
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
function walksFor(query: ListQuery, viewer: Viewer): Walk[] {
  const driver = drivingFilter(query);
  if (!query.searchTerms?.length || driver === "name") return [{ driver }];
  const match = ftsQuery(query.searchTerms);
  if (!match) return [{ driver, budget: walkBudget(query.limit) }];
  const broad = sql`case when ${matchCount(match, fewSearchMatches(query.limit), query, viewer)} > ${fewSearchMatches(query.limit)} then ${query.kind} end`;
  return [{ driver: "search" }, { driver, kindValue: broad, budget: walkBudget(query.limit) }];
}

/** The answer of the first walk that found anything; an empty page when none did. */
function firstAnswer(plans: Array<ReadPlan<ListResult>>): ReadPlan<ListResult> {
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

export function listPlan(db: Database, query: ListQuery, viewer: Viewer): ReadPlan<ListResult> {
  if (!query.backings.length) return { statements: [], finish: () => ({ entries: [] }) };
  if (query.sort === "usageTotal") return usageTotalPlan(db, query, viewer);
  return firstAnswer(walksFor(query, viewer).map((walk) => walkPlan(db, query, viewer, walk)));
}

function walkPlan(db: Database, query: ListQuery, viewer: Viewer, { driver, kindValue, budget }: Walk): ReadPlan<ListResult> {
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

/**
 * sort=usageTotal: the org's used packages by stack count (read from the org's own usage rows, bounded
 * by what it reported), then every other package by name, both in the sort's direction. Both halves are
 * asked for in one batch; a position names its half (1 used, 2 unused).
 */
function usageTotalPlan(db: Database, query: ListQuery, viewer: Viewer): ReadPlan<ListResult> {
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

/** A package a schema's cross-package reference may mean, with its latest version and those of `wanted` that are live. */
export interface ReferencedPackage {
  item: ItemRow;
  latest: string | null;
  live: Array<{ version: string; precedenceKey: string }>;
}

/**
 * The packages that cross-package references by bare name (`/kubernetes/v4.0.0/schema.json#…`) may mean,
 * in one D1 round trip whatever their number: by canonical name, only under the referencing package's
 * own publisher (on its source, or `private`: both the org's own), under pulumi/pulumi, or on source pulumi under a publisher named like the
 * package (`pulumi/kubernetes/kubernetes`); publishers are org logins, which only the operator creates,
 * so no org can take a reference by publishing a same-named package under its own name. Each comes
 * with its latest version and any of `wanted` (precedence keys) that is live. Callers keep `names` and
 * `wanted` to a few dozen each (D1 binds at most 100 values).
 */
export async function referencedPackages(
  db: Database,
  names: readonly string[],
  home: { source: string; publisher: string },
  wanted: readonly string[],
  viewer: Viewer,
): Promise<ReferencedPackage[]> {
  if (!names.length) return [];
  const where = and(
    eq(items.kind, "package"),
    inArray(items.canonicalName, [...names]),
    or(
      and(inArray(items.source, [home.source, "private"]), eq(items.publisher, home.publisher)),
      and(eq(items.source, "pulumi"), eq(items.publisher, "pulumi")),
      and(eq(items.source, "pulumi"), eq(items.publisher, items.name)),
    ),
    visibleTo(viewer),
  );
  const found = db.select({ item: items, latest: versions.version }).from(items).leftJoin(versions, eq(versions.id, items.latestVersionId)).where(where);
  const pinned = db
    .select({ itemId: versions.itemId, version: versions.version, precedenceKey: versions.precedenceKey })
    .from(versions)
    .innerJoin(items, eq(items.id, versions.itemId))
    .where(and(where, inArray(versions.precedenceKey, wanted.length ? [...wanted] : [""]), eq(versions.retired, false)));
  const [rows, live] = await db.batch([found, pinned]);
  return rows.map((r) => ({ item: r.item, latest: r.latest, live: live.filter((v) => v.itemId === r.item.id) }));
}

export async function findItem(db: Database, kind: Kind, source: string, publisher: string, canonicalName: string): Promise<ItemRow | undefined> {
  return db
    .select()
    .from(items)
    .where(and(eq(items.kind, kind), eq(items.source, source), eq(items.publisher, publisher), eq(items.canonicalName, canonicalName)))
    .get();
}

/**
 * The spelling a publisher already has on this kind and source when `publisher` differs from it only
 * in case: publishers, like org logins, are unique ignoring case.
 */
export async function otherPublisherSpelling(db: Database, kind: Kind, source: string, publisher: string): Promise<string | undefined> {
  // Two range seeks on items_publisher_nocase (spellings sorting below, then above): `<>` would read
  // every item of the publisher.
  const spelled = (other: SQL) =>
    db
      .select({ publisher: items.publisher })
      .from(items)
      .where(and(eq(items.kind, kind), eq(items.source, source), sql`lower(${items.publisher}) = lower(${publisher})`, other))
      .limit(1);
  const [below, above] = await db.batch([spelled(lt(items.publisher, publisher)), spelled(gt(items.publisher, publisher))]);
  return (below[0] ?? above[0])?.publisher;
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

export interface LiveVersion {
  version: string;
  prerelease: boolean;
  createdAt: string;
  /** The version itself is deprecated (a whole-item deprecation is the item's, not in here). */
  deprecated: boolean;
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

/** One page of `listPlan` run on its own (the web pages, which have the caller already). */
export function listLatest(db: Database, query: ListQuery, viewer: Viewer): Promise<ListResult> {
  return runPlan(db, listPlan(db, query, viewer));
}

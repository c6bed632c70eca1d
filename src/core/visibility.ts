// The one visibility rule, twice: as a pure function of (viewer, item) and as the SQL predicate every
// catalog read filters on. test/workers/visibility-rule.test.ts runs both over a matrix and asserts they agree.
import { sql, type SQL } from "drizzle-orm";
import { items, tokens, webSessions } from "../db/schema";
import type { ResolvedViewer, Viewer } from "./vocabulary/viewer";

export type Visibility = "public" | "private";

/** Items on the `private` source are private to their owning org; every other source is public. */
export function visibilityForSource(source: string): Visibility {
  return source === "private" ? "private" : "public";
}

/** The rule: a public item is everyone's; a private one only its owning org's. */
export function canSee(viewer: ResolvedViewer, item: { visibility: Visibility; ownerOrg: string }): boolean {
  return item.visibility === "public" || (viewer.kind === "org" && viewer.org === item.ownerOrg);
}

/** The viewer's org as SQL: a literal, or the org of the token (or session) being looked up alongside. */
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
export const indexed = (column: unknown, use: boolean): SQL => (use ? sql`${column}` : sql`+${column}`);

/** `canSee` as a predicate on the rows of `from` (items by default). */
export function visibleTo(viewer: Viewer, from: { visibility: unknown; ownerOrg: unknown } = items): SQL {
  const org = viewerOrg(viewer);
  const pub = sql`${indexed(from.visibility, false)} = 'public'`;
  return org ? sql`(${pub} or ${indexed(from.ownerOrg, false)} = ${org})` : pub;
}

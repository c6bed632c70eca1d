// The one visibility rule: the pure function (canSee) and its SQL predicate (visibleTo) agree on every
// viewer × item of a matrix, on the real D1.
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { items } from "../../src/db/schema";
import { hashToken } from "../../src/identity/tokens";
import { canSee, visibleTo, type Visibility } from "../../src/core/visibility";
import type { ResolvedViewer, Viewer } from "../../src/core/vocabulary/viewer";
import { createToken, orgWithTokens } from "./helpers";

interface MatrixItem {
  id: string;
  kind: string;
  source: string;
  ownerOrg: string;
  visibility: Visibility;
}

// Every combination of visibility, owner and kind (an unregistered kind too: the rule does not look at it).
const ITEMS: MatrixItem[] = ["public", "private"].flatMap((visibility) =>
  ["acme", "other", "nobody"].flatMap((ownerOrg) =>
    ["package", "template", "policypack"].map((kind) => ({
      id: `vis-${visibility}-${ownerOrg}-${kind}`,
      kind,
      source: visibility === "private" ? "private" : "pulumi",
      ownerOrg,
      visibility: visibility as Visibility,
    })),
  ),
);

/** Each viewer as SQL sees it, and as the pure rule sees it once the caller is known. */
let viewers: Array<{ name: string; sql: Viewer; resolved: ResolvedViewer }>;

beforeAll(async () => {
  await orgWithTokens("acme");
  await orgWithTokens("other");
  const acmeToken = await createToken("acme", "reader");
  const db = database(env.DB);
  // One row per statement: D1 binds at most 100 values per statement.
  for (const i of ITEMS) await db.insert(items).values({ ...i, publisher: i.ownerOrg, name: i.id, canonicalName: i.id, createdAt: "2026-01-01T00:00:00.000Z" });
  viewers = [
    { name: "anonymous", sql: { kind: "anonymous" }, resolved: { kind: "anonymous" } },
    { name: "org acme", sql: { kind: "org", org: "acme" }, resolved: { kind: "org", org: "acme" } },
    { name: "org other", sql: { kind: "org", org: "other" }, resolved: { kind: "org", org: "other" } },
    { name: "org without items", sql: { kind: "org", org: "empty" }, resolved: { kind: "org", org: "empty" } },
    // A token looked up in the same batch: the query names its org by the hash.
    { name: "acme's token", sql: { kind: "token", hash: await hashToken(acmeToken.token) }, resolved: { kind: "org", org: "acme" } },
    // An unknown token names no org: it sees what anonymous sees (and the request is a 401 anyway).
    { name: "unknown token", sql: { kind: "token", hash: "0".repeat(64) }, resolved: { kind: "anonymous" } },
    // A session that does not exist reads as anonymous.
    { name: "unknown session", sql: { kind: "session", idHash: "0".repeat(64), now: new Date().toISOString() }, resolved: { kind: "anonymous" } },
  ];
});

describe("visibility: one rule, as a function and as SQL", () => {
  it("the SQL predicate and canSee agree on every viewer × item", async () => {
    const db = database(env.DB);
    const disagreements: string[] = [];
    let visibleCount = 0;
    for (const viewer of viewers) {
      for (const item of ITEMS) {
        const row = await db
          .select({ id: items.id })
          .from(items)
          .where(and(eq(items.id, item.id), visibleTo(viewer.sql)))
          .get();
        const bySql = row !== undefined;
        const byRule = canSee(viewer.resolved, item);
        if (byRule) visibleCount++;
        if (bySql !== byRule) disagreements.push(`${viewer.name} × ${item.id}: sql ${bySql}, rule ${byRule}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Not vacuous: some pairs are visible and some are not.
    expect(visibleCount).toBeGreaterThan(0);
    expect(visibleCount).toBeLessThan(viewers.length * ITEMS.length);
  });

  it("a private item is its owner's alone; a public one everyone's", () => {
    const item = { visibility: "private" as const, ownerOrg: "acme" };
    expect(canSee({ kind: "org", org: "acme" }, item)).toBe(true);
    expect(canSee({ kind: "org", org: "other" }, item)).toBe(false);
    expect(canSee({ kind: "anonymous" }, item)).toBe(false);
    expect(canSee({ kind: "anonymous" }, { ...item, visibility: "public" })).toBe(true);
  });
});

// Item lookups that are not a viewer's read: by identity (the coordinator's checks), another spelling of a
// publisher, and the packages a schema's cross-package references may mean.
import { and, eq, gt, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { items, versions, type ItemRow } from "../../db/schema";
import type { Kind } from "../vocabulary/identity";
import type { Viewer } from "../vocabulary/viewer";
import { visibleTo } from "../visibility";

/** A package a schema's cross-package reference may mean, with its latest version and those of `wanted` that are live. */
export interface ReferencedPackage {
  item: ItemRow;
  latest: string | null;
  live: Array<{ version: string; precedenceKey: string }>;
}

/**
 * The packages that cross-package references by bare name (`/kubernetes/v4.0.0/schema.json#…`) may mean,
 * in one D1 round trip whatever their number: by canonical name, only under the referencing package's
 * own publisher (on its source, or `private`) AND owned by the referencing package's owner org, under
 * pulumi/pulumi, or on source pulumi under a publisher named like the package (`pulumi/kubernetes/kubernetes`).
 * On `pulumi` and `private` the publisher is the owner org's login, which only the operator creates; on
 * the shared `opentofu` namespace a publisher (`hashicorp`) holds names of several orgs (the first org to
 * publish a name owns it), so the owner check is what keeps org B's `opentofu/hashicorp/x` from capturing
 * org A's references to `x`. Each comes with its latest version and any of `wanted` (precedence keys)
 * that is live. Callers keep `names` and `wanted` to a few dozen each (D1 binds at most 100 values).
 */
export async function referencedPackages(
  db: Database,
  names: readonly string[],
  home: { source: string; publisher: string; ownerOrg: string },
  wanted: readonly string[],
  viewer: Viewer,
): Promise<ReferencedPackage[]> {
  if (!names.length) return [];
  const where = and(
    eq(items.kind, "package"),
    inArray(items.canonicalName, [...names]),
    or(
      and(inArray(items.source, [home.source, "private"]), eq(items.publisher, home.publisher), eq(items.ownerOrg, home.ownerOrg)),
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


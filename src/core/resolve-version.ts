// The one read of "this version, as this viewer may see it": every API get and download, the docs routes,
// the pages and the write services find a version here. It is where a second source of versions (a
// mirror of another registry) plugs in: behind this function, beside the local catalog.
import type { Database } from "../db/client";
import type { ItemRow, VersionRow } from "../db/schema";
import { badRequest } from "../http/api-error";
import { entryPlan, versionsPlan } from "./catalog/entries";
import type { AnyKind } from "./kind";
import { versionNotFound } from "./identity-parsing";
import type { Visibility } from "./visibility";
import type { CatalogEntry, LiveVersion } from "./vocabulary/catalog-entry";
import type { Deprecation } from "./vocabulary/deprecation";
import type { Identity } from "./vocabulary/identity";
import { joinPlans, runPlan, type ReadPlan } from "./vocabulary/read-plan";
import type { ParsedVersion } from "./vocabulary/versions";
import type { Viewer } from "./vocabulary/viewer";

export interface ResolvedVersion {
  entry: CatalogEntry;
  item: ItemRow;
  /** Null only for a VCS-backed template asked for `latest`: it has no versions. */
  version: VersionRow | null;
  visibility: Visibility;
  /** The deprecation in force: the whole item's, else the version's own. */
  deprecation: Deprecation | null;
}

export interface VersionQuery {
  identity: Identity;
  version: ParsedVersion | "latest";
}

/**
 * How a caller's reads run: the plan is built for the viewer the reader knows (a token or session looked
 * up in the same D1 batch, or a caller already known) and run in one round trip.
 */
export type ScopedReader = <T>(build: (viewer: Viewer, db: Database) => ReadPlan<T>) => Promise<T>;

/** A reader for a viewer already known. */
export function readerFor(db: Database, viewer: Viewer): ScopedReader {
  return (build) => runPlan(db, build(viewer, db));
}

/** The deprecation in force for an entry: a whole-item deprecation applies to every version and wins. */
export function deprecationOf(entry: CatalogEntry): Deprecation | null {
  const raw = entry.item.deprecation ?? entry.version?.deprecation;
  return raw ? (JSON.parse(raw) as Deprecation) : null;
}

function resolved(entry: CatalogEntry | null): ResolvedVersion | null {
  if (!entry) return null;
  return { entry, item: entry.item, version: entry.version, visibility: entry.item.visibility, deprecation: deprecationOf(entry) };
}

/**
 * The version `query` names if the viewer may see it (absent and invisible are the same null), and with
 * `withVersions` every live version of the item, newest first, read in the same batch.
 */
export async function resolveVersion(read: ScopedReader, query: VersionQuery, options: { withVersions?: boolean } = {}): Promise<{ resolved: ResolvedVersion | null; versions: LiveVersion[] }> {
  const key = { ...query.identity, version: query.version === "latest" ? ("latest" as const) : { precedenceKey: query.version.precedenceKey } };
  const [entry, versions] = await read((viewer, db) =>
    joinPlans<[CatalogEntry | null, LiveVersion[]]>([entryPlan(db, key, viewer), options.withVersions ? versionsPlan(db, query.identity, viewer) : { statements: [], finish: () => [] }]),
  );
  return { resolved: resolved(entry), versions };
}

/**
 * resolveVersion for a route that needs the version (`resolve`: resolveVersion with a second source behind
 * it, such as the mirror's pull-through): a 404 when absent or invisible, and a 400 when a
 * VCS-backed item (no versions) is asked for a specific version.
 */
export async function requireVersionOf(kind: AnyKind, read: ScopedReader, query: VersionQuery, options: { withVersions?: boolean } = {}, resolve: typeof resolveVersion = resolveVersion) {
  const found = await resolve(read, query, options);
  const shown = query.version === "latest" ? "latest" : query.version.raw;
  if (!found.resolved) throw versionNotFound(query.identity, shown);
  if (!found.resolved.version && query.version !== "latest") {
    const { source, publisher, name } = query.identity;
    throw badRequest(`${kind.noun} '${source}/${publisher}/${name}' is VCS-backed and has no versions; ask for 'latest'`);
  }
  return { resolved: found.resolved, versions: found.versions };
}

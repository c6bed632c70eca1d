// A list query as the planner takes it: the kind, its filters (parsed by the kind's descriptor), sort and page.
import type { PackageType } from "../../db/schema";
import type { Visibility } from "../visibility";
import type { Position } from "../continuation";
import type { CatalogEntry } from "../vocabulary/catalog-entry";
import type { Kind } from "../vocabulary/identity";

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


/** A kind's list filters: everything of a query but the kind and the page. */
export type ListFilters = Omit<ListQuery, "kind" | "limit" | "after">;

export type ListResult = { entries: CatalogEntry[]; next?: Position };

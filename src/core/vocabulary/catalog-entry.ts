// What a catalog read answers: an item at one version, and the short form of a live version.
import type { ItemRow, VersionRow } from "../../db/schema";

export interface CatalogEntry {
  item: ItemRow;
  /** Null only for VCS-backed templates, which have no versions. */
  version: VersionRow | null;
  publisherDisplayName: string | null;
}

export interface LiveVersion {
  version: string;
  prerelease: boolean;
  createdAt: string;
  /** The version itself is deprecated (a whole-item deprecation is the item's, not in here). */
  deprecated: boolean;
}

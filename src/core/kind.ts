// What differs between packages and templates, as a small descriptor the shared registry core is driven by.
import type { Limits } from "./vocabulary/limits";
import type { CatalogEntry } from "./vocabulary/catalog-entry";

export type Kind = "package" | "template";

/** `{key: value}` when the value is known, else nothing: optional view fields are omitted, never null or "". */
export function present<K extends string, V>(key: K, value: V | undefined | null | ""): Partial<Record<K, V>> {
  return value === undefined || value === null || value === "" ? {} : ({ [key]: value } as Record<K, V>);
}

export interface ArtifactSlot {
  /** Upload slot name, as it appears in `uploadURLs`. */
  name: string;
  required: boolean;
  maxBytes(limits: Limits): number;
  contentType: string;
}

export interface DownloadRoute {
  /** URL suffix after `/versions/{version}/`. */
  path: string;
  /** Key in the version's artifact map. */
  artifact: string;
  contentType: string;
}

export interface InspectInput {
  bucket: R2Bucket;
  identity: { source: string; publisher: string; name: string; version: string };
  /** Promoted (immutable) artifact keys by slot, for the slots that were uploaded. */
  artifacts: Record<string, string>;
  /** Prefix under which an inspection may write derived artifacts (e.g. a template's README). */
  prefix: string;
  limits: Limits;
}

export interface Inspection {
  metadata: Record<string, unknown>;
  /** Derived artifacts written under the prefix, by name; merged into the version's artifact map. */
  derived?: Record<string, string>;
  /** Lower-cased text that list `search` matches. */
  searchText?: string;
  /** What list `packageType` matches (packages). */
  packageTypes?: readonly string[];
}

export interface ViewContext {
  origin: string;
  /** Stable gateway URL of one of the version's artifacts (§4). */
  artifactUrl(path: string): string;
}

export interface RegistryKind {
  kind: Kind;
  noun: "package" | "template";
  collection: "packages" | "templates";
  knownSources: readonly string[];
  publishSources: readonly string[];
  slots: readonly ArtifactSlot[];
  downloads: readonly DownloadRoute[];
  /** Reads the promoted artifacts; throws a 400 ApiError when they are not acceptable. */
  inspect(input: InspectInput): Promise<Inspection>;
  view(entry: CatalogEntry, context: ViewContext): Record<string, unknown>;
}

// A kind descriptor: everything that differs between the kinds of item (packages, templates, …) in one
// object per kind, which the core services and the registry API adapters are driven by. See
// docs/architecture.md "Where to add a new kind".
import type { z } from "zod";
import type { Caller } from "../identity/rights";
import type { ListFilters } from "./catalog/list-query";
import type { CatalogEntry } from "./vocabulary/catalog-entry";
import type { CoreContext } from "./vocabulary/core-context";
import type { Identity, Kind } from "./vocabulary/identity";
import type { Limits } from "./vocabulary/limits";

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
  /** The kind's start extension as validated at start (`RegistryKind.startExtension`), if it has one. */
  start?: unknown;
}

export interface Inspection {
  metadata: Record<string, unknown>;
  /** Derived artifacts written under the prefix, by name; merged into the version's artifact map. */
  derived?: Record<string, string>;
  /** Lower-cased text that list `search` matches. */
  searchText?: string;
  /** What list `packageType` matches (packages). */
  packageTypes?: readonly string[];
  /**
   * Durable jobs (src/jobs/) to start for the new version, created in the commit's batch and sent after it
   * (their subject is the version id): e.g. the docs derivation, which complete no longer waits for.
   */
  jobs?: readonly string[];
  /** The version's docs status as committed (`pending` while a job derives them). */
  docsStatus?: "pending";
}

export interface ViewContext {
  origin: string;
  /** Who the view is rendered for, when the adapter knows (API answers do; pages render for anyone). */
  caller?: Caller;
  /** Stable gateway URL of one of the version's artifacts (§4). */
  artifactUrl(path: string): string;
}

/** The path segments of a registry route, undecoded (as the router hands them over). */
export interface RouteParams {
  source?: string;
  publisher?: string;
  name?: string;
  version?: string;
}

/** Adds fields to the views of a page of entries (e.g. usage statistics for an org caller). */
export type Decorator<View> = (view: View, entry: CatalogEntry) => void;

export interface RegistryKind<View extends object = Record<string, unknown>> {
  /** Stored in D1's `kind` columns and prefixed to event types and audit actions (`${kind}.published`). */
  kind: Kind;
  /** For messages: `package`, `template`, `policy pack`. */
  noun: string;
  /** The collection segment of its registry routes (`/api/registry/{collection}/…`) and its list field. */
  collection: string;
  knownSources: readonly string[];
  publishSources: readonly string[];
  slots: readonly ArtifactSlot[];
  downloads: readonly DownloadRoute[];
  /** Route pattern of the name segment: `:name+` when names have several segments (VCS templates). */
  namePattern: ":name" | ":name+";
  /** Path segments → identity (400/404 on bad input). */
  identity(params: RouteParams): Identity;
  /** Parses the kind's list filters from the query string (400 on bad values). */
  listFilters(query: URLSearchParams): ListFilters;
  /** Deleting the last live version needs force=true (templates); a whole-item delete never does. */
  lastVersionNeedsForce: boolean;
  /** Whether `…/deprecation` routes are served for it. */
  deprecatable: boolean;
  /**
   * Extra fields of the publish start body, validated at start, stored with the pending operation and
   * handed to `inspect` at complete as `start` (e.g. policies and their enforcement levels).
   */
  startExtension?: z.ZodObject;
  /** Reads the promoted artifacts; throws a 400 ApiError when they are not acceptable. */
  inspect(input: InspectInput): Promise<Inspection>;
  view(entry: CatalogEntry, context: ViewContext): View;
  /**
   * The body of a single-version get, from the rendered view (deprecation and decorations included);
   * default: the view itself. Lists always carry bare views.
   */
  presentVersion?(view: Record<string, unknown>, entry: CatalogEntry): Record<string, unknown>;
  /** Extra fields a kind adds to views (usage statistics for authenticated callers). */
  decorate?(entries: CatalogEntry[], caller: Caller, context: CoreContext): Promise<Decorator<Record<string, unknown>>>;
  /** Extra top-level fields of a list answer (templates: `vcsTemplateSourceTotals`). */
  listExtras?(filters: ListFilters, caller: Caller, context: CoreContext): Promise<Record<string, unknown>>;
}

/** Any kind, whatever its view's shape (views only leave through `view`): what the services take. */
export type AnyKind = RegistryKind<object>;

// Packages on the registry core: three artifact slots, metadata read from the schema, the PackageMetadata view.
import { badRequest } from "../http/api-error";
import { PACKAGE_SOURCES } from "../identity/rights";
import { present, type RegistryKind } from "../core/kind";
import { canonicalName, isValidSegment, printable } from "../core/vocabulary/names";
import { parseBooleanParam, parseEnumParam, parseSearchParam } from "../http/query-params";
import { PACKAGE_TYPES } from "../db/schema";
import type { ListFilters } from "../core/catalog/list-query";
import { parseIdentity } from "../core/identity-parsing";
import { packageUsageDecorator } from "../usage/usage-stats";
import { deriveDocs, OutlineBuilder } from "../api-docs/derive";
import { extractSchemaMetadata, PACKAGE_CATEGORIES, type PackageMetadataFields } from "./schema-metadata";

/** Schemas up to this size are read from R2 once at complete and held for both passes. */
const SMALL_SCHEMA_BYTES = 4 * 1024 * 1024;

export const packageKind: RegistryKind = {
  kind: "package",
  noun: "package",
  collection: "packages",
  knownSources: PACKAGE_SOURCES,
  publishSources: PACKAGE_SOURCES,
  slots: [
    { name: "schema", required: true, maxBytes: (l) => l.schemaBytes, contentType: "application/json" },
    { name: "index", required: true, maxBytes: (l) => l.docBytes, contentType: "text/markdown; charset=utf-8" },
    { name: "installationConfiguration", required: false, maxBytes: (l) => l.docBytes, contentType: "text/markdown; charset=utf-8" },
  ],
  // The raw uploads; `readme` and `installation` themselves answer derived docs (src/api-docs/).
  namePattern: ":name",
  identity: (params) => parseIdentity(packageKind, params),
  listFilters: packageListFilters,
  lastVersionNeedsForce: false,
  deprecatable: true,
  decorate: packageUsageDecorator,
  downloads: [
    { path: "schema", artifact: "schema", contentType: "application/json" },
    { path: "raw/schema", artifact: "schema", contentType: "application/json" },
    { path: "raw/readme", artifact: "index", contentType: "text/markdown; charset=utf-8" },
    { path: "raw/installation", artifact: "installationConfiguration", contentType: "text/markdown; charset=utf-8" },
  ],

  async inspect({ bucket, identity, artifacts }) {
    const schema = await bucket.get(artifacts.schema!);
    if (!schema) throw badRequest("cannot complete: the schema upload is missing");
    // The docs outline (pass 1 of src/api-docs/derive.ts) reads along with the metadata scan. A small
    // schema is read once and kept for the docs' second pass; a large one is streamed twice.
    const outline = new OutlineBuilder(bucket, artifacts.schema!);
    const bytes = schema.size <= SMALL_SCHEMA_BYTES ? new Uint8Array(await schema.arrayBuffer()) : undefined;
    const body = bytes ? new Blob([bytes]).stream() : schema.body;
    let metadata: PackageMetadataFields;
    try {
      metadata = await extractSchemaMetadata(body, identity, outline);
    } catch (error) {
      // The outline may have spilled to R2 already (large schemas); deriveDocs would delete that.
      await outline.discard();
      throw error;
    }
    // Derived inside the publish: a version is never visible without its docs.
    const sources = { schemaKey: artifacts.schema!, schemaBytes: bytes, readmeKey: artifacts.index, installationKey: artifacts.installationConfiguration };
    const derived = await deriveDocs(bucket, sources, outline);
    return { metadata: { ...metadata }, derived, searchText: packageSearchText(identity, metadata), packageTypes: metadata.packageTypes ?? [] };
  },

  view({ item, version, publisherDisplayName }, { artifactUrl }) {
    const m = JSON.parse(version!.metadata) as PackageMetadataFields;
    return {
      name: item.name,
      publisher: item.publisher,
      ...present("publisherDisplayName", publisherDisplayName),
      source: item.source,
      version: version!.version,
      ...present("title", m.title),
      ...present("description", m.description),
      ...present("logoUrl", m.logoUrl),
      ...present("repoUrl", m.repoUrl),
      ...present("category", m.category),
      isFeatured: item.featured,
      ...(m.packageTypes?.length ? { packageTypes: m.packageTypes } : {}),
      packageStatus: m.packageStatus,
      readmeURL: artifactUrl("raw/readme"),
      schemaURL: artifactUrl("raw/schema"),
      ...present("pluginDownloadURL", m.pluginDownloadURL),
      createdAt: version!.createdAt,
      visibility: item.visibility,
      ...present("parameterization", m.parameterization),
    };
  },
};

/** Lower-cased text that list `search` terms must each be a substring of: name, publisher, title, description, category. */
export function packageSearchText(identity: { name: string; publisher: string }, m: PackageMetadataFields): string {
  return [identity.name, identity.publisher, m.title, m.description, m.category]
    .filter((s): s is string => typeof s === "string" && s !== "")
    .join("\n")
    .toLowerCase();
}

function segmentFilter(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null || value === "") return undefined;
  if (!isValidSegment(value)) throw badRequest(`invalid ${name} filter '${printable(value)}'`);
  return value;
}

export const PACKAGE_SORTS = ["name", "publisher", "createdAt", "usageTotal"] as const;
export const PACKAGE_USAGE_FILTERS = ["used", "unused", "notOnLatest"] as const;
export const VISIBILITIES = ["public", "private"] as const;

export function packageListFilters(query: URLSearchParams): ListFilters {
  const name = segmentFilter(query, "name");
  const sort = parseEnumParam(query, "sort", PACKAGE_SORTS) ?? "name";
  return {
    canonicalName: name === undefined ? undefined : canonicalName(name),
    publisher: segmentFilter(query, "publisher"),
    orgLogin: segmentFilter(query, "orgLogin"),
    visibility: parseEnumParam(query, "visibility", VISIBILITIES),
    packageType: parseEnumParam(query, "packageType", PACKAGE_TYPES),
    category: parseEnumParam(query, "category", PACKAGE_CATEGORIES),
    searchTerms: parseSearchParam(query),
    usage: parseEnumParam(query, "usage", PACKAGE_USAGE_FILTERS),
    backings: ["registry"],
    sort,
    // Newest first and most used first by default; names and publishers A to Z.
    asc: parseBooleanParam(query, "asc") ?? (sort === "name" || sort === "publisher"),
  };
}

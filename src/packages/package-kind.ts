// Packages on the registry core: three artifact slots, metadata read from the schema, the PackageMetadata view.
import { badRequest } from "../http/api-error";
import { PACKAGE_SOURCES } from "../identity/rights";
import { VISIBILITIES } from "../core/visibility";
import { oneOf } from "../openapi/schema-kit";
import type { PackageView } from "./package-answer";
import { present, type RegistryKind } from "../core/kind";
import { canonicalName, isValidSegment, printable } from "../core/vocabulary/names";
import { parseBooleanParam, parseEnumParam, parseSearchParam } from "../http/query-params";
import { PACKAGE_TYPES } from "../db/schema";
import type { ListFilters } from "../core/catalog/list-query";
import { parseIdentity } from "../core/identity-parsing";
import { packageUsageDecorator } from "../usage/usage-stats";
import { DOCS_JOB, docsStatusOf } from "../api-docs/docs-job";
import { checksumsOf } from "../plugins/plugin-view";
import { gitlabProject } from "../plugins/platforms";
import { extractSchemaMetadata, PACKAGE_CATEGORIES, type PackageMetadataFields } from "./schema-metadata";

export const packageKind: RegistryKind<PackageView> = {
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
    // Only what makes the version valid and listable; its docs are derived after complete, in durable
    // bounded steps (src/api-docs/docs-job.ts), and the version says how far they are (`docs.status`).
    const metadata = await extractSchemaMetadata(schema.body, identity);
    return {
      metadata: { ...metadata },
      searchText: packageSearchText(identity, metadata),
      packageTypes: metadata.packageTypes ?? [],
      jobs: [DOCS_JOB],
      docsStatus: "pending",
    };
  },

  view({ item, version, publisherDisplayName }, { origin, artifactUrl }): PackageView {
    const m = JSON.parse(version!.metadata) as PackageMetadataFields;
    return {
      name: item.name,
      publisher: item.publisher,
      ...present("publisherDisplayName", publisherDisplayName),
      source: oneOf(PACKAGE_SOURCES, item.source, "package source"),
      version: version!.version,
      ...present("title", m.title),
      ...present("description", m.description),
      ...present("logoUrl", m.logoUrl),
      ...present("repoUrl", m.repoUrl),
      ...present("category", m.category === undefined || m.category === "" ? undefined : oneOf(PACKAGE_CATEGORIES, m.category, "package category")),
      isFeatured: item.featured,
      ...(m.packageTypes?.length ? { packageTypes: m.packageTypes.map((t) => oneOf(PACKAGE_TYPES, t, "package type")) } : {}),
      packageStatus: m.packageStatus,
      readmeURL: artifactUrl("raw/readme"),
      schemaURL: artifactUrl("raw/schema"),
      ...present("pluginDownloadURL", pluginDownloadURL(m.pluginDownloadURL, item, version!.plugins, { origin, artifactUrl })),
      ...present("checksums", checksumsOf(version!.plugins)),
      createdAt: version!.createdAt,
      visibility: oneOf(VISIBILITIES, item.visibility, "visibility"),
      ...present("parameterization", m.parameterization),
      docs: { status: docsStatusOf(version!) },
      ...present("provenance", provenanceOf(version!.provenance)),
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

/**
 * The schema's pluginDownloadURL wins when it names one (the publisher chose the host; the archives here
 * are still listed with their checksums). Left empty, a version with attached plugins points the CLI here:
 * a public one at its https plugins URL, a private one at the `gitlab://` source, which sends
 * `Authorization: Bearer $GITLAB_TOKEN` (a registry token) and keeps the secret out of the URL. Without
 * plugins it stays empty (the CLI's usual fallback).
 */
function pluginDownloadURL(
  fromSchema: string | undefined,
  item: { source: string; publisher: string; name: string; visibility: string; mirror: string | null },
  plugins: string | null,
  urls: { origin: string; artifactUrl: (path: string) => string },
): string | undefined {
  // A mirrored version's plugins are served here (fetched from the upstream's host on first download).
  if (item.mirror) return item.visibility === "public" ? urls.artifactUrl("plugins") : `gitlab://${new URL(urls.origin).host}/${gitlabProject(item)}`;
  if (fromSchema) return fromSchema;
  if (!checksumsOf(plugins)) return undefined;
  if (item.visibility === "public") return urls.artifactUrl("plugins");
  return `gitlab://${new URL(urls.origin).host}/${gitlabProject(item)}`;
}

/** The stored provenance of a mirrored version as the answer shows it (the metadata URL stays internal). */
function provenanceOf(stored: string | null): PackageView["provenance"] {
  if (!stored) return undefined;
  const p = JSON.parse(stored) as NonNullable<PackageView["provenance"]> & { metadataURL?: string };
  return { upstream: p.upstream, url: p.url, fetchedAt: p.fetchedAt, artifacts: p.artifacts, ...(p.plugins ? { plugins: p.plugins } : {}) };
}

// Policy packs on the registry core: one archive slot, policies and enforcement levels from the publish
// start (the pack's code declares them), runtime from the archive's PulumiPolicy.yaml, the RegistryPolicyPack view.
import { badRequest } from "../http/api-error";
import type { RegistryKind, RouteParams } from "../core/kind";
import { parseIdentity } from "../core/identity-parsing";
import type { ListFilters } from "../core/catalog/list-query";
import type { CatalogEntry } from "../core/vocabulary/catalog-entry";
import { decodeSegment } from "../core/vocabulary/names";
import { parseEnumParam } from "../http/query-params";
import { inspectPackArchive } from "./pack-archive";
import { accessLevelOf, packMetadata, packView, type PackMetadata } from "./pack-view";
import { ACCESS_FILTERS, PackStartFields, type RegistryPolicyPack } from "./policy-pack-schemas";

export const POLICY_PACK_KIND = "policypack";
export const POLICY_PACK_SOURCES = ["private"] as const;

/** The stored metadata of a pack version (written by `inspect` below). */
export function packMetadataOf(entry: CatalogEntry): PackMetadata {
  return JSON.parse(entry.version!.metadata) as PackMetadata;
}

export function policyPackListFilters(query: URLSearchParams): ListFilters {
  if (query.has("ids")) throw badRequest("the 'ids' filter is not supported; list by orgLogin and page with continuationToken");
  // Every value lists the same packs here (no policy groups): validated so a typo is not silently "all".
  parseEnumParam(query, "access", ACCESS_FILTERS);
  const orgLogin = query.get("orgLogin");
  if (orgLogin !== null && orgLogin !== "") decodeSegment(encodeURIComponent(orgLogin), "orgLogin");
  return { ...(orgLogin ? { orgLogin } : {}), backings: ["registry"], sort: "name", asc: true };
}

export const policyPackKind: RegistryKind<RegistryPolicyPack> = {
  kind: POLICY_PACK_KIND,
  noun: "policy pack",
  collection: "policypacks",
  knownSources: POLICY_PACK_SOURCES,
  publishSources: POLICY_PACK_SOURCES,
  slots: [{ name: "archive", required: true, maxBytes: (l) => l.archiveBytes, contentType: "application/gzip" }],
  downloads: [{ path: "archive", artifact: "archive", contentType: "application/gzip" }],
  namePattern: ":name",
  identity: (params: RouteParams) => parseIdentity(policyPackKind, params),
  listFilters: policyPackListFilters,
  lastVersionNeedsForce: false,
  deprecatable: true,
  startExtension: PackStartFields,

  async inspect({ bucket, identity, artifacts, limits, start }) {
    const archive = await bucket.get(artifacts.archive!);
    if (!archive) throw badRequest("cannot complete: the archive upload is missing");
    const facts = await inspectPackArchive(archive.body, limits);
    // The start stored the extension as validated; parsing again gives its defaults their types.
    const metadata = packMetadata(identity.name, PackStartFields.parse(start ?? {}), facts);
    const searchText = [identity.name, metadata.displayName, metadata.description, ...metadata.policies.map((p) => p.name)]
      .filter((s): s is string => typeof s === "string" && s !== "")
      .join("\n")
      .toLowerCase();
    return { metadata: { ...metadata }, searchText };
  },

  view(entry, { artifactUrl, caller }) {
    const { item, version } = entry;
    // Only a caller of the owning org sees a pack at all; its role says whether it may change it.
    const accessLevel = accessLevelOf(caller?.kind === "org" ? caller.role : undefined);
    return packView(
      { itemId: item.id, source: item.source, publisher: item.publisher, name: item.name, version: version!.version, createdAt: version!.createdAt, metadata: packMetadataOf(entry) },
      { accessLevel, downloadURL: artifactUrl("archive") },
    );
  },

  // Pulumi's GetRegistryPolicyPackVersionResponse: the pack, and the version's policies beside it.
  presentVersion(view, entry) {
    return { policyPack: view, policies: packMetadataOf(entry).policies };
  },
};

/** A path's pack name as a registry identity under `private/{org}` (the org routes' shape). */
export function orgPackIdentity(org: string, rawName: string | undefined) {
  return policyPackKind.identity({ source: "private", publisher: encodeURIComponent(org), name: rawName });
}

// The upstream's registry API as the mirror reads it: Pulumi's shapes (../shared/spec/api.md §3,
// ga-registry.md §1), which this registry serves too. Only the fields the mirror uses are checked; the
// rest of an answer is ignored (an upstream may add fields).
import { z } from "zod";
import type { Identity } from "../core/vocabulary/identity";
import type { MirrorUpstream } from "./upstreams";

const text = () => z.string().min(1).max(2048);

export const UpstreamMetadata = z.object({
  name: text(),
  publisher: text(),
  source: text(),
  version: text(),
  schemaURL: text(),
  readmeURL: text(),
  createdAt: z.string().max(64).default(""),
  pluginDownloadURL: z.string().max(2048).optional(),
  /** This registry's answer: hex SHA-256 of each attached plugin archive. */
  checksums: z.record(z.string(), z.string()).optional(),
  deprecation: z.object({ message: z.string().max(4096), replacement: z.string().max(512).optional() }).loose().optional(),
});
export type UpstreamMetadata = z.infer<typeof UpstreamMetadata>;

/** `GET …/packages?name=`: the latest version of each package of that name. */
export const UpstreamList = z.object({
  packages: z.array(z.object({ source: text(), publisher: text(), name: text() }).loose()).max(500),
});

export const UpstreamVersionList = z.object({
  packages: z.array(z.object({ version: text() }).loose()).max(1000),
  continuationToken: z.string().max(4096).optional(),
});

function packagePath(upstream: MirrorUpstream, identity: Identity): string {
  return `${upstream.base}/packages/${[identity.source, identity.publisher, identity.name].map(encodeURIComponent).join("/")}`;
}

/** `GET …/packages/{source}/{publisher}/{name}/versions/{version|latest}`. */
export function versionUrl(upstream: MirrorUpstream, identity: Identity, version: string): string {
  return `${packagePath(upstream, identity)}/versions/${encodeURIComponent(version)}`;
}

/** `GET …/packages/{source}/{publisher}/{name}/versions` (newest first, paged). */
export function versionsUrl(upstream: MirrorUpstream, identity: Identity, continuationToken?: string): string {
  const query = new URLSearchParams({ limit: "100" });
  if (continuationToken) query.set("continuationToken", continuationToken);
  return `${packagePath(upstream, identity)}/versions?${query}`;
}

/** The upstream's deprecation as stored here: its message, and its replacement named in the text (it need not exist here). */
export function localDeprecation(upstream: UpstreamMetadata["deprecation"]): { message: string } | null {
  if (!upstream) return null;
  return { message: upstream.replacement ? `${upstream.message} (replacement upstream: ${upstream.replacement})` : upstream.message };
}

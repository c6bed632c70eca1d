// Templates on the registry core: one archive slot, metadata from Pulumi.yaml, the Template view,
// and VCS-backed templates (operator-registered, no versions) in the same catalog.
import { badRequest } from "../http/api-error";
import { TEMPLATE_SOURCES } from "../identity/rights";
import type { CatalogEntry } from "../core/vocabulary/catalog-entry";
import { present, type RegistryKind, type ViewContext } from "../core/kind";
import { canonicalName, decodeSegment, printable } from "../core/vocabulary/names";
import type { Identity } from "../core/vocabulary/identity";
import { parseSearchParam } from "../http/query-params";
import { parseSource } from "../core/identity-parsing";
import { type RouteParams } from "../core/kind";
import type { ListFilters } from "../core/catalog/list-query";
import { vcsTemplateSourceTotals } from "./vcs-totals";
import { inspectArchive } from "./archive";
import { parseContent } from "../api-docs/content";
import { templateMetadataFrom, type TemplateMetadata } from "./template-metadata";
import type { TemplateView } from "./template-answer";
import { VISIBILITIES } from "../core/visibility";
import { oneOf } from "../openapi/schema-kit";

export const VCS_SOURCES = ["github", "gitlab"] as const;

/** Artifact-map names of what a template's complete derives beside its README (`readme`). */
export const TEMPLATE_DERIVED = { files: "files", readmeContent: "readme.content" } as const;

/** What an operator registers for a VCS-backed template; stored as the item's `vcs` JSON. */
export interface VcsTemplate {
  repoSlug: string;
  downloadURL: string;
  displayName?: string;
  description?: string;
  language?: string;
  metadata?: Record<string, string>;
}

/** Lower-cased text that `search` terms must each be a substring of. */
export function searchTextOf(name: string, fields: { displayName?: string; description?: string; language?: string; metadata?: Record<string, string> }): string {
  return [name, fields.displayName, fields.description, fields.language, ...Object.values(fields.metadata ?? {})]
    .filter((s): s is string => typeof s === "string" && s !== "")
    .join("\n")
    .toLowerCase();
}

function registryView(entry: CatalogEntry, { artifactUrl }: ViewContext): TemplateView {
  const { item, version } = entry;
  const m = JSON.parse(version!.metadata) as TemplateMetadata;
  const artifacts = JSON.parse(version!.artifacts) as Record<string, string>;
  return {
    name: item.name,
    publisher: item.publisher,
    source: oneOf(TEMPLATE_SOURCES, item.source, "template source"),
    version: version!.version,
    displayName: m.displayName,
    ...present("description", m.description),
    ...present("runtime", m.runtime),
    language: m.language,
    ...(artifacts.readme ? { readmeURL: artifactUrl("raw/readme") } : {}),
    downloadURL: artifactUrl("archive"),
    visibility: oneOf(VISIBILITIES, item.visibility, "visibility"),
    updatedAt: version!.createdAt,
    ...present("metadata", m.metadata),
    ...present("config", m.config),
    url: `registry://templates/${item.source}/${item.publisher}/${item.name}@${version!.version}`,
  };
}

function vcsView({ item }: CatalogEntry): TemplateView {
  const v = JSON.parse(item.vcs!) as VcsTemplate;
  return {
    name: item.name,
    publisher: item.publisher,
    source: oneOf(TEMPLATE_SOURCES, item.source, "template source"),
    displayName: v.displayName ?? item.name,
    ...present("description", v.description),
    language: v.language ?? "unknown",
    downloadURL: v.downloadURL,
    repoSlug: v.repoSlug,
    visibility: oneOf(VISIBILITIES, item.visibility, "visibility"),
    updatedAt: item.createdAt,
    ...present("metadata", v.metadata),
    url: `registry://templates/${item.source}/${item.publisher}/${item.name}`,
  };
}

export const templateKind: RegistryKind<TemplateView> = {
  kind: "template",
  noun: "template",
  collection: "templates",
  knownSources: TEMPLATE_SOURCES,
  publishSources: ["private"],
  slots: [{ name: "archive", required: true, maxBytes: (l) => l.archiveBytes, contentType: "application/gzip" }],
  namePattern: ":name+",
  identity: templateIdentity,
  listFilters: templateListFilters,
  lastVersionNeedsForce: true,
  deprecatable: true,
  listExtras: vcsTemplateSourceTotals,
  // `…/readme` itself answers the README as content nodes (readme-route.ts, the current API); the raw file moved
  // to `…/raw/readme`, as it did for packages.
  downloads: [
    { path: "archive", artifact: "archive", contentType: "application/gzip" },
    { path: "raw/readme", artifact: "readme", contentType: "text/markdown; charset=utf-8" },
  ],

  async inspect({ bucket, identity, artifacts, prefix, limits }) {
    const archive = await bucket.get(artifacts.archive!);
    if (!archive) throw badRequest("cannot complete: the archive upload is missing");
    const facts = await inspectArchive(archive.body, limits);
    const metadata = templateMetadataFrom(facts.pulumiYaml, { name: identity.name, hasTypeScript: facts.hasTypeScript });
    // The page's file list and the readme route's content nodes, derived once here (TEMPLATE_DERIVED);
    // versions stored before them have neither, and are served without (template-files.ts).
    const derived: Record<string, string> = { [TEMPLATE_DERIVED.files]: `${prefix}files.json` };
    await bucket.put(derived.files!, JSON.stringify(facts.files), { httpMetadata: { contentType: "application/json" } });
    if (facts.readme) {
      derived.readme = `${prefix}readme`;
      await bucket.put(derived.readme, facts.readme, { httpMetadata: { contentType: "text/markdown; charset=utf-8" } });
      derived[TEMPLATE_DERIVED.readmeContent] = `${prefix}readme.json`;
      const nodes = parseContent(new TextDecoder().decode(facts.readme));
      await bucket.put(derived[TEMPLATE_DERIVED.readmeContent]!, JSON.stringify(nodes), { httpMetadata: { contentType: "application/json" } });
    }
    return { metadata: { ...metadata }, derived, searchText: searchTextOf(identity.name, metadata) };
  },

  view(entry, context) {
    return entry.version ? registryView(entry, context) : vcsView(entry);
  },
};

/**
 * VCS template names are `owner/repo/path`: each part a valid segment. Registry names are one segment.
 * The parts may be separated by `/` (as the Pulumi CLI sends them) or by `%2F` (as an OpenAPI client
 * fills a `{name}` path parameter); both spell the same name.
 */
export function templateName(raw: string | undefined, source: string): string {
  if (!(VCS_SOURCES as readonly string[]).includes(source)) return decodeSegment(raw, "name");
  const parts = (raw ?? "").split(/\/|%2F/i);
  if (parts.length > 8) throw badRequest("invalid name: too many path parts");
  return parts.map((p) => decodeSegment(p, "name")).join("/");
}

export function templateIdentity(params: RouteParams): Identity {
  const source = parseSource(templateKind, params.source);
  const publisher = decodeSegment(params.publisher, "publisher");
  const name = templateName(params.name, source);
  return { kind: "template", source, publisher, name, canonicalName: canonicalName(name) };
}

export const BACKINGS = ["registry", "vcs", "pulumi"] as const;

export function templateListFilters(query: URLSearchParams): ListFilters {
  const backing = query.getAll("backing");
  for (const b of backing) {
    if (!(BACKINGS as readonly string[]).includes(b)) throw badRequest(`invalid backing '${printable(b)}': must be one of ${BACKINGS.join(", ")}`);
  }
  // `pulumi`-backed templates are Pulumi's own catalog, which this registry does not mirror: asking for
  // them is valid and adds nothing.
  const wanted = backing.length ? backing : ["registry"];
  const backings = (["registry", "vcs"] as const).filter((b) => wanted.includes(b));
  const name = query.get("name");
  const orgLogin = query.get("orgLogin");
  if (orgLogin !== null && orgLogin !== "") decodeSegment(encodeURIComponent(orgLogin), "orgLogin");
  return {
    canonicalName: name ? canonicalName(name) : undefined,
    orgLogin: orgLogin || undefined,
    searchTerms: parseSearchParam(query),
    backings: backings.length ? [...backings] : [],
    sort: "name",
    asc: true,
  };
}

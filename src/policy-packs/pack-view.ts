// The stored metadata of a policy pack version and the RegistryPolicyPack view built from it: pure,
// so the API, the org routes and the pages present a pack the same way.
import { present } from "../core/kind";
import { ENFORCEMENT_LEVELS, type EnforcementLevel, type PackStartFields, type PolicyInput, type RegistryPolicyPack } from "./policy-pack-schemas";
import type { PackRuntime } from "./pack-archive";

/** What complete stores as the version's metadata: the start's policies plus the archive's facts. */
export interface PackMetadata {
  displayName: string;
  description?: string;
  runtime: PackRuntime;
  policies: PolicyInput[];
  enforcementLevels: EnforcementLevel[];
  readme?: string;
  provider?: string;
  repository?: string;
  tags?: string[];
  metadata?: Record<string, string>;
}

/** The distinct levels the policies declare, in Pulumi's order of the enum. */
export function enforcementLevelsOf(policies: readonly PolicyInput[]): EnforcementLevel[] {
  const used = new Set(policies.map((p) => p.enforcementLevel));
  return ENFORCEMENT_LEVELS.filter((level) => used.has(level));
}

export function packMetadata(name: string, start: PackStartFields, archive: { runtime: PackRuntime; description?: string }): PackMetadata {
  return {
    displayName: start.displayName || name,
    ...present("description", start.description || archive.description),
    runtime: archive.runtime,
    policies: start.policies,
    enforcementLevels: enforcementLevelsOf(start.policies),
    ...present("readme", start.readme),
    ...present("provider", start.provider),
    ...present("repository", start.repository),
    ...(start.tags?.length ? { tags: start.tags } : {}),
    ...(start.metadata && Object.keys(start.metadata).length ? { metadata: start.metadata } : {}),
  };
}

export type AccessLevel = "full" | "view-only";

export interface PackRow {
  itemId: string;
  source: string;
  publisher: string;
  name: string;
  version: string;
  createdAt: string;
  metadata: PackMetadata;
}

export function packView(row: PackRow, context: { accessLevel: AccessLevel; downloadURL: string }): RegistryPolicyPack {
  const m = row.metadata;
  return {
    id: row.itemId,
    source: "private",
    publisher: row.publisher,
    name: row.name,
    version: row.version,
    displayName: m.displayName,
    accessLevel: context.accessLevel,
    enforcementLevels: m.enforcementLevels,
    ...present("description", m.description),
    runtime: m.runtime,
    downloadURL: context.downloadURL,
    visibility: "private",
    createdAt: row.createdAt,
  };
}

/** `full` for a token that may publish (publisher or admin role), `view-only` for readers and sessions. */
export function accessLevelOf(role: "reader" | "publisher" | "admin" | undefined): AccessLevel {
  return role === "publisher" || role === "admin" ? "full" : "view-only";
}

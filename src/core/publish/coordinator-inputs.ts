// What crosses into the publish coordinator: plain, serializable inputs (a Durable Object RPC copies them).
import type { AuditStamp } from "../../audit/audit-log";
import type { Deprecation } from "../vocabulary/deprecation";
import type { Identity, VersionRef } from "../vocabulary/identity";

export interface Operation extends Identity, VersionRef {
  id: string;
  org: string;
  createdAt: number;
  expiresAt: number;
  publishedAt?: string;
  /** The kind's start extension as JSON, validated at start; handed (parsed) to its inspection at complete. */
  extension?: string;
  completed: boolean;
  /** Set on an attach operation (artifacts added to a live version); such an operation never completes a publish. */
  attach?: { versionId: string; names: string[] };
  /** Set on a mirror's publish (src/mirror/): the item is, or becomes, mirrored from this upstream. */
  mirror?: MirrorPublish;
}

/** A publish by the mirror: only such a publish may add versions to a mirrored item, and it may not touch a local one. */
export interface MirrorPublish {
  upstream: string;
  visibility: "public" | "private";
}

export interface StartInput extends Identity, VersionRef {
  org: string;
  publishedAt?: string;
  /** JSON of the kind's validated start extension. */
  extension?: string;
  ttlMs: number;
  allowReuse: boolean;
  audit: AuditStamp;
  mirror?: MirrorPublish;
}

export interface CommitInput {
  operationId: string;
  org: string;
  metadata: string;
  artifacts: Record<string, string>;
  searchText: string;
  /** Sorted, comma-joined package types ("" for templates). */
  packageTypes: string;
  allowReuse: boolean;
  audit: AuditStamp;
  /** Job kinds to create for the new version in the same batch (see Inspection.jobs). */
  jobs?: readonly string[];
  docsStatus?: "pending";
  /** A mirror's publish: the version's provenance JSON (versions.provenance). */
  provenance?: string;
}

export interface RetireInput extends Identity {
  /** As given in the path, for messages; the version is found by its precedence key. */
  version: string;
  precedenceKey: string;
  org: string;
  /** Templates: refuse to retire the last live version unless `force`. */
  lastNeedsForce: boolean;
  force: boolean;
  audit: AuditStamp;
}

export interface DeprecateInput extends Identity {
  /** The version to (un)deprecate; absent for the whole item. */
  version?: { raw: string; precedenceKey: string };
  /** Null undoes a deprecation. `deprecatedAt` is kept from an earlier deprecation when there is one. */
  deprecation: Omit<Deprecation, "deprecatedAt"> | null;
  org: string;
  audit: AuditStamp;
}

export interface RecordArtifactsInput extends Identity {
  versionId: string;
  /** Artifact name → R2 key, merged into the version's map. */
  artifacts: Record<string, string>;
  /** Names starting with this that `artifacts` does not carry are dropped from the map (a re-derivation replaces a set). */
  replacing?: string;
  /** Set on the version with the artifacts (a docs derivation's end). */
  docsStatus?: "pending" | "ready" | "failed";
  /** Recorded only while this job (subject: the version) is still at this attempt: a superseded attempt records nothing. */
  job?: { kind: string; attempt: number };
}

export interface RetireItemInput extends Identity {
  org: string;
  audit: AuditStamp;
  /** A mirrored item stops being mirrored in the same batch (the operator's delete: docs/operator/mirror.md). */
  releaseMirror?: boolean;
}

export interface StartAttachInput extends Identity, VersionRef {
  org: string;
  /** Names of the artifacts to attach (e.g. plugin platforms); each must not be attached yet. */
  names: string[];
  /** The version's artifact map key of a name: `${artifactPrefix}${name}`. */
  artifactPrefix: string;
  ttlMs: number;
  /** The mirror attaching to a version it mirrored (its upstream id): the only attach a mirrored version takes. */
  mirror?: string;
}

export interface CommitAttachInput extends Identity {
  operationId: string;
  org: string;
  artifactPrefix: string;
  /** Name → R2 key of the promoted artifact, for the version's artifact map. */
  artifacts: Record<string, string>;
  /** Name → facts stored in the version's `plugins` column (JSON-serializable). */
  records: Record<string, unknown>;
  audit: AuditStamp;
  auditAction: "package.plugin.attach";
  /** A mirror's attach: name → where the archive was fetched from, merged into the version's provenance `plugins`. */
  provenance?: Record<string, unknown>;
}

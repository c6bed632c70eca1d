// Bindings and configuration: what wrangler.toml, .dev.vars and secrets provide, parsed once per request.
import type { PublishCoordinator } from "./registry/publish-coordinator";

export interface Env {
  DB: D1Database;
  ARTIFACTS: R2Bucket;
  PUBLISH_COORDINATOR: DurableObjectNamespace<PublishCoordinator>;
  /** Enables the admin API; unset → every /api/admin route is 404. */
  ADMIN_TOKEN?: string;
  /** HMAC key for continuation tokens and, in local mode, the SigV4 secret of upload URLs. */
  SIGNING_SECRET?: string;
  /** Origin for artifact URLs in responses; defaults to the request's origin. */
  PUBLIC_URL?: string;
  ALLOW_VERSION_REUSE?: string;
  /** R2 mode: presigned URLs point at R2's S3 endpoint when all four are set. */
  R2_ACCOUNT_ID?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_BUCKET_NAME?: string;
  /** Limits, in bytes / minutes / entries; see README "Configuration". */
  MAX_SCHEMA_BYTES?: string;
  MAX_DOC_BYTES?: string;
  MAX_ARCHIVE_BYTES?: string;
  MAX_ARCHIVE_UNPACKED_BYTES?: string;
  MAX_ARCHIVE_ENTRIES?: string;
  OPERATION_TTL_MINUTES?: string;
  /** `true` adds X-D1-Queries and X-D1-Round-Trips to every response (tests and `npm run bench`). */
  EXPOSE_D1_STATS?: string;
}

export interface Limits {
  schemaBytes: number;
  docBytes: number;
  archiveBytes: number;
  archiveUnpackedBytes: number;
  archiveEntries: number;
  operationTtlMs: number;
}

const MiB = 1024 * 1024;

function positiveNumber(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function limitsFrom(env: Env): Limits {
  // URLs live as long as the operation, and never under 5 minutes (spec §4).
  const ttlMinutes = Math.max(5, positiveNumber(env.OPERATION_TTL_MINUTES, 60));
  return {
    schemaBytes: positiveNumber(env.MAX_SCHEMA_BYTES, 100 * MiB),
    docBytes: positiveNumber(env.MAX_DOC_BYTES, 5 * MiB),
    archiveBytes: positiveNumber(env.MAX_ARCHIVE_BYTES, 20 * MiB),
    archiveUnpackedBytes: positiveNumber(env.MAX_ARCHIVE_UNPACKED_BYTES, 100 * MiB),
    archiveEntries: positiveNumber(env.MAX_ARCHIVE_ENTRIES, 10_000),
    operationTtlMs: ttlMinutes * 60_000,
  };
}

export const allowVersionReuse = (env: Env) => env.ALLOW_VERSION_REUSE === "true";

export function signingSecret(env: Env): string {
  const secret = env.SIGNING_SECRET;
  // Configuration error, reported as a 500 without detail; the log line says what is missing.
  if (!secret || secret.length < 16) throw new Error("SIGNING_SECRET is not configured (at least 16 characters)");
  return secret;
}

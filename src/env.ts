// Bindings and configuration: what wrangler.toml, .dev.vars and secrets provide, parsed once per request.
import type { PublishCoordinator } from "./core/publish/coordinator";
import { parseTokenKeys, type TokenKey } from "./identity/tokens";
import type { WebhookMessage } from "./webhooks/webhook-events";
import type { JobMessage } from "./jobs/job-rows";

export interface Env {
  DB: D1Database;
  ARTIFACTS: R2Bucket;
  PUBLISH_COORDINATOR: DurableObjectNamespace<PublishCoordinator>;
  /** Enables the admin API; unset → every /api/admin route is 404. */
  ADMIN_TOKEN?: string;
  /** Org token MAC keys, `keyId:secret[,keyId:secret…]`: the first mints, all verify (docs/tokens.md). A secret. */
  TOKEN_KEYS?: string;
  /** HMAC key for continuation tokens and, in local mode, the SigV4 secret of upload URLs. */
  SIGNING_SECRET?: string;
  /** Origin for artifact URLs in responses; defaults to the request's origin. */
  PUBLIC_URL?: string;
  ALLOW_VERSION_REUSE?: string;
  /** R2 mode: presigned URLs point at R2's S3 API (README "Upload modes"). */
  R2_ACCOUNT_ID?: string;
  /** S3 API origin (and path) in front of `/<bucket>/<key>`; default `https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com`. */
  R2_S3_ENDPOINT?: string;
  /** `r2` or `gateway`; unset → `r2` when the R2 settings are complete, else `gateway`. */
  UPLOAD_MODE?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_BUCKET_NAME?: string;
  /** Limits, in bytes / minutes / entries; see README "Configuration". */
  MAX_SCHEMA_BYTES?: string;
  MAX_DOC_BYTES?: string;
  MAX_ARCHIVE_BYTES?: string;
  MAX_ARCHIVE_UNPACKED_BYTES?: string;
  MAX_ARCHIVE_ENTRIES?: string;
  /** Bytes of a version's nav.json the API tree's filter may read (docs/route-budgets.md). */
  MAX_FILTER_NAV_BYTES?: string;
  /** The filter's search index: posting-list bytes and candidates checked per request (docs/route-budgets.md). */
  MAX_SEARCH_POSTING_BYTES?: string;
  MAX_SEARCH_CANDIDATES?: string;
  /** Bytes of a version's examples.tsv the `examples` route reads at most (docs/route-budgets.md). */
  MAX_EXAMPLES_BYTES?: string;
  MAX_PLUGIN_BYTES?: string;
  MAX_PLUGIN_UNPACKED_BYTES?: string;
  /** Ed25519 key that signs each version's plugin SHA256SUMS (minisign format): docs/guide/plugins.md. */
  PLUGIN_SIGNING_KEY?: string;
  /** Earlier signing keys' public halves, still published after a rotation: `<key id>:<public key base64url>[,…]`. */
  PLUGIN_PREVIOUS_PUBLIC_KEYS?: string;
  OPERATION_TTL_MINUTES?: string;
  /** Producer binding of the durable job queue (src/jobs/): docs derivations; unset → jobs run only when re-driven. */
  JOBS_QUEUE?: Queue<JobMessage>;
  /** How long a started job step owns its job before another run may take it over (default 120). */
  JOB_LEASE_SECONDS?: string;
  /** A pending job unchanged for this long, with no step running, is re-driven (default 20). */
  JOB_STALL_SECONDS?: string;
  /** Schema bytes one docs derivation step packs (a scan step reads 8×); default 4 MiB. Lower it if steps near the CPU limit. */
  DOCS_STEP_BYTES?: string;
  /** Seconds the objects of replaced docs outlive a re-derivation's swap (default 60; docs-job.ts). */
  DOCS_SWEEP_SECONDS?: string;
  /** Producer binding of the webhook delivery queue; unset → no webhook events are sent. */
  WEBHOOK_QUEUE?: Queue<WebhookMessage>;
  /** `true` lets webhooks target `http://127.0.0.1` (local development); otherwise https only. */
  WEBHOOK_ALLOW_LOCAL_HTTP?: string;
  /** First retry delay in seconds; each further retry doubles it (capped at an hour). */
  WEBHOOK_RETRY_BASE_SECONDS?: string;
  /** How long one delivery attempt may take. */
  WEBHOOK_TIMEOUT_MS?: string;
  /** Audit entries older than this many days are pruned by the daily cron trigger. */
  AUDIT_RETENTION_DAYS?: string;
  /** Rate limiting bindings (`[[ratelimits]]` in wrangler.toml); see src/rate-limits/. */
  API_RATE_LIMITER: RateLimit;
  PUBLISH_RATE_LIMITER: RateLimit;
  SIGN_IN_RATE_LIMITER: RateLimit;
  MIRROR_MISS_RATE_LIMITER: RateLimit;
  /** `off` disables rate limiting (benchmarks); anything else, or unset, enforces it. */
  RATE_LIMITS?: string;
  /** The `period` of the `[[ratelimits]]` bindings (10 or 60), used for `Retry-After`. */
  RATE_LIMIT_PERIOD_SECONDS?: string;
  /** Upstream registries to mirror, a JSON array (docs/operator/mirror.md); unset → no mirror. */
  MIRROR_UPSTREAMS?: string;
  /** `true` puts every upstream offline: only what is stored is served. */
  MIRROR_OFFLINE?: string;
  /** `true` lets upstream and plugin URLs be `http://127.0.0.1`/`localhost` (tests, local development). */
  MIRROR_ALLOW_LOCAL_HTTP?: string;
  /** `true` adds X-D1-Queries and X-D1-Round-Trips to every response (tests and `npm run bench`). */
  EXPOSE_D1_STATS?: string;
}

// The limits' shape lives with the core's vocabulary; this file parses them from configuration.
export type { Limits } from "./core/vocabulary/limits";
import type { Limits } from "./core/vocabulary/limits";

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
    schemaBytes: positiveNumber(env.MAX_SCHEMA_BYTES, 300 * MiB),
    docBytes: positiveNumber(env.MAX_DOC_BYTES, 5 * MiB),
    archiveBytes: positiveNumber(env.MAX_ARCHIVE_BYTES, 20 * MiB),
    archiveUnpackedBytes: positiveNumber(env.MAX_ARCHIVE_UNPACKED_BYTES, 100 * MiB),
    archiveEntries: positiveNumber(env.MAX_ARCHIVE_ENTRIES, 10_000),
    // ~13,000 members: a bigger nav made the filter's miss cost ~14x /healthz at 1 MiB (docs/route-budgets.md).
    filterNavBytes: positiveNumber(env.MAX_FILTER_NAV_BYTES, 256 * 1024),
    searchPostingBytes: positiveNumber(env.MAX_SEARCH_POSTING_BYTES, 64 * 1024),
    searchCandidates: positiveNumber(env.MAX_SEARCH_CANDIDATES, 4_096),
    // ~8,000 example lines: a package's examples past them are not listed or counted (docs/route-budgets.md).
    examplesBytes: positiveNumber(env.MAX_EXAMPLES_BYTES, 1024 * 1024),
    // The largest public provider archives (aws, azure-native) are a few hundred MiB compressed and
    // unpack to about four times that: docs/guide/plugins.md.
    pluginBytes: positiveNumber(env.MAX_PLUGIN_BYTES, 512 * MiB),
    pluginUnpackedBytes: positiveNumber(env.MAX_PLUGIN_UNPACKED_BYTES, 2048 * MiB),
    operationTtlMs: ttlMinutes * 60_000,
  };
}

export const allowVersionReuse = (env: Env) => env.ALLOW_VERSION_REUSE === "true";

export interface WebhookSettings {
  allowLocalHttp: boolean;
  retryBaseSeconds: number;
  timeoutMs: number;
}

export function webhookSettings(env: Env): WebhookSettings {
  return {
    allowLocalHttp: env.WEBHOOK_ALLOW_LOCAL_HTTP === "true",
    retryBaseSeconds: positiveNumber(env.WEBHOOK_RETRY_BASE_SECONDS, 30),
    timeoutMs: positiveNumber(env.WEBHOOK_TIMEOUT_MS, 10_000),
  };
}

export const auditRetentionDays = (env: Env) => positiveNumber(env.AUDIT_RETENTION_DAYS, 365);

/** The parsed TOKEN_KEYS, once per isolate for each value the variable takes. */
let parsedKeys: { raw: string | undefined; keys: TokenKey[] } | undefined;
export function tokenKeys(env: Env): TokenKey[] {
  if (parsedKeys?.raw !== env.TOKEN_KEYS || !parsedKeys) parsedKeys = { raw: env.TOKEN_KEYS, keys: parseTokenKeys(env.TOKEN_KEYS) };
  return parsedKeys.keys;
}

export function signingSecret(env: Env): string {
  const secret = env.SIGNING_SECRET;
  // Configuration error, reported as a 500 without detail; the log line says what is missing.
  if (!secret || secret.length < 16) throw new Error("SIGNING_SECRET is not configured (at least 16 characters)");
  return secret;
}

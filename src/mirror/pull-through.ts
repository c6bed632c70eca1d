// Pull-through: a version this registry lacks, under an identity an upstream serves, is fetched from the
// upstream and stored through the core's publish service (start → attach each artifact as fetched →
// complete), so it is verified, inspected, committed and docs-derived exactly like a publish. Concurrent
// misses fetch once (a lease on a mirror_fetches row); an upstream 404 is remembered for a while.
import { and, eq, sql } from "drizzle-orm";
import { mirrorFetches } from "../db/schema";
import type { Database } from "../db/client";
import { ApiError } from "../http/api-error";
import { readWithin } from "../http/bytes";
import { allowVersionReuse } from "../env";
import { sha256Tap } from "../artifacts/sha256-tap";
import { stagingPrefix } from "../artifacts/storage-keys";
import { deletePrefix } from "../artifacts/delete-prefix";
import { findItem, otherPublisherSpelling } from "../core/catalog/lookups";
import type { AnyKind } from "../core/kind";
import { attachArtifact, completePublish, startPublish } from "../core/publish/publish-service";
import type { OrgCaller } from "../core/publish/publisher-rights";
import type { CoreContext } from "../core/vocabulary/core-context";
import { describeIdentity, type Identity } from "../core/vocabulary/identity";
import { parseVersion, type ParsedVersion } from "../core/vocabulary/versions";
import { allowedUrl, type MirrorUpstream } from "./upstreams";
import { UpstreamOffline, upstreamGet, upstreamJson, upstreamUnavailable } from "./upstream-client";
import { localDeprecation, versionUrl, UpstreamMetadata } from "./upstream-api";
import { coordinatorFor } from "../core/publish/coordinator-stub";
import { actorOf, stampFor } from "../audit/audit-log";
import { enqueueEvent } from "../webhooks/webhook-events";
import { kindEvent } from "../core/vocabulary/kind-actions";

/** What the mirror needs besides a core context: the primary database (its claims must not read a replica). */
export interface MirrorContext extends CoreContext {
  primaryDb: Database;
  /**
   * Counts one miss that may ask an upstream against the caller's own budget (the MIRROR_MISS_RATE_LIMITER
   * binding, per token or client address) and throws its 429 when that is spent: one caller cannot spend the
   * upstream's budget for everyone. Requests have it; the mirror's own jobs do not (the operator's list).
   */
  countUpstreamMiss?(): Promise<void>;
}

export type PullOutcome =
  /** The version is stored now (fetched by this call, or by a concurrent one it waited for, or already). */
  | { status: "stored"; version: string }
  /** The upstream does not have it (remembered for `negativeSeconds`). */
  | { status: "missing" };

const LEASE_MS = 60_000;
const WAIT_MS = 25_000;
const POLL_MS = 200;

/** The caller the mirror publishes as: the upstream's org, marked as the mirror in the audit log. */
export function mirrorCaller(upstream: MirrorUpstream): OrgCaller {
  return { kind: "org", org: upstream.org, role: "admin", tokenId: `mirror:${upstream.id}` };
}

export function fetchKey(upstream: MirrorUpstream, identity: Identity, version: ParsedVersion | "latest"): string {
  // Publishers are unique ignoring case: every spelling of one fetch is one key (one fetch, one remembered miss).
  return `${upstream.id}|${identity.kind}/${identity.source}/${identity.publisher.toLowerCase()}/${identity.canonicalName}@${version === "latest" ? "latest" : version.precedenceKey}`;
}

type Claim = { won: true } | { won: false; row: typeof mirrorFetches.$inferSelect | undefined };

/**
 * Claims the fetch of `key` unless one holds a live lease, a remembered miss is still fresh, or (unless
 * `retryFailed`) a failure on an upstream fault is still held.
 */
async function claim(db: Database, key: string, now: number, retryFailed: boolean): Promise<Claim> {
  const held = retryFailed ? sql`'missing'` : sql`'missing', 'failed'`;
  const won = await db.get<{ key: string } | undefined>(sql`
    INSERT INTO mirror_fetches (key, status, lease_until, until, error, updated_at) VALUES (${key}, 'fetching', ${now + LEASE_MS}, 0, NULL, ${now})
    ON CONFLICT(key) DO UPDATE SET status = 'fetching', lease_until = excluded.lease_until, until = 0, error = NULL, updated_at = excluded.updated_at
    WHERE NOT (status = 'fetching' AND lease_until > ${now}) AND NOT (status IN (${held}) AND until > ${now})
    RETURNING key`);
  if (won) return { won: true };
  return { won: false, row: await db.select().from(mirrorFetches).where(eq(mirrorFetches.key, key)).get() };
}

/** The 502 a held failure answers with: the upstream's fault as it was, and when asking again helps. */
function heldFailure(upstream: MirrorUpstream, row: typeof mirrorFetches.$inferSelect): ApiError {
  const seconds = Math.max(1, Math.ceil((row.until - Date.now()) / 1000));
  const why = row.error ?? `upstream '${upstream.id}' failed`;
  return new ApiError(502, `${why} (remembered: the mirror asks upstream '${upstream.id}' again after ${seconds} seconds)`, undefined, { "Retry-After": String(seconds) });
}

async function settle(db: Database, key: string, status: "done" | "missing" | "failed", values: { until?: number; error?: string }): Promise<void> {
  await db
    .update(mirrorFetches)
    .set({ status, leaseUntil: 0, until: values.until ?? 0, error: values.error ?? null, updatedAt: Date.now() })
    .where(and(eq(mirrorFetches.key, key), eq(mirrorFetches.status, "fetching")));
}

/** Waits for the fetch another request holds; answers what it came to. */
async function waitFor(db: Database, key: string, upstream: MirrorUpstream): Promise<PullOutcome | "retry"> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const row = await db.select().from(mirrorFetches).where(eq(mirrorFetches.key, key)).get();
    if (!row || (row.status === "fetching" && row.leaseUntil <= Date.now())) return "retry";
    if (row.status === "missing") return { status: "missing" };
    if (row.status === "done") return { status: "stored", version: row.error ?? "" };
    if (row.status === "failed") throw row.until > Date.now() ? heldFailure(upstream, row) : upstreamUnavailable(upstream, `could not be mirrored from: ${row.error ?? "unknown error"}`);
    if (Date.now() > deadline) {
      throw new ApiError(503, `the mirror is still fetching this from upstream '${upstream.id}'; retry in a few seconds`, undefined, { "Retry-After": "5" });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Fetches `version` of `identity` from `upstream` and stores it, unless the upstream lacks it. Throws 502
 * (upstream fault, nothing stored) or 503 (budget, 429, still fetching elsewhere).
 */
export async function pullThrough(context: MirrorContext, kind: AnyKind, upstream: MirrorUpstream, identity: Identity, version: ParsedVersion | "latest", options: SingleFlightOptions = {}): Promise<PullOutcome> {
  return singleFlight(context, upstream, fetchKey(upstream, identity, version), () => fetchAndStore(context, kind, upstream, identity, version), options);
}

export interface SingleFlightOptions {
  /** Ask the upstream even while an earlier failure is held (the sync job's own retries and backoff). */
  retryFailed?: boolean;
}

/**
 * Runs `work` once for `key` however many requests ask at the same time (the others wait for its outcome),
 * remembers a `missing` outcome for the upstream's `negativeSeconds` and a failure on an upstream fault (502)
 * for its `failureHoldSeconds`, so repeating a request that failed does not ask the upstream again at once.
 */
export async function singleFlight(context: MirrorContext, upstream: MirrorUpstream, key: string, work: () => Promise<PullOutcome>, options: SingleFlightOptions = {}): Promise<PullOutcome> {
  const db = context.primaryDb;
  for (let round = 0; round < 3; round++) {
    const claimed = await claim(db, key, Date.now(), options.retryFailed === true);
    if (!claimed.won) {
      const row = claimed.row;
      if (row?.status === "missing" && row.until > Date.now()) return { status: "missing" };
      if (row?.status === "failed" && row.until > Date.now() && !options.retryFailed) throw heldFailure(upstream, row);
      const waited = await waitFor(db, key, upstream);
      if (waited === "retry") continue;
      return waited;
    }
    try {
      const outcome = await work();
      if (outcome.status === "missing") await settle(db, key, "missing", { until: Date.now() + upstream.negativeSeconds * 1000 });
      // A done row carries the version it stored, for whoever waited on it.
      else await settle(db, key, "done", { error: outcome.version });
      return outcome;
    } catch (error) {
      // Every failure is held but a budget wait or a 429 (503), which says when to come back itself, and offline
      // mode: one that is not the upstream's fault (a 403 from the publish service after the operator changed
      // the upstream's org, say) would otherwise be asked of the upstream again by every read.
      const wait = (error instanceof ApiError && error.status === 503) || error instanceof UpstreamOffline;
      const until = wait ? 0 : Date.now() + upstream.failureHoldSeconds * 1000;
      await settle(db, key, "failed", { until, error: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      throw error;
    }
  }
  throw new ApiError(503, `the mirror could not claim the fetch from upstream '${upstream.id}'; retry in a few seconds`, undefined, { "Retry-After": "5" });
}

interface FetchedArtifact {
  url: string;
  size: number;
  sha256: string;
}

/** Streams one upstream artifact into the operation's slot, hashing it; the length must be what the upstream said. */
async function fetchArtifact(context: MirrorContext, kind: AnyKind, upstream: MirrorUpstream, caller: OrgCaller, identity: Identity, operationId: string, slot: string, url: string, optional: boolean): Promise<FetchedArtifact | undefined> {
  if (!allowedUrl(url, context.env.MIRROR_ALLOW_LOCAL_HTTP === "true")) throw upstreamUnavailable(upstream, `named an artifact URL this mirror does not fetch (${url.slice(0, 100)})`);
  const response = await upstreamGet(context.env, context.primaryDb, upstream, url, optional ? { passStatuses: [404, 406], accept: "text/markdown" } : {});
  // An optional artifact asked of a documentation route: only a markdown answer is the text itself.
  if (response.status === 404 || response.status === 406 || (optional && !(response.headers.get("Content-Type") ?? "").startsWith("text/markdown"))) {
    await response.body?.cancel();
    return undefined;
  }
  const { tap, hex } = sha256Tap();
  const declared = response.headers.get("Content-Length");
  let body: ReadableStream | ArrayBuffer;
  let size: number;
  if (declared !== null && /^\d+$/.test(declared)) {
    size = Number(declared);
    body = response.body!.pipeThrough(tap);
  } else {
    // No length (a chunked answer): read it whole, within the slot's limit, then store it.
    const max = kind.slots.find((s) => s.name === slot)!.maxBytes(context.limits);
    const whole = await readWithin(response.body!.pipeThrough(tap), max, () => upstreamUnavailable(upstream, `sent a ${slot} larger than this registry's limit of ${max} bytes`));
    size = whole.byteLength;
    body = whole.slice().buffer;
  }
  try {
    await attachArtifact(context, kind, caller, identity, operationId, slot, { from: "bytes", body, size });
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) throw upstreamUnavailable(upstream, `sent a ${slot} this registry refuses: ${error.message}`);
    // A body shorter (or longer) than its Content-Length breaks the fixed-length copy.
    throw upstreamUnavailable(upstream, `broke off the ${slot} (${size} bytes announced): ${error instanceof Error ? error.message : String(error)}`);
  }
  return { url, size, sha256: await hex() };
}

async function fetchAndStore(context: MirrorContext, kind: AnyKind, upstream: MirrorUpstream, identity: Identity, version: ParsedVersion | "latest"): Promise<PullOutcome> {
  const metadataUrl = versionUrl(upstream, identity, version === "latest" ? "latest" : version.raw);
  const response = await upstreamGet(context.env, context.primaryDb, upstream, metadataUrl, { passStatuses: [404] });
  if (response.status === 404) {
    await response.body?.cancel();
    return { status: "missing" };
  }
  const parsed = UpstreamMetadata.safeParse(await upstreamJson(upstream, response));
  if (!parsed.success) throw upstreamUnavailable(upstream, `answered a version without ${parsed.error.issues[0]?.path.join(".") || "the expected fields"}`);
  const meta = parsed.data;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!same(meta.source, identity.source) || !same(meta.publisher, identity.publisher) || !same(meta.name, identity.name)) {
    throw upstreamUnavailable(upstream, `answered ${meta.source}/${meta.publisher}/${meta.name} when asked for ${identity.source}/${identity.publisher}/${identity.name}`);
  }
  const concrete = parseVersion(meta.version);
  if (!concrete) throw upstreamUnavailable(upstream, `answered a version that is not SemVer ('${meta.version.slice(0, 60)}')`);
  if (version !== "latest" && concrete.precedenceKey !== version.precedenceKey) throw upstreamUnavailable(upstream, `answered version ${meta.version} when asked for ${version.raw}`);
  // Stored under the publisher and name as already stored, else as the upstream spells them — never as this
  // caller spelled them (`PULUMI` or `WIDGETS` first would fix the spelling, and every later pull as
  // `pulumi/pulumi/widgets` would be refused as a publisher spelling or name conflict).
  const publisher = (await otherPublisherSpelling(context.primaryDb, identity.kind, identity.source, meta.publisher)) ?? meta.publisher;
  const item = await findItem(context.primaryDb, identity.kind, identity.source, publisher, identity.canonicalName);
  if (item && !item.mirror) return { status: "missing" };
  identity = kind.identity({ source: identity.source, publisher, name: item?.name ?? meta.name });
  // The upstream's latest is known here (live, or deleted here): `latest` is checked until the freshness
  // period is over again, so each read does not ask the upstream anew.
  if (version === "latest" && item && (await knownVersion(context.primaryDb, item.id, concrete.precedenceKey, !allowVersionReuse(context.env)))) {
    await markLatestChecked(context.primaryDb, item.id);
    return { status: "stored", version: meta.version };
  }
  const caller = mirrorCaller(upstream);
  const publishedAt = Date.parse(meta.createdAt) <= Date.now() ? new Date(Date.parse(meta.createdAt)).toISOString() : undefined;
  let started;
  try {
    started = await startPublish(context, kind, caller, identity, {
      version: concrete,
      ...(publishedAt ? { publishedAt } : {}),
      mirror: { upstream: upstream.id, visibility: upstream.token ? "private" : "public" },
    });
  } catch (error) {
    // Stored meanwhile (a concurrent sync), or a local item took the name: nothing to fetch.
    if (error instanceof ApiError && error.status === 409) {
      if (version === "latest" && item) await markLatestChecked(context.primaryDb, item.id);
      return item?.mirror || !item ? { status: "stored", version: meta.version } : { status: "missing" };
    }
    throw error;
  }
  const operationId = started.operationId;
  try {
    const artifacts: Record<string, FetchedArtifact> = {};
    const schema = await fetchArtifact(context, kind, upstream, caller, identity, operationId, "schema", meta.schemaURL, false);
    artifacts.schema = schema!;
    const readme = await fetchArtifact(context, kind, upstream, caller, identity, operationId, "index", meta.readmeURL, false);
    artifacts.index = readme!;
    // Pulumi's answers carry no installation URL; this registry serves one beside the version.
    const installation = await fetchArtifact(context, kind, upstream, caller, identity, operationId, "installationConfiguration", `${versionUrl(upstream, identity, meta.version)}/installation`, true);
    if (installation) artifacts.installationConfiguration = installation;
    // Where the upstream said its plugin archives are, and their checksums: what mirror-plugins.ts fetches and verifies.
    const provenance = JSON.stringify({
      upstream: upstream.id,
      url: upstream.base,
      fetchedAt: new Date().toISOString(),
      metadataURL: metadataUrl,
      artifacts,
      pluginDownloadURL: meta.pluginDownloadURL ?? "",
      ...(meta.checksums ? { checksums: meta.checksums } : {}),
    });
    try {
      await completePublish(context, kind, caller, identity, concrete, operationId, provenance);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) throw upstreamUnavailable(upstream, `served ${describeIdentity(identity, meta.version)} with artifacts this registry refuses: ${error.message}`);
      if (error instanceof ApiError && error.status === 409) return { status: "stored", version: meta.version };
      throw error;
    }
    // A new latest of an item stored before: checked now (a new item is created checked).
    if (version === "latest" && item) await markLatestChecked(context.primaryDb, item.id);
    // Deprecated upstream already: deprecated here from the start, not only at the first recheck.
    const deprecation = localDeprecation(meta.deprecation);
    if (deprecation) await deprecateMirrored(context, upstream, identity, concrete, deprecation);
  } finally {
    await deletePrefix(context.env.ARTIFACTS, stagingPrefix(operationId));
  }
  return { status: "stored", version: meta.version };
}

/** Whether the item has this version live, or (`orDeleted`) deleted here: a deleted version number is not stored again without ALLOW_VERSION_REUSE. */
async function knownVersion(db: Database, itemId: string, precedenceKey: string, orDeleted: boolean): Promise<boolean> {
  const row = await db.get<{ id: string } | undefined>(
    orDeleted
      ? sql`SELECT id FROM versions WHERE item_id = ${itemId} AND precedence_key = ${precedenceKey}`
      : sql`SELECT id FROM versions WHERE item_id = ${itemId} AND precedence_key = ${precedenceKey} AND retired = 0`,
  );
  return row !== undefined;
}

export async function markLatestChecked(db: Database, itemId: string): Promise<void> {
  await db.run(sql`UPDATE items SET mirror_latest_checked_at = ${Date.now()} WHERE id = ${itemId}`);
}

/**
 * Records the upstream's deprecation of a version just stored (as the recheck would), with its audit entry and
 * the owning org's `package.deprecated` webhook event (the recheck finds nothing to change later, so it would
 * never send one). A failure here is logged and left to the recheck: the version itself is stored and whole.
 */
async function deprecateMirrored(context: MirrorContext, upstream: MirrorUpstream, identity: Identity, version: ParsedVersion, deprecation: { message: string }): Promise<void> {
  const caller = mirrorCaller(upstream);
  const changed = await coordinatorFor(context.env, identity)
    .deprecate({ ...identity, version: { raw: version.raw, precedenceKey: version.precedenceKey }, deprecation, org: upstream.org, audit: stampFor(context, actorOf(caller)) })
    .catch((error: unknown) => ({ ok: false as const, status: 500, message: error instanceof Error ? error.message : String(error) }));
  if (changed.ok && changed.value.changed) {
    await context.catalogChanged();
    enqueueEvent(context, {
      type: kindEvent(identity.kind, "deprecated"),
      org: changed.value.ownerOrg,
      identity,
      version: version.raw,
      ...(changed.value.deprecation ? { deprecation: changed.value.deprecation } : {}),
    });
  } else if (!changed.ok) console.log(JSON.stringify({ requestId: context.requestId, mirrorDeprecationLater: changed.message }));
}

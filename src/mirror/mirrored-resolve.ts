// resolveVersion with the mirror behind it: the seam the read routes and pages go through. A miss under
// an identity an upstream serves pulls the version through; `latest` of a mirrored item is re-checked
// after the upstream's freshness period; an unreachable upstream falls back to what is stored.
import { sql } from "drizzle-orm";
import type { Caller } from "../identity/rights";
import { allowVersionReuse } from "../env";
import { ApiError } from "../http/api-error";
import { findItem, otherPublisherSpelling } from "../core/catalog/lookups";
import { canonicalName } from "../core/vocabulary/names";
import type { AnyKind } from "../core/kind";
import { readerFor, resolveVersion, type ResolvedVersion, type ScopedReader, type VersionQuery } from "../core/resolve-version";
import type { LiveVersion } from "../core/vocabulary/catalog-entry";
import { isOffline, MirrorConfigError, mirrorUpstreams, upstreamFor, type MirrorUpstream } from "./upstreams";
import { pullThrough, singleFlight, type MirrorContext } from "./pull-through";
import { UpstreamOffline, upstreamGet, upstreamJson, upstreamUnavailable } from "./upstream-client";
import { UpstreamList } from "./upstream-api";

type Found = { resolved: ResolvedVersion | null; versions: LiveVersion[] };

/** The upstream serving `identity`, or a 500 naming the configuration's fault (never a silent non-mirror). */
export function servingUpstream(context: MirrorContext, identity: VersionQuery["identity"]): MirrorUpstream | undefined {
  try {
    return upstreamFor(context.env, identity);
  } catch (error) {
    if (error instanceof MirrorConfigError) throw new ApiError(500, `the mirror is misconfigured: ${error.message}`);
    throw error;
  }
}

/** Whether this caller's miss may ask the upstream: anyone for an anonymous upstream; its org for one with a token. */
async function mayPull(upstream: MirrorUpstream, caller: () => Promise<Caller>): Promise<boolean> {
  if (!upstream.token) return true;
  const who = await caller();
  return who.kind === "org" && who.org === upstream.org;
}

/**
 * Whether a miss of `identity` (at `version`) may be asked of `upstream`: not when a local item has the identity (it is
 * never mirrored over), nor when this publisher is stored here in another spelling (publishers are unique
 * ignoring case: the caller's spelling is a plain miss, and never the one the mirror stores).
 */
async function mayAsk(context: MirrorContext, upstream: MirrorUpstream, identity: VersionQuery["identity"], version: VersionQuery["version"]): Promise<boolean> {
  const item = await findItem(context.primaryDb, identity.kind, identity.source, identity.publisher, identity.canonicalName);
  if (item) {
    if (item.mirror !== upstream.id) return false;
    // An item whose versions were all deleted here: its upstream's latest was asked about within the freshness
    // period (and is one of them), so asking again now would store nothing.
    if (version === "latest" && Date.now() - (item.mirrorLatestCheckedAt ?? 0) < upstream.latestFreshnessSeconds * 1000) return false;
    // A version deleted here (by the recheck, or by the owning org) is not stored again: a plain miss.
    if (version !== "latest" && !allowVersionReuse(context.env)) {
      const retired = await context.primaryDb.get<{ id: string } | undefined>(sql`SELECT id FROM versions WHERE item_id = ${item.id} AND precedence_key = ${version.precedenceKey} AND retired = 1`);
      if (retired) return false;
    }
    return true;
  }
  return (await otherPublisherSpelling(context.primaryDb, identity.kind, identity.source, identity.publisher)) === undefined;
}

/** A reader on the primary that sees what the mirror stored for `upstream` (re-reads right after a pull). */
function storedReader(context: MirrorContext, upstream: MirrorUpstream): ScopedReader {
  return readerFor(context.primaryDb, upstream.token ? { kind: "org", org: upstream.org } : { kind: "anonymous" });
}

export async function resolveWithMirror(
  context: MirrorContext,
  kind: AnyKind,
  read: ScopedReader,
  query: VersionQuery,
  caller: () => Promise<Caller>,
  options: { withVersions?: boolean } = {},
): Promise<Found> {
  const found = await resolveVersion(read, query, options);
  if (kind.kind !== "package") return found;
  const upstream = servingUpstream(context, query.identity);
  if (!upstream) return found;
  const offline = isOffline(context.env, upstream);
  if (found.resolved) {
    const item = found.resolved.item;
    if (query.version !== "latest" || item.mirror !== upstream.id || offline) return found;
    if (Date.now() - (item.mirrorLatestCheckedAt ?? 0) < upstream.latestFreshnessSeconds * 1000) return found;
    try {
      const pulled = await pullThrough(context, kind, upstream, query.identity, "latest");
      if (pulled.status === "missing") return found;
    } catch (error) {
      // The upstream is down, slow or holding us off: `latest` is what is stored.
      console.log(JSON.stringify({ requestId: context.requestId, mirrorLatestFallback: error instanceof Error ? error.message : String(error) }));
      return found;
    }
    return resolveVersion(read, query, options);
  }
  if (offline || !(await mayPull(upstream, caller))) return found;
  // A local item of this identity is never mirrored over: its absent versions are plain misses.
  if (!(await mayAsk(context, upstream, query.identity, query.version))) return found;
  await context.countUpstreamMiss?.();
  let pulled;
  try {
    pulled = await pullThrough(context, kind, upstream, query.identity, query.version);
  } catch (error) {
    if (error instanceof UpstreamOffline) return found;
    throw error;
  }
  if (pulled.status === "missing") return found;
  return resolveVersion(storedReader(context, upstream), query, options);
}

/** For a route that found no item (a version list): pulls the upstream's latest if a mirror serves it; whether it did. */
export async function pulledLatest(context: MirrorContext & { caller(): Promise<Caller> }, kind: AnyKind, identity: VersionQuery["identity"]): Promise<boolean> {
  if (kind.kind !== "package") return false;
  const upstream = servingUpstream(context, identity);
  if (!upstream || isOffline(context.env, upstream) || !(await mayPull(upstream, () => context.caller()))) return false;
  if (!(await mayAsk(context, upstream, identity, "latest"))) return false;
  await context.countUpstreamMiss?.();
  try {
    return (await pullThrough(context, kind, upstream, identity, "latest")).status === "stored";
  } catch (error) {
    if (error instanceof UpstreamOffline) return false;
    throw error;
  }
}

/** At most this many packages a name search pulls from one upstream (each one pull-through of its latest). */
const MAX_PULLED_BY_NAME = 3;

/**
 * A package list filtered by name (`name`: its canonical form) found nothing (how `pulumi package add <name>` resolves a bare name): ask
 * each upstream that may serve that name for it, and pull the latest version of what it answers (a few at
 * most). Answers how many it stored. Faults of an upstream are logged and skipped: a list still answers.
 */
export async function pulledByName(context: MirrorContext & { caller(): Promise<Caller> }, kind: AnyKind, name: string): Promise<number> {
  if (kind.kind !== "package") return 0;
  let upstreams;
  try {
    upstreams = mirrorUpstreams(context.env);
  } catch (error) {
    if (error instanceof MirrorConfigError) throw new ApiError(500, `the mirror is misconfigured: ${error.message}`);
    throw error;
  }
  let pulled = 0;
  for (const upstream of upstreams) {
    if (isOffline(context.env, upstream) || !upstream.patterns.some((p) => p.name === "*" || canonicalName(p.name) === name)) continue;
    if (!(await mayPull(upstream, () => context.caller()))) continue;
    await context.countUpstreamMiss?.();
    try {
      const outcome = await singleFlight(context, upstream, `${upstream.id}|${kind.kind}/name:${name.toLowerCase()}`, async () => {
        const response = await upstreamGet(context.env, context.primaryDb, upstream, `${upstream.base}/packages?${new URLSearchParams({ name, limit: "10" })}`);
        const parsed = UpstreamList.safeParse(await upstreamJson(upstream, response));
        if (!parsed.success) throw upstreamUnavailable(upstream, "answered a package list without `packages`");
        let stored = 0;
        // Only packages of the name asked for, and at most a few of them, whatever the upstream answers:
        // one search is a bounded number of requests upstream, and stores nothing the list will not show.
        let tried = 0;
        for (const meta of parsed.data.packages) {
          if (tried >= MAX_PULLED_BY_NAME) break;
          let identity;
          try {
            identity = kind.identity({ source: meta.source, publisher: meta.publisher, name: meta.name });
          } catch {
            continue;
          }
          if (identity.canonicalName !== name) continue;
          if (upstreamFor(context.env, identity)?.id !== upstream.id) continue;
          tried++;
          const item = await findItem(context.primaryDb, identity.kind, identity.source, identity.publisher, identity.canonicalName);
          if (item && item.mirror !== upstream.id) continue;
          if ((await pullThrough(context, kind, upstream, identity, "latest")).status === "stored") stored++;
        }
        return stored ? { status: "stored", version: String(stored) } : { status: "missing" };
      });
      if (outcome.status === "stored") pulled++;
    } catch (error) {
      if (error instanceof UpstreamOffline) continue;
      console.log(JSON.stringify({ requestId: context.requestId, mirrorNameSearchFailed: error instanceof Error ? error.message : String(error) }));
    }
  }
  return pulled;
}

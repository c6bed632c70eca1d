// Plugin archives of mirrored versions: on the first download of a platform a mirrored version lacks, the
// archive is fetched from where the upstream's answer said (its pluginDownloadURL, kept in the version's
// provenance), resolved the way the Pulumi CLI resolves it (/work/shared/spec/plugins.md §1), checked
// against the upstream's checksum when it gave one, and attached through the ordinary plugin attach (so it
// is hashed, validated and listed in SHA256SUMS like any hosted archive). Concurrent first downloads
// fetch once (the mirror_fetches claim).
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { versions, type ItemRow, type VersionRow } from "../db/schema";
import { ApiError } from "../http/api-error";
import { readWithin } from "../http/bytes";
import { sha256Tap } from "../artifacts/sha256-tap";
import { stagingKey, stagingPrefix } from "../artifacts/storage-keys";
import { deletePrefix } from "../artifacts/delete-prefix";
import { findItem } from "../core/catalog/lookups";
import type { Identity } from "../core/vocabulary/identity";
import { parseVersion } from "../core/vocabulary/versions";
import { completeAttach, startAttach } from "../plugins/plugin-service";
import { PLUGIN_ARTIFACT_PREFIX, platformSlot, pluginFileName, type Platform } from "../plugins/platforms";
import { allowedUrl, isOffline, upstreamById, type MirrorUpstream } from "./upstreams";
import { upstreamGet, upstreamJson, upstreamUnavailable, UpstreamOffline } from "./upstream-client";
import { mirrorCaller, singleFlight, type MirrorContext, type PullOutcome } from "./pull-through";
import { UpstreamMetadata, versionUrl } from "./upstream-api";

/** What pull-through kept of the upstream's answer (older mirrored versions lack pluginDownloadURL). */
interface StoredProvenance {
  upstream?: string;
  pluginDownloadURL?: string;
  checksums?: Record<string, string>;
}

/** Where the upstream says its plugins are, and their checksums (re-asked of the upstream when not kept). */
interface PluginOrigin {
  pluginDownloadURL: string;
  checksums: Record<string, string>;
}

/** A fetched archive: the answer whose body is the archive, and the URL it was asked at. */
interface Fetched {
  response: Response;
  url: string;
}

const GithubRelease = z.object({ assets: z.array(z.object({ name: z.string(), url: z.string() }).loose()).max(1000) }).loose();

export function pluginFetchKey(upstream: MirrorUpstream, identity: Identity, precedenceKey: string, platform: Platform): string {
  return `${upstream.id}|plugin|${identity.kind}/${identity.source}/${identity.publisher}/${identity.canonicalName}@${precedenceKey}|${platform}`;
}

async function liveVersion(context: MirrorContext, identity: Identity, precedenceKey: string): Promise<{ item: ItemRow; version: VersionRow } | undefined> {
  const item = await findItem(context.primaryDb, identity.kind, identity.source, identity.publisher, identity.canonicalName);
  if (!item) return undefined;
  const version = await context.primaryDb
    .select()
    .from(versions)
    .where(and(eq(versions.itemId, item.id), eq(versions.precedenceKey, precedenceKey), eq(versions.retired, false)))
    .get();
  return version ? { item, version } : undefined;
}

const attached = (version: VersionRow, platform: Platform) => `${PLUGIN_ARTIFACT_PREFIX}${platform}` in (JSON.parse(version.artifacts) as Record<string, string>);

/**
 * Fetches `platform`'s archive of the mirrored `version` of `identity` from where `upstream` says it is and
 * attaches it, unless it is attached already. "missing" when no source has it (remembered for the
 * upstream's `negativeSeconds`); throws 502 (an upstream fault or a checksum mismatch: nothing stored) or
 * 503 (budget, 429, still fetching elsewhere).
 */
export async function pullPlugin(context: MirrorContext, upstream: MirrorUpstream, identity: Identity, version: string, platform: Platform): Promise<PullOutcome> {
  const parsed = parseVersion(version);
  if (!parsed) throw new ApiError(404, `version '${version.slice(0, 60)}' is not SemVer`);
  const key = pluginFetchKey(upstream, identity, parsed.precedenceKey, platform);
  return singleFlight(context, upstream, key, async () => {
    const found = await liveVersion(context, identity, parsed.precedenceKey);
    if (!found || found.item.mirror !== upstream.id) return { status: "missing" };
    if (attached(found.version, platform)) return { status: "stored", version: found.version.version };
    const exact = parseVersion(found.version.version)!;
    const origin = await pluginOrigin(context, upstream, identity, found.version, platform);
    const file = pluginFileName(found.item.name, exact.raw, platform);
    const fetched = await fetchArchive(context, upstream, { ...identity, name: found.item.name }, exact.raw, platform, file, origin.pluginDownloadURL);
    if (!fetched) return { status: "missing" };
    await store(context, upstream, identity, exact, platform, fetched, origin.checksums[platform]);
    return { status: "stored", version: exact.raw };
  });
}

/**
 * The answer of the plugin download routes for a mirrored version lacking `platform`: pulls it (unless the
 * upstream is offline or no longer configured) and answers the version row as it is afterwards.
 */
export async function withMirroredPlugin(context: MirrorContext, item: ItemRow, identity: Identity, version: VersionRow, platform: Platform): Promise<VersionRow> {
  const upstream = item.mirror ? upstreamById(context.env, item.mirror) : undefined;
  if (!upstream || isOffline(context.env, upstream) || attached(version, platform)) return version;
  const stored = { ...identity, source: item.source, publisher: item.publisher, name: item.name, canonicalName: item.canonicalName };
  await context.countUpstreamMiss?.();
  try {
    const pulled = await pullPlugin(context, upstream, stored, version.version, platform);
    if (pulled.status === "missing") return version;
  } catch (error) {
    if (error instanceof UpstreamOffline) return version;
    throw error;
  }
  const row = await context.primaryDb.select().from(versions).where(eq(versions.id, version.id)).get();
  return row ?? version;
}

/**
 * pluginDownloadURL and checksums as the version's provenance kept them when they name a checksum for
 * `platform`; otherwise as the upstream answers now (one request): an upstream that attached the archive
 * after the version was mirrored names its own plugin source and checksum only in its answers since, and the
 * kept answer would send the fetch to the CLI's fallback (GitHub's pulumi/pulumi-<name>, get.pulumi.com),
 * unverified. Versions mirrored before provenance kept them are asked about the same way.
 */
async function pluginOrigin(context: MirrorContext, upstream: MirrorUpstream, identity: Identity, version: VersionRow, platform: Platform): Promise<PluginOrigin> {
  const provenance = (version.provenance ? JSON.parse(version.provenance) : {}) as StoredProvenance;
  if (typeof provenance.pluginDownloadURL === "string" && provenance.checksums?.[platform]) return { pluginDownloadURL: provenance.pluginDownloadURL, checksums: provenance.checksums };
  const response = await upstreamGet(context.env, context.primaryDb, upstream, versionUrl(upstream, identity, version.version));
  const meta = UpstreamMetadata.safeParse(await upstreamJson(upstream, response));
  if (!meta.success) throw upstreamUnavailable(upstream, `answered a version without ${meta.error.issues[0]?.path.join(".") || "the expected fields"}`);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!same(meta.data.name, identity.name) || !same(meta.data.publisher, identity.publisher) || parseVersion(meta.data.version)?.precedenceKey !== parseVersion(version.version)?.precedenceKey) {
    throw upstreamUnavailable(upstream, `answered ${meta.data.publisher}/${meta.data.name}@${meta.data.version} when asked for ${identity.publisher}/${identity.name}@${version.version}`);
  }
  return { pluginDownloadURL: meta.data.pluginDownloadURL ?? provenance.pluginDownloadURL ?? "", checksums: meta.data.checksums ?? {} };
}

/**
 * A URL the mirror may fetch a plugin from (the SSRF guard): https (or local http when allowed) on the
 * upstream's own origin, the configured GitHub API / get.pulumi.com, or a host in `plugins.hosts`.
 */
function permitted(context: MirrorContext, upstream: MirrorUpstream, raw: string): string {
  if (!allowedUrl(raw, context.env.MIRROR_ALLOW_LOCAL_HTTP === "true")) throw upstreamUnavailable(upstream, `points a plugin at a URL this mirror does not fetch (${raw.slice(0, 100)})`);
  const url = new URL(raw);
  const origins = [upstream.base, upstream.plugins.github, upstream.plugins.getPulumi].map((u) => new URL(u).origin);
  if (origins.includes(url.origin) || upstream.plugins.hosts.some((h) => h.toLowerCase() === url.host.toLowerCase())) return url.toString();
  throw upstreamUnavailable(upstream, `points a plugin at ${url.host}, which is not among its plugins.hosts`);
}

/** GET `url` for a plugin; undefined on 404 (the next source is tried). */
async function get(context: MirrorContext, upstream: MirrorUpstream, url: string, headers: Record<string, string> = {}): Promise<Response | undefined> {
  const response = await upstreamGet(context.env, context.primaryDb, upstream, permitted(context, upstream, url), { passStatuses: [404], headers });
  if (response.status !== 404) return response;
  await response.body?.cancel();
  return undefined;
}

/** The CLI's github source: the release of tag v<version>, its asset named `file`, fetched as octet-stream. */
async function fromGithub(context: MirrorContext, upstream: MirrorUpstream, api: string, org: string, repo: string, version: string, file: string): Promise<Fetched | undefined> {
  const base = api.replace(/\/+$/, "");
  const release = await get(context, upstream, `${base}/repos/${encodeURIComponent(org)}/${encodeURIComponent(repo)}/releases/tags/v${encodeURIComponent(version)}`, { Accept: "application/vnd.github+json" });
  if (!release) return undefined;
  const parsed = GithubRelease.safeParse(await upstreamJson(upstream, release));
  if (!parsed.success) throw upstreamUnavailable(upstream, `plugin host answered a GitHub release without assets (${org}/${repo} v${version})`);
  const asset = parsed.data.assets.find((a) => a.name === file);
  if (!asset) return undefined;
  const response = await get(context, upstream, asset.url, { Accept: "application/octet-stream" });
  return response ? { response, url: asset.url } : undefined;
}

async function fromUrl(context: MirrorContext, upstream: MirrorUpstream, url: string): Promise<Fetched | undefined> {
  const response = await get(context, upstream, url);
  return response ? { response, url } : undefined;
}

/** Fetches the archive from the source `pluginDownloadURL` names, as the CLI would (§1 of the plugins spec). */
async function fetchArchive(context: MirrorContext, upstream: MirrorUpstream, identity: Identity, version: string, platform: Platform, file: string, pluginDownloadURL: string): Promise<Fetched | undefined> {
  const [os, arch] = platform.split("-") as [string, string];
  const url = pluginDownloadURL.trim();
  if (url === "") {
    // The CLI's fallback: GitHub's pulumi/pulumi-<name> releases, then get.pulumi.com.
    const github = await fromGithub(context, upstream, upstream.plugins.github, "pulumi", `pulumi-${identity.name}`, version, file);
    if (github) return github;
    return fromUrl(context, upstream, `${upstream.plugins.getPulumi.replace(/\/+$/, "")}/${encodeURIComponent(file)}`);
  }
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "https" || scheme === "http") {
    // The CLI substitutes the placeholders as its URL parser escapes them (`$%7BNAME%7D`); the literal form too.
    let base = url;
    for (const [key, value] of [["NAME", identity.name], ["VERSION", version], ["OS", os], ["ARCH", arch]] as const) {
      base = base.replaceAll(`\${${key}}`, encodeURIComponent(value)).replaceAll(`$%7B${key}%7D`, encodeURIComponent(value));
    }
    base = base.replace(/\/$/, "");
    return fromUrl(context, upstream, `${base}/${encodeURIComponent(file)}`);
  }
  if (scheme === "github") {
    const [host, org, repo] = url.slice("github://".length).split("/");
    if (!host || !org) throw upstreamUnavailable(upstream, `names a plugin source this mirror cannot read (${url.slice(0, 100)})`);
    const api = host.toLowerCase() === "api.github.com" ? upstream.plugins.github : `https://${host}`;
    return fromGithub(context, upstream, api, org, repo || `pulumi-${identity.name}`, version, file);
  }
  if (scheme === "gitlab") {
    const [host, project] = url.slice("gitlab://".length).split("/");
    if (!host || !project) throw upstreamUnavailable(upstream, `names a plugin source this mirror cannot read (${url.slice(0, 100)})`);
    // The upstream's own gitlab source (a private version of this registry) is asked on its origin, with its token.
    const own = new URL(upstream.base);
    const origin = own.host.toLowerCase() === host.toLowerCase() ? own.origin : `https://${host}`;
    return fromUrl(context, upstream, `${origin}/api/v4/projects/${encodeURIComponent(project)}/releases/v${encodeURIComponent(version)}/downloads/${encodeURIComponent(file)}`);
  }
  throw upstreamUnavailable(upstream, `names a plugin source this mirror cannot read (${url.slice(0, 100)})`);
}

/** Streams the fetched archive into an attach operation's staging key, checks its SHA-256, then completes the attach. */
async function store(context: MirrorContext, upstream: MirrorUpstream, identity: Identity, version: NonNullable<ReturnType<typeof parseVersion>>, platform: Platform, fetched: Fetched, expected: string | undefined): Promise<void> {
  const caller = mirrorCaller(upstream);
  const file = pluginFileName(identity.name, version.raw, platform);
  let started;
  try {
    started = await startAttach(context, caller, identity, version, [platform], upstream.id);
  } catch (error) {
    await fetched.response.body?.cancel();
    throw error;
  }
  const bucket = context.env.ARTIFACTS;
  try {
    const { tap, hex } = sha256Tap();
    const max = context.limits.pluginBytes;
    const declared = fetched.response.headers.get("Content-Length");
    const key = stagingKey(started.operationId, platformSlot(platform));
    let size: number;
    try {
      if (declared !== null && /^\d+$/.test(declared)) {
        size = Number(declared);
        if (size > max) {
          await fetched.response.body?.cancel();
          throw upstreamUnavailable(upstream, `plugin host sent ${file} of ${size} bytes; this registry's limit is ${max}`);
        }
        await bucket.put(key, fetched.response.body!.pipeThrough(tap).pipeThrough(new FixedLengthStream(size)), { httpMetadata: { contentType: "application/gzip" } });
      } else {
        const whole = await readWithin(fetched.response.body!.pipeThrough(tap), max, () => upstreamUnavailable(upstream, `plugin host sent ${file} larger than this registry's limit of ${max} bytes`));
        size = whole.byteLength;
        await bucket.put(key, whole, { httpMetadata: { contentType: "application/gzip" } });
      }
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw upstreamUnavailable(upstream, `plugin host broke off ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const sha256 = await hex();
    if (expected && sha256 !== expected.toLowerCase()) {
      throw upstreamUnavailable(upstream, `plugin host served ${file} with SHA-256 ${sha256}; the upstream's checksum is ${expected.toLowerCase()}`);
    }
    try {
      await completeAttach(context, caller, identity, version, started.operationId, { [platform]: { url: fetched.url, size, sha256, fetchedAt: new Date().toISOString() } });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 400 || error.status === 413)) throw upstreamUnavailable(upstream, `plugin host served ${file}, which this registry refuses: ${error.message}`);
      // Attached meanwhile (by a fetch whose claim had lapsed): what is stored is served.
      if (error instanceof ApiError && error.status === 409) return;
      throw error;
    }
  } finally {
    await deletePrefix(bucket, stagingPrefix(started.operationId));
  }
}

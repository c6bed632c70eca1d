// Attaching provider plugin archives to a published package version, through the publish coordinator:
// start (which platforms; each must be new) → a presigned PUT per platform → complete (promote with the
// SHA-256 computed while copying, validate what was promoted, commit under the lock). A refusal leaves no
// object and no row change behind.
import { eq } from "drizzle-orm";
import { badRequest, forbidden } from "../http/api-error";
import { versions } from "../db/schema";
import { canPublish } from "../identity/rights";
import { uploadSigner } from "../artifacts/upload-signing";
import { publishedPrefix, stagingKey, stagingPrefix } from "../artifacts/storage-keys";
import { deletePrefix } from "../artifacts/delete-prefix";
import { actorOf, stampFor } from "../audit/audit-log";
import { enqueueEvent, PLUGIN_ATTACHED } from "../webhooks/webhook-events";
import { coordinatorFor } from "../core/publish/coordinator-stub";
import type { OrgCaller } from "../core/publish/publisher-rights";
import type { CoreContext } from "../core/vocabulary/core-context";
import type { Identity } from "../core/vocabulary/identity";
import { unwrap } from "../core/vocabulary/outcome";
import type { ParsedVersion } from "../core/vocabulary/versions";
import { randomId } from "../identity/secrets";
import { checkPluginArchive } from "./plugin-archive";
import { sha256Tap } from "../artifacts/sha256-tap";
import { isPlatform, PLATFORMS, PLUGIN_ARTIFACT_PREFIX, platformSlot, pluginFileName, type Platform } from "./platforms";

/** What the version's `plugins` column holds per platform. */
export interface PluginRecord {
  file: string;
  size: number;
  sha256: string;
  attachedAt: string;
}

export interface StartedAttach {
  operationId: string;
  expiresAt: number;
  uploadURLs: Record<string, string>;
}

/** The platforms of a start body: a non-empty list of distinct platforms from the CLI's list. */
export function parsePlatforms(value: unknown): Platform[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest(`invalid attach request: platforms must be a non-empty array of ${PLATFORMS.join(", ")}`);
  const platforms: Platform[] = [];
  for (const p of value) {
    if (typeof p !== "string" || !isPlatform(p)) throw badRequest(`invalid attach request: '${String(p).slice(0, 40)}' is not a platform; use ${PLATFORMS.join(", ")}`);
    if (platforms.includes(p)) throw badRequest(`invalid attach request: platform '${p}' is listed twice`);
    platforms.push(p);
  }
  return platforms;
}

/**
 * `mirror` (the upstream id) is set only by the mirror (src/mirror/mirror-plugins.ts): it attaches to a
 * version it mirrored, as the upstream's org, and writes the fetched bytes to the staging keys itself
 * (no upload URLs are signed).
 */
export async function startAttach(context: CoreContext, caller: OrgCaller, identity: Identity, version: ParsedVersion, platforms: Platform[], mirror?: string): Promise<StartedAttach> {
  if (!mirror) {
    const right = canPublish(caller, identity);
    if (!right.ok) throw forbidden(right.reason);
  }
  const ttlMs = context.limits.operationTtlMs;
  const started = unwrap(
    await coordinatorFor(context.env, identity).startAttach({
      ...identity,
      version: version.raw,
      precedenceKey: version.precedenceKey,
      prerelease: version.prerelease,
      org: caller.org,
      names: platforms,
      artifactPrefix: PLUGIN_ARTIFACT_PREFIX,
      ttlMs,
      ...(mirror ? { mirror } : {}),
    }),
  );
  if (mirror) return { operationId: started.operationId, expiresAt: started.expiresAt, uploadURLs: {} };
  const signer = uploadSigner(context.env, context.origin);
  const uploadURLs: Record<string, string> = {};
  for (const p of platforms) uploadURLs[p] = await signer.sign(stagingKey(started.operationId, platformSlot(p)), "PUT", Math.floor(ttlMs / 1000));
  return { operationId: started.operationId, expiresAt: started.expiresAt, uploadURLs };
}

/** Copies one staged archive to its immutable key, hashing it on the way; size-checked on the staged object. */
async function promoteOne(context: CoreContext, operationId: string, platform: Platform, key: string): Promise<{ size: number; sha256: string }> {
  const bucket = context.env.ARTIFACTS;
  const staged = await bucket.get(stagingKey(operationId, platformSlot(platform)));
  if (!staged) throw badRequest(`cannot complete: no upload of the ${platform} plugin archive for attach operation '${operationId}'`);
  const max = context.limits.pluginBytes;
  if (staged.size > max) {
    await staged.body.cancel();
    throw badRequest(`the ${platform} plugin archive is ${staged.size} bytes; the limit is ${max}`);
  }
  const { tap, hex } = sha256Tap();
  await bucket.put(key, staged.body.pipeThrough(tap).pipeThrough(new FixedLengthStream(staged.size)), { httpMetadata: { contentType: "application/gzip" } });
  return { size: staged.size, sha256: await hex() };
}

/** Whether the version's artifact map holds a key under `prefix` (this attach committed). */
async function recordedUnder(context: CoreContext, versionId: string, prefix: string): Promise<boolean> {
  const row = await context.db.select({ artifacts: versions.artifacts }).from(versions).where(eq(versions.id, versionId)).get();
  return row !== undefined && Object.values(JSON.parse(row.artifacts) as Record<string, string>).some((key) => key.startsWith(prefix));
}

/** `provenance` (a mirror's attach): platform → where its archive was fetched from, kept in the version's provenance. */
export async function completeAttach(
  context: CoreContext,
  caller: OrgCaller,
  identity: Identity,
  version: ParsedVersion,
  operationId: string,
  provenance?: Record<string, unknown>,
): Promise<Record<string, PluginRecord>> {
  const stub = coordinatorFor(context.env, identity);
  const op = unwrap(await stub.pendingAttach({ ...identity, operationId, version: version.raw, org: caller.org }));
  const bucket = context.env.ARTIFACTS;
  const platforms = op.attach.names as Platform[];
  // A prefix of this call's own: two completes of one operation racing (a client's retry) must not share
  // copies, or the loser's cleanup would delete the archives the winner committed.
  const prefix = publishedPrefix({ ...identity, version: version.raw }, `plugins-${op.id}-${randomId(8)}`);
  const artifacts: Record<string, string> = {};
  const records: Record<string, PluginRecord> = {};
  let committed = false;
  let refused = false;
  try {
    for (const platform of platforms) {
      const file = pluginFileName(identity.name, version.raw, platform);
      const key = prefix + file;
      const { size, sha256 } = await promoteOne(context, op.id, platform, key);
      // What was promoted is what is checked: a leaked upload URL cannot change it afterwards.
      const promoted = await bucket.get(key);
      if (!promoted) throw new Error(`promoted plugin archive ${key} is missing`);
      await checkPluginArchive(promoted.body, { name: identity.name, platform, limits: context.limits });
      artifacts[platform] = key;
      records[platform] = { file, size, sha256, attachedAt: new Date().toISOString() };
    }
    const outcome = await stub.commitAttach({
      ...identity,
      operationId: op.id,
      org: caller.org,
      artifactPrefix: PLUGIN_ARTIFACT_PREFIX,
      artifacts,
      records,
      audit: stampFor(context, actorOf(caller)),
      auditAction: "package.plugin.attach",
      ...(provenance ? { provenance } : {}),
    });
    refused = !outcome.ok;
    unwrap(outcome);
    committed = true;
  } catch (error) {
    // A refusal, or a failure before the commit: remove the copies. A commit call that threw (a dropped
    // connection) may still have committed; then the copies are the version's archives and stay.
    if (!refused && (await recordedUnder(context, op.attach.versionId, prefix))) committed = true;
    throw error;
  } finally {
    if (!committed) await deletePrefix(bucket, prefix);
    // Refused or done, the uploads go (a retry uploads again under the same operation).
    await deletePrefix(bucket, stagingPrefix(op.id));
  }
  await context.catalogChanged();
  enqueueEvent(context, { type: PLUGIN_ATTACHED, org: caller.org, identity, version: version.raw, platforms });
  return records;
}

// Publishing a version, as plain services: start an operation, attach artifacts to it from any source,
// complete it (verify → promote → inspect → commit through the coordinator → cache change → webhook event).
import { badRequest, forbidden } from "../../http/api-error";
import { allowVersionReuse } from "../../env";
import { canPublish } from "../../identity/rights";
import { uploadSigner } from "../../artifacts/upload-signing";
import { stagingKey, stagingPrefix } from "../../artifacts/storage-keys";
import { deletePrefix } from "../../artifacts/delete-prefix";
import { actorOf, stampFor } from "../../audit/audit-log";
import { enqueueEvent } from "../../webhooks/webhook-events";
import type { AnyKind, ArtifactSlot } from "../kind";
import type { CoreContext } from "../vocabulary/core-context";
import type { Identity } from "../vocabulary/identity";
import { kindEvent } from "../vocabulary/kind-actions";
import { unwrap } from "../vocabulary/outcome";
import type { ParsedVersion } from "../vocabulary/versions";
import { coordinatorFor } from "./coordinator-stub";
import { promoteAndCommit, sendVersionJobs } from "./promote";
import type { OrgCaller } from "./publisher-rights";
import type { MirrorPublish } from "./coordinator-inputs";

const MAX_PUBLISHED_AT_SKEW_MS = 5 * 60_000;

export interface StartRequest {
  version: ParsedVersion;
  /** RFC 3339, already syntax-checked; refused when in the future. */
  publishedAt?: string;
  /** The kind's start extension (RegistryKind.startExtension), validated here. */
  extension?: unknown;
  /** Set only by the mirror (src/mirror/), whose caller is the upstream's org rather than a token's. */
  mirror?: MirrorPublish;
}

export interface StartedOperation {
  operationId: string;
  expiresAt: number;
  /** A presigned PUT URL per slot of the kind, valid as long as the operation. */
  uploadURLs: Record<string, string>;
}

function parseExtension(kind: AnyKind, extension: unknown): string | undefined {
  if (!kind.startExtension) return undefined;
  const parsed = kind.startExtension.safeParse(extension ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`invalid publish request: ${issue ? `${issue.path.join(".") || "body"} ${issue.message}` : "bad start fields"}`);
  }
  return JSON.stringify(parsed.data);
}

/** A kind is published to some of its sources only (templates: `private`); 400 for the others. */
export function checkPublishSource(kind: AnyKind, identity: Identity): void {
  if (!kind.publishSources.includes(identity.source)) {
    throw badRequest(`${kind.noun}s cannot be published to source '${identity.source}'; publish to ${kind.publishSources.map((s) => `'${s}'`).join(" or ")}`);
  }
}

/** Starts a publish operation of `identity` at `request.version`; ownership is checked inside the coordinator. */
export async function startPublish(context: CoreContext, kind: AnyKind, caller: OrgCaller, identity: Identity, request: StartRequest): Promise<StartedOperation> {
  checkPublishSource(kind, identity);
  let publishedAt: string | undefined;
  if (request.publishedAt) {
    const at = Date.parse(request.publishedAt);
    if (at > Date.now() + MAX_PUBLISHED_AT_SKEW_MS) throw badRequest("invalid publishedAt: it is in the future");
    publishedAt = new Date(at).toISOString();
  }
  const extension = parseExtension(kind, request.extension);
  // Ownership of an existing name is checked inside the coordinator, where it cannot race. The mirror is
  // not a token: what it may publish is decided by the operator's configuration (src/mirror/upstreams.ts).
  if (!request.mirror) {
    const right = canPublish(caller, identity);
    if (!right.ok) throw forbidden(right.reason);
  }
  const ttlMs = context.limits.operationTtlMs;
  const started = unwrap(
    await coordinatorFor(context.env, identity).start({
      ...identity,
      version: request.version.raw,
      precedenceKey: request.version.precedenceKey,
      prerelease: request.version.prerelease,
      org: caller.org,
      publishedAt,
      ...(extension === undefined ? {} : { extension }),
      ttlMs,
      allowReuse: allowVersionReuse(context.env),
      audit: stampFor(context, actorOf(caller)),
      ...(request.mirror ? { mirror: request.mirror } : {}),
    }),
  );
  const signer = uploadSigner(context.env, context.origin);
  // The URLs live as long as the operation.
  const expiresSeconds = Math.floor(ttlMs / 1000);
  const uploadURLs: Record<string, string> = {};
  for (const slot of kind.slots) uploadURLs[slot.name] = await signer.sign(stagingKey(started.operationId, slot.name), "PUT", expiresSeconds);
  return { operationId: started.operationId, expiresAt: started.expiresAt, uploadURLs };
}

/** Where an attached artifact's bytes come from. */
export type ArtifactSource =
  /** Uploaded by the client to the slot's presigned URL: already staged, only checked. */
  | { from: "staged" }
  /** Bytes the Worker holds or produces (a fetched archive, a generated file). */
  | { from: "bytes"; body: ReadableStream | ArrayBuffer | ArrayBufferView | string; size: number }
  /** A copy of an object already in the bucket (another version's artifact, a mirror's download). */
  | { from: "copy"; key: string };

function slotOf(kind: AnyKind, name: string): ArtifactSlot {
  const slot = kind.slots.find((s) => s.name === name);
  if (!slot) throw badRequest(`${kind.noun}s have no artifact '${name}'; they have ${kind.slots.map((s) => `'${s.name}'`).join(", ")}`);
  return slot;
}

/**
 * Stages one artifact of a pending operation, from any source, where complete looks for it (the same
 * place a presigned upload lands): complete then verifies, promotes and inspects it like an upload.
 */
export async function attachArtifact(
  context: CoreContext,
  kind: AnyKind,
  caller: OrgCaller,
  identity: Identity,
  operationId: string,
  slotName: string,
  source: ArtifactSource,
): Promise<{ key: string; size: number }> {
  const slot = slotOf(kind, slotName);
  const op = unwrap(await coordinatorFor(context.env, identity).pendingOperation({ ...identity, operationId, org: caller.org }));
  const bucket = context.env.ARTIFACTS;
  const key = stagingKey(op.id, slot.name);
  const max = slot.maxBytes(context.limits);
  if (source.from === "staged") {
    const head = await bucket.head(key);
    if (!head) throw badRequest(`no upload of ${slot.name} for publish operation '${op.id}'`);
    return { key, size: head.size };
  }
  if (source.from === "copy") {
    const object = await bucket.get(source.key);
    if (!object) throw badRequest(`cannot attach ${slot.name}: the object to copy is missing`);
    if (object.size > max) {
      await object.body.cancel();
      throw badRequest(`the ${slot.name} is ${object.size} bytes; the limit is ${max}`);
    }
    await bucket.put(key, object.body.pipeThrough(new FixedLengthStream(object.size)), { httpMetadata: { contentType: slot.contentType } });
    return { key, size: object.size };
  }
  if (source.size > max) throw badRequest(`the ${slot.name} is ${source.size} bytes; the limit is ${max}`);
  const body = source.body instanceof ReadableStream ? source.body.pipeThrough(new FixedLengthStream(source.size)) : source.body;
  await bucket.put(key, body, { httpMetadata: { contentType: slot.contentType } });
  return { key, size: source.size };
}

/**
 * Completes a publish operation: the version becomes visible, or nothing is left behind. Without an
 * `operationId`, the newest unexpired pending operation of this version started by the caller's org.
 */
export async function completePublish(
  context: CoreContext,
  kind: AnyKind,
  caller: OrgCaller,
  identity: Identity,
  version: ParsedVersion,
  operationId?: string,
  /** A mirror's publish: the version's provenance (JSON), stored with it. */
  provenance?: string,
): Promise<{ versionId: string }> {
  const stub = coordinatorFor(context.env, identity);
  const allowReuse = allowVersionReuse(context.env);
  const id = operationId ?? unwrap(await stub.pendingOperationFor({ ...identity, version: version.raw, org: caller.org })).operationId;
  const op = unwrap(await stub.beginComplete({ ...identity, operationId: id, version: version.raw, org: caller.org, allowReuse }));
  const bucket = context.env.ARTIFACTS;
  const missing = kind.slots.filter((slot) => slot.required).map((slot) => slot.name);
  const heads = await Promise.all(missing.map((name) => bucket.head(stagingKey(op.id, name))));
  const absent = missing.filter((_, i) => !heads[i]);
  if (absent.length) throw badRequest(`cannot complete: missing upload of ${absent.join(" and ")}`);
  const { jobs, ...committed } = await promoteAndCommit(context, kind, caller, identity, version, op, { stub, allowReuse, provenance });
  // The version's jobs (its docs derivation), sent as soon as it is committed, whatever follows, but off this
  // request's path: complete does not wait on the send.
  context.ctx.waitUntil(sendVersionJobs(context, jobs, committed.versionId));
  await context.catalogChanged();
  context.ctx.waitUntil(deletePrefix(bucket, stagingPrefix(op.id)));
  // Only now that the version is committed; delivery happens later, off this request's path.
  enqueueEvent(context, { type: kindEvent(kind.kind, "published"), org: caller.org, identity, version: version.raw });
  return committed;
}

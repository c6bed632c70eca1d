// The heart of complete: staged artifacts are copied to immutable keys (read along as they are copied when the
// kind asks), inspected there, and committed
// through the coordinator; a refused or failed attempt removes its copies.
import { and, eq, sql } from "drizzle-orm";
import { versions } from "../../db/schema";
import { badRequest } from "../../http/api-error";
import { randomId } from "../../identity/secrets";
import { publishedPrefix, stagingKey } from "../../artifacts/storage-keys";
import { deletePrefix } from "../../artifacts/delete-prefix";
import { actorOf, stampFor } from "../../audit/audit-log";
import type { AnyKind, InspectInput, SlotReader } from "../kind";
import type { CoreContext } from "../vocabulary/core-context";
import type { Identity } from "../vocabulary/identity";
import { unwrap, type Outcome } from "../vocabulary/outcome";
import type { ParsedVersion } from "../vocabulary/versions";
import type { coordinatorFor } from "./coordinator-stub";
import type { Operation } from "./coordinator-inputs";
import type { OrgCaller } from "./publisher-rights";
import { sendJob } from "../../jobs/jobs";

async function committedWithPrefix(context: CoreContext, operationId: string, prefix: string): Promise<boolean> {
  const row = await context.db
    .select({ id: versions.id })
    .from(versions)
    .where(and(eq(versions.operationId, operationId), sql`instr(${versions.artifacts}, ${prefix}) > 0`))
    .get();
  return row !== undefined;
}

/**
 * Copies each staged slot under `prefix`, checking its size on the object being copied. A slot the kind reads
 * along (RegistryKind.readAlong) is read as it is copied, in the same pass; what its reader answers is in `read`.
 */
async function promote(
  context: CoreContext,
  kind: AnyKind,
  op: Operation,
  prefix: string,
  identity: InspectInput["identity"],
): Promise<{ artifacts: Record<string, string>; read: Record<string, unknown> }> {
  const bucket = context.env.ARTIFACTS;
  const artifacts: Record<string, string> = {};
  const read: Record<string, unknown> = {};
  for (const slot of kind.slots) {
    const staged = await bucket.get(stagingKey(op.id, slot.name));
    if (!staged) {
      if (slot.required) throw badRequest(`cannot complete: the ${slot.name} upload disappeared; start a new publish`);
      continue;
    }
    // Checked on the object being copied: in R2 mode nothing limited the upload itself.
    const max = slot.maxBytes(context.limits);
    if (staged.size > max) {
      await staged.body.cancel();
      throw badRequest(`the uploaded ${slot.name} is ${staged.size} bytes; the limit is ${max}`);
    }
    const key = prefix + slot.name;
    const reader = kind.readAlong?.(slot.name, identity);
    if (reader) read[slot.name] = await copyReading(bucket, staged, key, slot.contentType, reader);
    else await bucket.put(key, staged.body.pipeThrough(new FixedLengthStream(staged.size)), { httpMetadata: { contentType: slot.contentType } });
    artifacts[slot.name] = key;
  }
  return { artifacts, read };
}

/** Chunks of the copy are handed on in pieces of at least this size (fewer, larger writes into the put). */
const COPY_PIECE_BYTES = 1024 * 1024;

/**
 * Copies `staged` to `key` with `reader` seeing every chunk on the way (src/core/kind.ts SlotReader) and answers
 * what it answered at the end. A refusal of the reader stops the reading, not the copy (an upload cut short
 * makes errors of its own): the copy is finished, then the refusal thrown, and promoteAndCommit removes it.
 */
async function copyReading(bucket: R2Bucket, staged: R2ObjectBody, key: string, contentType: string, reader: SlotReader): Promise<unknown> {
  const { readable, writable } = new FixedLengthStream(staged.size);
  const putting = bucket.put(key, readable, { httpMetadata: { contentType } });
  putting.catch(() => undefined); // awaited below
  const source = staged.body.getReader();
  const sink = writable.getWriter();
  sink.closed.catch(() => undefined); // a failed copy errors the stream: reported by what this throws
  let read: unknown;
  let refusal: { error: unknown } | undefined;
  const see = (f: () => unknown) => {
    if (refusal) return;
    try {
      read = f();
    } catch (error) {
      refusal = { error };
    }
  };
  try {
    let pieces: Uint8Array[] = [];
    let bytes = 0;
    // One piece in flight while the next is read and scanned: the put and the scan overlap.
    let writing: Promise<void> = Promise.resolve();
    const hand = async () => {
      if (!bytes) return;
      const piece = pieces.length === 1 ? pieces[0]! : new Uint8Array(bytes);
      if (pieces.length > 1) for (let at = 0, i = 0; i < pieces.length; at += pieces[i]!.byteLength, i++) piece.set(pieces[i]!, at);
      pieces = [];
      bytes = 0;
      await writing;
      writing = sink.write(piece);
      writing.catch(() => undefined); // awaited before the next piece and at the end
    };
    for (;;) {
      const { done, value } = await source.read();
      if (done) break;
      see(() => reader.write(value));
      pieces.push(value);
      bytes += value.byteLength;
      if (bytes >= COPY_PIECE_BYTES) await hand();
    }
    see(() => reader.end());
    await hand();
    await writing;
    await sink.close();
  } catch (error) {
    await source.cancel().catch(() => undefined);
    await sink.abort(error).catch(() => undefined);
    // The put's own failure (R2 down, say) explains a failed write better than the write's.
    await putting;
    throw error;
  }
  await putting;
  if (refusal) throw refusal.error;
  return read;
}

/**
 * Promote to immutable keys first, then inspect what was promoted: a leaked upload URL cannot change the
 * bytes between inspection and publication. The prefix is unique to this attempt, so two concurrent
 * completes of one operation never share (or clean up) each other's copies.
 */
export async function promoteAndCommit(
  context: CoreContext,
  kind: AnyKind,
  caller: OrgCaller,
  identity: Identity,
  version: ParsedVersion,
  op: Operation,
  commit: { stub: ReturnType<typeof coordinatorFor>; allowReuse: boolean; provenance?: string | undefined },
): Promise<{ versionId: string }> {
  const bucket = context.env.ARTIFACTS;
  const prefix = publishedPrefix({ ...identity, version: version.raw }, `${op.id}/${randomId(8)}`);
  let outcome: Outcome<{ versionId: string }> | undefined;
  try {
    const inspected = { source: identity.source, publisher: identity.publisher, name: identity.name, version: version.raw };
    const { artifacts, read } = await promote(context, kind, op, prefix, inspected);
    const inspection = await kind.inspect({
      bucket,
      identity: inspected,
      artifacts,
      read,
      prefix,
      limits: context.limits,
      ...(op.extension === undefined ? {} : { start: JSON.parse(op.extension) as unknown }),
    });
    outcome = await commit.stub.commit({
      operationId: op.id,
      org: caller.org,
      metadata: JSON.stringify(inspection.metadata),
      artifacts: { ...artifacts, ...inspection.derived },
      searchText: inspection.searchText ?? "",
      packageTypes: [...(inspection.packageTypes ?? [])].sort().join(","),
      allowReuse: commit.allowReuse,
      audit: stampFor(context, actorOf(caller)),
      jobs: inspection.jobs,
      docsStatus: inspection.docsStatus,
      ...(commit.provenance ? { provenance: commit.provenance } : {}),
    });
    const committed = unwrap(outcome);
    // After the commit: a message lost here (a crash) is sent again by the re-driver (src/jobs/jobs.ts).
    for (const job of inspection.jobs ?? []) {
      await sendJob(context.env, { kind: job, subject: committed.versionId, attempt: 1, step: 0 }).catch((error) =>
        console.log(JSON.stringify({ requestId: context.requestId, jobSendFailed: `${job} ${committed.versionId}: ${String(error)}` })),
      );
    }
    return committed;
  } catch (error) {
    // Remove this attempt's copies unless its version is live: a commit that threw (a dropped
    // connection, say) may still have committed, and then the copies are the version's artifacts.
    const refused = outcome !== undefined && !outcome.ok;
    if (refused || !(await committedWithPrefix(context, op.id, prefix))) await deletePrefix(bucket, prefix);
    throw error;
  }
}

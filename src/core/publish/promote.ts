// The heart of complete: staged artifacts are copied to immutable keys, inspected there, and committed
// through the coordinator; a refused or failed attempt removes its copies.
import { and, eq, sql } from "drizzle-orm";
import { versions } from "../../db/schema";
import { badRequest } from "../../http/api-error";
import { randomId } from "../../identity/secrets";
import { publishedPrefix, stagingKey } from "../../artifacts/storage-keys";
import { deletePrefix } from "../../artifacts/delete-prefix";
import { actorOf, stampFor } from "../../audit/audit-log";
import type { AnyKind } from "../kind";
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

/** Copies each staged slot under `prefix`, checking its size on the object being copied. */
async function promote(context: CoreContext, kind: AnyKind, op: Operation, prefix: string): Promise<Record<string, string>> {
  const bucket = context.env.ARTIFACTS;
  const artifacts: Record<string, string> = {};
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
    await bucket.put(key, staged.body.pipeThrough(new FixedLengthStream(staged.size)), { httpMetadata: { contentType: slot.contentType } });
    artifacts[slot.name] = key;
  }
  return artifacts;
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
): Promise<{ versionId: string; jobs: readonly string[] }> {
  const bucket = context.env.ARTIFACTS;
  const prefix = publishedPrefix({ ...identity, version: version.raw }, `${op.id}/${randomId(8)}`);
  let outcome: Outcome<{ versionId: string }> | undefined;
  try {
    const started = Date.now();
    const artifacts = await promote(context, kind, op, prefix);
    const promoted = Date.now();
    const inspection = await kind.inspect({
      bucket,
      identity: { source: identity.source, publisher: identity.publisher, name: identity.name, version: version.raw },
      artifacts,
      prefix,
      limits: context.limits,
      ...(op.extension === undefined ? {} : { start: JSON.parse(op.extension) as unknown }),
    });
    const inspected = Date.now();
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
    // Where complete's time went, for its log line (and the bench): copying the uploads, inspecting them, the commit.
    if (context.log) context.log.phasesMs = { copy: promoted - started, inspect: inspected - promoted, commit: Date.now() - inspected };
    return { ...committed, jobs: inspection.jobs ?? [] };
  } catch (error) {
    // Remove this attempt's copies unless its version is live: a commit that threw (a dropped
    // connection, say) may still have committed, and then the copies are the version's artifacts.
    const refused = outcome !== undefined && !outcome.ok;
    if (refused || !(await committedWithPrefix(context, op.id, prefix))) await deletePrefix(bucket, prefix);
    throw error;
  }
}

/**
 * Sends the first message of each job the commit created for the version. A message lost here (a crash) is
 * sent again by the re-driver (src/jobs/jobs.ts): the job rows were committed with the version.
 */
export async function sendVersionJobs(context: CoreContext, jobs: readonly string[], versionId: string): Promise<void> {
  for (const job of jobs) {
    await sendJob(context.env, { kind: job, subject: versionId, attempt: 1, step: 0 }).catch((error) =>
      console.log(JSON.stringify({ requestId: context.requestId, jobSendFailed: `${job} ${versionId}: ${String(error)}` })),
    );
  }
}

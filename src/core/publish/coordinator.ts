// Durable Object, one per (kind, source, publisher, canonical name): serializes every check-then-write on
// that identity (start, commit, retire, deprecate, derived artifacts) and keeps pending publish operations
// in its own storage. See docs/publish-concurrency.md for why the sequence cannot race.
import { createJob } from "../../jobs/job-rows";
import { DurableObject } from "cloudflare:workers";
import { and, eq, exists } from "drizzle-orm";
import { database, type Database } from "../../db/client";
import { items, jobs, versions, type ItemRow } from "../../db/schema";
import { visibilityForSource } from "../visibility";
import { randomId } from "../../identity/secrets";
import { stagingPrefix } from "../../artifacts/storage-keys";
import { deletePrefix } from "../../artifacts/delete-prefix";
import { findItem, otherPublisherSpelling } from "../catalog/lookups";
import { describeIdentity, type Identity, type VersionRef } from "../vocabulary/identity";
import type { Deprecation } from "../vocabulary/deprecation";
import { fail, ok, type Outcome } from "../vocabulary/outcome";
import { pickLatest } from "../vocabulary/versions";
import { auditEntry, itemTarget } from "../../audit/audit-log";
import { kindAuditAction } from "../vocabulary/kind-actions";
import { categoryOf, liveVersions, moveLatest, type LiveVersion } from "./latest-pointer";
import type { CommitAttachInput, CommitInput, MirrorPublish, DeprecateInput, Operation, RecordArtifactsInput, RetireInput, RetireItemInput, StartAttachInput, StartInput } from "./coordinator-inputs";

const OP_PREFIX = "op:";

export function coordinatorName(identity: Identity): string {
  return `${identity.kind}/${identity.source}/${identity.publisher}/${identity.canonicalName}`;
}

const describe = describeIdentity;

function publisherSpellingConflict(id: Identity, existing: string): string {
  return `publisher '${existing}' already exists on ${id.kind} source '${id.source}'; '${id.publisher}' differs from it only in case`;
}

/** The bindings the coordinator uses: declared here, so that env.ts can name this class without an import cycle. */
interface CoordinatorBindings {
  DB: D1Database;
  ARTIFACTS: R2Bucket;
}

/** A fresh pending operation of `input`'s identity and version, expiring after its TTL (publish and attach alike). */
function newOperation(input: Identity & { version: string; precedenceKey: string; prerelease: boolean; org: string; ttlMs: number }): Operation {
  const now = Date.now();
  return {
    id: randomId(16),
    kind: input.kind,
    source: input.source,
    publisher: input.publisher,
    name: input.name,
    canonicalName: input.canonicalName,
    version: input.version,
    precedenceKey: input.precedenceKey,
    prerelease: input.prerelease,
    org: input.org,
    createdAt: now,
    expiresAt: now + input.ttlMs,
    completed: false,
  };
}

export class PublishCoordinator extends DurableObject<CoordinatorBindings> {
  /** A DO interleaves requests while one awaits I/O (D1, R2); this chain makes each step run alone. */
  private queue: Promise<unknown> = Promise.resolve();

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private get db(): Database {
    return database(this.env.DB);
  }

  /** Checks shared by start and commit: same-name rule, ownership, version not taken or retired. */
  private async checkPublishable(
    id: Identity,
    ref: VersionRef,
    org: string,
    allowReuse: boolean,
    mirror?: MirrorPublish,
  ): Promise<Outcome<{ item: ItemRow | undefined; retiredVersionId: string | undefined }>> {
    const item = await findItem(this.db, id.kind, id.source, id.publisher, id.canonicalName);
    // A mirrored item takes versions only from its upstream; a local item is never mirrored over (docs/operator/mirror.md).
    if (item && item.mirror && item.mirror !== mirror?.upstream) {
      return fail(409, `${describe(id)} is mirrored from upstream '${item.mirror}'; its versions come only from there`);
    }
    if (item && !item.mirror && mirror) {
      return fail(409, `${describe(id)} is published here; a local ${id.kind} is never mirrored over`);
    }
    if (item && item.name !== id.name) {
      return fail(409, `${id.kind} '${id.source}/${id.publisher}/${item.name}' already exists; '${id.name}' differs from it only in case or separators`);
    }
    if (item && item.ownerOrg !== org) {
      return fail(403, `${describe(id)} is owned by another organization`);
    }
    if (item && item.backing !== "registry") {
      return fail(409, `${describe(id)} is VCS-backed and has no published versions`);
    }
    if (!item) {
      const spelling = await otherPublisherSpelling(this.db, id.kind, id.source, id.publisher);
      if (spelling !== undefined) return fail(409, publisherSpellingConflict(id, spelling));
      return ok({ item, retiredVersionId: undefined });
    }
    const existing = await this.db
      .select({ id: versions.id, version: versions.version, retired: versions.retired })
      .from(versions)
      .where(and(eq(versions.itemId, item.id), eq(versions.precedenceKey, ref.precedenceKey)))
      .get();
    if (!existing) return ok({ item, retiredVersionId: undefined });
    if (!existing.retired) return fail(409, `${describe(id, existing.version)} is already published`);
    if (!allowReuse) {
      return fail(409, `${describe(id, existing.version)} was deleted; a deleted version number cannot be published again`);
    }
    return ok({ item, retiredVersionId: existing.id });
  }

  async start(input: StartInput): Promise<Outcome<{ operationId: string; expiresAt: number }>> {
    return this.serialized(async () => {
      const check = await this.checkPublishable(input, input, input.org, input.allowReuse, input.mirror);
      if (!check.ok) return check;
      const op: Operation = {
        ...newOperation(input),
        ...(input.mirror ? { mirror: input.mirror } : {}),
        publishedAt: input.publishedAt,
        ...(input.extension === undefined ? {} : { extension: input.extension }),
      };
      await this.ctx.storage.put(OP_PREFIX + op.id, op);
      // The operation lives in this object's storage, not D1: its audit entry is written right after,
      // and if that fails the operation is removed again, so neither exists without the other.
      try {
        await auditEntry(this.db, input.audit, {
          action: kindAuditAction(op.kind, "publish.start"),
          org: input.org,
          target: itemTarget(op),
          version: op.version,
          outcome: 202,
          detail: { operationId: op.id },
        }).run();
      } catch (error) {
        await this.ctx.storage.delete(OP_PREFIX + op.id);
        throw error;
      }
      await this.scheduleCleanup(op.expiresAt);
      return ok({ operationId: op.id, expiresAt: op.expiresAt });
    });
  }

  /** First half of complete: the operation exists, is this caller's, unexpired, not completed, and the version is free. */
  async beginComplete(input: Identity & { operationId: string; version: string; org: string; allowReuse: boolean }): Promise<Outcome<Operation>> {
    return this.serialized(async () => {
      const op = await this.ctx.storage.get<Operation>(OP_PREFIX + input.operationId);
      const matches =
        op &&
        op.kind === input.kind &&
        op.source === input.source &&
        op.publisher === input.publisher &&
        op.name === input.name &&
        op.version === input.version &&
        op.org === input.org &&
        !op.attach &&
        op.expiresAt > Date.now();
      if (!op || !matches) return fail(404, `publish operation '${input.operationId}' not found for ${describe(input, input.version)}`);
      if (op.completed) return fail(409, `publish operation '${op.id}' was already completed`);
      const check = await this.checkPublishable(op, op, op.org, input.allowReuse, op.mirror);
      if (!check.ok) return check;
      return ok(op);
    });
  }

  /** Second half of complete: re-checks under the lock, then one D1 batch makes the version visible atomically. */
  async commit(input: CommitInput): Promise<Outcome<{ versionId: string }>> {
    return this.serialized(async () => {
      const key = OP_PREFIX + input.operationId;
      const op = await this.ctx.storage.get<Operation>(key);
      if (!op || op.org !== input.org || op.attach || op.expiresAt <= Date.now()) return fail(404, `publish operation '${input.operationId}' not found`);
      if (op.completed) return fail(409, `publish operation '${op.id}' was already completed`);
      const check = await this.checkPublishable(op, op, op.org, input.allowReuse, op.mirror);
      if (!check.ok) return check;
      const now = new Date().toISOString();
      const itemId = check.value.item?.id ?? crypto.randomUUID();
      const versionId = crypto.randomUUID();
      const db = this.db;
      const newVersion: LiveVersion = {
        id: versionId,
        precedenceKey: op.precedenceKey,
        prerelease: op.prerelease,
        createdAt: op.publishedAt ?? now,
        searchText: input.searchText,
        deprecated: false,
        packageTypes: input.packageTypes,
        category: categoryOf(input.metadata),
      };
      const latest = pickLatest([...(check.value.item ? await liveVersions(db, itemId) : []), newVersion]);
      const statements = [];
      if (!check.value.item) {
        statements.push(
          db.insert(items).values({
            id: itemId,
            kind: op.kind,
            source: op.source,
            publisher: op.publisher,
            name: op.name,
            canonicalName: op.canonicalName,
            ownerOrg: op.org,
            visibility: op.mirror?.visibility ?? visibilityForSource(op.source),
            createdAt: now,
            ...(op.mirror ? { mirror: op.mirror.upstream, mirrorLatestCheckedAt: Date.now() } : {}),
          }),
        );
      }
      if (check.value.retiredVersionId) statements.push(db.delete(versions).where(eq(versions.id, check.value.retiredVersionId)));
      statements.push(
        db.insert(versions).values({
          id: versionId,
          itemId,
          version: op.version,
          precedenceKey: op.precedenceKey,
          prerelease: op.prerelease,
          createdAt: newVersion.createdAt,
          metadata: input.metadata,
          artifacts: JSON.stringify(input.artifacts),
          searchText: input.searchText,
          packageTypes: input.packageTypes,
          operationId: op.id,
          docsStatus: input.docsStatus,
          ...(op.mirror && input.provenance ? { provenance: input.provenance, mirrorCheckedAt: Date.now() } : {}),
        }),
        ...(input.jobs ?? []).map((job) => createJob(db, job, versionId, null)),
      );
      statements.push(
        ...moveLatest(db, { ...op, itemId, ownerOrg: check.value.item?.ownerOrg ?? op.org }, latest, Date.now()),
        auditEntry(db, input.audit, { action: kindAuditAction(op.kind, "publish.complete"), org: op.org, target: itemTarget(op), version: op.version, outcome: 201 }),
      );
      try {
        await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
      } catch (error) {
        // The UNIQUE constraint is the last line of defence; under this lock it should never fire.
        if (String(error).includes("UNIQUE")) return fail(409, `${describe(op, op.version)} is already published`);
        // The trigger behind otherPublisherSpelling: another spelling won a race through another coordinator.
        if (String(error).includes("publisher spelling conflict")) {
          return fail(409, publisherSpellingConflict(op, (await otherPublisherSpelling(db, op.kind, op.source, op.publisher)) ?? op.publisher));
        }
        throw error;
      }
      await this.ctx.storage.put(key, { ...op, completed: true });
      return ok({ versionId });
    });
  }

  /** Retire one version: it disappears, `latest` moves, its artifacts are removed, its number stays taken. */
  async retire(input: RetireInput): Promise<Outcome<{ removedArtifacts: number }>> {
    return this.serialized(async () => {
      const db = this.db;
      const item = await findItem(db, input.kind, input.source, input.publisher, input.canonicalName);
      const version = item
        ? await db
            .select()
            .from(versions)
            .where(and(eq(versions.itemId, item.id), eq(versions.precedenceKey, input.precedenceKey), eq(versions.retired, false)))
            .get()
        : undefined;
      if (!item || !version) return fail(404, `${describe(input, input.version)} not found`);
      if (item.ownerOrg !== input.org) return fail(403, `${describe(input)} is owned by another organization`);
      const remaining = (await liveVersions(db, item.id)).filter((v) => v.id !== version.id);
      if (input.lastNeedsForce && !input.force && remaining.length === 0) {
        return fail(400, `'${version.version}' is the last version of ${describe(input)}; deleting it removes the ${input.kind} entirely and needs force=true`);
      }
      await db.batch([
        db.update(versions).set({ retired: true, retiredAt: new Date().toISOString() }).where(eq(versions.id, version.id)),
        ...moveLatest(db, { ...input, itemId: item.id, ownerOrg: item.ownerOrg }, pickLatest(remaining), Date.now()),
        auditEntry(db, input.audit, { action: kindAuditAction(input.kind, "delete"), org: item.ownerOrg, target: itemTarget(input), version: version.version, outcome: 204 }),
      ]);
      const keys = Object.values(JSON.parse(version.artifacts) as Record<string, string>);
      if (keys.length) await this.env.ARTIFACTS.delete(keys);
      return ok({ removedArtifacts: keys.length });
    });
  }

  /**
   * Deprecate (or undo it for) one version or the whole item. A version's deprecation can move
   * `latest`; both land in one D1 batch with the audit entry, serialized with completes and deletes.
   * `changed` is false when there was nothing to undo.
   */
  async deprecate(input: DeprecateInput): Promise<Outcome<{ changed: boolean; ownerOrg: string; deprecation: Deprecation | null }>> {
    return this.serialized(async () => {
      const db = this.db;
      const item = await findItem(db, input.kind, input.source, input.publisher, input.canonicalName);
      const shown = input.version?.raw;
      if (!item || (item.backing === "registry" && item.latestVersionId === null)) return fail(404, `${describe(input, shown)} not found`);
      if (item.backing !== "registry") return fail(400, `${describe(input)} is VCS-backed and has no versions to deprecate`);
      const version = input.version
        ? await db
            .select()
            .from(versions)
            .where(and(eq(versions.itemId, item.id), eq(versions.precedenceKey, input.version.precedenceKey), eq(versions.retired, false)))
            .get()
        : undefined;
      if (input.version && !version) return fail(404, `${describe(input, shown)} not found`);
      if (item.ownerOrg !== input.org) return fail(403, `${describe(input)} is owned by another organization`);
      const current = version ? version.deprecation : item.deprecation;
      if (input.deprecation === null && current === null) return ok({ changed: false, ownerOrg: item.ownerOrg, deprecation: null });
      const stored: Deprecation | null = input.deprecation && {
        ...input.deprecation,
        deprecatedAt: current ? (JSON.parse(current) as Deprecation).deprecatedAt : new Date().toISOString(),
      };
      const value = stored ? JSON.stringify(stored) : null;
      const statements = [];
      if (version) {
        statements.push(db.update(versions).set({ deprecation: value }).where(eq(versions.id, version.id)));
        const live = (await liveVersions(db, item.id)).map((v) => (v.id === version.id ? { ...v, deprecated: value !== null } : v));
        const latest = pickLatest(live);
        if (latest?.id !== item.latestVersionId) statements.push(...moveLatest(db, { ...input, itemId: item.id, ownerOrg: item.ownerOrg }, latest, Date.now()));
      } else {
        statements.push(db.update(items).set({ deprecation: value }).where(eq(items.id, item.id)));
      }
      statements.push(
        auditEntry(db, input.audit, {
          action: kindAuditAction(input.kind, stored ? "deprecate" : "undeprecate"),
          org: item.ownerOrg,
          target: itemTarget(input),
          version: version?.version ?? null,
          outcome: 204,
          ...(stored ? { detail: { message: stored.message, ...(stored.replacement ? { replacement: stored.replacement } : {}) } } : {}),
        }),
      );
      await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
      return ok({ changed: true, ownerOrg: item.ownerOrg, deprecation: stored });
    });
  }

  /** A live version of this identity, and its item; 404 when absent, and when private and another org's (indistinguishable). */
  private async liveVersionOf(id: Identity, ref: { version: string; precedenceKey: string }, org: string) {
    const db = this.db;
    const item = await findItem(db, id.kind, id.source, id.publisher, id.canonicalName);
    const version = item
      ? await db
          .select()
          .from(versions)
          .where(and(eq(versions.itemId, item.id), eq(versions.precedenceKey, ref.precedenceKey), eq(versions.retired, false)))
          .get()
      : undefined;
    if (!item || !version || (item.ownerOrg !== org && item.visibility === "private")) return fail(404, `${describe(id, ref.version)} not found`);
    if (item.ownerOrg !== org) return fail(403, `${describe(id)} is owned by another organization`);
    return ok({ item, version });
  }

  /**
   * Starts an attach operation: artifacts added to a live version after its publish (plugin archives).
   * Each name must not be in the version's artifact map yet: an attached artifact is never replaced.
   */
  async startAttach(input: StartAttachInput): Promise<Outcome<{ operationId: string; expiresAt: number }>> {
    return this.serialized(async () => {
      const found = await this.liveVersionOf(input, input, input.org);
      if (!found.ok) return found;
      // The version exactly as published: another build metadata (same precedence) would name the archives
      // and the SHA256SUMS lines after a version that does not exist.
      if (found.value.version.version !== input.version) return fail(404, `${describe(input, input.version)} not found`);
      const mirrored = found.value.item.mirror;
      if (mirrored && mirrored !== input.mirror) return fail(409, `${describe(input)} is mirrored from upstream '${mirrored}'; its plugins come only from there`);
      if (!mirrored && input.mirror) return fail(409, `${describe(input)} is published here; a local ${input.kind} is never mirrored over`);
      const present = JSON.parse(found.value.version.artifacts) as Record<string, string>;
      const taken = input.names.filter((name) => `${input.artifactPrefix}${name}` in present);
      if (taken.length) return fail(409, `${describe(input, input.version)} already has ${taken.join(", ")} attached; an attached artifact is never replaced`);
      const op: Operation = { ...newOperation(input), attach: { versionId: found.value.version.id, names: input.names } };
      await this.ctx.storage.put(OP_PREFIX + op.id, op);
      await this.scheduleCleanup(op.expiresAt);
      return ok({ operationId: op.id, expiresAt: op.expiresAt });
    });
  }

  /** An attach operation of this caller's for this version, unexpired and not completed. */
  async pendingAttach(input: Identity & { operationId: string; version: string; org: string }): Promise<Outcome<Operation & { attach: { versionId: string; names: string[] } }>> {
    const op = await this.ctx.storage.get<Operation>(OP_PREFIX + input.operationId);
    const matches =
      op && op.attach && op.kind === input.kind && op.source === input.source && op.publisher === input.publisher && op.name === input.name && op.version === input.version && op.org === input.org && op.expiresAt > Date.now();
    if (!op || !op.attach || !matches) return fail(404, `attach operation '${input.operationId}' not found for ${describe(input, input.version)}`);
    if (op.completed) return fail(409, `attach operation '${op.id}' was already completed`);
    return ok({ ...op, attach: op.attach });
  }

  /**
   * Completes an attach operation under the lock: the version is still live, none of the names is attached
   * (a concurrent attach of the same platform loses with a 409), then one D1 batch merges the artifact map
   * and the records with the audit entry.
   */
  async commitAttach(input: CommitAttachInput): Promise<Outcome<{ records: Record<string, unknown> }>> {
    return this.serialized(async () => {
      const key = OP_PREFIX + input.operationId;
      const op = await this.ctx.storage.get<Operation>(key);
      if (!op || !op.attach || op.org !== input.org || op.expiresAt <= Date.now()) return fail(404, `attach operation '${input.operationId}' not found`);
      if (op.completed) return fail(409, `attach operation '${op.id}' was already completed`);
      const found = await this.liveVersionOf(op, op, op.org);
      if (!found.ok) return found;
      const { version, item } = found.value;
      const artifacts = JSON.parse(version.artifacts) as Record<string, string>;
      const names = Object.keys(input.artifacts);
      const taken = names.filter((name) => `${input.artifactPrefix}${name}` in artifacts);
      if (taken.length) return fail(409, `${describe(op, op.version)} already has ${taken.join(", ")} attached; an attached artifact is never replaced`);
      for (const name of names) artifacts[`${input.artifactPrefix}${name}`] = input.artifacts[name]!;
      const records = { ...(version.plugins ? (JSON.parse(version.plugins) as Record<string, unknown>) : {}), ...input.records };
      const db = this.db;
      const provenance = input.provenance && version.provenance ? (JSON.parse(version.provenance) as { plugins?: Record<string, unknown> }) : undefined;
      if (provenance) provenance.plugins = { ...provenance.plugins, ...input.provenance };
      await db.batch([
        db
          .update(versions)
          .set({ artifacts: JSON.stringify(artifacts), plugins: JSON.stringify(records), ...(provenance ? { provenance: JSON.stringify(provenance) } : {}) })
          .where(eq(versions.id, version.id)),
        auditEntry(db, input.audit, { action: input.auditAction, org: item.ownerOrg, target: itemTarget(op), version: op.version, outcome: 201, detail: { platforms: names } }),
      ]);
      await this.ctx.storage.put(key, { ...op, completed: true });
      return ok({ records });
    });
  }

  /** A pending operation of this caller's, unexpired and not completed: what an attach writes for. */
  async pendingOperation(input: Identity & { operationId: string; org: string }): Promise<Outcome<Operation>> {
    const op = await this.ctx.storage.get<Operation>(OP_PREFIX + input.operationId);
    const matches =
      op && op.kind === input.kind && op.source === input.source && op.publisher === input.publisher && op.name === input.name && op.org === input.org && !op.attach && op.expiresAt > Date.now();
    if (!op || !matches) return fail(404, `publish operation '${input.operationId}' not found for ${describe(input)}`);
    if (op.completed) return fail(409, `publish operation '${op.id}' was already completed`);
    return ok(op);
  }

  /**
   * The newest unexpired pending operation of this version started by this org: how a client that
   * completes without naming its operation (the stock CLI's policy-pack complete) finds it.
   */
  async pendingOperationFor(input: Identity & { version: string; org: string }): Promise<Outcome<{ operationId: string }>> {
    const now = Date.now();
    const ops = await this.ctx.storage.list<Operation>({ prefix: OP_PREFIX });
    let newest: Operation | undefined;
    for (const op of ops.values()) {
      const matches = op.kind === input.kind && op.source === input.source && op.publisher === input.publisher && op.name === input.name && op.version === input.version;
      if (matches && op.org === input.org && !op.attach && !op.completed && op.expiresAt > now && (!newest || op.createdAt > newest.createdAt)) newest = op;
    }
    if (!newest) return fail(404, `no pending publish operation for ${describe(input, input.version)}; start one first`);
    return ok({ operationId: newest.id });
  }

  /**
   * Merges derived artifacts (docs derived after the fact, a later attachment) into a live version's
   * artifact map, so deleting the version removes them too, and sets its docs status if asked. Answers the
   * keys the map no longer holds (replaced by this call), for the caller to delete. A retired version is
   * left alone.
   */
  async recordArtifacts(input: RecordArtifactsInput): Promise<Outcome<{ recorded: boolean; unreferenced: string[] }>> {
    return this.serialized(async () => {
      const db = this.db;
      const live = and(eq(versions.id, input.versionId), eq(versions.retired, false));
      const row = await db.select({ artifacts: versions.artifacts }).from(versions).where(live).get();
      if (!row) return ok({ recorded: false, unreferenced: [] });
      const before = JSON.parse(row.artifacts) as Record<string, string>;
      const kept = Object.entries(before).filter(([name]) => input.replacing === undefined || !name.startsWith(input.replacing) || name in input.artifacts);
      const merged = { ...Object.fromEntries(kept), ...input.artifacts };
      const referenced = new Set(Object.values(merged));
      // One conditional UPDATE: a re-drive's new attempt committed before it makes a superseded attempt's write a no-op.
      const current = input.job
        ? exists(db.select({ one: jobs.attempt }).from(jobs).where(and(eq(jobs.kind, input.job.kind), eq(jobs.subject, input.versionId), eq(jobs.attempt, input.job.attempt))))
        : undefined;
      const updated = await db
        .update(versions)
        .set({ artifacts: JSON.stringify(merged), ...(input.docsStatus ? { docsStatus: input.docsStatus } : {}) })
        .where(current ? and(live, current) : live)
        .returning({ id: versions.id })
        .get();
      if (!updated) return ok({ recorded: false, unreferenced: [] });
      return ok({ recorded: true, unreferenced: Object.values(before).filter((key) => !referenced.has(key)) });
    });
  }

  /**
   * Retire every live version of an item at once (a whole-item delete): one batch with one audit entry,
   * `latest` cleared; the version numbers stay taken, as for a per-version delete.
   */
  async retireItem(input: RetireItemInput): Promise<Outcome<{ ownerOrg: string; retired: string[] }>> {
    return this.serialized(async () => {
      const db = this.db;
      const item = await findItem(db, input.kind, input.source, input.publisher, input.canonicalName);
      const live = item
        ? await db
            .select()
            .from(versions)
            .where(and(eq(versions.itemId, item.id), eq(versions.retired, false)))
            .all()
        : [];
      // A mirrored item the recheck emptied can still be released by the operator.
      if (!item || (live.length === 0 && !(input.releaseMirror && item.mirror))) return fail(404, `${describe(input)} not found`);
      if (item.ownerOrg !== input.org) return fail(403, `${describe(input)} is owned by another organization`);
      const retiredAt = new Date().toISOString();
      await db.batch([
        db.update(versions).set({ retired: true, retiredAt }).where(and(eq(versions.itemId, item.id), eq(versions.retired, false))),
        ...moveLatest(db, { ...input, itemId: item.id, ownerOrg: item.ownerOrg }, undefined, Date.now()),
        ...(input.releaseMirror && item.mirror ? [db.update(items).set({ mirror: null, mirrorLatestCheckedAt: null }).where(eq(items.id, item.id))] : []),
        auditEntry(db, input.audit, {
          action: kindAuditAction(input.kind, "delete"),
          org: item.ownerOrg,
          target: itemTarget(input),
          version: null,
          outcome: 204,
          detail: { versions: live.map((v) => v.version), ...(input.releaseMirror && item.mirror ? { mirrorReleased: item.mirror } : {}) },
        }),
      ]);
      const keys = live.flatMap((v) => Object.values(JSON.parse(v.artifacts) as Record<string, string>));
      for (let i = 0; i < keys.length; i += 1000) await this.env.ARTIFACTS.delete(keys.slice(i, i + 1000));
      return ok({ ownerOrg: item.ownerOrg, retired: live.map((v) => v.version) });
    });
  }

  private async scheduleCleanup(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Expired operations go, with whatever was staged for them. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const ops = await this.ctx.storage.list<Operation>({ prefix: OP_PREFIX });
    let next: number | undefined;
    for (const [key, op] of ops) {
      if (op.expiresAt <= now) {
        await deletePrefix(this.env.ARTIFACTS, stagingPrefix(op.id));
        await this.ctx.storage.delete(key);
      } else if (next === undefined || op.expiresAt < next) {
        next = op.expiresAt;
      }
    }
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }
}

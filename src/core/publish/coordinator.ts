// Durable Object, one per (kind, source, publisher, canonical name): serializes every check-then-write on
// that identity (start, commit, retire) and keeps pending publish operations in its own storage.
// See docs/publish-concurrency.md for why the sequence cannot race.
import { DurableObject } from "cloudflare:workers";
import { and, eq, isNull, sql } from "drizzle-orm";
import { database, type Database } from "../../db/client";
import { items, latestHistory, versions, type ItemRow, type VersionRow } from "../../db/schema";
import { visibilityForSource } from "../visibility";
import { randomId } from "../../identity/secrets";
import { stagingPrefix } from "../../artifacts/storage-keys";
import { findItem, otherPublisherSpelling } from "../catalog/lookups";
import type { Kind } from "../vocabulary/identity";
import { pickLatest } from "../vocabulary/versions";
import { auditEntry, itemTarget, type AuditStamp } from "../../audit/audit-log";

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; message: string };
const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (status: number, message: string): Outcome<never> => ({ ok: false, status, message });

export interface Identity {
  kind: Kind;
  source: string;
  publisher: string;
  name: string;
  canonicalName: string;
}

export interface VersionRef {
  version: string;
  precedenceKey: string;
  prerelease: boolean;
}

export interface Operation extends Identity, VersionRef {
  id: string;
  org: string;
  createdAt: number;
  expiresAt: number;
  publishedAt?: string;
  completed: boolean;
}

export interface StartInput extends Identity, VersionRef {
  org: string;
  publishedAt?: string;
  ttlMs: number;
  allowReuse: boolean;
  audit: AuditStamp;
}

export interface CommitInput {
  operationId: string;
  org: string;
  metadata: string;
  artifacts: Record<string, string>;
  searchText: string;
  /** Sorted, comma-joined package types ("" for templates). */
  packageTypes: string;
  allowReuse: boolean;
  audit: AuditStamp;
}

export interface RetireInput extends Identity {
  /** As given in the path, for messages; the version is found by its precedence key. */
  version: string;
  precedenceKey: string;
  org: string;
  /** Templates: refuse to retire the last live version unless `force`. */
  lastNeedsForce: boolean;
  force: boolean;
  audit: AuditStamp;
}

/** What a deprecated version or item carries (stored as JSON, shown as `deprecation`). */
export interface Deprecation {
  message: string;
  /** `source/publisher/name[@version]` of something in this registry. */
  replacement?: string;
  deprecatedAt: string;
}

export interface DeprecateInput extends Identity {
  /** The version to (un)deprecate; absent for the whole item. */
  version?: { raw: string; precedenceKey: string };
  /** Null undoes a deprecation. `deprecatedAt` is kept from an earlier deprecation when there is one. */
  deprecation: Omit<Deprecation, "deprecatedAt"> | null;
  org: string;
  audit: AuditStamp;
}

const OP_PREFIX = "op:";

export function coordinatorName(identity: Identity): string {
  return `${identity.kind}/${identity.source}/${identity.publisher}/${identity.canonicalName}`;
}

/** `package version 'source/publisher/name@version'` (or without the version): the form every message uses. */
export function describeIdentity(id: Identity, version?: string): string {
  return `${id.kind} ${version ? "version " : ""}'${id.source}/${id.publisher}/${id.name}${version ? `@${version}` : ""}'`;
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
  ): Promise<Outcome<{ item: ItemRow | undefined; retiredVersionId: string | undefined }>> {
    const item = await findItem(this.db, id.kind, id.source, id.publisher, id.canonicalName);
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
      const check = await this.checkPublishable(input, input, input.org, input.allowReuse);
      if (!check.ok) return check;
      const now = Date.now();
      const op: Operation = {
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
        publishedAt: input.publishedAt,
        completed: false,
      };
      await this.ctx.storage.put(OP_PREFIX + op.id, op);
      // The operation lives in this object's storage, not D1: its audit entry is written right after,
      // and if that fails the operation is removed again, so neither exists without the other.
      try {
        await auditEntry(this.db, input.audit, {
          action: `${op.kind}.publish.start`,
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
        op.expiresAt > Date.now();
      if (!op || !matches) return fail(404, `publish operation '${input.operationId}' not found for ${describe(input, input.version)}`);
      if (op.completed) return fail(409, `publish operation '${op.id}' was already completed`);
      const check = await this.checkPublishable(op, op, op.org, input.allowReuse);
      if (!check.ok) return check;
      return ok(op);
    });
  }

  /** Second half of complete: re-checks under the lock, then one D1 batch makes the version visible atomically. */
  async commit(input: CommitInput): Promise<Outcome<{ versionId: string }>> {
    return this.serialized(async () => {
      const key = OP_PREFIX + input.operationId;
      const op = await this.ctx.storage.get<Operation>(key);
      if (!op || op.org !== input.org || op.expiresAt <= Date.now()) return fail(404, `publish operation '${input.operationId}' not found`);
      if (op.completed) return fail(409, `publish operation '${op.id}' was already completed`);
      const check = await this.checkPublishable(op, op, op.org, input.allowReuse);
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
            visibility: visibilityForSource(op.source),
            createdAt: now,
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
        }),
      );
      statements.push(
        ...moveLatest(db, { ...op, itemId, ownerOrg: check.value.item?.ownerOrg ?? op.org }, latest, Date.now()),
        auditEntry(db, input.audit, { action: `${op.kind}.publish.complete`, org: op.org, target: itemTarget(op), version: op.version, outcome: 201 }),
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
        auditEntry(db, input.audit, { action: `${input.kind}.delete`, org: item.ownerOrg, target: itemTarget(input), version: version.version, outcome: 204 }),
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
          action: `${input.kind}.${stored ? "deprecate" : "undeprecate"}`,
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

type LiveVersion = Pick<VersionRow, "id" | "precedenceKey" | "prerelease" | "createdAt" | "searchText" | "packageTypes"> & { deprecated: boolean; category: string };

/** A version's list category: the package metadata's `category` (read from the schema at complete); "" for templates. */
function categoryOf(metadata: string): string {
  const category = (JSON.parse(metadata) as { category?: unknown }).category;
  return typeof category === "string" ? category : "";
}

/** An item's live versions: what `latest` is picked from. */
function liveVersions(db: Database, itemId: string): Promise<LiveVersion[]> {
  return db
    .select({
      id: versions.id,
      precedenceKey: versions.precedenceKey,
      prerelease: versions.prerelease,
      createdAt: versions.createdAt,
      searchText: versions.searchText,
      deprecated: sql<boolean>`${versions.deprecation} is not null`.mapWith(Boolean),
      packageTypes: versions.packageTypes,
      category: sql<string>`coalesce(json_extract(${versions.metadata}, '$.category'), '')`,
    })
    .from(versions)
    .where(and(eq(versions.itemId, itemId), eq(versions.retired, false)))
    .all();
}

/**
 * Statements that point an item's `latest` (and the copies listings sort and search on) at `latest`,
 * picked by pickLatest under the coordinator's lock, and record the move in latest_history for
 * createdAt walks.
 */
function moveLatest(db: Database, id: Identity & { itemId: string; ownerOrg: string }, latest: LiveVersion | undefined, now: number) {
  const statements = [
    db
      .update(items)
      .set({
        latestVersionId: latest?.id ?? null,
        latestCreatedAt: latest?.createdAt ?? null,
        searchText: latest?.searchText ?? "",
        packageTypes: latest?.packageTypes ?? "",
        category: latest?.category ?? "",
      })
      .where(eq(items.id, id.itemId)),
    db
      .update(latestHistory)
      .set({ validTo: now })
      .where(and(eq(latestHistory.itemId, id.itemId), isNull(latestHistory.validTo))),
  ];
  if (!latest) return statements;
  return [
    ...statements,
    db.insert(latestHistory).values({
      itemId: id.itemId,
      kind: id.kind,
      source: id.source,
      publisher: id.publisher,
      canonicalName: id.canonicalName,
      ownerOrg: id.ownerOrg,
      visibility: visibilityForSource(id.source),
      packageTypes: latest.packageTypes,
      category: latest.category,
      latestCreatedAt: latest.createdAt,
      validFrom: now,
    }),
  ];
}

export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

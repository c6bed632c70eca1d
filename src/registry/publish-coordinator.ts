// Durable Object, one per (kind, source, publisher, canonical name): serializes every check-then-write on
// that identity (start, commit, retire) and keeps pending publish operations in its own storage.
// See docs/publish-concurrency.md for why the sequence cannot race.
import { DurableObject } from "cloudflare:workers";
import { and, eq, isNull } from "drizzle-orm";
import { database, type Database } from "../db/client";
import { items, latestHistory, versions, type ItemRow, type VersionRow } from "../db/schema";
import type { Env } from "../env";
import { visibilityForSource } from "../identity/rights";
import { randomId } from "../identity/secrets";
import { stagingPrefix } from "../artifacts/storage-keys";
import { findItem } from "./catalog";
import type { Kind } from "./kind";
import { pickLatest } from "./versions";

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
}

export interface RetireInput extends Identity {
  /** As given in the path, for messages; the version is found by its precedence key. */
  version: string;
  precedenceKey: string;
  org: string;
  /** Templates: refuse to retire the last live version unless `force`. */
  lastNeedsForce: boolean;
  force: boolean;
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

export class PublishCoordinator extends DurableObject<Env> {
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
    if (!item) return ok({ item, retiredVersionId: undefined });
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
        packageTypes: input.packageTypes,
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
      statements.push(...moveLatest(db, { ...op, itemId, ownerOrg: check.value.item?.ownerOrg ?? op.org }, latest, Date.now()));
      try {
        await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
      } catch (error) {
        // The UNIQUE constraint is the last line of defence; under this lock it should never fire.
        if (String(error).includes("UNIQUE")) return fail(409, `${describe(op, op.version)} is already published`);
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
      ]);
      const keys = Object.values(JSON.parse(version.artifacts) as Record<string, string>);
      if (keys.length) await this.env.ARTIFACTS.delete(keys);
      return ok({ removedArtifacts: keys.length });
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

type LiveVersion = Pick<VersionRow, "id" | "precedenceKey" | "prerelease" | "createdAt" | "searchText" | "packageTypes">;

/** An item's live versions: what `latest` is picked from. */
function liveVersions(db: Database, itemId: string): Promise<LiveVersion[]> {
  return db
    .select({
      id: versions.id,
      precedenceKey: versions.precedenceKey,
      prerelease: versions.prerelease,
      createdAt: versions.createdAt,
      searchText: versions.searchText,
      packageTypes: versions.packageTypes,
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

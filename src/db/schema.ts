// D1 schema (drizzle). `npm run db:generate` turns changes here into SQL under migrations/.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const orgs = sqliteTable("orgs", {
  login: text("login").primaryKey(),
  displayName: text("display_name").notNull(),
  createdAt: text("created_at").notNull(),
});

export const tokens = sqliteTable(
  "tokens",
  {
    id: text("id").primaryKey(),
    orgLogin: text("org_login")
      .notNull()
      .references(() => orgs.login),
    role: text("role", { enum: ["reader", "publisher", "admin"] }).notNull(),
    /** SHA-256 of the secret, hex. The secret itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    description: text("description"),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at"),
    revokedAt: text("revoked_at"),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [uniqueIndex("tokens_hash_unique").on(t.tokenHash), index("tokens_org_idx").on(t.orgLogin, t.createdAt)],
);

/** One row per package or template identity; `latestVersionId` is null when no live version is left. */
export const items = sqliteTable(
  "items",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["package", "template"] }).notNull(),
    source: text("source").notNull(),
    publisher: text("publisher").notNull(),
    name: text("name").notNull(),
    canonicalName: text("canonical_name").notNull(),
    ownerOrg: text("owner_org").notNull(),
    visibility: text("visibility", { enum: ["public", "private"] }).notNull(),
    featured: integer("featured", { mode: "boolean" }).notNull().default(false),
    /** `registry` for published items; `vcs` for operator-registered VCS-backed templates. */
    backing: text("backing", { enum: ["registry", "vcs"] }).notNull().default("registry"),
    latestVersionId: text("latest_version_id"),
    /** Copy of the latest version's createdAt, so `sort=createdAt` walks an index. */
    latestCreatedAt: text("latest_created_at"),
    /** Copy of the latest version's search text (or a VCS template's), for list `search`. */
    searchText: text("search_text").notNull().default(""),
    /** VCS-backed templates only: their whole view, as JSON. */
    vcs: text("vcs"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("items_identity_unique").on(t.kind, t.source, t.publisher, t.canonicalName),
    index("items_by_name").on(t.kind, t.canonicalName, t.source, t.publisher),
    index("items_by_publisher").on(t.kind, t.publisher, t.source, t.canonicalName),
    index("items_by_created").on(t.kind, t.latestCreatedAt, t.source, t.publisher, t.canonicalName),
    index("items_by_owner").on(t.kind, t.ownerOrg, t.canonicalName),
  ],
);

export const versions = sqliteTable(
  "versions",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id),
    version: text("version").notNull(),
    precedenceKey: text("precedence_key").notNull(),
    prerelease: integer("prerelease", { mode: "boolean" }).notNull(),
    retired: integer("retired", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
    /** Kind-specific metadata extracted at complete, as JSON. */
    metadata: text("metadata").notNull(),
    /** Slot name → R2 key of the immutable artifact, as JSON. */
    artifacts: text("artifacts").notNull(),
    /** Lower-cased text that template search matches against (empty for packages). */
    searchText: text("search_text").notNull().default(""),
    operationId: text("operation_id").notNull(),
    retiredAt: text("retired_at"),
  },
  (t) => [
    // Equal precedence is the same version: the last line of defence against a double publish.
    uniqueIndex("versions_precedence_unique").on(t.itemId, t.precedenceKey),
    index("versions_live").on(t.itemId, t.retired, t.prerelease, t.precedenceKey),
    index("versions_operation").on(t.operationId),
  ],
);

export type ItemRow = typeof items.$inferSelect;
export type VersionRow = typeof versions.$inferSelect;
export type TokenRow = typeof tokens.$inferSelect;
export type OrgRow = typeof orgs.$inferSelect;

export const nowIso = () => new Date().toISOString();

/**
 * Which packages each of an org's stacks uses, as last reported. Packages are referenced by
 * (source, publisher, canonical name), not by item id, so usage reported before a publish still counts
 * after it; the reported version is kept with its precedence key and resolved against `versions` at read time.
 */
export const stackUsage = sqliteTable(
  "stack_usage",
  {
    orgLogin: text("org_login")
      .notNull()
      .references(() => orgs.login),
    project: text("project").notNull(),
    stack: text("stack").notNull(),
    source: text("source").notNull(),
    publisher: text("publisher").notNull(),
    /** As reported; canonicalName is what rows match items on. */
    name: text("name").notNull(),
    canonicalName: text("canonical_name").notNull(),
    /** Null when the stack did not say which version it uses. */
    version: text("version"),
    precedenceKey: text("precedence_key"),
    reportedAt: text("reported_at").notNull(),
  },
  (t) => [
    // One row per package per stack; also the range a stack's replace deletes.
    primaryKey({ columns: [t.orgLogin, t.project, t.stack, t.source, t.publisher, t.canonicalName] }),
    // usageStats: per listed item, the org's rows for it and their versions, without touching the table.
    index("stack_usage_by_package").on(t.orgLogin, t.source, t.publisher, t.canonicalName, t.precedenceKey),
  ],
);

export type StackUsageRow = typeof stackUsage.$inferSelect;

/**
 * One row (id 1) whose generation moves with every catalog change that anonymous readers can see;
 * edge-cache keys include it, so a cached public read is never served after the catalog changed.
 */
export const catalogState = sqliteTable("catalog_state", {
  id: integer("id").primaryKey(),
  generation: integer("generation").notNull(),
});

/**
 * When each item's latest version changed, and what its time was: `sort=createdAt` walks this table
 * as of the moment the walk began, so an item whose latest moves mid-walk keeps its place
 * (see docs/pagination.md). `validTo` is null for the current row.
 */
export const latestHistory = sqliteTable(
  "latest_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    itemId: text("item_id").notNull(),
    kind: text("kind", { enum: ["package", "template"] }).notNull(),
    source: text("source").notNull(),
    publisher: text("publisher").notNull(),
    canonicalName: text("canonical_name").notNull(),
    latestCreatedAt: text("latest_created_at").notNull(),
    validFrom: integer("valid_from").notNull(),
    validTo: integer("valid_to"),
  },
  (t) => [
    index("latest_history_walk").on(t.kind, t.latestCreatedAt, t.source, t.publisher, t.canonicalName),
    index("latest_history_item").on(t.itemId, t.validTo),
  ],
);

/**
 * Browser sign-in sessions (src/web/session.ts). The cookie carries a random id and its HMAC; only the
 * id's SHA-256 is stored, with the org token the person pasted (by id, never the secret), so revoking
 * or expiring that token ends the session on the next page.
 */
export const webSessions = sqliteTable(
  "web_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    tokenId: text("token_id")
      .notNull()
      .references(() => tokens.id),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("web_sessions_token").on(t.tokenId), index("web_sessions_expiry").on(t.expiresAt)],
);

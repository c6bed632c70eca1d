// D1 schema (drizzle). `npm run db:generate` turns changes here into SQL under migrations/.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex, type SQLiteColumn } from "drizzle-orm/sqlite-core";

/** The package types a list can filter on; each has its own partial indexes (a package may have several). */
export const PACKAGE_TYPES = ["bridged", "component", "native"] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];

/** The condition a `packageType` filter writes, exactly as the partial indexes are declared (so SQLite uses them). */
export const hasPackageType = (column: SQLiteColumn, type: PackageType) => sql`instr(${column}, ${sql.raw(`'${type}'`)}) > 0`;


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
    /** The token that minted this one (through the admin API); null when the operator did. It never outlives its parent. */
    parentTokenId: text("parent_token_id"),
    /** The TOKEN_KEYS key its MAC was made with; null for tokens minted before MACs (docs/tokens.md). */
    macKeyId: text("mac_key_id"),
  },
  (t) => [
    uniqueIndex("tokens_hash_unique").on(t.tokenHash),
    index("tokens_org_idx").on(t.orgLogin, t.createdAt),
    // Revoking a token walks down to what it minted.
    index("tokens_parent_idx").on(t.parentTokenId),
  ],
);

/** One row per package or template identity; `latestVersionId` is null when no live version is left. */
export const items = sqliteTable(
  "items",
  {
    id: text("id").primaryKey(),
    // An open string registered by a kind descriptor (src/core/kind.ts); plain text in SQL.
    kind: text("kind").notNull(),
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
    /** Copy of the latest version's search text (or a VCS template's), for list `search` (FTS5 table `items_search`). */
    searchText: text("search_text").notNull().default(""),
    /** Copy of the latest version's package types, sorted and comma-joined (`bridged,native`); "" for none and for templates. */
    packageTypes: text("package_types").notNull().default(""),
    /** Copy of the latest version's category (`cloud`, `database`, …, from the schema's `category/<x>` keyword); "" for templates. */
    category: text("category").notNull().default(""),
    /** VCS-backed templates only: their whole view, as JSON. */
    vcs: text("vcs"),
    createdAt: text("created_at").notNull(),
    /** Whole-item deprecation `{message, replacement?, deprecatedAt}` as JSON; null when not deprecated. */
    deprecation: text("deprecation"),
    /** The upstream id (MIRROR_UPSTREAMS) a mirrored item comes from; null for items published here (docs/operator/mirror.md). */
    mirror: text("mirror"),
    /** Mirrored items: when `latest` was last checked against the upstream (epoch ms). */
    mirrorLatestCheckedAt: integer("mirror_latest_checked_at"),
  },
  (t) => [
    uniqueIndex("items_identity_unique").on(t.kind, t.source, t.publisher, t.canonicalName),
    // One index per list filter and sort (docs/listing-indexes.md): the filter's equality prefix, then
    // the sort's columns, so a page reads about `limit` rows whatever the catalog's size.
    index("items_by_name").on(t.kind, t.canonicalName, t.source, t.publisher),
    index("items_by_publisher").on(t.kind, t.publisher, t.source, t.canonicalName),
    index("items_by_publisher_name").on(t.kind, t.publisher, t.canonicalName, t.source),
    index("items_by_owner").on(t.kind, t.ownerOrg, t.canonicalName, t.source, t.publisher),
    index("items_by_owner_publisher").on(t.kind, t.ownerOrg, t.publisher, t.source, t.canonicalName),
    index("items_by_visibility_name").on(t.kind, t.visibility, t.canonicalName, t.source, t.publisher),
    index("items_by_visibility_publisher").on(t.kind, t.visibility, t.publisher, t.source, t.canonicalName),
    // Template lists asking for one backing (`backing=vcs`): that backing's rows in name order.
    index("items_by_backing_name").on(t.kind, t.backing, t.canonicalName, t.source, t.publisher),
    index("items_by_backing_owner").on(t.kind, t.backing, t.ownerOrg, t.canonicalName, t.source, t.publisher),
    // The home page's featured list: only featured rows are in it.
    index("items_featured").on(t.kind, t.canonicalName, t.source, t.publisher).where(sql`${t.featured} = 1`),
    ...PACKAGE_TYPES.flatMap((type) => [
      index(`items_${type}_by_name`).on(t.kind, t.canonicalName, t.source, t.publisher).where(hasPackageType(t.packageTypes, type)),
      index(`items_${type}_by_publisher`).on(t.kind, t.publisher, t.source, t.canonicalName).where(hasPackageType(t.packageTypes, type)),
    ]),
    // list `category=`: one value per item, so plain indexes led by it.
    index("items_by_category_name").on(t.kind, t.category, t.canonicalName, t.source, t.publisher),
    index("items_by_category_publisher").on(t.kind, t.category, t.publisher, t.source, t.canonicalName),
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
    /** Lower-cased text that list `search` matches against (name, title, description, …). */
    searchText: text("search_text").notNull().default(""),
    /** Package types of this version, sorted and comma-joined; "" for templates. */
    packageTypes: text("package_types").notNull().default(""),
    operationId: text("operation_id").notNull(),
    retiredAt: text("retired_at"),
    /** `{message, replacement?, deprecatedAt}` as JSON; a deprecated version is not picked as `latest`. */
    deprecation: text("deprecation"),
    /**
     * Where the version's derived documentation stands (packages): "pending" while durable steps derive it
     * after complete, then "ready" or "failed". NULL for versions stored before docs were derived off the
     * request path (their docs were derived at complete, or are derived when first asked for).
     */
    docsStatus: text("docs_status", { enum: ["pending", "ready", "failed"] }),
    /**
     * Provider plugin archives attached after publish (packages), as JSON
     * `{"<os>-<arch>": {"file", "size", "sha256", "attachedAt"}}`; NULL when none (and for every version
     * stored before plugins existed). Their R2 keys are in `artifacts` as `plugin/<os>-<arch>`.
     */
    plugins: text("plugins"),
    /**
     * Mirrored versions: where they came from, as JSON `{"upstream", "url", "fetchedAt", "artifacts":
     * {"<slot>": {"url", "size", "sha256"}}, "plugins"?: {"<os>-<arch>": {"url", "size", "sha256", "fetchedAt"}}}`;
     * NULL for versions published here.
     */
    provenance: text("provenance"),
    /** Mirrored versions: when the upstream last confirmed the version (epoch ms); the re-check walks the oldest first. */
    mirrorCheckedAt: integer("mirror_checked_at"),
  },
  (t) => [
    // Equal precedence is the same version: the last line of defence against a double publish.
    uniqueIndex("versions_precedence_unique").on(t.itemId, t.precedenceKey),
    index("versions_live").on(t.itemId, t.retired, t.prerelease, t.precedenceKey),
    index("versions_operation").on(t.operationId),
    // The mirror's re-check: mirrored live versions, least recently confirmed first.
    index("versions_mirror_check").on(t.mirrorCheckedAt).where(sql`${t.mirrorCheckedAt} IS NOT NULL`),
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
 * When each item's latest version changed, and what its time was: `sort=createdAt` walks this table
 * as of the moment the walk began, so an item whose latest moves mid-walk keeps its place
 * (see docs/pagination.md). `validTo` is null for the current row.
 */
export const latestHistory = sqliteTable(
  "latest_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    itemId: text("item_id").notNull(),
    // An open string registered by a kind descriptor (src/core/kind.ts); plain text in SQL.
    kind: text("kind").notNull(),
    source: text("source").notNull(),
    publisher: text("publisher").notNull(),
    canonicalName: text("canonical_name").notNull(),
    /** Copies of the item's (immutable) owner and visibility and of this latest's package types and category, so every filter walks an index here too. */
    ownerOrg: text("owner_org").notNull().default(""),
    visibility: text("visibility", { enum: ["public", "private"] }).notNull().default("public"),
    packageTypes: text("package_types").notNull().default(""),
    category: text("category").notNull().default(""),
    latestCreatedAt: text("latest_created_at").notNull(),
    validFrom: integer("valid_from").notNull(),
    validTo: integer("valid_to"),
  },
  (t) => [
    index("latest_history_walk").on(t.kind, t.latestCreatedAt, t.source, t.publisher, t.canonicalName),
    index("latest_history_item").on(t.itemId, t.validTo),
    index("latest_history_by_name").on(t.kind, t.canonicalName, t.latestCreatedAt, t.source, t.publisher),
    index("latest_history_by_publisher").on(t.kind, t.publisher, t.latestCreatedAt, t.source, t.canonicalName),
    index("latest_history_by_owner").on(t.kind, t.ownerOrg, t.latestCreatedAt, t.source, t.publisher, t.canonicalName),
    index("latest_history_by_visibility").on(t.kind, t.visibility, t.latestCreatedAt, t.source, t.publisher, t.canonicalName),
    index("latest_history_by_category").on(t.kind, t.category, t.latestCreatedAt, t.source, t.publisher, t.canonicalName),
    ...PACKAGE_TYPES.map((type) =>
      index(`latest_history_${type}`).on(t.kind, t.latestCreatedAt, t.source, t.publisher, t.canonicalName).where(hasPackageType(t.packageTypes, type)),
    ),
  ],
);

/**
 * Audit log: one row per accepted change, inserted in the same D1 batch as the change itself.
 * `org` is the organization the change concerns (what an org admin may read); the actor is a token
 * (id and org) or the operator, never a secret.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    org: text("org"),
    actorKind: text("actor_kind", { enum: ["token", "operator"] }).notNull(),
    actorOrg: text("actor_org"),
    actorTokenId: text("actor_token_id"),
    action: text("action").notNull(),
    /** `package/private/acme/vpc`, `org/acme`, `token/tok_…`, `stack/acme/web/prod`, `webhook/wh_…`. */
    target: text("target").notNull(),
    version: text("version"),
    /** The HTTP status the change answered with. */
    outcome: integer("outcome").notNull(),
    requestId: text("request_id").notNull(),
    /** Small JSON of action-specific facts (a role, a featured flag, a deprecation message). */
    detail: text("detail"),
  },
  (t) => [
    index("audit_by_org").on(t.org, t.id),
    index("audit_by_action").on(t.action, t.id),
    index("audit_by_target").on(t.target, t.id),
    index("audit_by_time").on(t.at),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;

/** Webhook endpoints an org's admin registered. The signing secret is derived, never stored (see README). */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    orgLogin: text("org_login")
      .notNull()
      .references(() => orgs.login),
    url: text("url").notNull(),
    /** JSON array of event names. */
    events: text("events").notNull(),
    /** Random salt the signing secret is derived from, together with SIGNING_SECRET. */
    secretSalt: text("secret_salt").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("webhooks_by_org").on(t.orgLogin, t.createdAt)],
);

export type WebhookRow = typeof webhooks.$inferSelect;

/** One row per delivery attempt (and one when a delivery was dead-lettered). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: text("webhook_id").notNull(),
    eventId: text("event_id").notNull(),
    event: text("event").notNull(),
    attempt: integer("attempt").notNull(),
    /** `delivered`, `failed` (will be retried), `dead_lettered` (gave up). */
    outcome: text("outcome", { enum: ["delivered", "failed", "dead_lettered"] }).notNull(),
    /** The receiver's HTTP status, null when it could not be reached. */
    status: integer("status"),
    error: text("error"),
    /** Seconds until the next try, for `failed`. */
    retryDelaySeconds: integer("retry_delay_seconds"),
    durationMs: integer("duration_ms"),
    at: text("at").notNull(),
  },
  (t) => [index("webhook_deliveries_by_hook").on(t.webhookId, t.id)],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

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

/**
 * Durable work done after a request, in bounded steps (src/jobs/): one row per (kind, subject), e.g. the
 * docs derivation of a version. A queue message names the (attempt, step) it runs; a step claims the row
 * with a lease, and only the claim that matches the row's attempt and step may advance it.
 */
export const jobs = sqliteTable(
  "jobs",
  {
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    /** Starts at 1; a re-drive by an operator starts a new attempt (older messages then do nothing). */
    attempt: integer("attempt").notNull(),
    status: text("status", { enum: ["pending", "done", "failed"] }).notNull(),
    /** Steps completed in this attempt. */
    step: integer("step").notNull(),
    /** The kind's resumable state after `step` steps, as JSON. */
    state: text("state").notNull(),
    /** Steps started in this attempt, re-runs after a crash or a failure included. */
    runs: integer("runs").notNull().default(0),
    /** Starts of the current step (a crash counts as a try); reset when a step completes. */
    tries: integer("tries").notNull().default(0),
    error: text("error"),
    /** Epoch ms until which a started step owns the row; 0 when no step runs. */
    leaseUntil: integer("lease_until").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    /** Epoch ms of the last change, or of the last re-drive. */
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.subject] }), index("jobs_stalled").on(t.status, t.updatedAt)],
);

/**
 * The mirror's fetches in flight and its remembered misses, one row per upstream question
 * (`<upstream>|<kind>/<source>/<publisher>/<canonical name>@<precedence key or latest>`): a fetch claims the
 * row with a lease (concurrent misses fetch once); an upstream 404 leaves it `missing` until `until`.
 */
export const mirrorFetches = sqliteTable("mirror_fetches", {
  key: text("key").primaryKey(),
  status: text("status", { enum: ["fetching", "missing", "failed", "done"] }).notNull(),
  leaseUntil: integer("lease_until").notNull().default(0),
  /** `missing`: remembered until then (epoch ms). */
  until: integer("until").notNull().default(0),
  error: text("error"),
  updatedAt: integer("updated_at").notNull(),
});

/** Per upstream: its request budget (a fixed one-minute window) and a 429's hold (`blockedUntil`). */
export const mirrorUpstreams = sqliteTable("mirror_upstreams", {
  id: text("id").primaryKey(),
  windowStart: integer("window_start").notNull().default(0),
  windowCount: integer("window_count").notNull().default(0),
  blockedUntil: integer("blocked_until").notNull().default(0),
});

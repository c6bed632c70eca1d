// Admin API for organizations and their tokens. A token minted by a token never outlives it: its expiry is
// at most its parent's, and revoking a token revokes everything it minted, transitively (docs/tokens.md).
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { orgs, tokens, type TokenRow, nowIso } from "../db/schema";
import { badRequest, conflict, notFound, unauthorized } from "../http/api-error";
import type { RouteMethods } from "../http/routes";
import { readBody } from "../http/json-body";
import { json, noContent } from "../http/respond";
import { decodeSegment, SEGMENT_PATTERN } from "../core/vocabulary/names";
import { generateToken, hashToken, ROLES } from "../identity/tokens";
import { tokenKeys } from "../env";
import { catalogChanged } from "../http/edge-cache";
import { requireAdminEnabled, requireOperator, requireOrgManager } from "../identity/operator-auth";
import { auditEntry, auditEntryIfChanged, stampFor } from "../audit/audit-log";
import type { RequestContext } from "../http/context";
import type { IRequest } from "itty-router";

const rfc3339 = z.iso.datetime({ offset: true });

export const CreateOrg = z.object({
  login: z.string().regex(SEGMENT_PATTERN, `must match ${SEGMENT_PATTERN.source}`),
  displayName: z.string().min(1).max(200).optional(),
});

export const CreateToken = z.object({
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }),
  description: z.string().max(500).optional(),
  expiresAt: rfc3339.optional(),
});

function tokenView(row: TokenRow) {
  return {
    id: row.id,
    org: row.orgLogin,
    role: row.role,
    ...(row.description ? { description: row.description } : {}),
    createdAt: row.createdAt,
    ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}),
    ...(row.lastUsedAt ? { lastUsedAt: row.lastUsedAt } : {}),
    ...(row.revokedAt ? { revokedAt: row.revokedAt } : {}),
    ...(row.parentTokenId ? { parentTokenId: row.parentTokenId } : {}),
    ...(row.macKeyId ? { keyId: row.macKeyId } : {}),
  };
}

/** Token routes: admin API enabled, caller may manage this org's tokens, org exists — in that order. */
async function managedOrg(request: IRequest, context: RequestContext) {
  requireAdminEnabled(context);
  const login = decodeSegment(request.params.org, "organization");
  const actor = await requireOrgManager(request, context, login);
  const org = await context.db.select().from(orgs).where(eq(orgs.login, login)).get();
  if (!org) throw notFound(`organization '${login}' not found`);
  return { org, actor, stamp: stampFor(context, actor) };
}

export const orgRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/admin/orgs",
    {
      async POST(request, context) {
        const actor = await requireOperator(request, context);
        const body = await readBody(request, CreateOrg, "organization");
        const row = { login: body.login, displayName: body.displayName ?? body.login, createdAt: nowIso() };
        // An org's display name shows in listings as publisherDisplayName: a catalog change.
        const db = context.db;
        const [inserted] = await db.batch([
          db.insert(orgs).values(row).onConflictDoNothing().returning(),
          auditEntryIfChanged(db, stampFor(context, actor), { action: "org.create", org: row.login, target: `org/${row.login}`, outcome: 201 }),
        ]);
        if (!inserted[0]) {
          // Logins are unique ignoring case (a unique index on lower(login)): name the one that exists.
          const existing = await db.select({ login: orgs.login }).from(orgs).where(sql`lower(${orgs.login}) = lower(${body.login})`).get();
          const login = existing?.login ?? body.login;
          throw conflict(login === body.login ? `organization '${login}' already exists` : `organization '${login}' already exists; logins are unique ignoring case`);
        }
        await catalogChanged(request);
        return json(row, 201);
      },
      async GET(request, context) {
        await requireOperator(request, context);
        const rows = await context.db.select().from(orgs).orderBy(asc(orgs.login)).all();
        return json({ orgs: rows });
      },
    },
  ],
  [
    "/api/admin/orgs/:org/tokens",
    {
      async POST(request, context) {
        const { org, actor, stamp } = await managedOrg(request, context);
        const body = await readBody(request, CreateToken, "token");
        if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) {
          throw badRequest("invalid token: 'expiresAt' must be in the future");
        }
        const db = context.db;
        let expiresAt = body.expiresAt ? new Date(body.expiresAt).toISOString() : null;
        const parentTokenId = actor.kind === "token" ? actor.tokenId : null;
        if (parentTokenId) {
          // The minting token was just authenticated; its expiry bounds the new token's.
          const parent = await db.select({ expiresAt: tokens.expiresAt }).from(tokens).where(eq(tokens.id, parentTokenId)).get();
          if (parent?.expiresAt) {
            if (expiresAt === null) expiresAt = parent.expiresAt;
            else if (Date.parse(expiresAt) > Date.parse(parent.expiresAt)) {
              throw badRequest(`invalid token: 'expiresAt' must not be later than the expiry of the token minting it (${parent.expiresAt})`);
            }
          }
        }
        const { id, secret, keyId } = await generateToken(tokenKeys(context.env));
        const row: TokenRow = {
          id,
          orgLogin: org.login,
          role: body.role,
          tokenHash: await hashToken(secret),
          description: body.description ?? null,
          createdAt: nowIso(),
          expiresAt,
          revokedAt: null,
          lastUsedAt: null,
          parentTokenId,
          macKeyId: keyId,
        };
        const audit = { action: "token.create", org: org.login, target: `token/${id}`, outcome: 201, detail: { role: row.role } } as const;
        if (parentTokenId === null) {
          await db.batch([db.insert(tokens).values(row), auditEntry(db, stamp, audit)]);
        } else {
          // Inserted only while the parent is still live: a revocation racing this mint either comes
          // first (nothing is minted) or after (and then revokes the new token with its parent).
          const [inserted] = await db.batch([
            db.insert(tokens).select(sql`select ${row.id}, ${row.orgLogin}, ${row.role}, ${row.tokenHash}, ${row.description}, ${row.createdAt}, ${row.expiresAt}, null, null, ${parentTokenId}, ${row.macKeyId}
              where exists (select 1 from ${tokens} where ${tokens.id} = ${parentTokenId} and ${tokens.revokedAt} is null and (${tokens.expiresAt} is null or ${tokens.expiresAt} > ${row.createdAt}))`).returning({ id: tokens.id }),
            auditEntryIfChanged(db, stamp, audit),
          ]);
          if (!inserted[0]) throw unauthorized("admin API: the token minting this one was revoked or has expired");
        }
        const { id: tokenId, ...view } = tokenView(row);
        // The secret is returned this once and never again.
        return json({ id: tokenId, token: secret, ...view }, 201);
      },
      async GET(request, context) {
        const { org } = await managedOrg(request, context);
        const rows = await context.db
          .select()
          .from(tokens)
          .where(and(eq(tokens.orgLogin, org.login), isNull(tokens.revokedAt)))
          .orderBy(asc(tokens.createdAt), asc(tokens.id))
          .all();
        return json({ tokens: rows.map(tokenView) });
      },
    },
  ],
  [
    "/api/admin/orgs/:org/tokens/:id",
    {
      async DELETE(request, context) {
        const { org, stamp } = await managedOrg(request, context);
        const id = decodeSegment(request.params.id, "token id");
        const db = context.db;
        // The token and, transitively, every token minted by it (all in the same org).
        const lineage = sql`with recursive lineage(id) as (
            select ${tokens.id} from ${tokens} where ${tokens.id} = ${id} and ${tokens.orgLogin} = ${org.login}
            union select t.id from ${tokens} t join lineage on t.parent_token_id = lineage.id
          ) select id from lineage`;
        const [revoked] = await db.batch([
          db
            .update(tokens)
            .set({ revokedAt: nowIso() })
            .where(and(sql`${tokens.id} in (${lineage})`, isNull(tokens.revokedAt)))
            .returning({ id: tokens.id }),
          auditEntryIfChanged(db, stamp, { action: "token.revoke", org: org.login, target: `token/${id}`, outcome: 204 }),
        ]);
        if (!revoked.some((r) => r.id === id)) throw notFound(`token '${id}' not found in organization '${org.login}'`);
        return noContent();
      },
    },
  ],
];

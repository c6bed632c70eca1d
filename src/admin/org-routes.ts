// Admin API for organizations and their tokens.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { orgs, tokens, type TokenRow, nowIso } from "../db/schema";
import { badRequest, conflict, notFound } from "../http/api-error";
import type { RouteMethods } from "../http/routes";
import { readBody } from "../http/json-body";
import { json, noContent } from "../http/respond";
import { decodeSegment, SEGMENT_PATTERN } from "../core/vocabulary/names";
import { generateToken, hashToken, ROLES } from "../identity/tokens";
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
  };
}

/** Token routes: admin API enabled, caller may manage this org's tokens, org exists — in that order. */
async function managedOrg(request: IRequest, context: RequestContext) {
  requireAdminEnabled(context);
  const login = decodeSegment(request.params.org, "organization");
  const actor = await requireOrgManager(request, context, login);
  const org = await context.db.select().from(orgs).where(eq(orgs.login, login)).get();
  if (!org) throw notFound(`organization '${login}' not found`);
  return { org, stamp: stampFor(context, actor) };
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
        const { org, stamp } = await managedOrg(request, context);
        const body = await readBody(request, CreateToken, "token");
        if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) {
          throw badRequest("invalid token: 'expiresAt' must be in the future");
        }
        const { id, secret } = generateToken();
        const row: TokenRow = {
          id,
          orgLogin: org.login,
          role: body.role,
          tokenHash: await hashToken(secret),
          description: body.description ?? null,
          createdAt: nowIso(),
          expiresAt: body.expiresAt ? new Date(body.expiresAt).toISOString() : null,
          revokedAt: null,
          lastUsedAt: null,
        };
        const db = context.db;
        await db.batch([
          db.insert(tokens).values(row),
          auditEntry(db, stamp, { action: "token.create", org: org.login, target: `token/${id}`, outcome: 201, detail: { role: row.role } }),
        ]);
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
        const [revoked] = await db.batch([
          db
            .update(tokens)
            .set({ revokedAt: nowIso() })
            .where(and(eq(tokens.id, id), eq(tokens.orgLogin, org.login), isNull(tokens.revokedAt)))
            .returning({ id: tokens.id }),
          auditEntryIfChanged(db, stamp, { action: "token.revoke", org: org.login, target: `token/${id}`, outcome: 204 }),
        ]);
        if (!revoked[0]) throw notFound(`token '${id}' not found in organization '${org.login}'`);
        return noContent();
      },
    },
  ],
];

// Turns the Authorization header into a Caller: a D1 lookup by token hash (the secret is never stored).
import { unauthorized } from "../http/api-error";
import { ANONYMOUS, type Caller } from "./rights";
import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { tokens, type TokenRow } from "../db/schema";
import { hashToken, readAuthorization } from "./tokens";
import { timingSafeEqualStrings } from "./secrets";

const LAST_USED_GRANULARITY_MS = 5 * 60_000;

export async function authenticate(request: Request, db: Database, ctx: ExecutionContext): Promise<Caller> {
  const auth = readAuthorization(request.headers.get("Authorization"));
  if (auth.kind === "none") return ANONYMOUS;
  if (auth.kind === "malformed") throw unauthorized("invalid Authorization header: expected 'token <token>'");
  const caller = await lookupToken(db, auth.secret, ctx);
  if (!caller) throw unauthorized("invalid, expired or revoked token");
  return caller;
}

/** Neither revoked nor expired at `now`: the one rule for API tokens and the browser sessions made from them. */
export function tokenIsLive(row: Pick<TokenRow, "revokedAt" | "expiresAt">, now: number): boolean {
  return row.revokedAt === null && (row.expiresAt === null || Date.parse(row.expiresAt) > now);
}

export async function lookupToken(db: Database, secret: string, ctx?: ExecutionContext): Promise<Caller | null> {
  const hash = await hashToken(secret);
  const row = await db.select().from(tokens).where(eq(tokens.tokenHash, hash)).get();
  // The indexed lookup finds the row; the constant-time comparison is the check that is trusted.
  if (!row || !(await timingSafeEqualStrings(row.tokenHash, hash))) return null;
  const now = Date.now();
  if (!tokenIsLive(row, now)) return null;
  // lastUsedAt is kept to a few minutes' precision so that reads do not each cost a D1 write.
  if (ctx && (row.lastUsedAt === null || now - Date.parse(row.lastUsedAt) > LAST_USED_GRANULARITY_MS)) {
    ctx.waitUntil(db.update(tokens).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(tokens.id, row.id)).run());
  }
  return { kind: "org", org: row.orgLogin, role: row.role, tokenId: row.id };
}

// Turns the Authorization header into a Caller: the token's MAC is checked first (a made-up token never
// reaches D1; docs/tokens.md), then a D1 lookup by token hash (the secret is never stored).
// `readAs` runs a catalog read as the caller; when the token is not checked yet, its lookup goes in the
// same D1 batch as the read (one round trip), and the read's result is used only if the token is valid.
import { unauthorized } from "../http/api-error";
import { ANONYMOUS, type Caller } from "./rights";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { stackUsage, tokens, type TokenRow } from "../db/schema";
import { hashToken, readAuthorization, screenToken, type TokenKey, type TokenScreen } from "./tokens";
import { timingSafeEqualStrings } from "./secrets";
import { runPlan, type BatchStatement, type ReadPlan } from "../core/vocabulary/read-plan";
import { type Viewer } from "../core/vocabulary/viewer";

const LAST_USED_GRANULARITY_MS = 5 * 60_000;

export async function authenticate(request: Request, db: Database, keys: TokenKey[], ctx: ExecutionContext): Promise<Caller> {
  const auth = readAuthorization(request.headers.get("Authorization"));
  if (auth.kind === "none") return ANONYMOUS;
  if (auth.kind === "malformed") throw unauthorized("invalid Authorization header: expected 'token <token>'");
  const caller = await lookupToken(db, auth.secret, keys, ctx);
  if (!caller) throw unauthorized("invalid, expired or revoked token");
  return caller;
}

/** The token row by hash, and whether its org has reported any stack usage (so usage counting can be skipped). */
function tokenStatement(db: Database, hash: string) {
  return db
    .select({
      token: tokens,
      // Spelled out: drizzle leaves columns of a one-table select unqualified, which inside the
      // subquery would name stack_usage's own column.
      usageReported: sql<number>`exists (select 1 from ${stackUsage} where ${stackUsage}.${sql.identifier(stackUsage.orgLogin.name)} = ${tokens}.${sql.identifier(tokens.orgLogin.name)})`.mapWith(Number),
    })
    .from(tokens)
    .where(eq(tokens.tokenHash, hash))
    .limit(1);
}

type TokenLookup = { token: TokenRow; usageReported: number } | undefined;

/** Neither revoked nor expired at `now`: the one rule for API tokens and the browser sessions made from them. */
export function tokenIsLive(row: Pick<TokenRow, "revokedAt" | "expiresAt">, now: number): boolean {
  return row.revokedAt === null && (row.expiresAt === null || Date.parse(row.expiresAt) > now);
}

async function callerFrom(db: Database, hash: string, screen: TokenScreen, found: TokenLookup, ctx?: ExecutionContext): Promise<Caller | null> {
  const row = found?.token;
  // The indexed lookup finds the row; the constant-time comparison is the check that is trusted.
  if (!row || !(await timingSafeEqualStrings(row.tokenHash, hash))) return null;
  // A signed token names its row: the two must agree (they always do for a token this registry minted).
  if (screen.kind === "signed" && screen.tokenId !== row.id) return null;
  const now = Date.now();
  if (!tokenIsLive(row, now)) return null;
  // lastUsedAt is kept to a few minutes' precision so that reads do not each cost a D1 write.
  if (ctx && (row.lastUsedAt === null || now - Date.parse(row.lastUsedAt) > LAST_USED_GRANULARITY_MS)) {
    ctx.waitUntil(db.update(tokens).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(tokens.id, row.id)).run());
  }
  return { kind: "org", org: row.orgLogin, role: row.role, tokenId: row.id, usageReported: found.usageReported === 1 };
}

/** The caller a token stands for, or null; a token whose MAC fails is null without any D1 access. */
export async function lookupToken(db: Database, secret: string, keys: TokenKey[], ctx?: ExecutionContext): Promise<Caller | null> {
  const screen = await screenToken(secret, keys);
  if (screen.kind === "refused") return null;
  const hash = await hashToken(secret);
  const [found] = await tokenStatement(db, hash);
  return callerFrom(db, hash, screen, found, ctx);
}

export const viewerOf = (caller: Caller): Viewer => (caller.kind === "org" ? { kind: "org", org: caller.org } : { kind: "anonymous" });

/**
 * Runs `plan` as the request's caller. A caller already known runs the plan alone; an unchecked token is
 * looked up in the same batch, the plan naming its org by the token hash. A revoked or expired token is a
 * 401 whatever the read returned.
 */
export async function readAsCaller<T>(
  request: Request,
  db: Database,
  keys: TokenKey[],
  ctx: ExecutionContext,
  known: Promise<Caller> | undefined,
  plan: (viewer: Viewer) => ReadPlan<T>,
): Promise<{ caller: Caller; value: T }> {
  const auth = readAuthorization(request.headers.get("Authorization"));
  if (known || auth.kind !== "token") {
    const caller = await (known ?? authenticate(request, db, keys, ctx));
    return { caller, value: await runPlan(db, plan(viewerOf(caller))) };
  }
  const screen = await screenToken(auth.secret, keys);
  if (screen.kind === "refused") throw unauthorized("invalid, expired or revoked token");
  const hash = await hashToken(auth.secret);
  const read = plan({ kind: "token", hash });
  const statements: [BatchStatement, ...BatchStatement[]] = [tokenStatement(db, hash), ...read.statements];
  const [lookup, ...results] = (await db.batch(statements)) as unknown[];
  const caller = await callerFrom(db, hash, screen, (lookup as TokenLookup[])[0], ctx);
  if (!caller) throw unauthorized("invalid, expired or revoked token");
  return { caller, value: read.finish(results) };
}

// Browser sessions: a person pastes an org token once; the gateway checks it and keeps a server-side
// session row (D1) keyed by the SHA-256 of a random id. The cookie carries only that id and its HMAC
// (key: SIGNING_SECRET), never the token. See docs/web-sign-in.md for why.
import { eq, lt, sql } from "drizzle-orm";
import { runPlan, type ReadPlan } from "../core/vocabulary/read-plan";
import { tokens, webSessions } from "../db/schema";
import { signingSecret, tokenKeys } from "../env";
import { forbidden } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { lookupToken, tokenIsLive } from "../identity/authenticate";
import { ANONYMOUS, type Caller } from "../identity/rights";
import { base64url, hmacSha256, randomBytes, sha256Hex, timingSafeEqualStrings } from "../identity/secrets";

/** A session lives at most this long, and never longer than the token it was made from. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
const MAC_BYTES = 16;

type OrgCaller = Extract<Caller, { kind: "org" }>;

function secure(context: RequestContext): boolean {
  return context.origin.startsWith("https://");
}

/** `__Host-` (Secure, Path=/, no Domain, enforced by the browser) wherever the origin is https. */
export function sessionCookieName(context: RequestContext): string {
  return secure(context) ? "__Host-registry_session" : "registry_session";
}

async function mac(context: RequestContext, id: string): Promise<string> {
  return base64url((await hmacSha256(signingSecret(context.env), `web-session/v1\n${id}`)).slice(0, MAC_BYTES));
}

function cookieAttributes(context: RequestContext, maxAgeSeconds: number): string {
  return `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure(context) ? "; Secure" : ""}`;
}

export function clearSessionCookie(context: RequestContext): string {
  return `${sessionCookieName(context)}=; ${cookieAttributes(context, 0)}`;
}

function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("Cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session id in the cookie when its MAC is right; a forged cookie costs no D1 read. */
async function sessionId(request: Request, context: RequestContext): Promise<string | undefined> {
  const value = readCookie(request, sessionCookieName(context));
  const match = value === undefined ? null : /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$/.exec(value);
  if (!match) return undefined;
  return (await timingSafeEqualStrings(match[2]!, await mac(context, match[1]!))) ? match[1] : undefined;
}

export function hasSessionCookie(request: Request): boolean {
  return /(?:^|;\s*)(?:__Host-)?registry_session=/.test(request.headers.get("Cookie") ?? "");
}

export interface WebIdentity {
  caller: Caller;
  /** A cookie was sent that no longer names a live session: the response should clear it. */
  staleCookie: boolean;
}

/**
 * The session a request's cookie names, by the SHA-256 of its id, once its MAC is checked (no D1 read):
 * `none` without a session cookie, `forged` when the cookie's MAC is wrong.
 */
export async function sessionCookie(request: Request, context: RequestContext): Promise<{ idHash: string } | "none" | "forged"> {
  if (!hasSessionCookie(request)) return "none";
  const id = await sessionId(request, context);
  return id ? { idHash: await sha256Hex(id) } : "forged";
}

/** The session row and its token, both checked live when read; a dead session's row is deleted. A read plan, so a page can batch it with its own reads. */
export function sessionPlan(context: RequestContext, idHash: string): ReadPlan<WebIdentity> {
  const statement = context.db
    .select({ sessionExpiresAt: sql<string>`${webSessions.expiresAt}`.as("session_expires_at"), token: tokens })
    .from(webSessions)
    .innerJoin(tokens, eq(tokens.id, webSessions.tokenId))
    .where(eq(webSessions.idHash, idHash))
    .limit(1);
  return {
    statements: [statement],
    finish([rows]) {
      const row = (rows as Awaited<typeof statement>)[0];
      const now = Date.now();
      if (!row || Date.parse(row.sessionExpiresAt) <= now || !tokenIsLive(row.token, now)) {
        if (row) context.ctx.waitUntil(context.db.delete(webSessions).where(eq(webSessions.idHash, idHash)).run());
        return { caller: ANONYMOUS, staleCookie: true };
      }
      context.log.org = row.token.orgLogin;
      return { caller: { kind: "org", org: row.token.orgLogin, role: row.token.role, tokenId: row.token.id }, staleCookie: false };
    },
  };
}

/** Who is looking at a page: the session's org when its row and its token are both live, else anonymous. */
export async function readSession(request: Request, context: RequestContext): Promise<WebIdentity> {
  const cookie = await sessionCookie(request, context);
  if (cookie === "none") return { caller: ANONYMOUS, staleCookie: false };
  if (cookie === "forged") return { caller: ANONYMOUS, staleCookie: true };
  return runPlan(context.db, sessionPlan(context, cookie.idHash));
}

/** Checks a pasted token and opens a session for it; null when the token is not a live org token. */
export async function signIn(context: RequestContext, secret: string): Promise<{ caller: OrgCaller; setCookie: string } | null> {
  const caller = await lookupToken(context.db, secret, tokenKeys(context.env), context.ctx);
  if (!caller || caller.kind !== "org") return null;
  const token = await context.db.select({ expiresAt: tokens.expiresAt }).from(tokens).where(eq(tokens.id, caller.tokenId)).get();
  const now = Date.now();
  const expires = Math.min(now + SESSION_TTL_MS, token?.expiresAt ? Date.parse(token.expiresAt) : Infinity);
  const id = base64url(randomBytes(32));
  const nowIso = new Date(now).toISOString();
  await context.db.batch([
    // Sessions that have run out are swept whenever someone signs in; lookups ignore them anyway.
    context.db.delete(webSessions).where(lt(webSessions.expiresAt, nowIso)),
    context.db.insert(webSessions).values({ idHash: await sha256Hex(id), tokenId: caller.tokenId, createdAt: nowIso, expiresAt: new Date(expires).toISOString() }),
  ]);
  const maxAge = Math.max(1, Math.floor((expires - now) / 1000));
  return { caller, setCookie: `${sessionCookieName(context)}=${id}.${await mac(context, id)}; ${cookieAttributes(context, maxAge)}` };
}

export async function signOut(request: Request, context: RequestContext): Promise<string> {
  const id = await sessionId(request, context);
  if (id) await context.db.delete(webSessions).where(eq(webSessions.idHash, await sha256Hex(id))).run();
  return clearSessionCookie(context);
}

/**
 * Cross-site form posts are refused: the browser's Sec-Fetch-Site must say same-origin, or (older
 * browsers) the Origin header must be this gateway's. A post with neither is refused as well.
 */
export function requireSameOrigin(request: Request, context: RequestContext): void {
  const site = request.headers.get("Sec-Fetch-Site");
  if (site !== null) {
    if (site !== "same-origin") throw forbidden("cross-site form submissions are refused");
    return;
  }
  const origin = request.headers.get("Origin");
  const allowed = new Set([new URL(request.url).origin, context.origin]);
  if (origin === null || !allowed.has(origin)) throw forbidden("cross-site form submissions are refused");
}

// Rate limits on the Workers rate limiting binding: per signed token when one is presented, else per client
// address; a stricter limiter for publish starts and one for sign-in (web form), each its own binding.
import type { Env } from "../env";
import { ApiError } from "../http/api-error";
import { readAuthorization, signedTokenId } from "../identity/tokens";

/** Which `[[ratelimits]]` binding a request is counted against (wrangler.toml; README "Rate limits"). */
export type RateLimitClass = "api" | "publish" | "signIn" | "mirrorMiss";

const BINDINGS: Record<RateLimitClass, "API_RATE_LIMITER" | "PUBLISH_RATE_LIMITER" | "SIGN_IN_RATE_LIMITER" | "MIRROR_MISS_RATE_LIMITER"> = {
  api: "API_RATE_LIMITER",
  publish: "PUBLISH_RATE_LIMITER",
  signIn: "SIGN_IN_RATE_LIMITER",
  mirrorMiss: "MIRROR_MISS_RATE_LIMITER",
};

const DEFAULT_PERIOD_SECONDS = 60;

export function rateLimitsEnabled(env: Env): boolean {
  return env.RATE_LIMITS !== "off";
}

/** The window of the bindings, in seconds (10 or 60); must match `period` in wrangler.toml. */
export function rateLimitPeriodSeconds(env: Env): number {
  const period = Number(env.RATE_LIMIT_PERIOD_SECONDS);
  return period === 10 || period === 60 ? period : DEFAULT_PERIOD_SECONDS;
}

/**
 * Who a request is counted as: a MAC-signed token by its id, or else the client address Cloudflare
 * reports, so a made-up token never buys a budget of its own. Tokens of the pre-MAC shape count against
 * their address too (their lookups stay behind the per-address limit; docs/tokens.md). The entry refuses
 * tokens whose MAC fails before this is asked (src/identity/token-gate.ts), so the id read here is one
 * this registry signed.
 */
export async function rateLimitKey(request: Request): Promise<string> {
  // Only API routes read tokens; anywhere else a made-up token would buy a fresh budget per request.
  if (!new URL(request.url).pathname.startsWith("/api/")) return clientAddressKey(request);
  const auth = readAuthorization(request.headers.get("Authorization"));
  const signed = auth.kind === "token" ? signedTokenId(auth.secret) : undefined;
  return signed ? `token:${signed}` : clientAddressKey(request);
}

/** Per client address, whatever the request carries: what a sign-in form is limited by. */
export function clientAddressKey(request: Request): string {
  return `ip:${request.headers.get("CF-Connecting-IP") ?? "unknown"}`;
}

/**
 * Counts one request against a limiter and throws a 429 (with `Retry-After`) when it is over. Call it
 * before anything is read or written on the request's behalf.
 */
export async function enforceRateLimit(env: Env, limiter: RateLimitClass, key: string): Promise<void> {
  if (!rateLimitsEnabled(env)) return;
  const { success } = await env[BINDINGS[limiter]].limit({ key });
  if (success) return;
  const period = rateLimitPeriodSeconds(env);
  // The binding does not say when its window ends; the window length is an upper bound on the wait.
  throw new ApiError(429, `rate limit exceeded; retry after ${period} seconds`, undefined, { "Retry-After": String(period) });
}

/**
 * A refused credential is a failed sign-in: it also counts against the sign-in limiter of the client
 * address, so guessing tokens (each guess a fresh per-token budget) is as limited as guessing passwords.
 * Throws the 429 when over that limit; otherwise the caller goes on to throw its 401.
 */
export async function countFailedSignIn(env: Env, request: Request): Promise<void> {
  const key = clientAddressKey(request);
  try {
    await enforceRateLimit(env, "signIn", key);
  } catch (error) {
    if (error instanceof ApiError && error.status === 429) rememberExhausted(key, rateLimitPeriodSeconds(env));
    throw error;
  }
}

/**
 * Addresses whose sign-in budget this isolate has seen run out, and until when (ms): while it is out,
 * a token of the pre-MAC shape from that address is refused without its lookup (the one kind of token
 * only a lookup can judge), so guessing in that shape costs no storage either (docs/tokens.md).
 */
const exhausted = new Map<string, number>();
const MAX_REMEMBERED = 10_000;

function rememberExhausted(key: string, periodSeconds: number): void {
  // Bounded whatever the traffic: forgetting early only means one more limiter check and lookup.
  if (exhausted.size >= MAX_REMEMBERED) exhausted.clear();
  exhausted.set(key, Date.now() + periodSeconds * 1000);
}

/** Throws the sign-in 429 when this address's sign-in budget is known to be spent; no binding is asked. */
export function refuseIfSignInExhausted(env: Env, request: Request): void {
  if (!rateLimitsEnabled(env)) return;
  const key = clientAddressKey(request);
  const until = exhausted.get(key);
  if (until === undefined) return;
  if (until <= Date.now()) {
    exhausted.delete(key);
    return;
  }
  const period = rateLimitPeriodSeconds(env);
  throw new ApiError(429, `rate limit exceeded; retry after ${period} seconds`, undefined, { "Retry-After": String(period) });
}

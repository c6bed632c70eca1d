// The entry's first look at an API request's token, before any storage access (D1, R2, Durable Object,
// queue): a token whose MAC fails is refused for the price of one per-address limiter check.
import type { Env } from "../env";
import { tokenKeys } from "../env";
import { unauthorized } from "../http/api-error";
import { countFailedSignIn, refuseIfSignInExhausted } from "../rate-limits/rate-limit";
import { timingSafeEqualStrings } from "./secrets";
import { readAuthorization, screenToken } from "./tokens";

/**
 * Throws the 401 (or the sign-in limiter's 429) for an API request whose token is neither the operator's
 * ADMIN_TOKEN, nor a token of the pre-MAC shape (judged by its lookup, behind the per-address API
 * limit, and not at all while the address's sign-in budget is spent), nor a token whose MAC verifies. Pages never read the Authorization header, so it is not
 * looked at there; a malformed header is left to the route (refused without storage access too).
 */
export async function refuseForgedToken(request: Request, env: Env): Promise<void> {
  const path = new URL(request.url).pathname;
  if (!path.startsWith("/api/")) return;
  // Without ADMIN_TOKEN the admin API does not exist: its 404 comes before anything, this check included.
  if (!env.ADMIN_TOKEN && path.startsWith("/api/admin/")) return;
  const auth = readAuthorization(request.headers.get("Authorization"));
  if (auth.kind !== "token") return;
  if (env.ADMIN_TOKEN && (await timingSafeEqualStrings(auth.secret, env.ADMIN_TOKEN))) return;
  const screen = await screenToken(auth.secret, tokenKeys(env));
  if (screen.kind === "signed") return;
  if (screen.kind === "legacy") {
    // Judged by a lookup, so not from an address that has just spent its sign-in budget guessing.
    refuseIfSignInExhausted(env, request);
    return;
  }
  await countFailedSignIn(env, request);
  throw unauthorized("invalid, expired or revoked token");
}

// Authorises the admin API: the ADMIN_TOKEN secret, or (for an org's own tokens) an admin-role org token.
import { ApiError, forbidden, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { lookupToken } from "../identity/authenticate";
import { readAuthorization } from "../identity/tokens";
import { timingSafeEqualStrings } from "../identity/secrets";
import { countFailedSignIn } from "../rate-limits/rate-limit";

export type AdminPrincipal = { kind: "operator" } | { kind: "org-admin"; org: string };

/** The admin API does not exist when ADMIN_TOKEN is unset; checked before anything else. */
export function requireAdminEnabled(context: RequestContext): string {
  const token = context.env.ADMIN_TOKEN;
  if (!token) throw new ApiError(404, "not found");
  return token;
}

export async function adminPrincipal(request: Request, context: RequestContext): Promise<AdminPrincipal> {
  const adminToken = requireAdminEnabled(context);
  const auth = readAuthorization(request.headers.get("Authorization"));
  if (auth.kind !== "token") throw unauthorized("admin API: missing or malformed Authorization header");
  if (await timingSafeEqualStrings(auth.secret, adminToken)) return { kind: "operator" };
  const caller = await lookupToken(context.db, auth.secret, context.ctx);
  if (!caller || caller.kind !== "org") {
    await countFailedSignIn(context.env, request);
    throw unauthorized("admin API: invalid token");
  }
  context.log.org = caller.org;
  if (caller.role !== "admin") throw forbidden(`admin API: a ${caller.role} token may not use the admin API`);
  return { kind: "org-admin", org: caller.org };
}

export async function requireOperator(request: Request, context: RequestContext): Promise<void> {
  const principal = await adminPrincipal(request, context);
  if (principal.kind !== "operator") throw forbidden("admin API: this route needs the operator's ADMIN_TOKEN");
}

/** Token routes: the operator, or an admin token of that same org. */
export async function requireOrgManager(request: Request, context: RequestContext, org: string): Promise<void> {
  const principal = await adminPrincipal(request, context);
  if (principal.kind === "org-admin" && principal.org !== org) {
    throw forbidden("admin API: an org admin token manages only its own organization's tokens");
  }
}

// Authorises the admin API: the ADMIN_TOKEN secret, or (for an org's own tokens) an admin-role org token.
import { ApiError, forbidden, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { lookupToken } from "./authenticate";
import { readAuthorization } from "./tokens";
import { timingSafeEqualStrings } from "./secrets";
import type { Caller } from "./rights";
import { countFailedSignIn } from "../rate-limits/rate-limit";
import { tokenKeys } from "../env";

import type { Actor } from "../audit/audit-log";

export type AdminPrincipal = { kind: "operator" } | { kind: "org-admin"; org: string; tokenId: string };

export function actorOfPrincipal(principal: AdminPrincipal): Actor {
  return principal.kind === "operator" ? { kind: "operator" } : { kind: "token", org: principal.org, tokenId: principal.tokenId };
}

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
  const caller = await lookupToken(context.db, auth.secret, tokenKeys(context.env), context.ctx);
  if (!caller || caller.kind !== "org") {
    await countFailedSignIn(context.env, request);
    throw unauthorized("admin API: invalid token");
  }
  context.log.org = caller.org;
  if (caller.role !== "admin") throw forbidden(`admin API: a ${caller.role} token may not use the admin API`);
  return { kind: "org-admin", org: caller.org, tokenId: caller.tokenId };
}

export async function requireOperator(request: Request, context: RequestContext): Promise<Actor> {
  const principal = await adminPrincipal(request, context);
  if (principal.kind !== "operator") throw forbidden("admin API: this route needs the operator's ADMIN_TOKEN");
  return { kind: "operator" };
}

/** Token routes: the operator, or an admin token of that same org. */
export async function requireOrgManager(request: Request, context: RequestContext, org: string): Promise<Actor> {
  const principal = await adminPrincipal(request, context);
  if (principal.kind === "org-admin" && principal.org !== org) {
    throw forbidden("admin API: an org admin token manages only its own organization's tokens");
  }
  return actorOfPrincipal(principal);
}

/** Org-scoped admin routes (audit, webhooks): an `admin` token of that org; anonymous 401, others 403. */
export async function requireOrgAdminToken(context: RequestContext, org: string): Promise<Extract<Caller, { kind: "org" }>> {
  const caller = await context.caller();
  if (caller.kind !== "org") throw unauthorized("this route needs an admin token of the organization");
  if (caller.org !== org) throw forbidden(`a token of organization '${caller.org}' may not manage '${org}'`);
  if (caller.role !== "admin") throw forbidden(`a '${caller.role}' token may not use this route; an admin token is needed`);
  return caller;
}

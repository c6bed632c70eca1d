// Who may change the registry: an org token with the publisher (or admin) role; 401 and 403 otherwise.
import { forbidden, unauthorized } from "../../http/api-error";
import { hasRole, type Caller } from "../../identity/rights";

export type OrgCaller = Extract<Caller, { kind: "org" }>;

/** Writes need an org token: anonymous → 401 (saying `unauthenticated`, if given), a reader token → 403. */
export function requirePublisher(caller: Caller, unauthenticated = "this operation requires an org token with the publisher or admin role"): OrgCaller {
  if (caller.kind !== "org") throw unauthorized(unauthenticated);
  if (!hasRole(caller, "publisher")) throw forbidden(`a '${caller.role}' token may not publish or delete; a publisher or admin token is needed`);
  return caller;
}

/** The first check of a change: an org token at all (401 saying what was being done); the role comes later. */
export function requireOrgToken(caller: Caller, doing: string): void {
  if (caller.kind !== "org") throw unauthorized(`${doing} requires an org token with the publisher or admin role`);
}

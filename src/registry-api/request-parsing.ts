// Path parsing of the registry routes beyond the identity: the version segment, and the caller a write needs.
import { badRequest } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { decodeOnce } from "../core/identity-parsing";
import { requirePublisher, type OrgCaller } from "../core/publish/publisher-rights";
import { requireVersion, type ParsedVersion } from "../core/vocabulary/versions";

export function parseVersionParam(raw: string | undefined, allowLatest: false): ParsedVersion;
export function parseVersionParam(raw: string | undefined, allowLatest: true): ParsedVersion | "latest";
export function parseVersionParam(raw: string | undefined, allowLatest: boolean): ParsedVersion | "latest" {
  const value = decodeOnce(raw, "version");
  if (value === "latest") {
    if (allowLatest) return "latest";
    throw badRequest("'latest' is not a version here; name the version to act on");
  }
  return requireVersion(value);
}

/** Writes need an org token: anonymous → 401, a reader token → 403. */
export async function requirePublisherCaller(context: RequestContext): Promise<OrgCaller> {
  return requirePublisher(await context.caller());
}

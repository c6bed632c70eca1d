// Path and query parsing shared by every registry route: typed values out, 400/404 for anything else.
import { ApiError, badRequest, forbidden, notFound, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { hasRole, type Caller } from "../identity/rights";
import { canonicalName, decodeSegment, printable } from "../core/vocabulary/names";
import { describeIdentity, type Identity } from "../core/vocabulary/identity";
import type { RegistryKind } from "../core/kind";
import { requireVersion, type ParsedVersion } from "../core/vocabulary/versions";

export interface RouteParams {
  source?: string;
  publisher?: string;
  name?: string;
  version?: string;
}

export function decodeOnce(raw: string | undefined, what: string): string {
  try {
    return decodeURIComponent(raw ?? "");
  } catch {
    throw badRequest(`invalid ${what}: malformed percent-encoding`);
  }
}

/** Unknown source → 404 (spec §2), checked before the other segments. */
export function parseSource(kind: RegistryKind, raw: string | undefined): string {
  const source = decodeOnce(raw, "source");
  if (!kind.knownSources.includes(source)) throw notFound(`unknown ${kind.noun} source '${printable(source)}'`);
  return source;
}

export function parseIdentity(kind: RegistryKind, params: RouteParams): Identity {
  const source = parseSource(kind, params.source);
  const publisher = decodeSegment(params.publisher, "publisher");
  const name = decodeSegment(params.name, "name");
  return { kind: kind.kind, source, publisher, name, canonicalName: canonicalName(name) };
}

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
export async function requirePublisherCaller(context: RequestContext): Promise<Extract<Caller, { kind: "org" }>> {
  const caller = await context.caller();
  if (caller.kind !== "org") throw unauthorized("this operation requires an org token with the publisher or admin role");
  if (!hasRole(caller, "publisher")) throw forbidden(`a '${caller.role}' token may not publish or delete; a publisher or admin token is needed`);
  return caller;
}

export function versionNotFound(id: Identity, version: string): ApiError {
  return notFound(`${describeIdentity(id, version)} not found`);
}

export interface PageParams {
  limit: number;
  continuationToken?: string;
}

const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;

export function parsePageParams(query: URLSearchParams): PageParams {
  const rawLimit = query.get("limit");
  let limit = DEFAULT_PAGE;
  if (rawLimit !== null) {
    if (!/^[0-9]+$/.test(rawLimit) || Number(rawLimit) < 1) throw badRequest(`invalid limit '${printable(rawLimit)}': must be an integer of at least 1`);
    // Any integer above the maximum clamps, however many digits it has (Number() of a huge one is Infinity).
    limit = Math.min(Number(rawLimit), MAX_PAGE);
  }
  const continuationToken = query.get("continuationToken") ?? undefined;
  return { limit, continuationToken: continuationToken === "" ? undefined : continuationToken };
}

export function parseBooleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw badRequest(`invalid ${name} '${printable(value)}': must be true or false`);
}

const MAX_SEARCH_TERMS = 20;
const MAX_SEARCH_CHARS = 200;

/** `search`: space-separated terms, each matched literally (case-insensitive substring); none → undefined. */
export function parseSearchParam(query: URLSearchParams): string[] | undefined {
  const search = query.get("search");
  if (!search) return undefined;
  if (search.length > MAX_SEARCH_CHARS) throw badRequest(`invalid search: at most ${MAX_SEARCH_CHARS} characters`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(search)) throw badRequest("invalid search: control characters are not allowed");
  const terms = [...new Set(search.toLowerCase().split(/\s+/).filter(Boolean))];
  if (terms.length > MAX_SEARCH_TERMS) throw badRequest(`invalid search: at most ${MAX_SEARCH_TERMS} terms`);
  return terms.length ? terms : undefined;
}

export function parseEnumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw badRequest(`invalid ${name} '${printable(value)}': must be one of ${allowed.join(", ")}`);
  return value as T;
}


// Query-string parsing shared by every list route: typed values out, a 400 naming the parameter otherwise.
import { badRequest } from "./api-error";
import { printable } from "../core/vocabulary/names";

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

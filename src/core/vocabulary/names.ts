// Path-segment rules: what a publisher or name may be, and the canonical form names are unique on.
import { badRequest } from "../../http/api-error";

export const SEGMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Decodes one raw path segment exactly once (itty-router hands them over undecoded) and validates
 * it. Anything that decodes to `/`, `..`, NUL or a control character fails the pattern.
 */
export function decodeSegment(raw: string | undefined, what: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw ?? "");
  } catch {
    throw badRequest(`invalid ${what}: malformed percent-encoding`);
  }
  if (!SEGMENT_PATTERN.test(value)) {
    throw badRequest(`invalid ${what} '${printable(value)}': must match ${SEGMENT_PATTERN.source}`);
  }
  return value;
}

export function isValidSegment(value: string): boolean {
  return SEGMENT_PATTERN.test(value);
}

/** Lower-cased, with runs of `-`, `_`, `.` folded to one `-`: `My_Pkg` and `my-pkg` collide. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** For messages: control characters are shown escaped, never echoed raw. */
export function printable(value: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  return value.slice(0, 120).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

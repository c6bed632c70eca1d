// How the org routes' version words map onto registry versions: a SemVer `versionTag` is the version; a
// bare integer (what an older @pulumi/policy completes with when it sent no tag) is `N.0.0`.
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";
import { parseVersion, type ParsedVersion } from "../core/vocabulary/versions";
import { VERSION_TAG_PATTERN } from "./policy-pack-schemas";

/** Integers beyond this are no publish count this registry will reach; bounding them keeps `N.0.0` valid. */
const MAX_VERSION_NUMBER = 1_000_000_000;

/** The registry version a start without a versionTag publishes: the integer it answers, as `N.0.0`. */
export function versionForNumber(n: number): ParsedVersion {
  return parseVersion(`${n}.0.0`)!;
}

/** A path's `{versionTag}`: a SemVer tag, or a bare integer standing for `N.0.0`; else a 400. */
export function versionForTag(raw: string): ParsedVersion {
  if (!VERSION_TAG_PATTERN.test(raw)) throw badRequest(`invalid version tag '${printable(raw.slice(0, 100))}': must match ${VERSION_TAG_PATTERN.source}`);
  const parsed = parseVersion(raw);
  if (parsed) return parsed;
  if (/^[0-9]+$/.test(raw) && !/^0[0-9]/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_VERSION_NUMBER) return versionForNumber(Number(raw));
  throw badRequest(`invalid version tag '${printable(raw)}': this registry orders versions by SemVer, so a tag must be a SemVer 2.0 version without a 'v' prefix (or the integer version of a pack published without a tag)`);
}

/** A publish body's `versionTag`: SemVer only (the integer form is the server's to assign). */
export function versionForPublishedTag(raw: string): ParsedVersion {
  const parsed = parseVersion(raw);
  if (!parsed) throw badRequest(`invalid versionTag '${printable(raw.slice(0, 100))}': this registry orders versions by SemVer, so a tag must be a SemVer 2.0 version without a 'v' prefix`);
  return parsed;
}

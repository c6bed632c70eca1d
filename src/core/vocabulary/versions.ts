// SemVer rules as pure functions: strict parsing, a sortable precedence key, and which version is `latest`.
import semverParse from "semver/functions/parse";
import { badRequest } from "../../http/api-error";

export interface ParsedVersion {
  /** As given, build metadata included. */
  raw: string;
  /** Sorts (binary string order) exactly as SemVer precedence; equal for versions differing only in build. */
  precedenceKey: string;
  prerelease: boolean;
}

const NUMBER_WIDTH = 16; // Number.MAX_SAFE_INTEGER has 16 digits; semver rejects larger core numbers.
// The separator sorts below every identifier character so that a shorter identifier list sorts first.
const IDENTIFIER_SEPARATOR = "!";
const PRERELEASE_MARK = "!";
const RELEASE_MARK = "~";

function pad(n: number | string): string {
  return String(n).padStart(NUMBER_WIDTH, "0");
}

export function parseVersion(input: string): ParsedVersion | null {
  if (input.length > 256 || input.startsWith("v") || input.startsWith("V")) return null;
  const parsed = semverParse(input, { loose: false });
  if (!parsed) return null;
  // semver trims whitespace and tolerates a leading "="; the canonical re-rendering must equal the input.
  const rendered = parsed.version + (parsed.build.length ? `+${parsed.build.join(".")}` : "");
  if (rendered !== input) return null;
  const ids: string[] = [];
  for (const id of parsed.prerelease) {
    if (typeof id === "number" || /^[0-9]+$/.test(id)) {
      const digits = String(id);
      if (digits.length > NUMBER_WIDTH) return null;
      ids.push(`0${pad(digits)}`);
    } else {
      ids.push(`1${id}`);
    }
  }
  const core = [parsed.major, parsed.minor, parsed.patch].map(pad).join(".");
  const prerelease = ids.length > 0;
  const precedenceKey = prerelease ? core + PRERELEASE_MARK + ids.join(IDENTIFIER_SEPARATOR) : core + RELEASE_MARK;
  return { raw: input, precedenceKey, prerelease };
}

export function requireVersion(input: string, what = "version"): ParsedVersion {
  const parsed = parseVersion(input);
  if (!parsed) throw badRequest(`invalid ${what} '${input.slice(0, 100)}': must be a SemVer 2.0 version without a 'v' prefix`);
  return parsed;
}

/**
 * `latest`: the highest release, or when there is none the highest prerelease. Deprecated versions
 * are passed over while any live version is not deprecated; when all are, the same rule picks among
 * them. Retired versions are not passed in.
 */
export function pickLatest<T extends { precedenceKey: string; prerelease: boolean; deprecated?: boolean }>(versions: readonly T[]): T | undefined {
  const candidates = versions.some((v) => !v.deprecated) ? versions.filter((v) => !v.deprecated) : versions;
  let best: T | undefined;
  for (const v of candidates) {
    if (!best) best = v;
    else if (best.prerelease !== v.prerelease) best = best.prerelease ? v : best;
    else if (v.precedenceKey > best.precedenceKey) best = v;
  }
  return best;
}

/** 0.x versions are previews; everything else is generally available. */
export function packageStatusFor(version: string): "ga" | "public_preview" {
  return version.startsWith("0.") ? "public_preview" : "ga";
}

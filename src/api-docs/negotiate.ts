// Content negotiation for the docs routes: JSON (the default) or markdown, by the Accept header and its q-weights.
import { ApiError } from "../http/api-error";

export type Format = "json" | "markdown";
const SUPPORTED: Array<[Format, string, string]> = [
  ["json", "application", "json"],
  ["markdown", "text", "markdown"],
];
export const SUPPORTED_TYPES = "application/json, text/markdown";

/** The Pulumi CLI's own JSON media type, `application/vnd.pulumi+9`, which every CLI request sends. */
const PULUMI_JSON = /^vnd\.pulumi\+\d+$/;

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(",")) {
    const [range, ...params] = part.split(";").map((s) => s.trim());
    if (!range) continue;
    const [type, subtype] = range.toLowerCase().split("/");
    if (!type || !subtype) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=").map((s) => s.trim());
      if (k?.toLowerCase() !== "q") continue;
      // A malformed weight makes the range unusable (RFC 9110 §12.4.2 allows 0 to 1, three decimals).
      q = v !== undefined && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(v) ? Number(v) : -1;
    }
    if (q >= 0) out.push({ type, subtype, q });
  }
  return out;
}

/**
 * The answer's format: for each supported type the weight of the most specific range matching it;
 * the highest weight wins, then the more specific match, then JSON. No header, or nothing but
 * wildcards, means JSON (as does the CLI's `application/vnd.pulumi+N`); nothing acceptable is a 406 naming the supported types.
 */
export function negotiate(header: string | null): Format {
  if (header === null || header.trim() === "") return "json";
  const ranges = parseAccept(header);
  let best: { format: Format; q: number; specificity: number } | undefined;
  for (const [format, type, subtype] of SUPPORTED) {
    let match: { q: number; specificity: number } | undefined;
    for (const r of ranges) {
      const exact = (r.type === type && r.subtype === subtype) || (format === "json" && r.type === "application" && PULUMI_JSON.test(r.subtype));
      const specificity = exact ? 3 : r.type === type && r.subtype === "*" ? 2 : r.type === "*" && r.subtype === "*" ? 1 : 0;
      if (specificity > (match?.specificity ?? 0)) match = { q: r.q, specificity };
    }
    if (!match || match.q === 0) continue;
    if (!best || match.q > best.q || (match.q === best.q && match.specificity > best.specificity)) best = { format, ...match };
  }
  if (!best) throw new ApiError(406, `none of the accepted types can be produced; this route answers ${SUPPORTED_TYPES}`);
  return best.format;
}

// A module's members as the API pages need them, from nav-members.tsv by range (derive.ts's memberLine): the
// module's lines whole when they are small, else its first lines (a bounded prefix) and the member a URL names
// (a bisection by range reads over the module's lines, which are sorted by kind then URL name). A page in a
// module of a million members reads about what it reads in one of a hundred, and only the shown members'
// name overrides (nav.json keeps them in one object for the whole package).
import { memberKey } from "./derive";
import { readImmutable } from "./derived-cache";
import type { Range } from "./storage";
import type { PerLanguage } from "./stored-form";

export interface MemberLine {
  kind: "resource" | "function";
  token: string;
  override?: Partial<PerLanguage>;
}

/** A module's lines are read whole up to this many bytes; a bigger module is read by prefix and bisection. */
export const MEMBER_LINES_WHOLE = 64 * 1024;
/** What one bisection probe reads; a line longer than this is read on to its end (lines are bounded: see MAX_MEMBER_LINE). */
const PROBE_BYTES = 4 * 1024;
/** The longest line the derivation writes: a token (at most 4 KiB, escaped as JSON) and overrides of at most MAX_OVERRIDE_JSON. */
export const MAX_MEMBER_LINE = 32 * 1024;

const decoder = new TextDecoder();
const NEWLINE = 0x0a;

function parseMemberLine(line: string): MemberLine | undefined {
  const [kind, token, override] = line.split("\t");
  if ((kind !== "0" && kind !== "1") || token === undefined) return undefined;
  return { kind: kind === "0" ? "resource" : "function", token: JSON.parse(token) as string, ...(override ? { override: JSON.parse(override) as Partial<PerLanguage> } : {}) };
}

/** Where a line sorts among its module's lines (the derivation's nav order within a module). */
const sortKey = (m: MemberLine) => `${m.kind === "resource" ? 0 : 1}${memberKey(m.token)}`;

async function bytesAt(bucket: R2Bucket, key: string, offset: number, length: number): Promise<Uint8Array> {
  const bytes = await readImmutable(bucket, key, async (o) => new Uint8Array(await o.arrayBuffer()), { offset, length });
  if (!bytes) throw new Error(`derived docs object ${key} is missing`);
  return bytes;
}

/** The whole lines in `bytes` (a partial last line is dropped). */
function linesOf(bytes: Uint8Array): MemberLine[] {
  const end = bytes.lastIndexOf(NEWLINE);
  if (end < 0) return [];
  return decoder
    .decode(bytes.subarray(0, end))
    .split("\n")
    .flatMap((l) => parseMemberLine(l) ?? []);
}

/** Every line of a module (its range read whole): only for ranges of at most MEMBER_LINES_WHOLE bytes. */
export async function allMembers(bucket: R2Bucket, key: string, [offset, length]: Range): Promise<MemberLine[]> {
  return length ? linesOf(await bytesAt(bucket, key, offset, length)) : [];
}

/** The module's first lines, at most `max` of them within `bytes` bytes. */
export async function firstMembers(bucket: R2Bucket, key: string, [offset, length]: Range, max: number, bytes = MEMBER_LINES_WHOLE): Promise<MemberLine[]> {
  if (!length) return [];
  return linesOf(await bytesAt(bucket, key, offset, Math.min(length, bytes))).slice(0, max);
}

/** The line starting at `start` (a line start) and where the next one starts. */
async function lineAt(bucket: R2Bucket, key: string, start: number, end: number): Promise<{ line: MemberLine | undefined; next: number }> {
  let size = Math.min(PROBE_BYTES, end - start);
  for (;;) {
    const bytes = await bytesAt(bucket, key, start, size);
    const nl = bytes.indexOf(NEWLINE);
    if (nl >= 0) return { line: parseMemberLine(decoder.decode(bytes.subarray(0, nl))), next: start + nl + 1 };
    if (start + size >= end || size >= MAX_MEMBER_LINE) throw new Error(`derived docs object ${key}: no line end within ${size} bytes at ${start}`);
    size = Math.min(MAX_MEMBER_LINE, end - start);
  }
}

/**
 * The first line starting at or after `from` and before `limit`, with where the next one starts; undefined when
 * none starts there. One read of PROBE_BYTES from the byte before `from` (a line starts at `from` when that
 * byte ends the previous one) usually holds the line too.
 */
async function lineFrom(bucket: R2Bucket, key: string, from: number, limit: number, end: number): Promise<{ start: number; line: MemberLine | undefined; next: number } | undefined> {
  let size = Math.min(PROBE_BYTES, end - from + 1);
  for (;;) {
    const bytes = await bytesAt(bucket, key, from - 1, size);
    const nl = bytes.indexOf(NEWLINE);
    if (nl >= 0) {
      const start = from + nl;
      if (start >= limit) return undefined;
      const lineEnd = bytes.indexOf(NEWLINE, nl + 1);
      if (lineEnd >= 0) return { start, line: parseMemberLine(decoder.decode(bytes.subarray(nl + 1, lineEnd))), next: from + lineEnd };
      return { start, ...(await lineAt(bucket, key, start, end)) };
    }
    if (from - 1 + size >= limit || size >= MAX_MEMBER_LINE) return undefined;
    size = Math.min(MAX_MEMBER_LINE, end - from + 1);
  }
}

/**
 * The module's member named `segment` in URLs (the token's last part): its first resource of that name, else
 * its first function, as the page found it among the module's lines in order. A module of at most
 * MEMBER_LINES_WHOLE bytes is read whole; a bigger one is bisected: about log2(bytes / 4 KiB) range reads of
 * 4 KiB, so about 13 for a module of 25 MiB.
 */
export async function findMember(bucket: R2Bucket, key: string, range: Range, segment: string): Promise<MemberLine | undefined> {
  const matches = (m: MemberLine | undefined, kind: MemberLine["kind"]): m is MemberLine =>
    !!m && m.kind === kind && m.token.slice(m.token.lastIndexOf(":") + 1) === segment;
  if (range[1] <= MEMBER_LINES_WHOLE) {
    const all = await allMembers(bucket, key, range);
    return all.find((m) => matches(m, "resource")) ?? all.find((m) => matches(m, "function"));
  }
  for (const kind of ["resource", "function"] as const) {
    const target = `${kind === "resource" ? 0 : 1}${segment}\u0000`;
    const found = await lowerBound(bucket, key, range, target);
    if (matches(found, kind)) return found;
  }
  return undefined;
}

/**
 * The first line of the range whose sort key is at least `target`. Invariants: every line starting before
 * `lo` sorts before `target`; `answer` (a line start, or the range's end) sorts at or after it; no line
 * starts in [`limit`, `answer`).
 */
async function lowerBound(bucket: R2Bucket, key: string, [offset, length]: Range, target: string): Promise<MemberLine | undefined> {
  const end = offset + length;
  let lo = offset;
  let answer = end;
  let limit = end;
  while (lo < limit) {
    if (limit - lo <= PROBE_BYTES) {
      // Few line starts left: the lines from `lo` to `answer` in one read (whole lines: `answer` starts one, or ends the range).
      const found = linesOf(await bytesAt(bucket, key, lo, answer - lo)).find((l) => sortKey(l) >= target);
      if (found) return found;
      break;
    }
    const mid = lo + Math.floor((limit - lo) / 2);
    const probe = await lineFrom(bucket, key, mid, limit, end);
    if (!probe) {
      limit = mid;
      continue;
    }
    const { start, line, next } = probe;
    if (line && sortKey(line) >= target) {
      answer = start;
      limit = mid;
    } else lo = next;
  }
  return answer < end ? (await lineAt(bucket, key, answer, end)).line : undefined;
}

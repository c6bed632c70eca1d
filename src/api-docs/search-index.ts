// The tree filter's search index (issue 21, "bounded work"): written by the docs derivation (SearchLines, fed by
// derive.ts's IndexLines as the index is written; writePostings, called by writeNavObjects — so deriveDocs and
// the step chain write the same bytes), read by the API pages' `q` so a filter searches the whole package at a
// bounded cost per request (docs/route-budgets.md, "The tree's filter: a search index").
//
//   search-members.jsonl  one line per member (a resource or function), sorted by token: the JSON array
//                         [kind "r"|"f", nav module, token, name overrides?] — what a candidate is checked against
//   search-postings.bin   for each trigram, the blocks of SEARCH_BLOCK member lines that hold a member with it,
//                         as varints: the block's offset in search-members.jsonl (minus the previous
//                         one's) and its length, in order
//   search-trigrams.tsv   one line per trigram, sorted: JSON string, blocks, offset and length in the postings
//   search-head.json      the naming options, the counts and a fence every SEARCH_FENCE lines of the trigrams
//
// A member's trigrams are those of its lowercased token and of its lowercased names in all six languages
// (overrides included), so every `q` of 3 characters or more that a member's token or name (in any
// language) contains has all its trigrams in the posting lists of that member's block. Postings name
// blocks, not members: neighbours in token order share most trigrams (the package and module parts), so a
// block of 16 makes ~10× fewer records to sort at derivation than one posting per member. Trigrams with half
// of a surrogate pair are left out on both sides (a `q` made only of those is scanned as a short one).
import { LANGUAGES, memberName, type Language, type PackageNaming } from "./languages";
import type { PerLanguage } from "./stored-form";
import { readImmutable } from "./derived-cache";
import { contentText } from "./utf8";
import { FenceIndex, storedFences, treeOfHead, withLengths, writeFenceTree, type FenceTree } from "./fence-tree";
import { TextWriter } from "./spill";
import { ObjectWriter, coalesce, memberKey, putJson, utf8Length, type DocsObject, type Range } from "./storage";

export const SEARCH_OBJECTS = ["search-members.jsonl", "search-postings.bin", "search-trigrams.tsv", "search-head.json"] as const satisfies readonly DocsObject[];
/** A fence in search-head.json every this many lines of search-trigrams.tsv. */
export const SEARCH_FENCE = 32;
/** Member lines per block: the unit of a posting, and of what a request reads to check a candidate. */
export const SEARCH_BLOCK = 16;

export interface SearchHead {
  format: 1;
  naming: PackageNaming;
  members: number;
  membersBytes: number;
  trigrams: number;
  postingsBytes: number;
  /** [the block's first trigram, its byte offset in search-trigrams.tsv]; empty when `fenceTree` holds them. */
  fences: Array<[string, number]>;
  /** The fences' tree (fence-tree.ts), its nodes in search-fences.tsv: only when they take more than FENCE_ROOT_BYTES. */
  fenceTree?: FenceTree;
  trigramsBytes: number;
}

/** A member line of search-members.jsonl. */
type MemberLine = [kind: "r" | "f", module: string, token: string, overrides?: Partial<PerLanguage>];

const hasSurrogate = (s: string) => /[\ud800-\udfff]/.test(s);

/** The distinct trigrams of `texts` (already lowercased), those with half of a surrogate pair left out, added to `out`. */
export function trigramsOf(texts: Iterable<string>, out = new Set<string>()): Set<string> {
  for (const t of texts) addTrigrams(t, 0, out);
  return out;
}

/** The trigrams of `t` that start at `from` or later (those with half of a surrogate pair left out), added to `out`. */
function addTrigrams(t: string, from: number, out: Set<string>): void {
  // Most names hold no surrogate at all: their trigrams need no test each.
  const test = hasSurrogate(t);
  for (let i = from; i + 3 <= t.length; i++) {
    const g = t.slice(i, i + 3);
    if (!test || !hasSurrogate(g)) out.add(g);
  }
}

function varint(out: number[], n: number) {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

/**
 * Where member lines go (a TextWriter, or an index step's buffer) and where trigram records go (a sorter, or a step's
 * run). A step's buffers answer at once, and are not awaited (a promise turn per record is measurable).
 */
interface LineSink {
  write(text: string): void | Promise<void>;
}
interface GramSink {
  add(key: string, value: string): void | Promise<void>;
}

/** What SearchLines carries from one index step to the next (JSON). */
export interface SearchLinesState {
  bytes: number;
  count: number;
  blockStart: number;
  blockGrams: string[];
}

/**
 * The member table and the trigram records, fed member by member in token order by IndexLines (derive.ts)
 * as it writes the index — so in the step chain the naming and trigram work is done by the index steps,
 * `indexRecords` members at a time, and its state carried in theirs. Each member's line goes to `lines`;
 * each distinct trigram of a block of SEARCH_BLOCK members is one (trigram → block offset,length) record
 * to `grams`, in member order (a stable sort of them gives each trigram's blocks in order).
 */
export class SearchLines {
  bytes = 0;
  count = 0;
  private blockStart = 0;
  private blockGrams = new Set<string>();
  /**
   * The texts of the block's member before (its token, then its name in each language), all of whose trigrams are in
   * blockGrams: a text's trigrams within the prefix it shares with the one before are there already.
   */
  private previous: string[] = [];

  constructor(
    private readonly naming: PackageNaming,
    private readonly lines: LineSink,
    private readonly grams: GramSink,
    state?: SearchLinesState,
  ) {
    if (state) {
      this.bytes = state.bytes;
      this.count = state.count;
      this.blockStart = state.blockStart;
      this.blockGrams = new Set(state.blockGrams);
    }
  }

  get state(): SearchLinesState {
    return { bytes: this.bytes, count: this.count, blockStart: this.blockStart, blockGrams: [...this.blockGrams] };
  }

  /** Adds one member; answers a promise only when a sink does. */
  add(module: string, kind: "resource" | "function", token: string, names: Partial<PerLanguage> | undefined): void | Promise<void> {
    const line = JSON.stringify(names ? [kind === "resource" ? "r" : "f", module, token, names] : [kind === "resource" ? "r" : "f", module, token]) + "\n";
    // A name the lowercased token contains (most languages' class names) adds no trigram the token's do not: its own are
    // left out (a native search, not its trigrams). Members in token order share long prefixes (package, module), and
    // the trigrams inside the prefix a text shares with the block's member before, in the same place, are in already.
    const lower = token.toLowerCase();
    const texts = [lower, ...LANGUAGES.map((lang) => (names?.[lang] ?? memberName(lang, this.naming, token, kind)).toLowerCase())];
    for (const [k, text] of texts.entries()) {
      const previous = this.previous[k];
      this.previous[k] = text;
      if (k > 0 && lower.includes(text)) continue;
      let shared = 0;
      if (previous !== undefined) {
        const n = Math.min(previous.length, text.length);
        while (shared < n && previous.charCodeAt(shared) === text.charCodeAt(shared)) shared++;
      }
      addTrigrams(text, Math.max(0, shared - 2), this.blockGrams);
    }
    const wrote = this.lines.write(line);
    this.bytes += utf8Length(line);
    this.count++;
    const flush = this.count % SEARCH_BLOCK === 0;
    if (wrote instanceof Promise) return flush ? wrote.then(() => this.flushBlock()) : wrote;
    if (flush) return this.flushBlock();
  }

  /** After the last member: the last, partial block's records. */
  async finish(): Promise<void> {
    if (this.bytes > this.blockStart) await this.flushBlock();
  }

  private async flushBlock(): Promise<void> {
    const posting = `${this.blockStart.toString(36)},${(this.bytes - this.blockStart).toString(36)}`;
    for (const g of this.blockGrams) {
      const added = this.grams.add(g, posting);
      if (added instanceof Promise) await added;
    }
    this.blockStart = this.bytes;
    this.blockGrams = new Set();
    this.previous = [];
  }
}

/** The objects written from the sorted trigram records (search-members.jsonl is written as SearchLines goes). */
export const SEARCH_POSTING_OBJECTS = ["search-postings.bin", "search-trigrams.tsv", "search-head.json"] as const satisfies readonly DocsObject[];

/** Where posting bytes go: an object being written, or a step's buffer (its `offset` counts from the object's start). */
export interface PostingsSink {
  readonly offset: number;
  write(bytes: Uint8Array): void | Promise<void>;
}

/** Counters of PostingLines that a derivation in steps carries from one step to the next. */
export interface PostingCounters {
  trigrams: number;
  dictionaryBytes: number;
}

/**
 * Posting lists and dictionary lines from the trigram records in order, one posting list in memory. Fed record by
 * record; `flush` ends the trigram being collected, so a derivation in steps ends a step at a trigram's end and
 * carries only the counters. The fences it makes are those of the lines it wrote (`fences`).
 */
export class PostingLines {
  trigrams: number;
  dictionaryBytes: number;
  readonly fences: SearchHead["fences"] = [];
  private current: string | undefined;
  private list: number[] = [];
  private count = 0;
  private last = 0;

  constructor(
    private readonly postings: PostingsSink,
    private readonly dictionary: LineSink,
    start: PostingCounters = { trigrams: 0, dictionaryBytes: 0 },
  ) {
    this.trigrams = start.trigrams;
    this.dictionaryBytes = start.dictionaryBytes;
  }

  /** The trigram being collected (undefined before the first record and after a flush). */
  get gram(): string | undefined {
    return this.current;
  }

  /** Adds one trigram record; answers a promise only when a sink does (see flush). */
  add(gram: string, posting: string): void | Promise<void> {
    if (gram !== this.current) {
      const flushed = this.flush();
      if (flushed instanceof Promise) return flushed.then(() => this.collect(gram, posting));
    }
    this.collect(gram, posting);
  }

  private collect(gram: string, posting: string): void {
    this.current = gram;
    const comma = posting.indexOf(",");
    const at = parseInt(posting.slice(0, comma), 36);
    varint(this.list, at - this.last);
    varint(this.list, parseInt(posting.slice(comma + 1), 36));
    this.last = at;
    this.count++;
  }

  /**
   * Ends the trigram being collected: its posting list, then its dictionary line. Answers a promise only when a sink
   * does; the caller awaits it before adding more.
   */
  flush(): void | Promise<void> {
    const current = this.current;
    if (current === undefined) return;
    const at = this.postings.offset;
    const wrote = this.postings.write(Uint8Array.from(this.list));
    if (wrote instanceof Promise) return wrote.then(() => this.flushed(current, at));
    return this.flushed(current, at);
  }

  private flushed(current: string, at: number): void | Promise<void> {
    if (this.trigrams % SEARCH_FENCE === 0) this.fences.push([current, this.dictionaryBytes]);
    const line = `${JSON.stringify(current)}\t${this.count}\t${at}\t${this.list.length}\n`;
    this.dictionaryBytes += utf8Length(line);
    this.trigrams++;
    this.current = undefined;
    this.list = [];
    this.count = 0;
    this.last = 0;
    return this.dictionary.write(line);
  }
}

/**
 * Posting lists and the dictionary streamed from the trigram records in order (one posting list in memory),
 * then search-head.json. `members`/`membersBytes`: what SearchLines wrote.
 */
export async function writePostings(bucket: R2Bucket, prefix: string, naming: PackageNaming, grams: AsyncIterable<[string, string]>, members: number, membersBytes: number): Promise<DocsObject[]> {
  const postings = new ObjectWriter(bucket, prefix + "search-postings.bin", "application/octet-stream");
  const dictionary = new TextWriter(new ObjectWriter(bucket, prefix + "search-trigrams.tsv", "text/tab-separated-values"));
  const lines = new PostingLines(postings, dictionary);
  try {
    for await (const [gram, posting] of grams) await lines.add(gram, posting);
    await lines.flush();
    await postings.close();
    await dictionary.close();
  } catch (error) {
    await postings.abort();
    await dictionary.writer.abort();
    throw error;
  }
  return writeSearchHead(bucket, prefix, naming, { members, membersBytes, trigrams: lines.trigrams, postingsBytes: postings.offset, trigramsBytes: lines.dictionaryBytes }, lines.fences);
}

/** search-head.json (and the fences' tree when they are many) once the posting lists and the dictionary are written. */
export async function writeSearchHead(
  bucket: R2Bucket,
  prefix: string,
  naming: PackageNaming,
  counts: { members: number; membersBytes: number; trigrams: number; postingsBytes: number; trigramsBytes: number },
  fences: SearchHead["fences"],
): Promise<DocsObject[]> {
  const tree = await writeFenceTree(bucket, prefix + "search-fences.tsv", withLengths(fences, counts.trigramsBytes));
  const { members, membersBytes, trigrams, postingsBytes, trigramsBytes } = counts;
  const head: SearchHead = { format: 1, naming, members, membersBytes, trigrams, postingsBytes, ...storedFences(tree, fences), trigramsBytes };
  await putJson(bucket, prefix + "search-head.json", head);
  return [...SEARCH_POSTING_OBJECTS, ...(tree.levels ? (["search-fences.tsv"] as const) : [])];
}

/** What one filter request may read and check (docs/route-budgets.md). */
export interface SearchCaps {
  /** Bytes of posting lists read: the rarest list first (cut at this when longer), then others that fit whole. */
  postingBytes: number;
  /** Member lines checked (whole blocks of SEARCH_BLOCK: at least one block). */
  candidates: number;
  /** Bytes of member lines read to check them, and the range reads they take. */
  memberBytes: number;
  memberReads: number;
}

/** The member-line caps (the others are settings: limits.ts); 256 KiB is what the scan of nav.json read before the index. */
export const SEARCH_CAPS: Pick<SearchCaps, "memberBytes" | "memberReads"> = { memberBytes: 256 * 1024, memberReads: 16 };
/** Candidate blocks this close to the read before them join it (reading the gap costs less than a read). */
const JOIN_GAP_BYTES = 4 * 1024;
/** Posting lists past the rarest are read when they hold at most this many times its blocks. */
export const MAX_LIST_RATIO = 4;
/** At most this many of a long `q`'s trigrams are looked up (evenly spread; the rest only narrow further). */
export const MAX_QUERY_TRIGRAMS = 8;

export interface SearchMatch {
  module: string;
  kind: "resource" | "function";
  token: string;
  name: string;
}

export interface SearchAnswer {
  /** The matches found, in nav order (module, resources before functions, URL name, token), at most `max`. */
  matches: SearchMatch[];
  /** Matches found; all of them when `complete`, else at least this many. */
  total: number;
  /** False when a cap stopped the search: candidates were left unchecked. */
  complete: boolean;
  /** Candidate blocks the posting lists left and how many of them were checked. */
  candidates: number;
  checked: number;
}

type DictionaryEntry = [blocks: number, offset: number, length: number];

function decodePostings(bytes: Uint8Array): Range[] {
  const out: Range[] = [];
  let at = 0;
  let i = 0;
  const read = () => {
    let n = 0;
    let scale = 1;
    while (i < bytes.length) {
      const b = bytes[i++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
    return undefined;
  };
  for (;;) {
    const delta = read();
    const length = read();
    // A list cut by the byte cap ends mid-entry: the whole entries before it are kept.
    if (delta === undefined || length === undefined) return out;
    at += delta;
    out.push([at, length]);
  }
}

/** nav.json's order: module, resources before functions, then by URL name and token (memberKey). */
function navOrder(a: SearchMatch, b: SearchMatch): number {
  if (a.module !== b.module) return a.module < b.module ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === "resource" ? -1 : 1;
  const [x, y] = [memberKey(a.token), memberKey(b.token)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The filter over the whole package through the index: `q`'s trigrams looked up in the dictionary (one
 * ≤ SEARCH_FENCE-line block each, by range), their posting lists read rarest first within
 * `caps.postingBytes` and intersected, and the candidates checked against their member lines (token, or
 * name in `language` with overrides, contains `q`) within the other caps. Undefined when `q` has no
 * trigram (fewer than 3 characters): the caller scans instead.
 */
export async function searchIndex(bucket: R2Bucket, prefix: string, head: SearchHead, language: Language, q: string, max: number, caps: SearchCaps, matchNames = true): Promise<SearchAnswer | undefined> {
  const needle = q.toLowerCase();
  let grams = [...trigramsOf([needle])];
  if (!grams.length) return undefined;
  if (grams.length > MAX_QUERY_TRIGRAMS) {
    const step = (grams.length - 1) / (MAX_QUERY_TRIGRAMS - 1);
    grams = Array.from({ length: MAX_QUERY_TRIGRAMS }, (_, i) => grams[Math.round(i * step)]!);
  }
  const none: SearchAnswer = { matches: [], total: 0, complete: true, candidates: 0, checked: 0 };
  const entries = await Promise.all(grams.map((g) => dictionaryEntry(bucket, prefix, head, g)));
  // A trigram no member has: no member contains q.
  if (entries.some((e) => !e)) return none;
  const lists = (entries as DictionaryEntry[]).sort((a, b) => a[0] - b[0]);
  const rarest = lists[0]!;
  let budget = caps.postingBytes - Math.min(rarest[2], caps.postingBytes);
  // Another list narrows the candidates only if it is not much longer than the rarest (a candidate it would
  // remove costs one block of member lines, a list entry a few bytes): those up to MAX_LIST_RATIO × its blocks, whole.
  const others = lists.slice(1).filter((l) => {
    if (l[2] > budget || l[0] > MAX_LIST_RATIO * rarest[0]) return false;
    budget -= l[2];
    return true;
  });
  const key = prefix + "search-postings.bin";
  const read = (offset: number, length: number) =>
    length === 0 ? Promise.resolve(new Uint8Array(0)) : readImmutable(bucket, key, async (o) => new Uint8Array(await o.arrayBuffer()), { offset, length }).then((b) => b ?? missing(key));
  const [first, ...rest] = await Promise.all([read(rarest[1], Math.min(rarest[2], caps.postingBytes)), ...others.map((l) => read(l[1], l[2]))]);
  let candidates = decodePostings(first!);
  let complete = rarest[2] <= caps.postingBytes;
  for (const bytes of rest) {
    const offsets = new Set(decodePostings(bytes).map(([o]) => o));
    candidates = candidates.filter(([o]) => offsets.has(o));
  }
  const found = candidates.length;
  // The blocks to check, in order: at most `caps.candidates` lines' worth, joined into at most `caps.memberReads`
  // range reads (the closest first, storage.ts's coalesce), as many of those as `caps.memberBytes` holds.
  const lines = candidates.slice(0, Math.max(1, Math.floor(caps.candidates / SEARCH_BLOCK)));
  // Else blocks in order: one joins the read before it when the gap is small, else starts a read of its own while
  // reads are left; the bytes read (gaps included) stay within caps.memberBytes. The first block always fits a
  // read (a block is 16 lines), so a broad q checks what the caps allow rather than nothing.
  const spans: Array<{ start: number; end: number; lines: Range[] }> = [];
  let bytes = 0;
  let at = 0;
  // All of them in at most caps.memberReads reads (the smallest gaps joined) when that fits caps.memberBytes.
  const joined = coalesce(lines, caps.memberReads);
  if (joined.reduce((n, [, l]) => n + l, 0) <= caps.memberBytes) {
    for (const [start, length] of joined) {
      bytes += length;
      const span = { start, end: start + length, lines: [] as Range[] };
      while (at < lines.length && lines[at]![0] < span.end) span.lines.push(lines[at++]!);
      spans.push(span);
    }
  }
  for (; at < lines.length; at++) {
    const [start, length] = lines[at]!;
    const last = spans[spans.length - 1];
    if (last && start - last.end <= JOIN_GAP_BYTES) {
      const added = Math.max(0, start + length - last.end);
      if (bytes + added > caps.memberBytes) break;
      bytes += added;
      last.end = Math.max(last.end, start + length);
      last.lines.push(lines[at]!);
    } else {
      if (spans.length >= caps.memberReads || bytes + length > caps.memberBytes) break;
      bytes += length;
      spans.push({ start, end: start + length, lines: [lines[at]!] });
    }
  }
  const checked = at;
  if (checked < found) complete = false;
  const table = prefix + "search-members.jsonl";
  const decoder = new TextDecoder();
  const matches: SearchMatch[] = [];
  await Promise.all(
    spans.map(async ({ start, end, lines }) => {
      const span = await readImmutable(bucket, table, async (o) => new Uint8Array(await o.arrayBuffer()), { offset: start, length: end - start });
      if (!span) missing(table);
      for (const [o, l] of lines) {
        for (const text of decoder.decode(span.subarray(o - start, o - start + l)).split("\n")) {
          if (!text) continue;
          const [k, module, token, overrides] = JSON.parse(text) as MemberLine;
          const kind = k === "r" ? "resource" : "function";
          const name = overrides?.[language] ?? memberName(language, head.naming, token, kind);
          if (token.toLowerCase().includes(needle) || (matchNames && name.toLowerCase().includes(needle))) matches.push({ module, kind, token, name });
        }
      }
    }),
  );
  matches.sort(navOrder);
  return { matches: matches.slice(0, max), total: matches.length, complete, candidates: found, checked };
}

function missing(key: string): never {
  throw new Error(`derived docs object ${key} is missing`);
}

/** A trigram's line of search-trigrams.tsv: one range read of its block (kept by the isolate). */
async function dictionaryEntry(bucket: R2Bucket, prefix: string, head: SearchHead, gram: string): Promise<DictionaryEntry | undefined> {
  const at = await new FenceIndex(bucket, prefix + "search-fences.tsv", treeOfHead(head, () => head.fences, head.trigramsBytes)).find(gram);
  if (!at) return undefined;
  const [, start, length] = at.block;
  const key = prefix + "search-trigrams.tsv";
  const block = await readImmutable(
    bucket,
    key,
    async (o) => {
      const map = new Map<string, DictionaryEntry>();
      for (const line of (await contentText(o)).split("\n")) {
        if (!line) continue;
        const [g, members, offset, length] = line.split("\t");
        map.set(JSON.parse(g!) as string, [Number(members), Number(offset), Number(length)]);
      }
      return map;
    },
    { offset: start, length },
  );
  if (!block) missing(key);
  return block.get(gram);
}

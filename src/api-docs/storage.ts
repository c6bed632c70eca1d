// Storage layout of a version's derived docs in R2: keys, a streaming object writer, and the reads that serve one token.
//
// Under `<version prefix>docs/`:
//   manifest.json  small: counts, and a fence every FENCE_EVERY index lines or INDEX_BLOCK_BYTES (token → byte
//                  offset in index.tsv); past FENCE_ROOT_BYTES of them, the root of their tree (fence-tree.ts)
//   index-fences.tsv  that tree's nodes, when the manifest does not hold every fence
//   index.tsv      one line per resource, function and type, sorted by token (a member before a type of
//                  the same token): token \t kind \t offset \t length \t supporting-type ranges (members
//                  only); format 2 added the type lines (the web docs' type pages); format 4 writes a record
//                  that refers to the schema as `offset \t length:schemaOffset:schemaLength` and its supporting
//                  types as `offset:length:schemaOffset:schemaLength` (RecordRange)
//   pack           every type's, resource's and function's record (JSON, one after another; format 3: the entry
//                  language-neutral, see stored-form.ts; format 4: the same, but the entry itself is not copied:
//                  its bytes stay in the version's schema, where its index line's range points too; format 2:
//                  its per-language document) and every example's code
//   nav.json       modules with their resources and functions (names in all six languages), for q and depth=full
//   nav-summary.json  modules with their totals and ranges in nav.json: what the JSON route's plain nav reads
//   nav-modules.tsv   the same, one line per module (name, resources, functions, offset, length)
//   nav-head.json     bounded: the first 300 modules, totals, nav.json's ranges, a fence every 128 modules
//                     of nav-modules.tsv (what pages read; absent before it was kept: derive.ts's NavHead)
//   nav-members.tsv   one line per member in nav.json's order (module, kind, URL name, token): kind, token, name
//                     overrides; nav-modules.tsv and nav-head.json give each module's lines, so a page lists a
//                     module's first members and finds the member of its URL by bisection, whatever the
//                     module's size (absent before it was kept: pages then read the module's slice of nav.json)
//   search-head.json, search-trigrams.tsv, search-postings.bin, search-members.jsonl  the tree filter's
//                     trigram index (search-index.ts; absent before it was kept: pages scan nav.json's first modules)
//   examples.tsv   one line per example, sorted by token then position: token, kind, slug, title, code ranges per language
//   readme.json, installation.json  the README / installation text as ContentNodes
//   tmp/<id>/      only while a derivation runs: its sorted runs and lookup tables (spill.ts), then deleted
// Serving one token: manifest (cached per isolate) → one range read of index.tsv → the document and at
// most MAX_TYPE_READS range reads of the pack for its supporting types, and (format 4) as many of the
// schema for their entries' bytes, all in parallel.
import type { PackageFacts } from "./package-facts";
import type { PackageNaming } from "./languages";
import { readImmutable } from "./derived-cache";
import { contentText, utf8Length } from "./utf8";
import { FenceIndex, storedFences, treeOfHead, withLengths, writeFenceTree, type FenceTree } from "./fence-tree";
export { utf8Length };
import { cutStoredDocument, documentOf, type NeutralRecord, type StoredDoc, type StoredType } from "./stored-form";
import { answerBudget, MAX_SUPPORTING_TYPE_BYTES, MAX_SUPPORTING_TYPES, type AnswerBudget } from "./entry-caps";

/**
 * 4: as 3, but a record keeps its entry by reference: the entry's bytes in the version's schema (immutable, and
 * stored already) instead of a copy, so the pack is headers (and examples' code) and the derivation serializes
 * nothing it parsed. A big entry (entry-caps.ts) is still stored cut, in its record. 3: the pack keeps each entry
 * language-neutral (stored-form.ts) and the manifest the naming options.
 */
export const DOCS_FORMAT = 4;
/**
 * 1: the layout whose every read is bounded (nav-head.json, nav-members.tsv, the search index, fences of fences).
 * Docs whose manifest has no `layout` (derived by earlier releases) are served as they are and derived again in
 * the background the first time they are read (docs-job.ts upgradeDocs).
 */
export const DOCS_LAYOUT = 1;
/** Formats still read: 2 (per-language documents in the pack) and 3 (entries copied) were written by earlier releases. */
const READABLE_FORMATS = new Set([2, 3, 4]);
export const FENCE_EVERY = 64;
/** …or fewer: a block ends once it holds this many bytes (a lookup reads one block). */
export const INDEX_BLOCK_BYTES = 16 * 1024;
export const MAX_TYPE_READS = 4;
/** R2 multipart parts must be at least 5 MiB and, but for the last, all the same size. */
const PART_BYTES = 5 * 1024 * 1024;

export const DOCS_OBJECTS = ["manifest.json", "index.tsv", "index-fences.tsv", "pack", "nav.json", "nav-summary.json", "nav-modules.tsv", "nav-head.json", "nav-fences.tsv", "nav-members.tsv", "search-members.jsonl", "search-postings.bin", "search-trigrams.tsv", "search-fences.tsv", "search-head.json", "examples.tsv", "readme.json", "installation.json"] as const;
export type DocsObject = (typeof DOCS_OBJECTS)[number];

/** Artifact-map name of each docs object (what retire deletes): docs.manifest, docs.pack, … */
export function artifactName(object: DocsObject): string {
  return `docs.${object.replace(/\..*$/, "")}`;
}

/** The docs prefix of a version: beside its promoted schema. */
export function docsPrefix(schemaKey: string): string {
  return schemaKey.replace(/[^/]*$/, "") + "docs/";
}

/**
 * Where a version's docs live: beside the manifest its artifact map records (a re-derivation writes a
 * fresh prefix and swaps the map), else beside its schema (docs not derived yet, or derived in place).
 */
export function docsPrefixOf(artifacts: Record<string, string>): string | undefined {
  const manifest = artifacts[artifactName("manifest.json")];
  if (manifest?.endsWith("manifest.json")) return manifest.slice(0, -"manifest.json".length);
  return artifacts.schema === undefined ? undefined : docsPrefix(artifacts.schema);
}

export interface Fence {
  token: string;
  offset: number;
}

export interface Manifest {
  format: number;
  /** DOCS_LAYOUT when derived (absent: an earlier release's layout). */
  layout?: number;
  entries: number;
  indexBytes: number;
  /** A fence every FENCE_EVERY index lines (or INDEX_BLOCK_BYTES); empty when they did not fit and `fenceTree` holds them. */
  fences: Fence[];
  /** The fences' tree (fence-tree.ts), its nodes in index-fences.tsv: only when the fences take more than FENCE_ROOT_BYTES. */
  fenceTree?: FenceTree;
  examples: number;
  hasInstallation: boolean;
  /** License, homepage, repository and install names (package-facts.ts); absent in docs derived before they were kept. */
  package?: PackageFacts;
  /** Format 3: the naming options the pack's records are named by when read. */
  naming?: PackageNaming;
  /** Format 4: the key of the schema object whose bytes the records refer to (the version's schema). */
  schema?: string;
}

export type Range = [offset: number, length: number];
/** Where a record lies in the pack; format 4 adds where its entry lies in the schema when the record refers to it. */
export type RecordRange = Range | [offset: number, length: number, schemaOffset: number, schemaLength: number];
const packRange = (r: RecordRange): Range => [r[0], r[1]];

export interface IndexEntry {
  token: string;
  kind: "resource" | "function" | "object" | "enum";
  range: RecordRange;
  types: RecordRange[];
  /**
   * A member reaches more supporting types than its line lists: the derivation stops its walk at
   * MAX_SUPPORTING_TYPES (a sixth field, `+`; lines without it list every type reached).
   */
  more?: boolean;
}

/** `token`, kind, offset, the range's other numbers joined by `:`, the types' ranges (each so joined) by `,`, then `+` for `more`. */
export function indexLine(e: IndexEntry): string {
  // Written with template strings rather than arrays joined (an index step writes tens of thousands of lines).
  const r = e.range;
  let rest = `${r[1]}`;
  for (let i = 2; i < r.length; i++) rest += `:${r[i]}`;
  let types = "";
  for (let t = 0; t < e.types.length; t++) types += t ? `,${e.types[t]!.join(":")}` : e.types[t]!.join(":");
  return `${e.token}\t${e.kind}\t${r[0]}\t${rest}\t${types}${e.more ? "\t+" : ""}\n`;
}

/** A range as the derivation writes it: 2 or 4 non-negative integers (anything else would make an unbounded or failed read). */
function parseRange(fields: string[]): RecordRange | undefined {
  if (fields.length !== 2 && fields.length !== 4) return undefined;
  const r = fields.map((f) => (/^\d{1,15}$/.test(f) ? Number(f) : NaN));
  return r.every((n) => !Number.isNaN(n)) ? (r as RecordRange) : undefined;
}

export function parseIndexLine(line: string): IndexEntry | undefined {
  const [token, kind, offset, length, types, more] = line.split("\t");
  if (!token || !kind || offset === undefined || length === undefined) return undefined;
  const range = parseRange([offset, ...length.split(":")]);
  const typeRanges = types ? types.split(",").map((p) => parseRange(p.split(":"))) : [];
  // Not the derivation's: read as no line at all (a lookup of another token in its block is not failed by it).
  if (!range || typeRanges.some((r) => !r)) return undefined;
  return {
    token,
    kind: kind as IndexEntry["kind"],
    range,
    types: typeRanges as RecordRange[],
    ...(more === "+" ? { more: true } : {}),
  };
}

/** The supporting types one answer lists and reads, of those a member's index line names (entry-caps.ts). */
export interface SupportingTypesShown {
  ranges: RecordRange[];
  /** How many the member reaches, when known (undefined: more than its line lists). */
  total?: number;
}

/**
 * The first of a member's supporting types, at most MAX_SUPPORTING_TYPES and MAX_SUPPORTING_TYPE_BYTES of records
 * (format 4: of records and the schema bytes they refer to, what a read reads).
 */
export function supportingTypesShown(e: IndexEntry): SupportingTypesShown {
  const ranges: RecordRange[] = [];
  let bytes = 0;
  for (const r of e.types) {
    const size = r[1] + (r[3] ?? 0);
    if (ranges.length >= MAX_SUPPORTING_TYPES || bytes + size > MAX_SUPPORTING_TYPE_BYTES) break;
    bytes += size;
    ranges.push(r);
  }
  return { ranges, ...(e.more ? {} : { total: e.types.length }) };
}

/** What the reads of one docs answer may read past the ranges it needs, in all (the gaps coalesce joins across). */
export const MAX_JOINED_GAP_BYTES = 1024 * 1024;

/**
 * Merges sorted ranges into at most `max` reads, joining across the smallest gaps first — while the gaps joined
 * stay within `maxGapBytes` in all: past that, the rest are read apart (more reads, never an unbounded one: ranges
 * far apart in a large object would otherwise make one read of everything between them).
 */
export function coalesce(ranges: Range[], max = MAX_TYPE_READS, maxGapBytes = Number.POSITIVE_INFINITY): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const spans: Array<[number, number]> = [];
  for (const [o, l] of sorted) {
    const last = spans[spans.length - 1];
    if (last && o <= last[1]) last[1] = Math.max(last[1], o + l);
    else spans.push([o, o + l]);
  }
  let joined = 0;
  while (spans.length > max) {
    let best = 0;
    for (let i = 1; i < spans.length - 1; i++) if (spans[i + 1]![0] - spans[i]![1] < spans[best + 1]![0] - spans[best]![1]) best = i;
    const gap = spans[best + 1]![0] - spans[best]![1];
    if (joined + gap > maxGapBytes) break;
    joined += gap;
    spans[best]![1] = spans[best + 1]![1];
    spans.splice(best + 1, 1);
  }
  return spans.map(([s, e]) => [s, e - s]);
}

/**
 * Writes one object of unknown length as it is produced: a single put when small, else an R2
 * multipart upload of fixed-size parts. Holds at most about two parts in memory.
 */
export class ObjectWriter {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private upload: R2MultipartUpload | undefined;
  private parts: R2UploadedPart[] = [];
  /** Bytes written so far: the offset of the next write. */
  offset = 0;

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    private readonly contentType: string,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.chunks.push(bytes);
    this.buffered += bytes.byteLength;
    this.offset += bytes.byteLength;
    while (this.buffered >= PART_BYTES) await this.flushPart(PART_BYTES);
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const use = Math.min(head.byteLength, n - filled);
      out.set(head.subarray(0, use), filled);
      filled += use;
      if (use === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(use);
    }
    this.buffered -= n;
    return out;
  }

  private async flushPart(n: number): Promise<void> {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, { httpMetadata: { contentType: this.contentType } });
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.take(n)));
  }

  /** Finishes the object; one that got no bytes is not written at all (readers take absent as empty). */
  async close(): Promise<void> {
    if (!this.upload && this.offset === 0) return;
    if (!this.upload) {
      await this.bucket.put(this.key, this.take(this.buffered), { httpMetadata: { contentType: this.contentType } });
      return;
    }
    if (this.buffered > 0) await this.flushPart(this.buffered);
    await this.upload.complete(this.parts);
  }

  async abort(): Promise<void> {
    await this.upload?.abort().catch(() => undefined);
  }
}

export async function putJson(bucket: R2Bucket, key: string, value: unknown): Promise<void> {
  await bucket.put(key, JSON.stringify(value), { httpMetadata: { contentType: "application/json" } });
}

export async function getJson<T>(bucket: R2Bucket, key: string): Promise<T | undefined> {
  const object = await bucket.get(key);
  return object ? ((await object.json()) as T) : undefined;
}

// Manifests are immutable (their key names one publish attempt), so an isolate may keep them. Bounded by
// bytes as well as by count: a format 3 manifest carries the schema's whole top-level `language` block (the
// naming options), which a schema may make as large as it likes.
const manifests = new Map<string, { manifest: Manifest; bytes: number }>();
const MAX_CACHED_MANIFESTS = 200;
/** A manifest larger than this is read every time rather than kept. */
export const MAX_CACHED_MANIFEST_BYTES = 1024 * 1024;
/** What the isolate keeps of manifests in all (counted as their JSON's length). */
export const MAX_CACHED_MANIFESTS_BYTES = 8 * 1024 * 1024;
let manifestBytes = 0;

export async function readManifest(bucket: R2Bucket, prefix: string): Promise<Manifest | undefined> {
  const key = prefix + "manifest.json";
  const cached = manifests.get(key);
  if (cached) return cached.manifest;
  const object = await bucket.get(key);
  if (!object) return undefined;
  const text = await object.text();
  const manifest = JSON.parse(text) as Manifest | null;
  if (!manifest || !READABLE_FORMATS.has(manifest.format)) return undefined;
  const bytes = text.length;
  if (bytes > MAX_CACHED_MANIFEST_BYTES) return manifest;
  for (const [oldest, entry] of manifests) {
    if (manifests.size < MAX_CACHED_MANIFESTS && manifestBytes + bytes <= MAX_CACHED_MANIFESTS_BYTES) break;
    manifests.delete(oldest);
    manifestBytes -= entry.bytes;
  }
  // Two concurrent misses of one key: kept once.
  const old = manifests.get(key);
  if (old) manifestBytes -= old.bytes;
  manifests.set(key, { manifest, bytes });
  manifestBytes += bytes;
  return manifest;
}

/** For tests: how many manifests and bytes of them this isolate keeps. */
export function manifestCacheSize(): { entries: number; bytes: number } {
  return { entries: manifests.size, bytes: manifestBytes };
}

async function readRange(bucket: R2Bucket, key: string, [offset, length]: Range): Promise<string> {
  if (length === 0) return "";
  const text = await readImmutable(bucket, key, contentText, { offset, length });
  if (text === undefined) throw new Error(`derived docs object ${key} is missing`);
  return text;
}

/** A small derived object as JSON, kept by the isolate once read (derived-cache.ts). */
export function getImmutableJson<T>(bucket: R2Bucket, key: string): Promise<T | undefined> {
  return readImmutable(bucket, key, (object) => object.json() as Promise<T>);
}

export const MEMBER_KINDS: ReadonlyArray<IndexEntry["kind"]> = ["resource", "function"];
export const TYPE_KINDS: ReadonlyArray<IndexEntry["kind"]> = ["object", "enum"];

/**
 * Finds one token's index line of one of `kinds` (a resource or function unless asked otherwise; a
 * token can name a resource and a type at once): one range read of the block its fence points at.
 */
export async function lookup(bucket: R2Bucket, prefix: string, manifest: Manifest, token: string, kinds = MEMBER_KINDS): Promise<IndexEntry | undefined> {
  const at = await new FenceIndex(bucket, prefix + "index-fences.tsv", treeOfHead(manifest, () => fenceStarts(manifest.fences), manifest.indexBytes)).find(token);
  if (!at) return undefined;
  const block = await readRange(bucket, prefix + "index.tsv", [at.block[1], at.block[2]]);
  for (const line of block.split("\n")) {
    const entry = parseIndexLine(line);
    if (entry?.token === token && kinds.includes(entry.kind)) return entry;
  }
  return undefined;
}

/** What the manifest keeps of index.tsv's fences: the list when it fits FENCE_ROOT_BYTES, else a tree written to index-fences.tsv. */
export async function writeIndexFences(bucket: R2Bucket, prefix: string, fences: Fence[], indexBytes: number): Promise<Pick<Manifest, "fences" | "fenceTree">> {
  const tree = await writeFenceTree(bucket, prefix + "index-fences.tsv", withLengths(fenceStarts(fences), indexBytes));
  return storedFences(tree, fences);
}

const fenceStarts = (fences: Fence[]) => fences.map((f): [string, number] => [f.token, f.offset]);

/** The bytes of `ranges` of one immutable object: each range once, covering reads merged to at most MAX_TYPE_READS. */
async function readSlices(bucket: R2Bucket, key: string, ranges: Range[], what: string): Promise<Uint8Array[]> {
  if (!ranges.length) return [];
  const reads = coalesce(ranges, MAX_TYPE_READS, MAX_JOINED_GAP_BYTES);
  const bytes = await Promise.all(
    reads.map(async (r) => {
      const read = await readImmutable(bucket, key, async (object) => new Uint8Array(await object.arrayBuffer()), { offset: r[0], length: r[1] });
      if (!read) throw new Error(`${what} ${key} is missing`);
      return read;
    }),
  );
  return ranges.map(([o, l]) => {
    const i = reads.findIndex(([ro, rl]) => o >= ro && o + l <= ro + rl);
    const read = reads[i]!;
    return bytes[i]!.subarray(o - read[0], o - read[0] + l);
  });
}

/** Reads documents from the pack: each range once, covering reads merged to at most MAX_TYPE_READS. */
export async function readPacked<T>(bucket: R2Bucket, prefix: string, ranges: Range[]): Promise<T[]> {
  const decoder = new TextDecoder();
  return (await readSlices(bucket, prefix + "pack", ranges, "derived docs pack")).map((b) => JSON.parse(decoder.decode(b)) as T);
}

/**
 * Resources', functions' and types' documents from the pack: a format 3 or 4 record is named now (stored-form.ts),
 * a format 2 one was stored named; a format 4 record that refers to its entry gets it from the schema, read in the
 * same round as the pack. Told apart record by record, not by the manifest alone: while a deploy rolls out,
 * isolates of both releases may run steps of one derivation, and its pack then holds both.
 */
export async function readDocuments(bucket: R2Bucket, prefix: string, manifest: Manifest, ranges: RecordRange[], budget: AnswerBudget = answerBudget()): Promise<Array<StoredDoc | StoredType>> {
  const referred = ranges.filter((r) => r.length === 4).map((r): Range => [r[2]!, r[3]!]);
  // The docs lie beside their version's schema (docsPrefix, or a re-derivation's `a<n>/` under it): a manifest naming
  // any other object is not read from.
  if (referred.length && !(manifest.schema && prefix.startsWith(manifest.schema.replace(/[^/]*$/, ""))))
    throw new Error(`derived docs ${prefix} refer to a schema their manifest does not name beside them`);
  const [records, entries] = await Promise.all([
    readPacked<StoredDoc | StoredType | NeutralRecord>(bucket, prefix, ranges.map(packRange)),
    readSlices(bucket, manifest.schema ?? "", referred, "schema"),
  ]);
  const decoder = new TextDecoder();
  let next = 0;
  for (let i = 0; i < records.length; i++) if (ranges[i]!.length === 4) (records[i] as NeutralRecord).spec = parseEntry(decoder.decode(entries[next++]!));
  const naming = manifest.naming ?? { name: "", language: {} };
  // In order, one budget: what the first documents show, the later ones do not (entry-caps.ts).
  return records.map((r) => ("entry" in r && "spec" in r ? documentOf(naming, r, budget) : cutStoredDocument(r, budget)));
}

/** A number JSON.parse reads as ±Infinity has an exponent or more than 308 digits before its point. */
const MAY_OVERFLOW = /\d[eE]|\d{309}/;
const finite = (_key: string, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v);

/**
 * An entry's bytes in the schema as format 3 stored them re-serialized: JSON.parse(JSON.stringify(v)) is v but for a
 * number too large for a double (1e999), which JSON.parse reads as Infinity and JSON.stringify writes as null; an
 * enum value's names are spelled from it (`Infinity`, not `Null`). (-0, written 0, is named and shown as 0 either way.)
 */
function parseEntry(text: string): NeutralRecord["spec"] {
  return JSON.parse(text, MAY_OVERFLOW.test(text) ? finite : undefined) as NeutralRecord["spec"];
}

/** A member's document and the supporting types an answer shows, within the caps (entry-caps.ts). */
export async function readMemberDocuments(bucket: R2Bucket, prefix: string, manifest: Manifest, e: IndexEntry): Promise<{ doc: StoredDoc; types: StoredType[]; supporting: { total?: number } }> {
  const shown = supportingTypesShown(e);
  const [doc, ...types] = await readDocuments(bucket, prefix, manifest, [e.range, ...shown.ranges]);
  return { doc: doc as StoredDoc, types: types as StoredType[], supporting: shown.total === undefined ? {} : { total: shown.total } };
}

export interface ExampleEntry {
  token: string;
  kind: "resource" | "function";
  slug: string;
  title: string;
  code: Partial<Record<string, Range>>;
}

/** One examples.tsv line; the title's whitespace is folded to single spaces so it stays one field. */
export function exampleLine(e: ExampleEntry): string {
  const code = Object.entries(e.code)
    .map(([lang, r]) => `${lang}:${r![0]}:${r![1]}`)
    .join(",");
  return [e.token, e.kind, e.slug, e.title.replace(/\s+/g, " "), code].join("\t") + "\n";
}

export function parseExampleLines(text: string): ExampleEntry[] {
  const out: ExampleEntry[] = [];
  for (const line of text.split("\n")) {
    const [token, kind, slug, title, code] = line.split("\t");
    if (!token || !kind || slug === undefined || title === undefined || code === undefined) continue;
    const ranges: ExampleEntry["code"] = {};
    for (const part of code.split(",")) {
      const [lang, offset, length] = part.split(":");
      if (lang && offset !== undefined && length !== undefined) ranges[lang] = [Number(offset), Number(length)];
    }
    out.push({ token, kind: kind as ExampleEntry["kind"], slug, title, code: ranges });
  }
  return out;
}


/** A member's key within its module in the nav sort and in nav-members.tsv: its URL name (the token's last part), then its token. */
export function memberKey(token: string): string {
  return `${token.slice(token.lastIndexOf(":") + 1)}\u0000${token}`;
}

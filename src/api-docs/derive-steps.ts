// The docs derivation as a chain of bounded steps for a durable runner: each call does one step and answers the
// (small, JSON) state the next call needs, so no invocation's input or CPU grows with the schema's size.
//
// Phases (docs/api-docs.md, "Derivation in steps"):
// 1. scan   — `scanBytes` of schema per step through the structural scanner (schema-scan.ts), its state
//             carried in ours. Each step writes `entries-<k>`: one line per type/resource/function whose
//             value is an object (section, token, byte range, whether it is an enum), and `kinds-<k>`: the
//             types' kinds as a sorted run. The top-level members naming needs are kept as byte ranges.
// 2. kinds  — one step merges the kinds runs into a table of small blocks (`kinds-table`, `kinds-fences`).
// 3. pack   — entries worth `packBytes` of schema per step: one range read, each entry parsed by JSON.parse,
//             the kinds of what the slice refers to read from the table's blocks, then packed exactly as
//             deriveDocs packs them (derive.ts, packEntry). The pack is one multipart upload across steps:
//             full parts are uploaded as they fill, the rest waits in `pack-tail-<j>` for step j+1. What the
//             index needs goes to sorted runs `members-<j>` and `types-<j>`.
// 4. finish — merges the runs (spill.ts) into index.tsv, examples.tsv and nav.json, completes the pack,
//             writes the README objects and, last, the manifest.
// Re-running a step with the same state rewrites the same objects (names come from the state, never
// from a counter in memory) and appends nothing. Temporary objects live under `${prefix}tmp/${workId}/`;
// the runner calls discardDerivation once the chain is done or has failed.
import { SchemaScanner, newScanState, type ScanState } from "./schema-scan";
import { Spill, SpillSorter, SpillTable, TextWriter, merge, writeRunObject, type Run, type SpillLimits, type SpillRecord } from "./spill";
import { packageFacts } from "./package-facts";
import { namingOf, packEntry, readContent, refTokens, utf8Length, writeIndex, writeNav, type RecordSink, type RefKinds } from "./derive";
import { DOCS_FORMAT, ObjectWriter, artifactName, putJson, type DocsObject, type Manifest, type Range } from "./storage";
import type { LocalRefKind, PackageNaming } from "./languages";

export interface DerivationInput {
  schemaKey: string;
  readmeKey?: string;
  installationKey?: string;
  /** Where the docs objects go, ending in "/" (today docsPrefix(schemaKey); a re-derivation gets a fresh one). */
  prefix: string;
  /** Unique per derivation attempt: temporary objects live under `${prefix}tmp/${workId}/`. */
  workId: string;
}

export type StepResult = { done: false; state: unknown } | { done: true; artifacts: Record<string, string> };

export interface StepLimits {
  /** Schema bytes one scan step reads. */
  scanBytes: number;
  /** Schema bytes of entries one pack step packs (a single larger entry is packed alone). */
  packBytes: number;
  /** Bytes of one block of the kinds table (one range read per block a pack step needs). */
  kindBlockBytes: number;
  /** The finish step's external sort (spill.ts). */
  spill?: Partial<SpillLimits>;
}

const MiB = 1024 * 1024;
export const STEP_LIMITS: StepLimits = { scanBytes: 32 * MiB, packBytes: 4 * MiB, kindBlockBytes: 64 * 1024 };
/** R2 multipart parts: at least 5 MiB and, but for the last, all the same size (as storage.ts's ObjectWriter). */
const PART_BYTES = 5 * MiB;
const SECTIONS = ["types", "resources", "functions"] as const;
/** The top-level members the naming rules and the package facts read (derive.ts's OutlineBuilder). */
const TOP_MEMBERS = new Set(["name", "version", "language", "meta", "license", "homepage", "repository"]);

interface State {
  phase: "scan" | "kinds" | "pack" | "finish";
  /** Step number within the phase: names the objects the step writes. */
  step: number;
  scan?: ScanState;
  /** Byte ranges of the top-level members in TOP_MEMBERS (the last of duplicates, as JSON.parse). */
  top: Record<string, Range>;
  /** Sizes of `entries-<k>` and `kinds-<k>`, one per scan step. */
  lists: number[];
  kindRuns: number[];
  /** Pack phase: the next entry is in `entries-<list>` at byte `at`. */
  list: number;
  at: number;
  /** Pack bytes written so far (the next entry's offset), the upload and its parts, the tail's size. */
  offset: number;
  upload: string | null;
  etags: string[];
  tail: number;
  /** Sizes and record counts of `members-<j>` and `types-<j>`, one per pack step. */
  members: Array<[size: number, records: number]>;
  types: Array<[size: number, records: number]>;
}

const tmp = (input: DerivationInput) => `${input.prefix}tmp/${input.workId}/`;
const encoder = new TextEncoder();

/** Runs the next bounded step; `state` is null for the first. JSON-serializable state, ≤ 32 KiB. */
export async function deriveStep(bucket: R2Bucket, input: DerivationInput, state: unknown | null, limits: Partial<StepLimits> = {}): Promise<StepResult> {
  const l = { ...STEP_LIMITS, ...limits };
  const s: State = state === null ? initial() : (structuredClone(state) as State);
  switch (s.phase) {
    case "scan":
      return { done: false, state: await scanStep(bucket, input, s, l) };
    case "kinds":
      return { done: false, state: await kindsStep(bucket, input, s, l) };
    case "pack":
      return { done: false, state: await packStep(bucket, input, s, l) };
    default:
      return { done: true, artifacts: await finishStep(bucket, input, s, l) };
  }
}

/** Deletes every temporary object of this workId (after a failure, or leftovers after success), and an unfinished pack upload. */
export async function discardDerivation(bucket: R2Bucket, input: DerivationInput): Promise<void> {
  const prefix = tmp(input);
  const upload = await bucket.get(prefix + "upload");
  if (upload) {
    const id = await upload.text();
    await bucket
      .resumeMultipartUpload(input.prefix + "pack", id)
      .abort()
      .catch(() => undefined); // completed or gone already
  }
  for (;;) {
    // Listed from the start each time: deleting while paging with a cursor could skip keys.
    const listed = await bucket.list({ prefix, limit: 1000 });
    if (listed.objects.length === 0) return;
    await bucket.delete(listed.objects.map((o) => o.key));
    if (!listed.truncated && listed.objects.length < 1000) return;
  }
}

function initial(): State {
  return { phase: "scan", step: 0, scan: newScanState(), top: {}, lists: [], kindRuns: [], list: 0, at: 0, offset: 0, upload: null, etags: [], tail: 0, members: [], types: [] };
}

/** Reads `length` bytes of `key` at `offset` (the whole rest when length is undefined). */
async function readRange(bucket: R2Bucket, key: string, offset: number, length?: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const object = await bucket.get(key, { range: length === undefined ? { offset } : { offset, length } });
  if (!object) throw new Error(`docs derivation: ${key} is missing`);
  return new Uint8Array(await object.arrayBuffer());
}

async function writeText(bucket: R2Bucket, key: string, lines: string[]): Promise<number> {
  const out = new TextWriter(new ObjectWriter(bucket, key, "text/plain; charset=utf-8"));
  try {
    for (const line of lines) await out.write(line);
    await out.close();
  } catch (error) {
    await out.writer.abort();
    throw error;
  }
  return out.writer.offset;
}

/** Phase 1: scans `scanBytes` of the schema from where the last step stopped. */
async function scanStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  const scan = s.scan!;
  const object = await bucket.get(input.schemaKey, { range: { offset: scan.pos, length: l.scanBytes } });
  if (!object) throw new Error(`docs derivation: schema ${input.schemaKey} is missing`);
  const entries: string[] = [];
  const kinds: SpillRecord[] = [];
  let failure: string | undefined;
  const scanner = new SchemaScanner(
    {
      sections: new Set(SECTIONS),
      onMember: (key, start, end) => {
        if (key !== undefined && TOP_MEMBERS.has(key)) s.top[key] = [start, end - start];
      },
      onEntry: (section, token, start, end, isObject, isEnum) => {
        if (!isObject) return;
        if (token === undefined) failure ??= `a ${section} token longer than the scanner keeps`;
        entries.push(`${JSON.stringify([SECTIONS.indexOf(section as (typeof SECTIONS)[number]), token, start, end - start])}\n`);
        if (section === "types") kinds.push([token!, isEnum ? "e" : "o"]);
      },
    },
    scan,
  );
  const reader = object.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    scanner.write(value);
  }
  if (failure) throw new Error(`docs derivation: ${failure}`);
  const k = s.step;
  s.lists.push(await writeText(bucket, `${tmp(input)}entries-${k}`, entries));
  s.kindRuns.push((await writeRunObject(bucket, `${tmp(input)}kinds-${k}`, kinds)).size);
  s.step++;
  if (scan.pos >= object.size) {
    scanner.end();
    return { ...s, phase: "kinds", step: 0, scan: undefined };
  }
  return s;
}

/** Phase 2: the kinds runs merged into one table of blocks, the last kind of a token kept. */
async function kindsStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  const runs: Run[] = s.kindRuns.map((size, k) => ({ key: `${tmp(input)}kinds-${k}`, size })).filter((r) => r.size > 0);
  const out = new TextWriter(new ObjectWriter(bucket, `${tmp(input)}kinds-table`, "text/plain; charset=utf-8"));
  const fences: Array<[first: string, offset: number, length: number]> = [];
  let block: string[] = [];
  let blockFirst = "";
  let blockBytes = 0;
  let offset = 0;
  const flush = async () => {
    if (!block.length) return;
    const text = block.join("");
    const length = encoder.encode(text).byteLength;
    fences.push([blockFirst, offset, length]);
    offset += length;
    await out.write(text);
    block = [];
    blockBytes = 0;
  };
  let last: SpillRecord | undefined;
  const emit = async ([token, kind]: SpillRecord) => {
    if (blockBytes >= l.kindBlockBytes) await flush();
    if (!block.length) blockFirst = token;
    const line = `${JSON.stringify(token)}\t${kind}\n`;
    block.push(line);
    blockBytes += line.length;
  };
  try {
    for await (const record of merge(bucket, runs, 256 * 1024)) {
      if (last && last[0] !== record[0]) await emit(last);
      last = record;
    }
    if (last) await emit(last);
    await flush();
    await out.close();
  } catch (error) {
    await out.writer.abort();
    throw error;
  }
  await putJson(bucket, `${tmp(input)}kinds-fences`, fences);
  return { ...s, phase: "pack", step: 0 };
}

/** The kinds of `tokens` (sorted) from the table: one range read per block that may hold one of them. */
async function lookupKinds(bucket: R2Bucket, input: DerivationInput, tokens: string[]): Promise<Map<string, LocalRefKind>> {
  const found = new Map<string, LocalRefKind>();
  const fencesObject = await bucket.get(`${tmp(input)}kinds-fences`);
  if (!fencesObject || !tokens.length) return found;
  const fences = (await fencesObject.json()) as Array<[string, number, number]>;
  const wanted = new Map<number, Set<string>>();
  for (const token of tokens) {
    let lo = 0;
    let hi = fences.length - 1;
    if (hi < 0 || token < fences[0]![0]) continue;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fences[mid]![0] <= token) lo = mid;
      else hi = mid - 1;
    }
    let set = wanted.get(lo);
    if (!set) wanted.set(lo, (set = new Set()));
    set.add(token);
  }
  await Promise.all(
    [...wanted].map(async ([n, set]) => {
      const [, offset, length] = fences[n]!;
      const text = new TextDecoder().decode(await readRange(bucket, `${tmp(input)}kinds-table`, offset, length));
      for (const line of text.split("\n")) {
        if (!line) continue;
        const tab = line.lastIndexOf("\t");
        const token = JSON.parse(line.slice(0, tab)) as string;
        if (set.has(token)) found.set(token, line.slice(tab + 1) === "e" ? "enum" : "object");
      }
    }),
  );
  return found;
}

/** The top-level members naming and the package facts read, from their recorded ranges. */
async function readTop(bucket: R2Bucket, input: DerivationInput, s: State): Promise<Record<string, unknown>> {
  const top: Record<string, unknown> = {};
  const decoder = new TextDecoder();
  await Promise.all(
    Object.entries(s.top).map(async ([key, [offset, length]]) => {
      top[key] = JSON.parse(decoder.decode(await readRange(bucket, input.schemaKey, offset, length)));
    }),
  );
  return top;
}

type Entry = [section: number, token: string, offset: number, length: number];

/** The next entries, from `entries-<list>` at `at`, up to `packBytes` of schema; moves `list`/`at` past them. */
async function nextEntries(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<Entry[]> {
  const out: Entry[] = [];
  const decoder = new TextDecoder();
  while (s.list < s.lists.length) {
    const size = s.lists[s.list]!;
    if (s.at >= size) {
      s.list++;
      s.at = 0;
      continue;
    }
    const start = s.at;
    const bytes = await readRange(bucket, `${tmp(input)}entries-${s.list}`, start, Math.min(256 * 1024, size - start));
    let from = 0;
    for (;;) {
      const end = bytes.indexOf(10, from);
      if (end < 0) break;
      const entry = JSON.parse(decoder.decode(bytes.subarray(from, end))) as Entry;
      if (out.length && entry[2] + entry[3] - out[0]![2] > l.packBytes) return out;
      out.push(entry);
      from = end + 1;
      s.at = start + from;
    }
  }
  return out;
}

/** Phase 3: packs the next slice of entries. */
async function packStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  const entries = await nextEntries(bucket, input, s, l);
  // The finish step reads the last tail by the pack steps' count, kept in `step`.
  if (!entries.length) return { ...s, phase: "finish" };
  const first = entries[0]!;
  const last = entries[entries.length - 1]!;
  const [top, span] = await Promise.all([readTop(bucket, input, s), readRange(bucket, input.schemaKey, first[2], last[2] + last[3] - first[2])]);
  const o = { naming: namingOf(top) as PackageNaming };
  const decoder = new TextDecoder();
  const valueOf = ([, , offset, length]: Entry) => JSON.parse(decoder.decode(span.subarray(offset - first[2], offset - first[2] + length))) as Record<string, unknown>;
  // Parsed twice rather than held: the kinds of everything the slice refers to are read in between.
  const refs = new Set<string>();
  for (const entry of entries) refTokens(valueOf(entry), refs);
  const known = await lookupKinds(bucket, input, [...refs].sort());
  const kinds: RefKinds = { refKind: (token) => known.get(token) };
  // Encoded in batches: one small array per value costs more than the encoding.
  const chunks: Uint8Array[] = [];
  let batch: string[] = [];
  let batchChars = 0;
  let offset = s.offset;
  const append = async (value: unknown): Promise<Range> => {
    const json = JSON.stringify(value);
    const length = utf8Length(json);
    batch.push(json);
    batchChars += json.length;
    if (batchChars >= 256 * 1024) {
      chunks.push(encoder.encode(batch.join("")));
      batch = [];
      batchChars = 0;
    }
    const range: Range = [offset, length];
    offset += length;
    return range;
  };
  const members: SpillRecord[] = [];
  const types: SpillRecord[] = [];
  const sink = (records: SpillRecord[]): RecordSink => ({ add: async (key, value) => void records.push([key, value]) });
  for (const entry of entries) {
    await packEntry(o, kinds, SECTIONS[entry[0]]!, entry[1], valueOf(entry), append, sink(types), sink(members));
  }
  if (batch.length) chunks.push(encoder.encode(batch.join("")));
  const j = s.step;
  const [m, t] = await Promise.all([writeRunObject(bucket, `${tmp(input)}members-${j}`, members), writeRunObject(bucket, `${tmp(input)}types-${j}`, types)]);
  s.members.push([m.size, members.length]);
  s.types.push([t.size, types.length]);
  await writePackParts(bucket, input, s, chunks);
  s.offset = offset;
  s.step++;
  // The last slice goes straight on to the finish (which reads the last tail by the pack steps' count, `step`).
  while (s.list < s.lists.length && s.at >= s.lists[s.list]!) {
    s.list++;
    s.at = 0;
  }
  if (s.list >= s.lists.length) s.phase = "finish";
  return s;
}

/** Uploads the full parts the last tail and `chunks` make, and leaves the rest as this step's tail. */
async function writePackParts(bucket: R2Bucket, input: DerivationInput, s: State, chunks: Uint8Array[]): Promise<void> {
  const j = s.step;
  const pieces = s.tail > 0 ? [await readRange(bucket, `${tmp(input)}pack-tail-${j - 1}`, 0, s.tail), ...chunks] : chunks;
  const all = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let filled = 0;
  for (const p of pieces) {
    all.set(p, filled);
    filled += p.byteLength;
  }
  let at = 0;
  for (; all.byteLength - at >= PART_BYTES; at += PART_BYTES) {
    // Kept where discardDerivation finds it (to abort the upload if the chain never finishes), and where
    // this step, run again after a crash, finds the upload it created.
    if (!s.upload) s.upload = (await (await bucket.get(`${tmp(input)}upload`))?.text()) ?? null;
    if (!s.upload) {
      const upload = await bucket.createMultipartUpload(input.prefix + "pack", { httpMetadata: { contentType: "application/octet-stream" } });
      s.upload = upload.uploadId;
      await bucket.put(`${tmp(input)}upload`, upload.uploadId);
    }
    const part = await bucket.resumeMultipartUpload(input.prefix + "pack", s.upload).uploadPart(s.etags.length + 1, all.subarray(at, at + PART_BYTES));
    s.etags.push(part.etag);
  }
  s.tail = all.byteLength - at;
  if (s.tail) await bucket.put(`${tmp(input)}pack-tail-${j}`, all.subarray(at));
}

/** The pack's last part (or the whole pack when it is under one part); answers whether there is a pack. */
async function completePack(bucket: R2Bucket, input: DerivationInput, s: State): Promise<boolean> {
  if (s.offset === 0) return false;
  const tail = s.tail > 0 ? await readRange(bucket, `${tmp(input)}pack-tail-${s.step - 1}`, 0, s.tail) : new Uint8Array(0);
  if (!s.upload) {
    await bucket.put(input.prefix + "pack", tail, { httpMetadata: { contentType: "application/octet-stream" } });
    return true;
  }
  // A finish step run again after the upload completed finds the pack whole.
  const existing = await bucket.head(input.prefix + "pack");
  if (existing?.size === s.offset) return true;
  const upload = bucket.resumeMultipartUpload(input.prefix + "pack", s.upload);
  const parts = s.etags.map((etag, i) => ({ partNumber: i + 1, etag }));
  if (tail.byteLength) parts.push(await upload.uploadPart(parts.length + 1, tail));
  await upload.complete(parts);
  return true;
}

/** Phase 4: the index, examples and nav from the sorted runs, the pack completed, the small objects, and the manifest last. */
async function finishStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<Record<string, string>> {
  const { prefix } = input;
  const spill = new Spill(bucket, `${tmp(input)}finish/`, l.spill);
  const runs = (name: string, sizes: Array<[number, number]>) => sizes.map(([size], j): Run => ({ key: `${tmp(input)}${name}-${j}`, size }));
  const count = (sizes: Array<[number, number]>) => sizes.reduce((n, [, records]) => n + records, 0);
  const texts = Promise.all([readContent(bucket, input.readmeKey), readContent(bucket, input.installationKey)]);
  texts.catch(() => undefined);
  const top = await readTop(bucket, input, s);
  const o = { naming: namingOf(top) };
  const hasPack = await completePack(bucket, input, s);
  const typeRecords = SpillSorter.fromRuns(spill, "types", runs("types", s.types), count(s.types));
  const types = await SpillTable.build(spill, "types-table", typeRecords.sorted());
  const members = SpillSorter.fromRuns(spill, "members", runs("members", s.members), count(s.members));
  const indexed = await writeIndex(bucket, prefix, o, types, members, spill);
  const written: DocsObject[] = [];
  if (hasPack) written.push("pack");
  if (indexed.indexBytes) written.push("index.tsv");
  if (indexed.exampleCount) written.push("examples.tsv");
  const [readme, installation] = await texts;
  if (indexed.entries) {
    const summary = await writeNav(bucket, prefix + "nav.json", o.naming, indexed.navItems, indexed.overrides);
    await putJson(bucket, prefix + "nav-summary.json", summary);
    written.push("nav.json", "nav-summary.json");
  }
  const small: Array<[DocsObject, unknown]> = [];
  if (readme?.length) small.push(["readme.json", readme]);
  if (installation) small.push(["installation.json", installation]);
  await Promise.all(small.map(([name, value]) => putJson(bucket, prefix + name, value)));
  written.push(...small.map(([name]) => name));
  const manifest: Manifest = {
    format: DOCS_FORMAT,
    entries: indexed.entries,
    indexBytes: indexed.indexBytes,
    fences: indexed.fences,
    examples: indexed.exampleCount,
    hasInstallation: installation !== undefined,
    package: packageFacts(top),
  };
  await putJson(bucket, prefix + "manifest.json", manifest);
  written.push("manifest.json");
  return Object.fromEntries(written.map((w) => [artifactName(w), prefix + w]));
}

// The docs derivation as a chain of bounded steps for a durable runner: each call does one step and answers the
// (small, JSON) state the next call needs, so no invocation's input or CPU grows with the schema's size.
//
// Phases (docs/api-docs.md, "Derivation in steps"):
// 1. scan   — `scanBytes` of schema per step through the structural scanner (schema-scan.ts), its state
//             carried in ours. Each step writes `entries-<k>`: one line per type/resource/function whose
//             value is an object (section, token, byte range, whether it is an enum), and `kinds-<k>`: the
//             types' kinds as a sorted run. The top-level members naming needs are kept as byte ranges.
// 2. kinds  — the kinds runs merged into a table of small blocks (`kinds-table-<j>` parts, `kinds-fences`),
//             `kindRecords` a step (chains before KINDS_STATE: in one step, `kinds-table`).
// 3. pack   — entries worth `packBytes` of schema per step: one range read, each entry parsed once by
//             JSON.parse (prepareEntry keeps its JSON and what the index needs), the kinds of what the slice
//             refers to read from the table's blocks, then packed language-neutral exactly as deriveDocs
//             packs them (derive.ts, packEntry; stored-form.ts). The pack is one multipart upload across steps:
//             full parts are uploaded as they fill, the rest waits in `pack-tail-<j>` for step j+1. What the
//             index needs goes to sorted runs `members-<j>` and `types-<j>`.
// 4. premerge — past `fanIn` runs, one group of `fanIn` runs merged per step, level by level.
// 5. table  — the types runs merged into the supporting-types table (spill.ts's SpillTable, kept written):
//             `tableRecords` records a step (a type record is a fraction of a member's), each a part of its own, joined by the
//             last (chains before REFERENCE_STATE: in one step, whatever the number of types).
// 6. index  — `indexRecords` member/type records per step, merged from the run positions in the state,
//             into index.tsv and examples.tsv (multipart across steps like the pack), nav/overrides runs
//             and the manifest's fences.
// 7. nav    — nav.json, nav-summary.json, nav-modules.tsv and nav-head.json from those runs.
// 8. postings — the search index's posting lists and dictionary from the trigram runs: past `fanIn` runs, one
//             group merged per step first; then `indexRecords` × POSTINGS_PER_INDEX_RECORD trigram records a
//             step, each step ending at a trigram's end (multipart across steps like the pack). Chains of
//             states before POSTINGS_STATE wrote them in the nav step, whose CPU grew with the package.
// 9. finish — completes the uploads, writes the README objects and, last, the manifest.
// Re-running a step with the same state rewrites the same objects (names come from the state, never
// from a counter in memory) and appends nothing. Temporary objects live under `${prefix}tmp/${workId}/`;
// the runner calls discardDerivation once the chain is done or has failed.
import { chunksOf } from "../http/bytes";
import { SchemaScanner, newScanState, type ScanState } from "./schema-scan";
import { SPILL_LIMITS, Spill, SpillSorter, SpillTable, RunMerge, TextWriter, mergeLines, writeRunObject, type Run, type SpillLimits, type SpillRecord } from "./spill";
import { packageFacts } from "./package-facts";
import { IndexLines, bufferSink, namingOf, packEntry, prepareEntry, readContent, writeNavObjects, NAV_OBJECTS, type PreparedEntry, type RefKinds } from "./derive";
import { PostingLines, SearchLines, SEARCH_POSTING_OBJECTS, writeSearchHead, type PostingsSink, type SearchHead, type SearchLinesState } from "./search-index";
import { DOCS_FORMAT, DOCS_LAYOUT, FENCE_EVERY, ObjectWriter, artifactName, putJson, type DocsObject, type Fence, type Manifest, type Range, writeIndexFences } from "./storage";
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
  /** Member and type records one index step merges into lines. */
  indexRecords: number;
  /** Type records one table step writes into the supporting-types table (REFERENCE_STATE chains). */
  tableRecords: number;
  /** Kind records one kinds step merges into a part of the kinds table (KINDS_STATE chains). */
  kindRecords: number;
  /** The premerges', table's and nav's external sort (spill.ts). */
  spill?: Partial<SpillLimits>;
}

const MiB = 1024 * 1024;
export const STEP_LIMITS: StepLimits = { scanBytes: 32 * MiB, packBytes: 4 * MiB, kindBlockBytes: 64 * 1024, indexRecords: 20_000, tableRecords: 80_000, kindRecords: 200_000 };
/** Most bytes of the kinds table one range read of a pack step takes (several adjacent blocks). */
const KIND_READ_BYTES = 1024 * 1024;
/** …joining blocks this far apart (the blocks between are read and passed over). */
const KIND_GAP_BYTES = 256 * 1024;
/** R2 multipart parts: at least 5 MiB and, but for the last, all the same size (as storage.ts's ObjectWriter). */
const PART_BYTES = 5 * MiB;
const SECTIONS = ["types", "resources", "functions"] as const;
/** The top-level members the naming rules and the package facts read (derive.ts's OutlineBuilder). */
const TOP_MEMBERS = new Set(["name", "version", "language", "meta", "license", "homepage", "repository"]);

/** One output object written by a multipart upload across steps (see writeParts). */
interface PartState {
  upload: string | null;
  /** Parts uploaded so far; their etags are in `<name>-etags-<step>` for each step listed (etags can be long). */
  parts: number;
  etagSteps: number[];
  /** Bytes waiting for the next part (or the last one): less than a part. */
  tail: number;
  /** Where they wait, in states written before `pending` was kept: all in `<name>-tail-<tailStep>`. */
  tailStep: number;
  /**
   * Where they wait: ranges of `<name>-tail-<step>` objects, in order, each step's bytes written once. Absent in
   * states of earlier releases, whose steps rewrote the whole tail (about half a part each step) into one object.
   */
  pending?: Array<[step: number, offset: number, length: number]>;
  /** Bytes written so far. */
  bytes: number;
}

/** A sorted run: its object's name under tmp, its size, its records. */
type RunEntry = [name: string, size: number, records: number];

interface State {
  /** The chain's state format (FORMAT_3_STATE … KINDS_STATE below); absent in states of releases before format 3. */
  format?: number;
  phase: "scan" | "kinds" | "pack" | "premerge" | "table" | "index" | "nav" | "postings" | "finish";
  /** Step number within the phase: names the objects the step writes. */
  step: number;
  scan?: ScanState;
  /** Byte ranges of the top-level members in TOP_MEMBERS (the last of duplicates, as JSON.parse). */
  top: Record<string, Range>;
  /** The kinds step wrote those members' values to `top.json` (absent in states of earlier releases). */
  topObject?: boolean;
  /** Sizes of `entries-<k>` and `kinds-<k>`, one per scan step. */
  lists: number[];
  kindRuns: number[];
  /** Pack phase: the next entry is in `entries-<list>` at byte `at`. */
  list: number;
  at: number;
  pack: PartState;
  /** Schema bytes packed so far (the pack's bytes over these: how much pack a byte of schema makes). */
  packedSchema?: number;
  /** The sorted runs of the pack steps (then of the premerges, `fanIn` at most once merged). */
  members: RunEntry[];
  types: RunEntry[];
  /** Index phase: where each members run's next line starts, IndexLines' counters, the outputs and runs it wrote. */
  cursors?: number[];
  /** Kinds phase (KINDS_STATE chains): where each kinds run's next line starts. */
  kindCursors?: number[];
  /** Table phase (REFERENCE_STATE chains): where each types run's next line starts. */
  tableCursors?: number[];
  lines?: { entries: number; indexBytes: number; exampleCount: number; sinceFence: number; fenceAt?: number; fenceKey?: number; previous?: string };
  index?: PartState;
  examples?: PartState;
  nav?: RunEntry[];
  overrides?: RunEntry[];
  /** Premerge (and the postings phase's merges of `grams`): the runs of `field` merged so far at the current level, in order. */
  level?: MergeLevel;
  /**
   * The nav phase's merges of `nav` and `overrides` before the nav step writes, as `level`. A field of its own: the
   * release before ignores it, and either release may run a chain's next step while a deploy rolls out. Midway,
   * `nav` and `overrides` still list every record (the level's runs replace them only once it is whole), so that
   * release's nav step writes the same objects, and what it leaves here is read by no later phase. In `level`,
   * left set as that release moved on, the postings phase took it for its own (helper-35's read).
   */
  navLevel?: MergeLevel;
  /** Index phase steps that wrote `fences-<j>`. */
  fenceSteps?: number;
  navSummary?: boolean;
  /** The objects the nav step wrote (writeNavObjects: its fences' trees only when written). */
  navObjects?: DocsObject[];
  /**
   * The filter's search index (search-index.ts): SearchLines' state between index steps, the member table's
   * multipart upload and the trigram runs `grams-<j>` (absent in chains a release without the index began:
   * those docs get no index, and pages scan nav.json as for older docs).
   */
  search?: SearchLinesState;
  /**
   * The temporary `search-block-<j>` holding the distinct trigrams of SearchLines' partial block when they take
   * more than SEARCH_BLOCK_STATE_BYTES (then `search`'s own list is empty): up to 15 members' worth, megabytes
   * for long names, and the state stays ≤ 32 KiB. Absent while they are few enough to carry inline.
   */
  searchBlock?: string;
  searchMembers?: PartState;
  grams?: RunEntry[];
  /**
   * Postings phase (chains of POSTINGS_STATE): where each grams run's next line starts, the two outputs, PostingLines'
   * counters, and the steps that wrote fences of search-trigrams.tsv (`search-fences-<j>`).
   */
  postings?: { cursors: number[]; bin: PartState; dictionary: PartState; trigrams: number; dictionaryBytes: number; fenceSteps: number[] };
}

const tmp = (input: DerivationInput) => `${input.prefix}tmp/${input.workId}/`;
/** SearchLines' partial block's trigrams stay in the step state up to this many characters of JSON, else go to `search-block-<j>`. */
const SEARCH_BLOCK_STATE_BYTES = 8 * 1024;
const encoder = new TextEncoder();

/** Runs the next bounded step; `state` is null for the first. JSON-serializable state, ≤ 32 KiB. */
export async function deriveStep(bucket: R2Bucket, input: DerivationInput, state: unknown | null, limits: Partial<StepLimits> = {}): Promise<StepResult> {
  const l = { ...STEP_LIMITS, ...limits };
  let s: State = state === null ? initial() : (structuredClone(state) as State);
  // A chain a release writing another docs format started (a deploy mid-derivation): what it wrote cannot be
  // continued in this format, so its temporaries and open uploads go and the chain starts over. A chain of an
  // earlier release (FORMAT_3_STATE, PENDING_STATE, POSTINGS_STATE) is continued as that release steps it, to its
  // end: same objects, same state fields, so either release's isolate can run its next step while a deploy rolls
  // out (a release starts a chain of a later format over once, and the chain it begins is then of its own).
  let begin = state === null;
  if (!KNOWN_STATES.includes(s.format ?? 0)) {
    await discardDerivation(bucket, input);
    begin = true;
  } else if (hasPostingsPhase(s) && !begin && (await (await bucket.get(chainMarker(input)))?.text()) !== String(s.format)) {
    // A release before this one discarded this chain (as it starts a chain of a format it does not know over) and was
    // cut off before its own state was stored: the job still holds this state, whose objects may be gone (and that
    // release's own first step may have written its marker, naming its format). Started over here too, what that
    // step left discarded first (else "is missing" at every try, until the job failed).
    await discardDerivation(bucket, input);
    begin = true;
  }
  if (begin) {
    s = initial();
    await bucket.put(chainMarker(input), String(KINDS_STATE));
  }
  const phases = { scan: scanStep, kinds: kindsStep, pack: packStep, premerge: premergeStep, table: tableStep, index: indexStep, nav: navStep, postings: postingsStep };
  if (s.phase === "finish") return { done: true, artifacts: await finishStep(bucket, input, s) };
  return { done: false, state: await phases[s.phase](bucket, input, s, l) };
}

/** Deletes every temporary object of this workId (after a failure, or leftovers after success), and an unfinished pack upload. */
export async function discardDerivation(bucket: R2Bucket, input: DerivationInput): Promise<void> {
  const prefix = tmp(input);
  for (const target of TARGETS) {
    const upload = await bucket.get(`${prefix}${target.name}-upload`);
    if (!upload) continue;
    await bucket
      .resumeMultipartUpload(input.prefix + target.name, await upload.text())
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

/**
 * The `format` of the states of chains an earlier release began: docs format 3 with outputs' tails kept as pending
 * ranges (PartState.pending). Releases before it know only FORMAT_3_STATE; one that meets this value during a rolling
 * deploy starts the chain over, as for any other format, instead of misreading the tails. A FORMAT_3_STATE chain keeps
 * its format and no part of its state has `pending`: a release before it would carry that field on unchanged
 * (stale) into a state this release reads.
 */
const PENDING_STATE = 301;
/** The state `format` of chains of docs format 3 as releases before pending tails began them. */
const FORMAT_3_STATE = 3;
/**
 * The `format` of the states of chains the release before began: PENDING_STATE's, and the search index's posting lists
 * written in steps of their own (the postings phase) instead of in the nav step. A release before it meets this
 * value as an unknown format and starts the chain over; this release continues a PENDING_STATE chain in that
 * form (the postings written by its nav step), so either release's isolate can run its next step.
 */
const POSTINGS_STATE = 302;
/**
 * The `format` of the states of chains the release before began: POSTINGS_STATE's, writing docs format 4 (records
 * that refer to their entries in the schema instead of copying them; storage.ts DOCS_FORMAT), the types table in
 * steps of its own. A release before it meets it as an unknown format and starts the chain over (in format 3); this
 * release continues a chain of any earlier state format in that format's form (records that copy their entries,
 * manifest format 3, for chains before this one), so either release's isolate can run its next step while a deploy
 * rolls out.
 */
const REFERENCE_STATE = 303;
/**
 * The `format` of the states of chains this release begins: REFERENCE_STATE's, with the kinds table in steps of its
 * own (parts `kinds-table-<j>`, the fences naming them). The release before meets it as an unknown format and starts
 * the chain over; this release steps a REFERENCE_STATE chain's kinds phase in one step, as that release does.
 */
const KINDS_STATE = 304;
/** The state formats this release steps, in the order releases introduced them: each has what the ones before it have. */
const KNOWN_STATES = [FORMAT_3_STATE, PENDING_STATE, POSTINGS_STATE, REFERENCE_STATE, KINDS_STATE];
const since = (s: State, format: number) => (s.format ?? 0) >= format;
/** Whether a chain keeps its outputs' tails as pending ranges. */
const keepsPending = (s: State) => since(s, PENDING_STATE);
/** Whether a chain writes the posting lists in the postings phase, and began with a chain marker (chainMarker). */
const hasPostingsPhase = (s: State) => since(s, POSTINGS_STATE);
/** Whether a chain's records refer to their entries in the schema (docs format 4). */
const refersToSchema = (s: State) => since(s, REFERENCE_STATE);
/** Whether a chain writes the kinds table in steps of its own. */
const stepsKinds = (s: State) => since(s, KINDS_STATE);

/**
 * Written when a chain of POSTINGS_STATE or later starts, holding the chain's format, and read by each of its steps:
 * a release that does not know the chain's format (for KINDS_STATE the release before; for REFERENCE_STATE and
 * POSTINGS_STATE the ones before it) discards such a chain's temporaries, this one first of them (keys are listed in order, `!` before any
 * other name here), so a chain whose marker is gone, or names another format (that release then began its own chain,
 * POSTINGS_STATE's, which writes one too), was discarded. PENDING_STATE chains, begun without a marker and discarded by no release that
 * runs beside this one, are not checked. (That release aborts the
 * chain's open uploads before it deletes: cut off between the two, the marker stays and an upload is gone; a part
 * or the completion then fails at every try.)
 */
const chainMarker = (input: DerivationInput) => `${tmp(input)}!chain`;

function initial(): State {
  return { format: KINDS_STATE, phase: "scan", step: 0, scan: newScanState(), top: {}, lists: [], kindRuns: [], list: 0, at: 0, pack: newPart(true), members: [], types: [] };
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

/** What a scan step reads of the schema at a time (see scanStep). */
const SCAN_READ_BYTES = 64 * 1024;

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
  // Read 64 KiB at a time, not chunksOf's 1 MiB: at dense 300 MiB the 1 MiB reads made the steps cheaper by about
  // 1 s of 58, but the isolate's heap (garbage counted) peaked at 136–167 MiB after the last scan steps, against 114
  // MiB with 64 KiB reads and 107–111 MiB with the default reader's 4 KiB (docs/api-docs.md, 2026-12-08).
  for await (const chunk of chunksOf(object.body, SCAN_READ_BYTES)) scanner.write(chunk);
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

/**
 * A fence of the kinds table: a block's first token, offset and length, and (KINDS_STATE chains) its part and whether
 * its tokens strictly increase (1: a lookup may search it by halves; 0: it walks the block's lines).
 */
type KindFence = [first: string, offset: number, length: number, part?: number, ordered?: 0 | 1];
/** A block of a part being written: its fence, and whether its tokens strictly increase. */
type PartBlock = [first: string, offset: number, length: number, ordered: 0 | 1];

/**
 * Phase 2: the kinds runs merged into a table of blocks, the last kind of a token kept. A KINDS_STATE chain writes it
 * in steps of its own: each merges the next `kindRecords` records (and the rest of the last one's token, so that a
 * token given twice stays in one part and its last kind wins) into part `kinds-table-<j>`, its fences into
 * `kinds-fences-<j>`; the last joins the parts' fences, each naming its part, into `kinds-fences`. Tokens come in
 * order, so the joined fences are in order too. Chains before it write the whole table, `kinds-table`, in one step.
 */
async function kindsStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  const runs: Run[] = s.kindRuns.map((size, k) => ({ key: `${tmp(input)}kinds-${k}`, size })).filter((r) => r.size > 0);
  const stepped = stepsKinds(s);
  const j = s.step;
  const runMerge = await RunMerge.open(bucket, runs, 256 * 1024, stepped ? s.kindCursors : undefined);
  const blocks = await writeKindsPart(bucket, `${tmp(input)}${stepped ? `kinds-table-${j}` : "kinds-table"}`, runMerge, stepped ? l.kindRecords : Infinity, l.kindBlockBytes);
  if (stepped) {
    await putJson(bucket, `${tmp(input)}kinds-fences-${j}`, blocks);
    s.kindCursors = runMerge.cursors;
    if (!runMerge.done) return { ...s, step: j + 1 };
    const joined: KindFence[] = [];
    for (let part = 0; part <= j; part++) {
      const partBlocks = part === j ? blocks : ((await (await bucket.get(`${tmp(input)}kinds-fences-${part}`))!.json()) as PartBlock[]);
      for (const [first, offset, length, ordered] of partBlocks) joined.push([first, offset, length, part, ordered]);
    }
    await putJson(bucket, `${tmp(input)}kinds-fences`, joined);
  } else await putJson(bucket, `${tmp(input)}kinds-fences`, blocks.map(([first, offset, length]): KindFence => [first, offset, length]));
  await putJson(bucket, `${tmp(input)}top.json`, await readTopRanges(bucket, input, s));
  return { ...s, phase: "pack", step: 0, topObject: true, kindCursors: undefined };
}

/**
 * Writes the merge's next records, at least `records` of them and then up to the next token, as lines
 * `JSON.stringify(token)\tkind` in blocks of about `blockBytes`, each token once with its last kind (as far as the runs
 * are in order: see PartBlock); answers the blocks.
 */
async function writeKindsPart(bucket: R2Bucket, key: string, runMerge: RunMerge, records: number, blockBytes: number): Promise<PartBlock[]> {
  const out = new TextWriter(new ObjectWriter(bucket, key, "text/plain; charset=utf-8"));
  const blocks: PartBlock[] = [];
  let block: string[] = [];
  let blockFirst = "";
  let previous = "";
  // Tokens come in order unless a run was not: a lone surrogate is written to a run as U+FFFD after the run was
  // sorted by the original string, so the run read back is not quite in order (and a token may then come twice).
  let ordered: 0 | 1 = 1;
  let bytes = 0;
  let offset = 0;
  const flush = async () => {
    if (!block.length) return;
    const text = block.join("");
    const length = encoder.encode(text).byteLength;
    blocks.push([blockFirst, offset, length, ordered]);
    offset += length;
    await out.write(text);
    block = [];
    bytes = 0;
  };
  const emit = async ([token, kind]: SpillRecord) => {
    if (bytes >= blockBytes) await flush();
    if (!block.length) {
      blockFirst = token;
      ordered = 1;
    } else if (!(previous < token)) ordered = 0;
    previous = token;
    const line = `${JSON.stringify(token)}\t${kind}\n`;
    block.push(line);
    bytes += line.length;
  };
  try {
    let last: SpillRecord | undefined;
    for (let n = 0; ; n++) {
      const next = runMerge.peek();
      if (!next) break;
      if (last && last[0] !== next[0]) {
        await emit(last);
        last = undefined;
        if (n >= records) break;
      }
      const taken = runMerge.take();
      last = taken instanceof Promise ? await taken : taken;
    }
    if (last) await emit(last);
    await flush();
    await out.close();
  } catch (error) {
    await out.writer.abort();
    throw error;
  }
  return blocks;
}

/** The kinds of `tokens` (sorted) from the table: one range read per block that may hold one of them. */
async function lookupKinds(bucket: R2Bucket, input: DerivationInput, tokens: string[]): Promise<Map<string, LocalRefKind>> {
  const found = new Map<string, LocalRefKind>();
  const fencesObject = await bucket.get(`${tmp(input)}kinds-fences`);
  if (!fencesObject || !tokens.length) return found;
  const fences = (await fencesObject.json()) as KindFence[];
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
  // Near blocks of one part are read together (they are contiguous in it), up to KIND_READ_BYTES a read and across gaps
  // of up to KIND_GAP_BYTES of blocks not needed: a step whose entries refer to types all over the table makes a
  // few large reads, not one per block or per run of adjacent blocks (a range read costs what ~1 MiB more of
  // one does, in calls and time; dense 300 MiB made ~90 reads a pack step with adjacent blocks only).
  const groups: Array<{ part: number | undefined; offset: number; length: number; blocks: number[] }> = [];
  for (const n of [...wanted.keys()].sort((a, b) => a - b)) {
    const [, offset, length, part] = fences[n]!;
    const last = groups[groups.length - 1];
    const end = last ? last.offset + last.length : 0;
    if (last && last.part === part && offset >= end && offset - end <= KIND_GAP_BYTES && offset + length - last.offset <= KIND_READ_BYTES) {
      last.length = offset + length - last.offset;
      last.blocks.push(n);
    } else groups.push({ part, offset, length, blocks: [n] });
  }
  const decoder = new TextDecoder();
  await Promise.all(
    groups.map(async ({ part, offset, length, blocks }) => {
      const bytes = await readRange(bucket, `${tmp(input)}${part === undefined ? "kinds-table" : `kinds-table-${part}`}`, offset, length);
      // Only the wanted blocks are decoded and searched; the gaps' blocks were read to save calls, not to be looked at.
      for (const n of blocks) {
        const [, at, size, , ordered] = fences[n]!;
        kindsInBlock(decoder.decode(bytes.subarray(at - offset, at - offset + size)), wanted.get(n)!, found, ordered === 1);
      }
    }),
  );
  return found;
}

/**
 * The kinds of `tokens` in one block of the kinds table, into `found`. Lines are `JSON.stringify(token)\tkind\n`. A
 * block whose tokens strictly increase (KINDS_STATE chains record it) is searched by halves for each token: a line is
 * found from a character position by the line break before it (a quoted token holds no raw line break or tab), and
 * only the probed lines' tokens are parsed. Any other block (or one of an older chain's table) is walked line by line,
 * the wanted tokens matched in their quoted form, and a token's last line gives its kind.
 */
function kindsInBlock(text: string, tokens: Set<string>, found: Map<string, LocalRefKind>, ordered: boolean): void {
  // A line's kind is one letter, `e` or `o` (scanStep writes no other).
  const kindOf = (tab: number) => (text.charCodeAt(tab + 1) === 101 /* e */ ? "enum" : "object");
  if (ordered) {
    for (const token of tokens) {
      // [lo, hi): the lines that may hold it, both ends at a line's start.
      let lo = 0;
      let hi = text.length;
      while (lo < hi) {
        const start = text.lastIndexOf("\n", ((lo + hi) >>> 1) - 1) + 1;
        const tab = text.indexOf("\t", start);
        // Without a backslash, the quoted form is the token between quotes (JSON.stringify escapes nothing else).
        const inner = text.slice(start + 1, tab - 1);
        const probe = inner.includes("\\") ? (JSON.parse(text.slice(start, tab)) as string) : inner;
        if (probe === token) {
          found.set(token, kindOf(tab));
          break;
        }
        if (probe < token) {
          const end = text.indexOf("\n", tab);
          lo = end < 0 ? text.length : end + 1;
        } else hi = start;
      }
    }
    return;
  }
  const quoted = new Map([...tokens].map((token) => [JSON.stringify(token), token]));
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    const tab = text.lastIndexOf("\t", end);
    const token = tab > at ? quoted.get(text.slice(at, tab)) : undefined;
    if (token !== undefined) found.set(token, kindOf(tab));
    at = end + 1;
  }
}

/** The top-level members naming and the package facts read, from their recorded ranges. */
async function readTop(bucket: R2Bucket, input: DerivationInput, s: State): Promise<Record<string, unknown>> {
  // Past the kinds phase they are in one object (one read a step, not one per member); a chain that an older
  // release took past it has none, and reads the ranges.
  if (s.topObject) return (await (await bucket.get(`${tmp(input)}top.json`))!.json()) as Record<string, unknown>;
  return readTopRanges(bucket, input, s);
}

async function readTopRanges(bucket: R2Bucket, input: DerivationInput, s: State): Promise<Record<string, unknown>> {
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

/**
 * The next entries, from `entries-<list>` at `at`, up to `budget` bytes of schema; moves `list`/`at` past them
 * and answers, for each, where the entry after it starts.
 */
async function nextEntries(bucket: R2Bucket, input: DerivationInput, s: State, budget: number): Promise<{ entries: Entry[]; after: Array<[list: number, at: number]> }> {
  const out: Entry[] = [];
  const after: Array<[number, number]> = [];
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
      if (out.length && entry[2] + entry[3] - out[0]![2] > budget) return { entries: out, after };
      out.push(entry);
      from = end + 1;
      s.at = start + from;
      after.push([s.list, s.at]);
    }
  }
  return { entries: out, after };
}

/** Schema bytes a pack step reads past what it expects to need to fill the pack's next part (the estimate's margin). */
const packSlack = (reach: number) => 64 * 1024 + Math.ceil(reach / 16);

/** Phase 3: packs the next slice of entries. */
async function packStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  // Steps end where the pack's next part is full when they can: what a step leaves for the next one (its tail,
  // written and read again) is then at most one entry's record, not up to a part. The schema bytes that fill
  // the part are estimated from how much pack a byte of schema has made so far; a step reads at most a
  // quarter more than packBytes to reach it, else packBytes and the tail grows towards the next part.
  const ratio = s.packedSchema ? s.pack.bytes / s.packedSchema : 1;
  const reach = (PART_BYTES - s.pack.tail) / Math.max(ratio, 0.01);
  const toBoundary = reach <= l.packBytes * 1.25;
  const { entries, after } = await nextEntries(bucket, input, s, toBoundary ? Math.ceil(reach) + packSlack(reach) : l.packBytes);
  if (!entries.length) return { ...s, phase: "premerge", step: 0 };
  const first = entries[0]!;
  const last = entries[entries.length - 1]!;
  const [top, span] = await Promise.all([readTop(bucket, input, s), readRange(bucket, input.schemaKey, first[2], last[2] + last[3] - first[2])]);
  const o = { naming: namingOf(top) as PackageNaming };
  const decoder = new TextDecoder();
  // Each entry parsed once: what packing needs of it is kept (its JSON among it), the parsed value is not.
  const prepared: PreparedEntry[] = [];
  const refs = new Set<string>();
  for (const [section, token, offset, length] of entries) {
    const value = JSON.parse(decoder.decode(span.subarray(offset - first[2], offset - first[2] + length))) as Record<string, unknown>;
    const p = prepareEntry(o, SECTIONS[section]!, token, value, refersToSchema(s) ? [offset, length] : undefined);
    for (const t of p.refs) refs.add(t);
    prepared.push(p);
  }
  const known = await lookupKinds(bucket, input, [...refs].sort());
  const kinds: RefKinds = { refKind: (token) => known.get(token) };
  // Encoded straight into one growing buffer (encodeInto is native; one small array per value costs more).
  let out = new Uint8Array(1024 * 1024);
  let used = 0;
  const append = (json: string): Range => {
    if (out.byteLength - used < json.length * 3) {
      const grown = new Uint8Array(Math.max(out.byteLength * 2, used + json.length * 3));
      grown.set(out.subarray(0, used));
      out = grown;
    }
    const { written } = encoder.encodeInto(json, out.subarray(used));
    const range: Range = [s.pack.bytes + used, written];
    used += written;
    return range;
  };
  const members: SpillRecord[] = [];
  const types: SpillRecord[] = [];
  let packed = 0;
  while (packed < prepared.length) {
    packEntry(prepared[packed++]!, kinds, append, bufferSink(types), bufferSink(members));
    if (toBoundary && s.pack.tail + used >= PART_BYTES && packed < prepared.length) {
      // The part is full: the rest of the slice is the next step's.
      [s.list, s.at] = after[packed - 1]!;
      break;
    }
  }
  const lastPacked = entries[packed - 1]!;
  s.packedSchema = (s.packedSchema ?? 0) + (lastPacked[2] + lastPacked[3] - first[2]);
  const j = s.step;
  const [m, t] = await Promise.all([writeRunObject(bucket, `${tmp(input)}members-${j}`, members), writeRunObject(bucket, `${tmp(input)}types-${j}`, types)]);
  s.members.push([`members-${j}`, m.size, members.length]);
  s.types.push([`types-${j}`, t.size, types.length]);
  await writeParts(bucket, input, s.pack, PACK, j, [out.subarray(0, used)]);
  s.step++;
  // The last slice goes straight on to the next phase.
  while (s.list < s.lists.length && s.at >= s.lists[s.list]!) {
    s.list++;
    s.at = 0;
  }
  if (s.list >= s.lists.length) return { ...s, phase: "premerge", step: 0 };
  return s;
}


/** An object written across steps: its name (tail and upload records under tmp) and its content type. */
interface PartTarget {
  name: DocsObject;
  contentType: string;
}
const PACK: PartTarget = { name: "pack", contentType: "application/octet-stream" };
const INDEX: PartTarget = { name: "index.tsv", contentType: "text/tab-separated-values; charset=utf-8" };
const EXAMPLES: PartTarget = { name: "examples.tsv", contentType: "text/tab-separated-values; charset=utf-8" };
const SEARCH_MEMBERS: PartTarget = { name: "search-members.jsonl", contentType: "application/x-ndjson" };
const POSTINGS: PartTarget = { name: "search-postings.bin", contentType: "application/octet-stream" };
const TRIGRAMS: PartTarget = { name: "search-trigrams.tsv", contentType: "text/tab-separated-values" };
const TARGETS = [PACK, INDEX, EXAMPLES, SEARCH_MEMBERS, POSTINGS, TRIGRAMS];

/** A part of a chain this release began keeps pending ranges; one of a chain of the release before, one tail object. */
function newPart(pending: boolean): PartState {
  return { upload: null, parts: 0, etagSteps: [], tail: 0, tailStep: 0, ...(pending ? { pending: [] } : {}), bytes: 0 };
}

/** The pending ranges (a state of an earlier release: its one tail object). */
const pendingOf = (part: PartState): Array<[number, number, number]> => part.pending ?? (part.tail > 0 ? [[part.tailStep, 0, part.tail]] : []);
/** Past this many pending ranges they are written again as one (the state stays small whatever the steps). */
const MAX_PENDING = 32;

async function tailOf(bucket: R2Bucket, input: DerivationInput, part: PartState, target: PartTarget): Promise<Uint8Array> {
  const ranges = pendingOf(part);
  if (ranges.length === 1) return readRange(bucket, `${tmp(input)}${target.name}-tail-${ranges[0]![0]}`, ranges[0]![1], ranges[0]![2]);
  return concat(await Promise.all(ranges.map(([step, offset, length]) => readRange(bucket, `${tmp(input)}${target.name}-tail-${step}`, offset, length))));
}

function concat(pieces: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let filled = 0;
  for (const p of pieces) {
    all.set(p, filled);
    filled += p.byteLength;
  }
  return all;
}

/**
 * Uploads the full parts that the pending bytes and `chunks` make (R2 parts are all the same size but the last),
 * and leaves the rest pending. Bytes that stay pending are written once, in step `step`'s tail object, and their
 * range is added to the state: a step does not write again what earlier steps left (which made an output smaller
 * than a part, written a slice a step, cost its size times half the steps). The upload's id is kept under tmp,
 * where a re-run of the step that created it finds it, and where discardDerivation finds it to abort it.
 */
async function writeParts(bucket: R2Bucket, input: DerivationInput, part: PartState, target: PartTarget, step: number, chunks: Uint8Array[]): Promise<void> {
  const fresh = chunks.length === 1 ? chunks[0]! : concat(chunks);
  part.bytes += fresh.byteLength;
  const tailKey = `${tmp(input)}${target.name}-tail-${step}`;
  // A part of a chain of the release before pending tails (no `pending`) is stepped as that release steps it: its
  // tail and the new bytes written together in this step's tail object, and no `pending` kept. The same state then
  // makes the same objects whichever release runs the step (a duplicate of the step on the other release's isolate
  // during a deploy overwrites `<name>-tail-<step>` with the same bytes, not a whole tail over a range of new ones).
  if (part.pending && part.tail + fresh.byteLength < PART_BYTES && part.pending.length < MAX_PENDING) {
    // No part fills: the new bytes wait beside the earlier ones.
    const pending = part.pending;
    if (fresh.byteLength) {
      await bucket.put(tailKey, fresh);
      pending.push([step, 0, fresh.byteLength]);
    }
    part.pending = pending;
    part.tail += fresh.byteLength;
    part.tailStep = step;
    return;
  }
  const all = part.tail ? concat([await tailOf(bucket, input, part, target), fresh]) : fresh;
  const key = input.prefix + target.name;
  const record = `${tmp(input)}${target.name}-upload`;
  let at = 0;
  const uploaded: R2UploadedPart[] = [];
  for (; all.byteLength - at >= PART_BYTES; at += PART_BYTES) {
    if (!part.upload) part.upload = (await (await bucket.get(record))?.text()) ?? null;
    if (!part.upload) {
      const upload = await bucket.createMultipartUpload(key, { httpMetadata: { contentType: target.contentType } });
      part.upload = upload.uploadId;
      await bucket.put(record, upload.uploadId);
    }
    uploaded.push(await bucket.resumeMultipartUpload(key, part.upload).uploadPart(part.parts + 1, all.subarray(at, at + PART_BYTES)));
    part.parts++;
  }
  if (uploaded.length) {
    await putJson(bucket, `${tmp(input)}${target.name}-etags-${step}`, uploaded.map((p) => [p.partNumber, p.etag]));
    part.etagSteps.push(step);
  }
  part.tail = all.byteLength - at;
  part.tailStep = step;
  if (part.pending) part.pending = part.tail ? [[step, 0, part.tail]] : [];
  if (part.tail) await bucket.put(tailKey, all.subarray(at));
}

/** The object's last part (or the whole object when under one part); answers whether it has any byte. */
async function completeParts(bucket: R2Bucket, input: DerivationInput, part: PartState, target: PartTarget): Promise<boolean> {
  if (part.bytes === 0) return false;
  const key = input.prefix + target.name;
  const tail = await tailOf(bucket, input, part, target);
  if (!part.upload) {
    await bucket.put(key, tail, { httpMetadata: { contentType: target.contentType } });
    return true;
  }
  // A finish step run again after the upload completed finds the object whole.
  if ((await bucket.head(key))?.size === part.bytes) return true;
  const upload = bucket.resumeMultipartUpload(key, part.upload);
  const parts: R2UploadedPart[] = [];
  for (const step of part.etagSteps) {
    const listed = (await (await bucket.get(`${tmp(input)}${target.name}-etags-${step}`))!.json()) as Array<[number, string]>;
    for (const [partNumber, etag] of listed) parts.push({ partNumber, etag });
  }
  if (tail.byteLength) parts.push(await upload.uploadPart(parts.length + 1, tail));
  await upload.complete(parts);
  return true;
}

const runsOf = (input: DerivationInput, entries: RunEntry[]): Run[] => entries.map(([name, size]) => ({ key: `${tmp(input)}${name}`, size }));
const countOf = (entries: RunEntry[]) => entries.reduce((n, [, , records]) => n + records, 0);
const spillLimits = (l: StepLimits): SpillLimits => ({ ...SPILL_LIMITS, ...l.spill });

/**
 * Phase 4: while the members or types runs are more than `fanIn`, merges them level by level, one group
 * of `fanIn` runs per step (in order, so equal keys stay in run order): a step reads at most `fanIn` runs.
 */
async function premergeStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  const { fanIn, readBytes } = spillLimits(l);
  if (!s.level) {
    const field = s.members.length > fanIn ? "members" : s.types.length > fanIn ? "types" : undefined;
    if (!field) return tableStep(bucket, input, { ...s, phase: "table", step: 0 }, l);
    s.level = { field, merged: [] };
  }
  return mergeGroupStep(bucket, input, s, s.level.field, fanIn, readBytes);
}

/** Runs of one field merged so far at the current level of a merge in steps (mergeGroupStep). */
interface MergeLevel {
  field: "members" | "types" | "grams" | "nav" | "overrides";
  merged: RunEntry[];
}

/**
 * One group of `fanIn` runs of `field` merged into one run (the level's next), in order: equal keys stay in run order.
 * The level is kept in `s[slot]`.
 */
async function mergeGroupStep(bucket: R2Bucket, input: DerivationInput, s: State, field: MergeLevel["field"], fanIn: number, readBytes: number, slot: "level" | "navLevel" = "level"): Promise<State> {
  const level = (s[slot] ??= { field, merged: [] });
  const { merged } = level;
  const runs = s[field]!;
  const from = merged.length * fanIn;
  const group = runs.slice(from, from + fanIn);
  const name = `${field}-m${s.step}`;
  const out = new ObjectWriter(bucket, `${tmp(input)}${name}`, "text/plain; charset=utf-8");
  try {
    await mergeLines(bucket, runsOf(input, group), readBytes, out);
    await out.close();
  } catch (error) {
    await out.abort();
    throw error;
  }
  merged.push([name, out.offset, countOf(group)]);
  if (from + fanIn >= runs.length) {
    s[field] = merged;
    s[slot] = undefined;
  }
  s.step++;
  return s;
}

/**
 * Phase 5: the types table (pack range and referenced types of each type). A REFERENCE_STATE chain writes it in
 * steps: each merges the next `tableRecords` records from the types runs (their next line starts in the state) into a
 * part of its own, and the last joins the parts' layouts (SpillTable.joined) into `types-layout`, so no step's input
 * grows with the package. Earlier chains write it whole in one step, whatever its size.
 */
async function tableStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  if (!refersToSchema(s)) {
    await wholeTable(bucket, input, s, l);
    return afterTable(s);
  }
  const spill = new Spill(bucket, `${tmp(input)}table-${s.step}/`, l.spill);
  const runMerge = await RunMerge.open(bucket, runsOf(input, s.types), spill.limits.readBytes, s.tableCursors);
  async function* slice(): AsyncIterable<SpillRecord> {
    for (let n = 0, record; n < l.tableRecords && (record = await runMerge.take()); n++) yield record;
  }
  const part = await SpillTable.build(spill, "types-table", slice(), true);
  await putJson(bucket, `${tmp(input)}types-layout-${s.step}`, part.layout ?? null);
  s.tableCursors = runMerge.cursors;
  if (!runMerge.done) return { ...s, step: s.step + 1 };
  const parts: Array<SpillTable["layout"] | null> = [];
  for (let j = 0; j <= s.step; j++) parts.push((await (await bucket.get(`${tmp(input)}types-layout-${j}`))!.json()) as SpillTable["layout"] | null);
  const layout = SpillTable.joined(parts.map((p) => p ?? null));
  await putJson(bucket, `${tmp(input)}types-layout`, layout ?? null);
  return afterTable({ ...s, tableCursors: undefined });
}

/** The types table written whole, in one step (chains before REFERENCE_STATE). */
async function wholeTable(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<void> {
  const spill = new Spill(bucket, `${tmp(input)}table/`, l.spill);
  const records = SpillSorter.fromRuns(spill, "types", runsOf(input, s.types), countOf(s.types));
  const table = await SpillTable.build(spill, "types-table", records.sorted(), true);
  await putJson(bucket, `${tmp(input)}types-layout`, table.layout ?? null);
}

/** The state the index phase begins with, once the types table is written. */
function afterTable(s: State): State {
  return {
    ...s,
    phase: "index",
    step: 0,
    cursors: s.members.map(() => 0),
    lines: { entries: 0, indexBytes: 0, exampleCount: 0, sinceFence: FENCE_EVERY },
    index: newPart(keepsPending(s)),
    examples: newPart(keepsPending(s)),
    nav: [],
    overrides: [],
    fenceSteps: 0,
    search: { bytes: 0, count: 0, blockStart: 0, blockGrams: [] },
    searchMembers: newPart(keepsPending(s)),
    grams: [],
  };
}

// A step's sinks are buffers (bufferSink, and this one for text): they answer at once (see Append in derive.ts).
const textSink = (parts: string[]) => ({ write: (text: string) => void parts.push(text) });

/**
 * Phase 6: the next `indexRecords` records of the members runs, merged from where the last step stopped
 * (each run's next line start is in the state), into index and example lines (IndexLines, as deriveDocs).
 */
async function indexStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  const spill = new Spill(bucket, `${tmp(input)}index-${s.step}/`, l.spill);
  const layout = (await (await bucket.get(`${tmp(input)}types-layout`))?.json()) as SpillTable["layout"] | null;
  const types = layout ? SpillTable.open(spill, layout) : await SpillTable.build(spill, "types-table", (async function* () {})());
  const o = { naming: namingOf(await readTop(bucket, input, s)) };
  const runMerge = await RunMerge.open(bucket, runsOf(input, s.members), spill.limits.readBytes, s.cursors);
  const indexText: string[] = [];
  const exampleText: string[] = [];
  const nav: SpillRecord[] = [];
  const overrides: SpillRecord[] = [];
  const searchText: string[] = [];
  const grams: SpillRecord[] = [];
  const blockGrams = s.search && s.searchBlock ? ((await (await bucket.get(`${tmp(input)}${s.searchBlock}`))!.json()) as string[]) : undefined;
  const search = s.search ? new SearchLines(o.naming, textSink(searchText), bufferSink(grams), blockGrams ? { ...s.search, blockGrams } : s.search) : undefined;
  const lines = new IndexLines(o, types, textSink(indexText), textSink(exampleText), bufferSink(nav), bufferSink(overrides), search);
  Object.assign(lines, s.lines);
  for (let n = 0; n < l.indexRecords; n++) {
    const taken = runMerge.take();
    const record = taken instanceof Promise ? await taken : taken;
    if (!record) break;
    // A token given twice: the later definition (a later record of this run, or of a later run) is the one
    // kept, as JSON.parse keeps the last of duplicate keys.
    // (Same line key and same kind: a resource and a function, or a type, sharing a token all stay.)
    const kind = (json: string) => (JSON.parse(json) as unknown[])[0];
    if (runMerge.heads.some((h) => h !== undefined && h[0] === record[0] && kind(h[1]) === kind(record[1]))) continue;
    const added = lines.add(...record);
    if (added instanceof Promise) await added;
  }
  const done = runMerge.done;
  if (done) await search?.finish();
  const j = s.step;
  if (search) {
    await writeParts(bucket, input, s.searchMembers!, SEARCH_MEMBERS, j, [encoder.encode(searchText.join(""))]);
    const run = await writeRunObject(bucket, `${tmp(input)}grams-${j}`, grams);
    s.grams!.push([`grams-${j}`, run.size, grams.length]);
    // Kept inline while small (as earlier releases did, so their isolates can run the next step while a deploy
    // rolls out), else in a temporary object.
    const state = search.state;
    const spilled = JSON.stringify(state.blockGrams).length > SEARCH_BLOCK_STATE_BYTES;
    if (spilled) await putJson(bucket, `${tmp(input)}search-block-${j}`, state.blockGrams);
    s.search = spilled ? { ...state, blockGrams: [] } : state;
    s.searchBlock = spilled ? `search-block-${j}` : undefined;
  }
  await writeParts(bucket, input, s.index!, INDEX, j, [encoder.encode(indexText.join(""))]);
  await writeParts(bucket, input, s.examples!, EXAMPLES, j, [encoder.encode(exampleText.join(""))]);
  const [navRun, overridesRun] = await Promise.all([writeRunObject(bucket, `${tmp(input)}nav-${j}`, nav), writeRunObject(bucket, `${tmp(input)}overrides-${j}`, overrides)]);
  s.nav!.push([`nav-${j}`, navRun.size, nav.length]);
  s.overrides!.push([`overrides-${j}`, overridesRun.size, overrides.length]);
  await putJson(bucket, `${tmp(input)}fences-${j}`, lines.fences);
  s.fenceSteps = j + 1;
  const { entries, indexBytes, exampleCount, sinceFence, fenceAt, fenceKey, previous } = lines;
  s.lines = { entries, indexBytes, exampleCount, sinceFence, fenceAt, fenceKey, previous };
  s.cursors = runMerge.cursors;
  s.step++;
  if (done) return { ...s, phase: "nav", step: 0 };
  return s;
}

/**
 * Phase 7: the navigation objects (writeNavObjects) from the nav and overrides runs. Past `fanIn` runs of either
 * (an index step writes one of each), one group is merged per step first, as the premerge does: the step that
 * writes then merges at most `fanIn` runs of each. It merged them all itself before (the sorter's levels, written
 * and read again within the step): a third of its CPU, in the one step whose input is every member (Node, dense
 * 100 MiB), and the largest step of a dense 300 MiB chain.
 */
async function navStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  if (s.lines!.entries) {
    const { fanIn, readBytes } = spillLimits(l);
    for (const field of ["nav", "overrides"] as const) {
      // (Runs without a record, as most index steps' overrides runs are, are passed over by the nav step: not merged.)
      const more = !s.navLevel && s[field]!.length > fanIn && countOf(s[field]!) > 0;
      if (s.navLevel?.field === field || more) return mergeGroupStep(bucket, input, s, field, fanIn, readBytes, "navLevel");
    }
    const spill = new Spill(bucket, `${tmp(input)}nav/`, l.spill);
    const naming = namingOf(await readTop(bucket, input, s));
    const items = SpillSorter.fromRuns(spill, "nav", runsOf(input, s.nav!), countOf(s.nav!));
    const overrides = SpillSorter.fromRuns(spill, "overrides", runsOf(input, s.overrides!), countOf(s.overrides!));
    // A POSTINGS_STATE or later chain writes the posting lists in steps of their own; earlier chains, here.
    const postingsPhase = hasPostingsPhase(s) && !!s.search && !!s.grams;
    const search = s.search && s.grams && !postingsPhase
      ? { grams: SpillSorter.fromRuns(spill, "grams", runsOf(input, s.grams), countOf(s.grams)).sorted(), members: s.search.count, membersBytes: s.search.bytes }
      : undefined;
    const navObjects = await writeNavObjects(bucket, input.prefix, naming, items, overrides, search);
    return { ...s, phase: postingsPhase ? "postings" : "finish", step: 0, navSummary: true, navObjects };
  }
  return { ...s, phase: "finish", step: 0, navSummary: false };
}

/** Trigram records a postings step reads for each member record an index step reads (a member makes ~10 of them). */
const POSTINGS_PER_INDEX_RECORD = 16;

/**
 * Phase 8 (POSTINGS_STATE chains): the search index's posting lists and dictionary (PostingLines, as
 * writePostings writes them in deriveDocs) from the trigram runs. Past `fanIn` runs a step merges one group;
 * then each step merges the next records from the run positions in the state, ending at a trigram's end once it
 * has read its share; the last step writes search-head.json (and the fences' tree).
 */
async function postingsStep(bucket: R2Bucket, input: DerivationInput, s: State, l: StepLimits): Promise<State> {
  const { fanIn, readBytes } = spillLimits(l);
  if (s.level || s.grams!.length > fanIn) return mergeGroupStep(bucket, input, s, "grams", fanIn, readBytes);
  const p = (s.postings ??= { cursors: s.grams!.map(() => 0), bin: newPart(true), dictionary: newPart(true), trigrams: 0, dictionaryBytes: 0, fenceSteps: [] });
  const runMerge = await RunMerge.open(bucket, runsOf(input, s.grams!), readBytes, p.cursors);
  const bin: Uint8Array[] = [];
  let binBytes = 0;
  const sink: PostingsSink = {
    get offset() {
      return p.bin.bytes + binBytes;
    },
    write: (bytes) => {
      bin.push(bytes);
      binBytes += bytes.byteLength;
    },
  };
  const dictionary: string[] = [];
  const lines = new PostingLines(sink, textSink(dictionary), p);
  const budget = l.indexRecords * POSTINGS_PER_INDEX_RECORD;
  for (let n = 0; ; n++) {
    const next = runMerge.peek();
    // Past its share, a step ends where a trigram does: the state carries no half-built posting list.
    if (!next || (n >= budget && next[0] !== lines.gram)) break;
    const taken = runMerge.take();
    const added = lines.add(...(taken instanceof Promise ? await taken : taken)!);
    if (added instanceof Promise) await added;
  }
  await lines.flush();
  const j = s.step;
  await writeParts(bucket, input, p.bin, POSTINGS, j, bin);
  await writeParts(bucket, input, p.dictionary, TRIGRAMS, j, [encoder.encode(dictionary.join(""))]);
  if (lines.fences.length) {
    await putJson(bucket, `${tmp(input)}search-fences-${j}`, lines.fences);
    p.fenceSteps.push(j);
  }
  p.trigrams = lines.trigrams;
  p.dictionaryBytes = lines.dictionaryBytes;
  p.cursors = runMerge.cursors;
  s.step++;
  if (!runMerge.done) return s;
  const fences: SearchHead["fences"] = [];
  for (const k of p.fenceSteps) fences.push(...((await (await bucket.get(`${tmp(input)}search-fences-${k}`))!.json()) as SearchHead["fences"]));
  const naming = namingOf(await readTop(bucket, input, s));
  const counts = { members: s.search!.count, membersBytes: s.search!.bytes, trigrams: p.trigrams, postingsBytes: p.bin.bytes, trigramsBytes: p.dictionaryBytes };
  const objects = await writeSearchHead(bucket, input.prefix, naming, counts, fences);
  return { ...s, phase: "finish", step: 0, navObjects: [...(s.navObjects ?? []), ...objects] };
}

/** Phase 9: the multipart objects completed, the README objects, and last the manifest. */
async function finishStep(bucket: R2Bucket, input: DerivationInput, s: State): Promise<Record<string, string>> {
  const { prefix } = input;
  const texts = Promise.all([readContent(bucket, input.readmeKey), readContent(bucket, input.installationKey)]);
  texts.catch(() => undefined);
  const written: DocsObject[] = [];
  if (await completeParts(bucket, input, s.pack, PACK)) written.push("pack");
  if (await completeParts(bucket, input, s.index!, INDEX)) written.push("index.tsv");
  if (await completeParts(bucket, input, s.examples!, EXAMPLES)) written.push("examples.tsv");
  // What writeNavObjects wrote (a chain whose nav step ran before it was kept: the objects every such step wrote).
  if (s.navSummary) written.push(...(s.navObjects ?? [...NAV_OBJECTS, ...(s.search ? SEARCH_POSTING_OBJECTS : [])]));
  if (s.searchMembers && (await completeParts(bucket, input, s.searchMembers, SEARCH_MEMBERS))) written.push("search-members.jsonl");
  // Listed by the postings phase already; written even when empty, as writePostings writes them.
  for (const [part, target] of s.postings ? ([[s.postings.bin, POSTINGS], [s.postings.dictionary, TRIGRAMS]] as const) : []) {
    if (!(await completeParts(bucket, input, part, target))) await bucket.put(input.prefix + target.name, new Uint8Array(0), { httpMetadata: { contentType: target.contentType } });
  }
  const fences: Fence[] = [];
  for (let j = 0; j < s.fenceSteps!; j++) fences.push(...((await (await bucket.get(`${tmp(input)}fences-${j}`))!.json()) as Fence[]));
  const [readme, installation] = await texts;
  const top = await readTop(bucket, input, s);
  const small: Array<[DocsObject, unknown]> = [];
  if (readme?.length) small.push(["readme.json", readme]);
  if (installation) small.push(["installation.json", installation]);
  await Promise.all(small.map(([name, value]) => putJson(bucket, prefix + name, value)));
  written.push(...small.map(([name]) => name));
  const { entries, indexBytes, exampleCount } = s.lines!;
  const indexFences = await writeIndexFences(bucket, prefix, fences, indexBytes);
  if (indexFences.fenceTree) written.push("index-fences.tsv");
  const manifest: Manifest = {
    format: refersToSchema(s) ? DOCS_FORMAT : 3,
    layout: DOCS_LAYOUT,
    entries,
    indexBytes,
    ...indexFences,
    examples: exampleCount,
    hasInstallation: installation !== undefined,
    package: packageFacts(top),
    naming: namingOf(top),
    ...(refersToSchema(s) ? { schema: input.schemaKey } : {}),
  };
  await putJson(bucket, prefix + "manifest.json", manifest);
  written.push("manifest.json");
  return Object.fromEntries(written.map((w) => [artifactName(w), prefix + w]));
}

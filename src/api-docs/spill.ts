// Temporary R2 objects that hold a docs derivation's per-token state, so that its memory stays flat in the schema's size.
//
// Two shapes, both over string records `key → value`:
// - SpillSorter: an external merge sort. Records are buffered up to `runBytes`, then sorted and
//   written as one run object; reading merges the runs by range reads of `readBytes`, at most
//   `fanIn` runs at once (more are first merged in groups into bigger runs). Stable: records with
//   equal keys come out in the order they were added. Below `runBytes` nothing is written at all.
// - SpillTable: a sorted stream written as blocks of about `blockBytes` into one object, with one
//   fence (first key, offset, length) per block kept in memory, and the last `cacheBlocks` blocks
//   read kept parsed. Equal keys: the last one wins. A table of one block stays in memory.
// Every object lives under one derivation's own `tmp/<random id>/` prefix (two derivations of the
// same version at once never share one) and `Spill.cleanup` deletes all of them, on success and on
// failure alike.
import { ObjectWriter } from "./storage";
import { contentDecoder, contentText } from "./utf8";

export interface SpillLimits {
  /** Record bytes a sorter holds before it writes them out as a sorted run. */
  runBytes: number;
  /** Bytes of one range read of a run while merging. */
  readBytes: number;
  /** Runs merged at once. */
  fanIn: number;
  /** Bytes of one block of a lookup table. */
  blockBytes: number;
  /** Blocks of one lookup table kept parsed in memory. */
  cacheBlocks: number;
  /** Told the key of every temporary object as it is created (tests and measurements). */
  onTemporary?: (key: string) => void;
}

const MiB = 1024 * 1024;
/** See docs/api-docs.md ("Memory and storage operations") for what these cost in memory and R2 calls. */
export const SPILL_LIMITS: SpillLimits = { runBytes: 4 * MiB, readBytes: 1 * MiB, fanIn: 12, blockBytes: 1 * MiB, cacheBlocks: 4 };

export type SpillRecord = [key: string, value: string];

const encoder = new TextEncoder();

const escape = (s: string) => (/[\\\t\n]/.test(s) ? s.replace(/[\\\t\n]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : "\\n")) : s);
const unescape = (s: string) => (s.includes("\\") ? s.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c)) : s);
/** A record as one line of a run. */
export const spillLine = ([key, value]: SpillRecord) => `${escape(key)}\t${escape(value)}\n`;
function parseLine(text: string): SpillRecord {
  const tab = text.indexOf("\t");
  return [unescape(text.slice(0, tab)), unescape(text.slice(tab + 1))];
}
const byKey = (a: SpillRecord, b: SpillRecord) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** One derivation's temporary objects: names them, and deletes them. */
export class Spill {
  private readonly live = new Set<string>();
  private count = 0;
  readonly limits: SpillLimits;

  constructor(
    readonly bucket: R2Bucket,
    /** Ends with `/`. */
    readonly prefix: string,
    limits: Partial<SpillLimits> = {},
  ) {
    this.limits = { ...SPILL_LIMITS, ...limits };
  }

  /** A fresh key for a temporary object, remembered until it is removed. */
  key(name: string): string {
    const key = `${this.prefix}${name}-${this.count++}`;
    this.live.add(key);
    this.limits.onTemporary?.(key);
    return key;
  }

  async remove(keys: string[]): Promise<void> {
    // R2 deletes up to 1000 keys per call.
    for (let i = 0; i < keys.length; i += 1000) await this.bucket.delete(keys.slice(i, i + 1000));
    for (const k of keys) this.live.delete(k);
  }

  /** Deletes every temporary object still there. */
  async cleanup(): Promise<void> {
    await this.remove([...this.live]);
  }
}

/** The characters a TextWriter gathers before it encodes them and hands them to its ObjectWriter. */
const TEXT_FLUSH_CHARS = 64 * 1024;

/** Writes text as it is produced, encoding it in batches (one small array per record would be costly). */
export class TextWriter {
  private pending = "";
  constructor(readonly writer: ObjectWriter) {}

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= TEXT_FLUSH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending) return;
    const bytes = encoder.encode(this.pending);
    this.pending = "";
    await this.writer.write(bytes);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer.close();
  }
}

/** Writes records as run lines, joined into pieces of about TextWriter's flush size: one write (a promise turn) a piece, not a line. */
async function writeLines(out: TextWriter, records: readonly SpillRecord[]): Promise<void> {
  let piece = "";
  for (const r of records) {
    piece += spillLine(r);
    if (piece.length >= TEXT_FLUSH_CHARS) {
      await out.write(piece);
      piece = "";
    }
  }
  if (piece) await out.write(piece);
}

/** Runs `fill` into a new object, aborting its upload if anything fails. */
async function writeObject(bucket: R2Bucket, key: string, contentType: string, fill: (out: TextWriter) => Promise<void>): Promise<number> {
  const out = new TextWriter(new ObjectWriter(bucket, key, contentType));
  try {
    await fill(out);
    await out.close();
  } catch (error) {
    await out.writer.abort();
    throw error;
  }
  return out.writer.offset;
}

export interface Run {
  key: string;
  size: number;
}

/**
 * Writes `records` sorted by key (stable) as one run object at `key` (overwriting it), in the format
 * SpillSorter reads; an empty run writes nothing. Answers the run. For derivations in steps, whose
 * runs are named by the step that wrote them.
 */
export async function writeRunObject(bucket: R2Bucket, key: string, records: SpillRecord[]): Promise<Run> {
  const size = await writeObject(bucket, key, "text/plain; charset=utf-8", (out) => writeLines(out, records.sort(byKey)));
  return { key, size };
}

/**
 * Reads one run's records in order, `readBytes` at a time. Each line is decoded on its own: a
 * record kept by a caller (in another sorter's buffer) must not be a slice of a whole block's
 * string, which would keep every block it came from alive.
 */
export class RunReader {
  private offset: number;
  private block = new Uint8Array(0);
  private at = 0;
  /** The run's offset of `block[0]`. */
  private base: number;
  /** Where the line `next` answered last starts in the run (a merge resumes there). */
  lineStart: number;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly run: Run,
    private readonly readBytes: number,
    /** The run's offset to read from: 0, or a line start answered before. */
    start = 0,
  ) {
    this.offset = this.base = this.lineStart = start;
  }

  /**
   * The next record, or undefined after the last. Answered at once (not a promise) while its line is in the block
   * read last: a merge takes hundreds of thousands of records a step, and a promise turn for each was measurable.
   */
  next(): SpillRecord | undefined | Promise<SpillRecord | undefined> {
    const end = this.block.indexOf(10, this.at);
    return end >= 0 ? this.record(end) : this.lineEnd().then((e) => (e < 0 ? undefined : this.record(e)));
  }

  /**
   * The next line's key and its bytes as written, newline included: what a merge that copies lines unchanged needs
   * (mergeLines). Only the key is decoded. Answered at once while the line is in the block read last, as `next`.
   */
  nextLine(): [key: string, line: Uint8Array] | undefined | Promise<[key: string, line: Uint8Array] | undefined> {
    const end = this.block.indexOf(10, this.at);
    return end >= 0 ? this.line(end) : this.lineEnd().then((e) => (e < 0 ? undefined : this.line(e)));
  }

  private record(end: number): SpillRecord {
    const text = contentDecoder.decode(this.block.subarray(this.at, end));
    this.lineStart = this.base + this.at;
    this.at = end + 1;
    return parseLine(text);
  }

  private line(end: number): [key: string, line: Uint8Array] {
    const tab = this.block.indexOf(9, this.at);
    const key = unescape(contentDecoder.decode(this.block.subarray(this.at, tab >= 0 && tab < end ? tab : end)));
    const line = this.block.subarray(this.at, end + 1);
    this.lineStart = this.base + this.at;
    this.at = end + 1;
    return [key, line];
  }

  /** Where the next line ends in `block` (its newline), reading on into the run as needed; -1 after the last line. */
  private async lineEnd(): Promise<number> {
    for (;;) {
      const end = this.block.indexOf(10, this.at);
      if (end >= 0) return end;
      this.lineStart = this.run.size;
      if (this.offset >= this.run.size) return -1;
      const length = Math.min(this.readBytes, this.run.size - this.offset);
      const object = await this.bucket.get(this.run.key, { range: { offset: this.offset, length } });
      if (!object) throw new Error(`temporary docs object ${this.run.key} is missing`);
      const bytes = new Uint8Array(await object.arrayBuffer());
      this.offset += length;
      // The unfinished line of the last block goes in front of the new one.
      const rest = this.block.subarray(this.at);
      this.base += this.at;
      const joined = new Uint8Array(rest.byteLength + bytes.byteLength);
      joined.set(rest);
      joined.set(bytes, rest.byteLength);
      this.block = joined;
      this.at = 0;
    }
  }
}

/**
 * Merges sorted runs into `out` as one run, copying each line's bytes as they were written: the same bytes as merge()
 * then spillLine(), without decoding, unescaping, escaping and encoding every value again. Equal keys come out in run
 * order.
 */
export async function mergeLines(bucket: R2Bucket, runs: Run[], readBytes: number, out: ObjectWriter): Promise<void> {
  const readers = runs.map((run) => new RunReader(bucket, run, readBytes));
  const heads = await Promise.all(readers.map((r) => r.nextLine()));
  // Lines are gathered into chunks of about 64 KiB (the writer keeps each chunk it is given).
  let chunk = new Uint8Array(64 * 1024);
  let used = 0;
  for (;;) {
    const best = firstHead(heads);
    if (best < 0) break;
    const line = heads[best]![1];
    if (used + line.byteLength > chunk.byteLength) {
      if (used) await out.write(chunk.subarray(0, used));
      chunk = new Uint8Array(Math.max(64 * 1024, line.byteLength));
      used = 0;
    }
    chunk.set(line, used);
    used += line.byteLength;
    const next = readers[best]!.nextLine();
    heads[best] = next instanceof Promise ? await next : next;
  }
  if (used) await out.write(chunk.subarray(0, used));
}

/** Which run's head a merge takes next: the least key, of equal keys the earliest run's; -1 once every run is done. */
function firstHead(heads: ReadonlyArray<readonly [key: string, ...unknown[]] | undefined>): number {
  let best = -1;
  for (let i = 0; i < heads.length; i++) {
    const head = heads[i];
    if (head && (best < 0 || head[0] < heads[best]![0])) best = i;
  }
  return best;
}

/** Merges sorted runs; equal keys come out in run order. */
export async function* merge(bucket: R2Bucket, runs: Run[], readBytes: number): AsyncGenerator<SpillRecord> {
  const runMerge = await RunMerge.open(bucket, runs, readBytes);
  for (let record = await runMerge.take(); record; record = await runMerge.take()) yield record;
}

/**
 * A merge of sorted runs by key (of equal keys, the earlier run's first) that can stop after any record and go on
 * later, in another invocation, from `cursors` (each run's next line start): what a derivation in steps merges with.
 */
export class RunMerge {
  private constructor(
    private readonly readers: RunReader[],
    /** Each run's next record, not taken yet (undefined once the run is done). */
    readonly heads: Array<SpillRecord | undefined>,
  ) {}

  static async open(bucket: R2Bucket, runs: Run[], readBytes: number, cursors?: number[]): Promise<RunMerge> {
    const readers = runs.map((run, i) => new RunReader(bucket, run, readBytes, cursors?.[i] ?? 0));
    return new RunMerge(readers, await Promise.all(readers.map((r) => r.next())));
  }

  /** The next record, not taken (undefined once every run is done). */
  peek(): SpillRecord | undefined {
    const best = this.best();
    return best < 0 ? undefined : this.heads[best];
  }

  /**
   * Takes the next record: at once (not a promise) unless the run it came from must be read on to find its next
   * head (RunReader.next). A caller in a hot loop awaits only a promise (`instanceof Promise`).
   */
  take(): SpillRecord | undefined | Promise<SpillRecord | undefined> {
    const best = this.best();
    if (best < 0) return undefined;
    const record = this.heads[best]!;
    const next = this.readers[best]!.next();
    if (!(next instanceof Promise)) {
      this.heads[best] = next;
      return record;
    }
    return next.then((head) => {
      this.heads[best] = head;
      return record;
    });
  }

  get done(): boolean {
    return this.heads.every((h) => h === undefined);
  }

  /** Where each run's next record starts: the merge goes on from there. */
  get cursors(): number[] {
    return this.readers.map((r) => r.lineStart);
  }

  private best(): number {
    return firstHead(this.heads);
  }
}

export class SpillSorter {
  private buffer: SpillRecord[] = [];
  private bytes = 0;
  private runs: Run[] = [];
  /** Runs this sorter did not write (`fromRuns`): merged, never deleted. */
  private readonly borrowed = new Set<string>();
  /** Records added. */
  size = 0;

  constructor(
    private readonly spill: Spill,
    private readonly name: string,
  ) {}

  /** A sorter over runs written earlier (in order: equal keys come out in run order), holding `size` records. */
  static fromRuns(spill: Spill, name: string, runs: Run[], size: number): SpillSorter {
    const sorter = new SpillSorter(spill, name);
    sorter.runs = runs.filter((r) => r.size > 0);
    for (const r of sorter.runs) sorter.borrowed.add(r.key);
    sorter.size = size;
    return sorter;
  }

  async add(key: string, value: string): Promise<void> {
    this.buffer.push([key, value]);
    this.size++;
    this.bytes += key.length + value.length + 2;
    if (this.bytes >= this.spill.limits.runBytes) await this.writeRun();
  }

  private async writeRun(): Promise<void> {
    const records = this.buffer.sort(byKey);
    this.buffer = [];
    this.bytes = 0;
    const key = this.spill.key(this.name);
    const size = await writeObject(this.spill.bucket, key, "text/plain; charset=utf-8", (out) => writeLines(out, records));
    this.runs.push({ key, size });
  }

  /** Every record, sorted by key (stable). Read once. */
  async *sorted(): AsyncGenerator<SpillRecord> {
    if (!this.runs.length) {
      const records = this.buffer.sort(byKey);
      this.buffer = [];
      yield* records;
      return;
    }
    if (this.buffer.length) await this.writeRun();
    const { bucket, limits } = this.spill;
    let runs = this.runs;
    this.runs = [];
    while (runs.length > limits.fanIn) {
      const merged: Run[] = [];
      for (let i = 0; i < runs.length; i += limits.fanIn) {
        const group = runs.slice(i, i + limits.fanIn);
        const key = this.spill.key(this.name);
        const size = await writeObject(bucket, key, "text/plain; charset=utf-8", async (out) => {
          for await (const r of merge(bucket, group, limits.readBytes)) await out.write(spillLine(r));
        });
        merged.push({ key, size });
        await this.spill.remove(group.map((r) => r.key).filter((k) => !this.borrowed.has(k)));
      }
      runs = merged;
    }
    yield* merge(bucket, runs, limits.readBytes);
  }
}

export interface Fence {
  key: string;
  offset: number;
  length: number;
  /** The object the block lies in, when not the table's (a table written in parts: SpillTable.joined). */
  object?: string;
}

export class SpillTable {
  private readonly cache = new Map<number, Map<string, string>>();

  private constructor(
    private readonly spill: Spill,
    private readonly key: string | undefined,
    private readonly fences: Fence[],
    inMemory?: Map<string, string>,
  ) {
    if (inMemory) this.cache.set(0, inMemory);
  }

  /** A table written before (`layout` of the table `build` answered). */
  static open(spill: Spill, layout: { key: string; fences: Fence[] }): SpillTable {
    return new SpillTable(spill, layout.key, layout.fences);
  }

  /** Where a written table lies (undefined for a table kept in memory). */
  get layout(): { key: string; fences: Fence[] } | undefined {
    return this.key ? { key: this.key, fences: this.fences } : undefined;
  }

  /**
   * One table of tables written one after another from consecutive slices of the same sorted records (a derivation
   * in steps writes one a step): each fence names its part's object. Of equal keys the last is kept, as in one
   * table, even when they straddle two parts: a lookup reads the last block whose first key is at or before its
   * key, which is then the later part's, holding the later record. Undefined when no part holds a record.
   */
  static joined(parts: Array<{ key: string; fences: Fence[] } | null>): { key: string; fences: Fence[] } | undefined {
    const written = parts.filter((p): p is { key: string; fences: Fence[] } => p !== null);
    if (!written.length) return undefined;
    return { key: written[0]!.key, fences: written.flatMap((p) => p.fences.map((f) => ({ ...f, object: f.object ?? p.key }))) };
  }

  /** Writes a table from records sorted by key; of equal keys the last is kept. `persist`: written even when small. */
  static async build(spill: Spill, name: string, records: AsyncIterable<SpillRecord>, persist = false): Promise<SpillTable> {
    const { blockBytes } = spill.limits;
    let block: SpillRecord[] = [];
    let blockChars = 0;
    let out: TextWriter | undefined;
    let key: string | undefined;
    const fences: Fence[] = [];
    const writeBlock = async () => {
      if (!out) {
        key = spill.key(name);
        out = new TextWriter(new ObjectWriter(spill.bucket, key, "text/plain; charset=utf-8"));
      }
      const bytes = encoder.encode(block.map(spillLine).join(""));
      fences.push({ key: block[0]![0], offset: out.writer.offset, length: bytes.byteLength });
      await out.writer.write(bytes);
      block = [];
      blockChars = 0;
    };
    try {
      for await (const record of records) {
        const last = block[block.length - 1];
        if (last && last[0] === record[0]) {
          blockChars += record[1].length - last[1].length;
          block[block.length - 1] = record;
          continue;
        }
        // A key equal to the last one of the previous block cannot occur: records arrive sorted, and
        // equal keys are joined above before a block is closed (a block closes only on a new key).
        if (blockChars >= blockBytes) await writeBlock();
        block.push(record);
        blockChars += record[0].length + record[1].length + 2;
      }
      if (!out && !(persist && block.length)) return new SpillTable(spill, undefined, [], new Map(block));
      if (block.length) await writeBlock();
      await out!.close();
    } catch (error) {
      await out?.writer.abort();
      throw error;
    }
    return new SpillTable(spill, key, fences);
  }

  /** A key's record: at once (not a promise) when the table is in memory or the key's block is cached. */
  get(k: string): string | undefined | Promise<string | undefined> {
    if (!this.key) return this.cache.get(0)!.get(k);
    const { fences } = this;
    if (!fences.length || k < fences[0]!.key) return undefined;
    let lo = 0;
    let hi = fences.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fences[mid]!.key <= k) lo = mid;
      else hi = mid - 1;
    }
    const cached = this.cache.get(lo);
    if (!cached) return this.block(lo).then((records) => records.get(k));
    // Most recently used last: the first entry is the one evicted.
    this.cache.delete(lo);
    this.cache.set(lo, cached);
    return cached.get(k);
  }

  /** Reads block `n` into the cache, evicting the least recently used past `cacheBlocks`. */
  private async block(n: number): Promise<Map<string, string>> {
    const fence = this.fences[n]!;
    const key = fence.object ?? this.key!;
    const object = await this.spill.bucket.get(key, { range: { offset: fence.offset, length: fence.length } });
    if (!object) throw new Error(`temporary docs object ${key} is missing`);
    const text = await contentText(object);
    const records = new Map<string, string>();
    for (const l of text.split("\n")) if (l) records.set(...parseLine(l));
    if (this.cache.size >= this.spill.limits.cacheBlocks) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(n, records);
    return records;
  }
}

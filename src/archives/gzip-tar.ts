// Streaming, bounded walk over a gzip tar upload: gunzip with the runtime, read tar blocks as they arrive,
// hand each regular file to a visitor (which reads it or lets it be skipped), and stop the moment a bound is
// crossed. Shared by every kind whose artifact is an archive; `label` names it in every error.
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";
import { BLOCK, BlockReader, ignoreCancelFailure, readAtLeast } from "./block-reader";
import { checkSafeName, cString, isZero, normalize, notTar, parseHeader, parsePax, quoted, type Header, type PaxRecords } from "./tar-format";

export interface TarLimits {
  archiveUnpackedBytes: number;
  archiveEntries: number;
}

/** A regular file of the archive, as an extractor would name it. */
export interface TarFile {
  /** Normalized (`./a//b` → `a/b`). */
  name: string;
  /** As stored, for messages. */
  rawName: string;
  size: number;
  mode: number;
  /** The file's bytes; the visitor checks `size` against its own cap first. Unread files are skipped. */
  read(): Promise<Uint8Array>;
}

export interface TarTotals {
  /** Entries other than tar meta headers: regular files and (tolerated) directories. */
  entries: number;
  /** Sum of the sizes of those entries. */
  unpackedBytes: number;
}

/** A pax record or GNU long name is a path, never megabytes; it is buffered, so it is capped. */
const META_MAX_BYTES = 1024 * 1024;
/**
 * Meta headers do not count as entries, so a run of them is capped: otherwise an endless run of
 * empty pax headers would inflate forever without crossing the entry or byte bounds.
 */
const META_RUN_MAX = 8;

const LINK_TYPES: Record<string, string> = {
  "1": "hard link",
  "2": "symbolic link",
  "3": "character device",
  "4": "block device",
  "6": "FIFO",
};

const isMeta = (header: Header) => header.type === "x" || header.type === "g" || header.type === "L" || header.type === "K";

export async function walkGzipTar(
  stream: ReadableStream<Uint8Array>,
  limits: TarLimits,
  label: string,
  visit: (file: TarFile) => Promise<void> | void,
): Promise<TarTotals> {
  const tar = await gunzipped(stream, label);
  try {
    return await new TarWalk(tar, limits, label).run(visit);
  } finally {
    // On success after the end-of-archive blocks, or on any rejection: inflate nothing more.
    await tar.cancel();
  }
}

/** The inflated stream, after checking the gzip magic on the first bytes. */
async function gunzipped(stream: ReadableStream<Uint8Array>, label: string): Promise<BlockReader> {
  const source = stream.getReader();
  let head: Uint8Array;
  try {
    head = await readAtLeast(source, 2);
  } catch (error) {
    await source.cancel().catch(ignoreCancelFailure);
    throw error;
  }
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    await source.cancel().catch(ignoreCancelFailure);
    throw badRequest(`${label} is not gzip-compressed`);
  }

  // Re-emit the peeked bytes, then the rest; remember a failure of the upload itself so it is not
  // mistaken for a corrupt gzip stream (that would be a 400 for the server's own fault).
  let sourceFailure: { error: unknown } | undefined;
  let pending: Uint8Array | undefined = head;
  const replayed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending) {
        controller.enqueue(pending);
        pending = undefined;
        return;
      }
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await source.read();
      } catch (error) {
        sourceFailure = { error };
        throw error;
      }
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel(reason) {
      return source.cancel(reason);
    },
  });

  return new BlockReader(replayed.pipeThrough(new DecompressionStream("gzip")).getReader(), (error) => {
    if (sourceFailure) throw sourceFailure.error;
    const detail = error instanceof Error ? `: ${error.message}` : "";
    throw badRequest(`${label} is not a valid gzip stream${detail}`);
  });
}

interface Entry {
  rawName: string;
  name: string;
  size: number;
  type: string;
  mode: number;
}

/** One pass over the tar blocks: headers, meta records that rename the next entry, entries, the end. */
class TarWalk {
  private entries = 0;
  private unpackedBytes = 0;
  // Bytes of meta records, charged to the same budget so that they cannot inflate without bound.
  private metaBytes = 0;
  private pax: PaxRecords = {};
  private gnuLongName: string | undefined;
  private metaRun = 0;
  private first = true;

  constructor(
    private readonly tar: BlockReader,
    private readonly limits: TarLimits,
    private readonly label: string,
  ) {}

  async run(visit: (file: TarFile) => Promise<void> | void): Promise<TarTotals> {
    for (;;) {
      const header = await this.nextHeader();
      if (!header) return { entries: this.entries, unpackedBytes: this.unpackedBytes };
      if (isMeta(header)) {
        await this.absorbMeta(header);
        continue;
      }
      const entry = this.admit(header);
      if (entry.type === "5") {
        // Directories carry no data; tolerated because tar tools other than the CLI write them.
        if (!(await this.tar.skipPadded(entry.size))) throw this.truncatedIn(entry.rawName);
        continue;
      }
      await this.visitFile(entry, visit);
    }
  }

  /** The next header block; undefined at the end of the archive (two zero blocks, or a clean end of stream). */
  private async nextHeader(): Promise<Header | undefined> {
    const block = await this.tar.read(BLOCK);
    if (block.length === 0) {
      if (this.metaRun > 0) throw badRequest(`${this.label} is truncated: it ends after an extended header`);
      return undefined;
    }
    if (block.length < BLOCK) {
      throw this.first ? notTar(this.label, "shorter than one header block") : badRequest(`${this.label} is truncated: it ends inside a header`);
    }
    if (isZero(block)) {
      // Two zero blocks end the archive; a lone zero block followed by more data is not tar (as Go's reader says).
      const next = await this.tar.read(BLOCK);
      if (isZero(next)) return undefined;
      throw notTar(this.label, "a lone zero block is followed by data");
    }
    const header = parseHeader(block, this.label);
    this.first = false;
    return header;
  }

  /** A pax or GNU meta header: its records apply to the next entry. */
  private async absorbMeta(header: Header): Promise<void> {
    this.metaRun += 1;
    if (this.metaRun > META_RUN_MAX) throw badRequest(`${this.label} has more than ${META_RUN_MAX} extended headers in a row`);
    if (header.size > META_MAX_BYTES) {
      throw badRequest(`${this.label} has an extended header of ${header.size} bytes (at most ${META_MAX_BYTES})`);
    }
    this.charge(header.size, header.name);
    this.metaBytes += header.size;
    const data = await this.tar.readPadded(header.size);
    if (!data) throw badRequest(`${this.label} is truncated: it ends inside an extended header`);
    if (header.type === "x") {
      this.pax = { ...this.pax, ...parsePax(data, this.label) };
    } else if (header.type === "g") {
      const records = parsePax(data, this.label);
      // Readers disagree on a global `path`/`size` (POSIX applies it to every later entry, Go ignores
      // it), so the names checked here could differ from the names extracted: refuse rather than guess.
      if (records.path !== undefined || records.size !== undefined) {
        throw badRequest(`${this.label} has a pax global header that sets 'path' or 'size'`);
      }
    } else if (header.type === "L") {
      this.gnuLongName = cString(data);
    }
    // 'K' (GNU long link target) only matters for links, which are refused in admit().
  }

  /** The entry a header describes, once its names, type and size pass; the pending meta records are used up. */
  private admit(header: Header): Entry {
    // Precedence as in Go's archive/tar, which is what the Pulumi CLI extracts with.
    const candidates = [header.name, this.pax.path, this.gnuLongName].filter((n): n is string => n !== undefined);
    const rawName = this.gnuLongName ?? this.pax.path ?? header.name;
    const size = this.pax.size ?? header.size;
    this.pax = {};
    this.gnuLongName = undefined;
    this.metaRun = 0;

    for (const candidate of candidates) checkSafeName(candidate, this.label);
    let type = header.type;
    if (type === "\0") type = rawName.endsWith("/") ? "5" : "0";

    this.entries += 1;
    if (this.entries > this.limits.archiveEntries) {
      throw badRequest(`${this.label} has more than ${this.limits.archiveEntries} entries (at entry ${quoted(rawName)})`);
    }
    const linkKind = LINK_TYPES[type];
    if (linkKind) throw badRequest(`${this.label} entry ${quoted(rawName)} is a ${linkKind} (type '${type}'); only regular files are allowed`);
    if (type !== "0" && type !== "7" && type !== "5") {
      throw badRequest(`${this.label} entry ${quoted(rawName)} has unsupported type '${printable(type)}'; only regular files are allowed`);
    }
    this.charge(size, rawName);
    this.unpackedBytes += size;
    return { rawName, name: normalize(rawName), size, type, mode: header.mode };
  }

  private async visitFile(entry: Entry, visit: (file: TarFile) => Promise<void> | void): Promise<void> {
    if (entry.name === "") throw badRequest(`${this.label} has a file entry with an empty name (${quoted(entry.rawName)})`);
    let consumed = false;
    await visit({
      name: entry.name,
      rawName: entry.rawName,
      size: entry.size,
      mode: entry.mode,
      read: async () => {
        if (consumed) throw new Error(`tar entry ${entry.rawName} was read twice`);
        consumed = true;
        const data = await this.tar.readPadded(entry.size);
        if (!data) throw this.truncatedIn(entry.rawName);
        return data;
      },
    });
    if (!consumed && !(await this.tar.skipPadded(entry.size))) throw this.truncatedIn(entry.rawName);
  }

  private charge(size: number, name: string): void {
    if (this.unpackedBytes + this.metaBytes + size > this.limits.archiveUnpackedBytes) {
      throw badRequest(`${this.label} unpacks to more than ${this.limits.archiveUnpackedBytes} bytes (at entry ${quoted(name)})`);
    }
  }

  private truncatedIn(name: string) {
    return badRequest(`${this.label} is truncated: it ends inside entry ${quoted(name)}`);
  }
}

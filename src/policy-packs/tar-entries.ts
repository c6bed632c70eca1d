// A bounded, streaming walk over the entries of a gzip tar that hands each regular file to a visitor.
// Policy-pack archives are checked with it: the same bounds and safe-name rules as template archives.
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";

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
  /** The file's bytes; the visitor checks `size` against its own cap first. Unread files are skipped. */
  read(): Promise<Uint8Array>;
}

export interface TarTotals {
  entries: number;
  unpackedBytes: number;
}

const BLOCK = 512;
const META_MAX_BYTES = 1024 * 1024;
/** Meta headers are not entries; a run of them is capped so empty pax headers cannot loop forever. */
const META_RUN_MAX = 8;
const REFUSED_TYPES: Record<string, string> = { "1": "hard link", "2": "symbolic link", "3": "character device", "4": "block device", "6": "FIFO" };

/**
 * Walks `stream` (gzip of a tar) and hands each regular file to `visit`, which may read it. Refuses (400)
 * non-gzip, non-tar, links and devices, absolute or `..` names, and anything past the limits; inflates
 * nothing after a verdict. The same signature as the shared walker the templates use, so switching is an import.
 */
export async function walkGzipTar(
  stream: ReadableStream<Uint8Array>,
  limits: TarLimits,
  label: string,
  visit: (file: TarFile) => Promise<void> | void,
): Promise<TarTotals> {
  const blocks = await gunzipBlocks(stream, label);
  try {
    return await walkEntries(blocks, { unpackedBytes: limits.archiveUnpackedBytes, entries: limits.archiveEntries }, label, visit);
  } finally {
    await blocks.cancel();
  }
}

async function gunzipBlocks(stream: ReadableStream<Uint8Array>, label: string): Promise<BlockReader> {
  const reader = stream.getReader();
  const first = await reader.read().catch(async (error: unknown) => {
    await reader.cancel().catch(ignore);
    throw error;
  });
  const head = first.done ? new Uint8Array(0) : first.value;
  // A first chunk of one byte is possible in principle; gzip's magic is checked on what arrived, and a
  // stream that is not gzip then fails in the decompressor with the same 400.
  if (head.length === 0 || head[0] !== 0x1f || (head.length > 1 && head[1] !== 0x8b)) {
    await reader.cancel().catch(ignore);
    throw badRequest(`${label} is not gzip-compressed`);
  }
  let pending: Uint8Array | undefined = head;
  let sourceFailure: { error: unknown } | undefined;
  const replayed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending) {
        controller.enqueue(pending);
        pending = undefined;
        return;
      }
      // A failure of the upload itself is the server's fault, not a corrupt archive: keep it apart.
      const next = await reader.read().catch((error: unknown) => {
        sourceFailure = { error };
        throw error;
      });
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new BlockReader(replayed.pipeThrough(new DecompressionStream("gzip")).getReader(), (error) => {
    if (sourceFailure) throw sourceFailure.error;
    throw badRequest(`${label} is not a valid gzip stream${error instanceof Error ? `: ${error.message}` : ""}`);
  });
}

interface Header {
  name: string;
  size: number;
  type: string;
}

/** The pending long name and size that meta headers (pax `x`, GNU `L`) set for the next entry. */
interface Pending {
  paxPath?: string;
  longName?: string;
  size?: number;
  run: number;
}

async function walkEntries(
  tar: BlockReader,
  bounds: { unpackedBytes: number; entries: number },
  label: string,
  visit: (file: TarFile) => Promise<void> | void,
): Promise<TarTotals> {
  const fail = (why: string) => badRequest(`${label} ${why}`);
  let entries = 0;
  let unpackedBytes = 0;
  let pending: Pending = { run: 0 };
  const charge = (size: number, name: string) => {
    unpackedBytes += size;
    if (unpackedBytes > bounds.unpackedBytes) throw fail(`unpacks to more than ${bounds.unpackedBytes} bytes (at entry '${printable(name)}')`);
  };
  for (;;) {
    const block = await tar.read(BLOCK);
    if (block.length === 0) {
      if (pending.run > 0) throw fail("is truncated: it ends after an extended header");
      break;
    }
    if (block.length < BLOCK) throw fail(entries === 0 && pending.run === 0 ? "is not a tar archive: shorter than one header block" : "is truncated: it ends inside a header");
    if (isZero(block)) {
      if (isZero(await tar.read(BLOCK))) break;
      throw fail("is not a tar archive: a lone zero block is followed by data");
    }
    const header = parseHeader(block, fail);
    if (["x", "g", "L", "K"].includes(header.type)) {
      pending = await readMeta(tar, header, pending, fail);
      charge(header.size, header.name);
      continue;
    }
    // Precedence as Go's archive/tar (what the Pulumi CLI extracts with); every spelling is checked.
    const name = pending.longName ?? pending.paxPath ?? header.name;
    for (const candidate of [header.name, pending.paxPath, pending.longName]) if (candidate !== undefined) checkSafeName(candidate, fail);
    const size = pending.size ?? header.size;
    pending = { run: 0 };
    const type = header.type === "\0" ? (name.endsWith("/") ? "5" : "0") : header.type;
    entries += 1;
    if (entries > bounds.entries) throw fail(`has more than ${bounds.entries} entries (at entry '${printable(name)}')`);
    if (REFUSED_TYPES[type]) throw fail(`entry '${printable(name)}' is a ${REFUSED_TYPES[type]} (type '${type}'); only regular files are allowed`);
    if (type !== "0" && type !== "7" && type !== "5") throw fail(`entry '${printable(name)}' has unsupported type '${printable(type)}'; only regular files are allowed`);
    charge(size, name);
    const truncated = () => fail(`is truncated: it ends inside entry '${printable(name)}'`);
    let consumed = false;
    if (type !== "5") {
      await visit({
        name: normalize(name),
        rawName: name,
        size,
        read: async () => {
          if (consumed) throw new Error(`entry '${name}' was read already`);
          consumed = true;
          const data = await tar.readPadded(size);
          if (!data) throw truncated();
          return data;
        },
      });
    }
    if (!consumed && !(await tar.skipPadded(size))) throw truncated();
  }
  return { entries, unpackedBytes };
}

async function readMeta(tar: BlockReader, header: Header, pending: Pending, fail: (why: string) => Error): Promise<Pending> {
  const run = pending.run + 1;
  if (run > META_RUN_MAX) throw fail(`has more than ${META_RUN_MAX} extended headers in a row`);
  if (header.size > META_MAX_BYTES) throw fail(`has an extended header of ${header.size} bytes (at most ${META_MAX_BYTES})`);
  const data = await tar.readPadded(header.size);
  if (!data) throw fail("is truncated: it ends inside an extended header");
  if (header.type === "L") return { ...pending, longName: cString(data), run };
  if (header.type === "K") return { ...pending, run };
  const records = parsePax(data, fail);
  // Readers disagree on a global path/size: refuse rather than check names that differ from those extracted.
  if (header.type === "g") {
    if (records.path !== undefined || records.size !== undefined) throw fail("has a pax global header that sets 'path' or 'size'");
    return { ...pending, run };
  }
  return { ...pending, paxPath: records.path ?? pending.paxPath, size: records.size ?? pending.size, run };
}

function checkSafeName(name: string, fail: (why: string) => Error): void {
  const shown = `'${printable(name)}'`;
  if (name.includes("\0")) throw fail(`entry ${shown} has a NUL character in its name`);
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name)) throw fail(`entry ${shown} has an absolute path`);
  if (name.split(/[\\/]/).includes("..")) throw fail(`entry ${shown} has a '..' path segment`);
}

function normalize(name: string): string {
  return name
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}

function parseHeader(block: Uint8Array, fail: (why: string) => Error): Header {
  const stored = parseOctal(block.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored === undefined || (stored !== unsigned && stored !== signed)) throw fail("is not a tar archive: header checksum does not match");
  const magic = latin1(block.subarray(257, 263));
  if (magic !== "ustar\0" && magic !== "ustar " && magic !== "\0\0\0\0\0\0") throw fail(`is not a tar archive: unknown header magic '${printable(magic)}'`);
  let name = cString(block.subarray(0, 100));
  const prefix = magic === "ustar\0" ? cString(block.subarray(345, 500)) : "";
  if (prefix !== "") name = `${prefix}/${name}`;
  const size = parseSize(block.subarray(124, 136));
  if (size === undefined) throw fail(`is not a tar archive: size of entry '${printable(name)}' is not a number`);
  return { name, size, type: String.fromCharCode(block[156] as number) };
}

/** Octal, or GNU base-256 (non-negative only). */
function parseSize(field: Uint8Array): number | undefined {
  const lead = field[0] as number;
  if (!(lead & 0x80)) return parseOctal(field);
  if (lead & 0x40) return undefined;
  let value = lead & 0x3f;
  for (const byte of field.subarray(1)) value = value * 256 + byte;
  return value;
}

function parseOctal(field: Uint8Array): number | undefined {
  const text = latin1(field).replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (text === "") return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

function parsePax(data: Uint8Array, fail: (why: string) => Error): { path?: string; size?: number } {
  const records: { path?: string; size?: number } = {};
  const malformed = () => fail("is not a tar archive: malformed pax extended header");
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    const space = data.indexOf(0x20, pos);
    const length = space < 0 ? NaN : Number(latin1(data.subarray(pos, space)));
    if (!Number.isInteger(length) || length <= space - pos || pos + length > data.length || data[pos + length - 1] !== 0x0a) throw malformed();
    const record = new TextDecoder().decode(data.subarray(space + 1, pos + length - 1));
    const eq = record.indexOf("=");
    if (eq < 0) throw malformed();
    const [key, value] = [record.slice(0, eq), record.slice(eq + 1)];
    if (key === "path") records.path = value;
    if (key === "size") {
      if (!/^[0-9]+$/.test(value)) throw fail("is not a tar archive: pax extended header has an invalid size");
      records.size = Number(value);
    }
    pos += length;
  }
  return records;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const isZero = (bytes: Uint8Array) => bytes.length > 0 && bytes.every((b) => b === 0);
const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

function ignore(): void {
  // Cancelling is cleanup after a verdict; a failed cancel changes nothing about it.
}

/** Reads the inflated stream in blocks, holding one chunk plus what a caller asked for. */
class BlockReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly onReadError: (error: unknown) => never,
  ) {}

  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    const got = await this.consume(n, (piece, offset) => out.set(piece, offset));
    return got === n ? out : out.subarray(0, got);
  }

  async readPadded(size: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(size);
    const got = await this.consume(padded(size), (piece, offset) => {
      if (offset < size) out.set(piece.subarray(0, size - offset), offset);
    });
    return got === padded(size) ? out : undefined;
  }

  async skipPadded(size: number): Promise<boolean> {
    return (await this.consume(padded(size))) === padded(size);
  }

  async cancel(): Promise<void> {
    this.ended = true;
    await this.reader.cancel().catch(ignore);
  }

  private async consume(n: number, sink?: (piece: Uint8Array, offset: number) => void): Promise<number> {
    let done = 0;
    while (done < n) {
      if (this.pos >= this.chunk.length && !(await this.next())) break;
      const take = Math.min(n - done, this.chunk.length - this.pos);
      sink?.(this.chunk.subarray(this.pos, this.pos + take), done);
      this.pos += take;
      done += take;
    }
    return done;
  }

  private async next(): Promise<boolean> {
    if (this.ended) return false;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.reader.read();
    } catch (error) {
      this.ended = true;
      return this.onReadError(error);
    }
    if (result.done) {
      this.ended = true;
      return false;
    }
    this.chunk = result.value;
    this.pos = 0;
    return true;
  }
}

// Streaming, bounded check of a template archive (gzip tar) that keeps only its root Pulumi.yaml and README.
// Strategy: gunzip with the runtime, read tar blocks as they arrive, cancel the upload the moment a bound is crossed.
import { concatBytes } from "../http/bytes";
import type { Limits } from "../core/vocabulary/limits";
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";

export interface ArchiveFacts {
  /** Text of the root Pulumi.yaml (or Pulumi.yml when there is no Pulumi.yaml). */
  pulumiYaml: string;
  /** Bytes of a root README.md in any letter case. */
  readme?: Uint8Array;
  /** Any regular file named tsconfig.json (in any directory) or ending in `.ts` (`.d.ts` included). */
  hasTypeScript: boolean;
  /** Entries other than tar meta headers: regular files and (tolerated) directories. */
  entries: number;
  /** Sum of the sizes of those entries. */
  unpackedBytes: number;
}

const BLOCK = 512;
const MiB = 1024 * 1024;
/** Kept in memory, so capped well below the archive limits. */
const PULUMI_YAML_MAX_BYTES = 1 * MiB;
/** Same bound as a package README (spec §7). */
const README_MAX_BYTES = 5 * MiB;
/** A pax record or GNU long name is a path, never megabytes; it is buffered, so it is capped. */
const META_MAX_BYTES = 1 * MiB;
/**
 * Meta headers do not count as entries, so a run of them is capped: otherwise an endless run of
 * empty pax headers would inflate forever without crossing the entry or byte bounds.
 */
const META_RUN_MAX = 8;

const ENTRY_TYPES: Record<string, string> = {
  "1": "hard link",
  "2": "symbolic link",
  "3": "character device",
  "4": "block device",
  "6": "FIFO",
};

const notGzip = () => badRequest("template archive is not gzip-compressed");
const notTar = (why: string) => badRequest(`template archive is not a tar archive: ${why}`);
const quoted = (name: string) => `'${printable(name)}'`;

export async function inspectArchive(
  stream: ReadableStream<Uint8Array>,
  limits: Pick<Limits, "archiveUnpackedBytes" | "archiveEntries">,
): Promise<ArchiveFacts> {
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
    throw notGzip();
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

  const tar = new BlockReader(replayed.pipeThrough(new DecompressionStream("gzip")).getReader(), (error) => {
    if (sourceFailure) throw sourceFailure.error;
    const detail = error instanceof Error ? `: ${error.message}` : "";
    throw badRequest(`template archive is not a valid gzip stream${detail}`);
  });
  try {
    return await readTar(tar, limits);
  } finally {
    // On success after the end-of-archive blocks, or on any rejection: inflate nothing more.
    await tar.cancel();
  }
}

interface Header {
  name: string;
  size: number;
  type: string;
}

interface PaxRecords {
  path?: string;
  size?: number;
}

async function readTar(tar: BlockReader, limits: Pick<Limits, "archiveUnpackedBytes" | "archiveEntries">): Promise<ArchiveFacts> {
  let pulumiYaml: Uint8Array | undefined;
  let pulumiYml: Uint8Array | undefined;
  let readme: Uint8Array | undefined;
  let hasTypeScript = false;
  let entries = 0;
  let unpackedBytes = 0;
  // Bytes of meta records, charged to the same budget so that they cannot inflate without bound.
  let metaBytes = 0;

  let pax: PaxRecords = {};
  let gnuLongName: string | undefined;
  let metaRun = 0;
  let first = true;

  const charge = (size: number, name: string) => {
    if (unpackedBytes + metaBytes + size > limits.archiveUnpackedBytes) {
      throw badRequest(`template archive unpacks to more than ${limits.archiveUnpackedBytes} bytes (at entry ${quoted(name)})`);
    }
  };

  for (;;) {
    const block = await tar.read(BLOCK);
    if (block.length === 0) {
      if (metaRun > 0) throw badRequest("template archive is truncated: it ends after an extended header");
      break;
    }
    if (block.length < BLOCK) {
      throw first ? notTar("shorter than one header block") : badRequest("template archive is truncated: it ends inside a header");
    }
    if (isZero(block)) {
      // Two zero blocks end the archive; a lone zero block followed by more data is not tar (as Go's reader says).
      const next = await tar.read(BLOCK);
      if (isZero(next)) break;
      throw notTar("a lone zero block is followed by data");
    }
    const header = parseHeader(block);
    first = false;

    if (header.type === "x" || header.type === "g" || header.type === "L" || header.type === "K") {
      metaRun += 1;
      if (metaRun > META_RUN_MAX) throw badRequest(`template archive has more than ${META_RUN_MAX} extended headers in a row`);
      if (header.size > META_MAX_BYTES) {
        throw badRequest(`template archive has an extended header of ${header.size} bytes (at most ${META_MAX_BYTES})`);
      }
      charge(header.size, header.name);
      metaBytes += header.size;
      const data = await tar.readPadded(header.size);
      if (!data) throw badRequest("template archive is truncated: it ends inside an extended header");
      if (header.type === "x") {
        pax = { ...pax, ...parsePax(data) };
      } else if (header.type === "g") {
        const records = parsePax(data);
        // Readers disagree on a global `path`/`size` (POSIX applies it to every later entry, Go ignores
        // it), so the names checked here could differ from the names extracted: refuse rather than guess.
        if (records.path !== undefined || records.size !== undefined) {
          throw badRequest("template archive has a pax global header that sets 'path' or 'size'");
        }
      } else if (header.type === "L") {
        gnuLongName = cString(data);
      }
      // 'K' (GNU long link target) only matters for links, which are rejected below.
      continue;
    }

    // Precedence as in Go's archive/tar, which is what the Pulumi CLI extracts with.
    const candidates = [header.name, pax.path, gnuLongName].filter((n): n is string => n !== undefined);
    const rawName = gnuLongName ?? pax.path ?? header.name;
    const size = pax.size ?? header.size;
    pax = {};
    gnuLongName = undefined;
    metaRun = 0;

    for (const candidate of candidates) checkSafeName(candidate);
    let type = header.type;
    if (type === "\0") type = rawName.endsWith("/") ? "5" : "0";

    entries += 1;
    if (entries > limits.archiveEntries) {
      throw badRequest(`template archive has more than ${limits.archiveEntries} entries (at entry ${quoted(rawName)})`);
    }
    const linkKind = ENTRY_TYPES[type];
    if (linkKind) throw badRequest(`template archive entry ${quoted(rawName)} is a ${linkKind} (type '${type}'); only regular files are allowed`);
    if (type !== "0" && type !== "7" && type !== "5") {
      throw badRequest(`template archive entry ${quoted(rawName)} has unsupported type '${printable(type)}'; only regular files are allowed`);
    }

    charge(size, rawName);
    unpackedBytes += size;
    const name = normalize(rawName);

    if (type === "5") {
      // Directories carry no data; tolerated because tar tools other than the CLI write them.
      if (!(await tar.skipPadded(size))) throw truncatedIn(rawName);
      continue;
    }
    if (name === "") throw badRequest(`template archive has a file entry with an empty name (${quoted(rawName)})`);

    const base = name.slice(name.lastIndexOf("/") + 1);
    if (base === "tsconfig.json" || name.endsWith(".ts")) hasTypeScript = true;
    const atRoot = !name.includes("/");

    if (atRoot && (name === "Pulumi.yaml" || name === "Pulumi.yml")) {
      if (size > PULUMI_YAML_MAX_BYTES) {
        throw badRequest(`template archive entry ${quoted(rawName)} is ${size} bytes; Pulumi.yaml may be at most ${PULUMI_YAML_MAX_BYTES}`);
      }
      const data = await tar.readPadded(size);
      if (!data) throw truncatedIn(rawName);
      // A later entry of the same name wins, as it would on extraction.
      if (name === "Pulumi.yaml") pulumiYaml = data;
      else pulumiYml = data;
    } else if (atRoot && name.toLowerCase() === "readme.md") {
      if (size > README_MAX_BYTES) {
        throw badRequest(`template archive entry ${quoted(rawName)} is ${size} bytes; a README may be at most ${README_MAX_BYTES}`);
      }
      const data = await tar.readPadded(size);
      if (!data) throw truncatedIn(rawName);
      readme = data;
    } else if (!(await tar.skipPadded(size))) {
      throw truncatedIn(rawName);
    }
  }

  const yamlBytes = pulumiYaml ?? pulumiYml;
  if (!yamlBytes) throw badRequest("template archive has no Pulumi.yaml at its root");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(yamlBytes);
  } catch {
    throw badRequest("template archive's Pulumi.yaml is not valid UTF-8");
  }
  const facts: ArchiveFacts = { pulumiYaml: text, hasTypeScript, entries, unpackedBytes };
  if (readme) facts.readme = readme;
  return facts;
}

const truncatedIn = (name: string) => badRequest(`template archive is truncated: it ends inside entry ${quoted(name)}`);

/** Absolute names, drive letters, `..` segments (with either slash) and NUL are refused outright. */
function checkSafeName(name: string): void {
  if (name.includes("\0")) throw badRequest(`template archive entry ${quoted(name)} has a NUL character in its name`);
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name)) {
    throw badRequest(`template archive entry ${quoted(name)} has an absolute path`);
  }
  if (name.split(/[\\/]/).includes("..")) {
    throw badRequest(`template archive entry ${quoted(name)} has a '..' path segment`);
  }
}

/** `./Pulumi.yaml`, `a//b/` and `a/./b` name the same files as `Pulumi.yaml`, `a/b`, `a/b`. */
function normalize(name: string): string {
  return name
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}

function parseHeader(block: Uint8Array): Header {
  const stored = parseOctal(block.subarray(148, 156));
  if (stored === undefined) throw notTar("header checksum is not a number");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some old tars summed signed bytes; both are accepted, as GNU tar and Go do.
  if (stored !== unsigned && stored !== signed) throw notTar("header checksum does not match");

  const magic = latin1(block.subarray(257, 263));
  const isUstar = magic === "ustar\0";
  if (!isUstar && magic !== "ustar " && magic !== "\0\0\0\0\0\0") throw notTar(`unknown header magic '${printable(magic)}'`);

  let name = cString(block.subarray(0, 100));
  // Only POSIX ustar has the prefix field; GNU tar keeps timestamps in those bytes.
  if (isUstar) {
    const prefix = cString(block.subarray(345, 500));
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  const size = parseNumber(block.subarray(124, 136));
  if (size === undefined) throw notTar(`size of entry ${quoted(name)} is not a number`);
  return { name, size, type: String.fromCharCode(block[156] as number) };
}

/** Octal, or GNU base-256 for sizes of 8 GiB and more (Go writes those). */
function parseNumber(field: Uint8Array): number | undefined {
  const lead = field[0] as number;
  if (lead & 0x80) {
    // A set sign bit means negative: never a valid size.
    if (lead & 0x40) return undefined;
    let value = lead & 0x3f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  return parseOctal(field);
}

function parseOctal(field: Uint8Array): number | undefined {
  const text = latin1(field).replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return parseInt(text, 8);
}

/** Pax records: `<length> <key>=<value>\n`, the length in bytes and counting itself. */
function parsePax(data: Uint8Array): PaxRecords {
  const records: PaxRecords = {};
  const utf8 = new TextDecoder();
  let pos = 0;
  while (pos < data.length) {
    // Trailing NUL padding after the last record is written by some tools.
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const length = space < 0 ? NaN : Number(latin1(data.subarray(pos, space)));
    if (!Number.isInteger(length) || length <= space - pos || pos + length > data.length || data[pos + length - 1] !== 0x0a) {
      throw notTar("malformed pax extended header");
    }
    const record = utf8.decode(data.subarray(space + 1, pos + length - 1));
    const eq = record.indexOf("=");
    if (eq < 0) throw notTar("malformed pax extended header");
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === "path") {
      records.path = value;
    } else if (key === "size") {
      if (!/^[0-9]+$/.test(value)) throw notTar("pax extended header has an invalid size");
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

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

async function readAtLeast(reader: ReadableStreamDefaultReader<Uint8Array>, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  while (length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.length;
  }
  return concatBytes(parts, length);
}

function ignoreCancelFailure(): void {
  // Cancelling is cleanup after a verdict; a stream that fails to cancel changes nothing about it.
}

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** Reads the inflated tar stream chunk by chunk, holding at most one chunk plus what a caller asked for. */
class BlockReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly onReadError: (error: unknown) => never,
  ) {}

  /** Exactly `n` bytes, or fewer only when the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    if (this.chunk.length - this.pos >= n) {
      const out = this.chunk.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const out = new Uint8Array(n);
    const got = await this.consume(n, (piece, offset) => out.set(piece, offset));
    return got === n ? out : out.subarray(0, got);
  }

  /** `size` bytes of entry data plus the padding to the next block; undefined when the stream ends first. */
  async readPadded(size: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(size);
    const got = await this.consume(padded(size), (piece, offset) => {
      if (offset < size) out.set(piece.subarray(0, size - offset), offset);
    });
    return got === padded(size) ? out : undefined;
  }

  /** Skips entry data plus padding without keeping it; false when the stream ends first. */
  async skipPadded(size: number): Promise<boolean> {
    return (await this.consume(padded(size))) === padded(size);
  }

  async cancel(): Promise<void> {
    this.ended = true;
    await this.reader.cancel().catch(ignoreCancelFailure);
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

// A small tar writer for tests: real ustar headers with correct checksums, pax or GNU long names, gzip.
const BLOCK = 512;
const encoder = new TextEncoder();

export interface TarEntry {
  name: string;
  /** Typeflag character; "0" (regular file) unless given. */
  type?: string;
  data?: Uint8Array | string;
  /** Declared size when it should differ from the data (truncation, bombs). */
  size?: number;
  linkname?: string;
  /** How a name over 100 bytes is carried; pax by default. */
  longName?: "pax" | "gnu";
  /** Extra pax records written in an 'x' header before the entry. */
  pax?: Record<string, string>;
  /** Permission bits; 0o644 unless given. */
  mode?: number;
}

export function header(fields: { name: string; type: string; size: number; linkname?: string; magic?: "ustar" | "gnu" | "v7"; mode?: number }): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, text: string) => block.set(encoder.encode(text).subarray(0, length), offset);
  const octal = (offset: number, length: number, value: number) => put(offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
  put(0, 100, fields.name);
  octal(100, 8, fields.mode ?? 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, fields.size);
  octal(136, 12, 1_700_000_000);
  put(156, 1, fields.type);
  if (fields.linkname) put(157, 100, fields.linkname);
  const magic = fields.magic ?? "ustar";
  if (magic === "ustar") put(257, 8, "ustar\u000000");
  if (magic === "gnu") put(257, 8, "ustar  \0");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** One pax record, `<len> key=value\n`, where len counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return `${length}${body}`;
}

function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

function withData(headerBlock: Uint8Array, data: Uint8Array): Uint8Array[] {
  return [headerBlock, data, padding(data.length)];
}

export function entryBlocks(entry: TarEntry): Uint8Array[] {
  const data = typeof entry.data === "string" ? encoder.encode(entry.data) : (entry.data ?? new Uint8Array(0));
  const parts: Uint8Array[] = [];
  const pax: Record<string, string> = { ...entry.pax };
  let name = entry.name;
  if (encoder.encode(name).length > 100) {
    if (entry.longName === "gnu") {
      const long = encoder.encode(`${name}\0`);
      parts.push(...withData(header({ name: "././@LongLink", type: "L", size: long.length, magic: "gnu" }), long));
    } else {
      pax.path = name;
    }
    name = name.slice(0, 100);
  }
  if (Object.keys(pax).length > 0) {
    const records = encoder.encode(Object.entries(pax).map(([k, v]) => paxRecord(k, v)).join(""));
    parts.push(...withData(header({ name: "PaxHeaders/entry", type: "x", size: records.length }), records));
  }
  parts.push(header({ name, type: entry.type ?? "0", size: entry.size ?? data.length, linkname: entry.linkname, mode: entry.mode }));
  parts.push(data, padding(data.length));
  return parts;
}

export function tar(entries: TarEntry[], options: { end?: boolean } = {}): Uint8Array {
  const parts = entries.flatMap(entryBlocks);
  if (options.end ?? true) parts.push(new Uint8Array(2 * BLOCK));
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function streamOf(bytes: Uint8Array, chunkSize = 1000): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const compressed = streamOf(bytes, 64 * 1024).pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}

export async function gzipTar(entries: TarEntry[], options: { end?: boolean } = {}): Promise<ReadableStream<Uint8Array>> {
  return streamOf(await gzip(tar(entries, options)));
}

/**
 * A gzipped archive with one entry of `size` zero bytes, generated lazily so the test never holds it.
 * `produced()` tells how many of those zeros were actually generated (and so compressed and offered).
 */
export function zeroBomb(name: string, size: number): { stream: ReadableStream<Uint8Array>; produced: () => number; cancelled: () => boolean } {
  const chunk = new Uint8Array(64 * 1024);
  let produced = 0;
  let headerSent = false;
  let cancelled = false;
  const tarStream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(header({ name, type: "0", size }));
        return;
      }
      if (produced >= size) {
        controller.enqueue(new Uint8Array(padding(size).length + 2 * BLOCK));
        return controller.close();
      }
      const n = Math.min(chunk.length, size - produced);
      produced += n;
      controller.enqueue(chunk.slice(0, n));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream: tarStream.pipeThrough(new CompressionStream("gzip")), produced: () => produced, cancelled: () => cancelled };
}

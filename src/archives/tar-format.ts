// The tar header format as Go's archive/tar (the Pulumi CLI's extractor) reads it: ustar/GNU headers,
// pax records, base-256 sizes, safe names. Pure functions; `label` names the archive in error messages.
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";
import { BLOCK } from "./block-reader";

export interface Header {
  name: string;
  size: number;
  type: string;
  /** Permission bits from the header (e.g. 0o755), for archives that must carry an executable. */
  mode: number;
}

export interface PaxRecords {
  path?: string;
  size?: number;
}

export const quoted = (name: string) => `'${printable(name)}'`;
export const notTar = (label: string, why: string) => badRequest(`${label} is not a tar archive: ${why}`);

export function parseHeader(block: Uint8Array, label: string): Header {
  const stored = parseOctal(block.subarray(148, 156));
  if (stored === undefined) throw notTar(label, "header checksum is not a number");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some old tars summed signed bytes; both are accepted, as GNU tar and Go do.
  if (stored !== unsigned && stored !== signed) throw notTar(label, "header checksum does not match");

  const magic = latin1(block.subarray(257, 263));
  const isUstar = magic === "ustar\0";
  if (!isUstar && magic !== "ustar " && magic !== "\0\0\0\0\0\0") throw notTar(label, `unknown header magic '${printable(magic)}'`);

  let name = cString(block.subarray(0, 100));
  // Only POSIX ustar has the prefix field; GNU tar keeps timestamps in those bytes.
  if (isUstar) {
    // star (trailer "tar\0" at 508) has a 131-byte prefix, then times: Go reads only those 131 bytes.
    const isStar = latin1(block.subarray(508, 512)) === "tar\0";
    const prefix = cString(block.subarray(345, isStar ? 476 : 500));
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  const size = parseNumber(block.subarray(124, 136));
  if (size === undefined) throw notTar(label, `size of entry ${quoted(name)} is not a number`);
  return { name, size, type: String.fromCharCode(block[156] as number), mode: parseOctal(block.subarray(100, 108)) ?? 0 };
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
export function parsePax(data: Uint8Array, label: string): PaxRecords {
  const records: PaxRecords = {};
  const utf8 = new TextDecoder();
  let pos = 0;
  while (pos < data.length) {
    // Trailing NUL padding after the last record is written by some tools.
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const length = space < 0 ? NaN : Number(latin1(data.subarray(pos, space)));
    if (!Number.isInteger(length) || length <= space - pos || pos + length > data.length || data[pos + length - 1] !== 0x0a) {
      throw notTar(label, "malformed pax extended header");
    }
    const record = utf8.decode(data.subarray(space + 1, pos + length - 1));
    const eq = record.indexOf("=");
    if (eq < 0) throw notTar(label, "malformed pax extended header");
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key.startsWith("GNU.sparse.")) {
      // Go turns such an entry into a sparse file and takes its name from GNU.sparse.name: refuse, not guess.
      throw notTar(label, `pax record '${printable(key.slice(0, 40))}' (GNU sparse files are not supported)`);
    }
    if (key === "path") {
      records.path = value;
    } else if (key === "size") {
      if (!/^[0-9]+$/.test(value)) throw notTar(label, "pax extended header has an invalid size");
      records.size = Number(value);
    }
    pos += length;
  }
  return records;
}

/** Absolute names, drive letters, `..` segments (with either slash) and NUL are refused outright. */
export function checkSafeName(name: string, label: string): void {
  if (name.includes("\0")) throw badRequest(`${label} entry ${quoted(name)} has a NUL character in its name`);
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name)) {
    throw badRequest(`${label} entry ${quoted(name)} has an absolute path`);
  }
  if (name.split(/[\\/]/).includes("..")) {
    throw badRequest(`${label} entry ${quoted(name)} has a '..' path segment`);
  }
}

/** `./Pulumi.yaml`, `a//b/` and `a/./b` name the same files as `Pulumi.yaml`, `a/b`, `a/b`. */
export function normalize(name: string): string {
  return name
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}

export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

export function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

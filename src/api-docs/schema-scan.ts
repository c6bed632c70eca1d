// A structural byte scanner for Pulumi schemas: validates that a document is ONE JSON object, chunk by chunk, without
// building any value, and reports where the members of interest lie (byte ranges), so that callers parse only those.
//
// Why: tokenizing a 100 MiB schema in JavaScript (a token object per string, number and punctuation) costs
// seconds of CPU; a byte loop over the same text, with strings skipped by a tight inner loop, costs a
// fraction of that, and the few values anyone needs are then handed to the native JSON.parse.
// What it checks: the full JSON grammar (RFC 8259: strings and their escapes, numbers, literals, nesting,
// one value with nothing but whitespace after it), an object at the top, and the bounds that keep
// memory flat (nesting, string and number lengths). UTF-8 validity is the caller's (a TextDecoder).
// What it reports: every top-level member (key, value range), and, inside the top-level members named
// as `sections`, every entry (key, value range, whether its value is an object, and whether that object
// has an `enum` member whose value is an array — the last such member, as JSON.parse keeps the last).
// Its whole state is plain data (`ScanState`), so a scan can stop after any chunk and go on later.
import { contentDecoder } from "./utf8";

export const MAX_DEPTH = 256;
export const MAX_STRING_CHARS = 16 * 1024 * 1024;
export const MAX_NUMBER_CHARS = 4096;
/** Keys longer than this (as raw JSON text) are reported as `undefined` (no kept member or token is that long). */
export const MAX_KEY_BYTES = 4 * 1024;

/** A scan error; `message` is the whole sentence (the caller decides the status). */
export class ScanError extends Error {
  constructor(
    message: string,
    /** True when the document is not JSON at all (not a bound or a shape rule). */
    readonly grammar = false,
  ) {
    super(message);
  }
}

const enum Mode {
  Start,
  Value,
  ValueOrEnd, // after `[`
  KeyOrEnd, // after `{`
  Key, // after `,` in an object
  Colon,
  CommaOrEnd,
  String,
  Escape,
  Unicode,
  Number,
  Literal,
  Done,
}

// Number sub-states: what the last byte was.
const enum Num {
  Minus,
  Zero,
  Int,
  Dot,
  Frac,
  Exp,
  ExpSign,
  ExpDigits,
}

const LITERALS = ["true", "false", "null"];

export interface ScanState {
  pos: number;
  mode: Mode;
  /** Container stack: 1 for an object, 2 for an array, outermost first. */
  stack: number[];
  /** The string being read is a key. */
  isKey: boolean;
  chars: number;
  unicodeLeft: number;
  num: Num;
  numChars: number;
  literal: number;
  literalAt: number;
  /** Raw bytes (latin1-packed) of a key being captured, or null when not captured / too long. */
  keyBytes: string | null;
  /** The current top-level member: its key (undefined: not captured) and value start. */
  member: string | null | undefined;
  memberStart: number;
  /** The entry being read inside a section. */
  entry: string | null | undefined;
  entryStart: number;
  entryIsObject: boolean;
  entryEnum: boolean;
  /** The key just read at depth 3 inside an entry is `enum`. */
  enumKey: boolean;
  started: boolean;
}

export interface ScanHooks {
  /** Top-level members whose entries are reported. */
  sections?: ReadonlySet<string>;
  /** A top-level member's value starts (absolute offset of its first byte). */
  onMemberStart?(key: string | undefined, start: number): void;
  /** A top-level member's value ended (`end` exclusive). */
  onMember?(key: string | undefined, start: number, end: number): void;
  onEntry?(section: string, token: string | undefined, start: number, end: number, isObject: boolean, isEnum: boolean): void;
}

export function newScanState(): ScanState {
  return {
    pos: 0,
    mode: Mode.Start,
    stack: [],
    isKey: false,
    chars: 0,
    unicodeLeft: 0,
    num: Num.Minus,
    numChars: 0,
    literal: 0,
    literalAt: 0,
    keyBytes: null,
    member: undefined,
    memberStart: 0,
    entry: undefined,
    entryStart: 0,
    entryIsObject: false,
    entryEnum: false,
    enumKey: false,
    started: false,
  };
}

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

function describe(c: number): string {
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

function grammar(what: string, at: number): ScanError {
  return new ScanError(`schema is not valid JSON: ${what} at byte ${at}`, true);
}

function decodeKey(raw: string): string | undefined {
  // Most keys are plain ASCII without escapes: the raw text is the key.
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(raw)) return raw;
  const bytes = Uint8Array.from(raw, (ch) => ch.charCodeAt(0));
  try {
    return JSON.parse(`"${contentDecoder.decode(bytes)}"`) as string;
  } catch {
    return undefined;
  }
}

/** Scans a document chunk by chunk (see the file's header). */
export class SchemaScanner {
  readonly s: ScanState;
  constructor(
    private readonly hooks: ScanHooks = {},
    state?: ScanState,
  ) {
    this.s = state ?? newScanState();
  }

  get started(): boolean {
    return this.s.started;
  }

  get closed(): boolean {
    return this.s.mode === Mode.Done;
  }

  /** Scans the next bytes of the document (they start at `this.s.pos`). */
  write(b: Uint8Array): void {
    const s = this.s;
    const base = s.pos;
    const n = b.length;
    let i = 0;
    while (i < n) {
      const mode = s.mode;
      if (mode === Mode.String) {
        i = this.stringBytes(b, i, base);
        continue;
      }
      const c = b[i]!;
      if (mode === Mode.Number) {
        if (this.numberByte(c, base + i)) {
          i++;
          continue;
        }
        this.valueEnd(base + i);
        continue; // the delimiter is read again in the new mode
      }
      if (mode === Mode.Escape) {
        if (c === 0x75) {
          s.unicodeLeft = 4;
          s.mode = Mode.Unicode;
        } else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) {
          s.mode = Mode.String;
        } else throw grammar(`bad escape ${describe(c)}`, base + i);
        if (s.keyBytes !== null) s.keyBytes += String.fromCharCode(c);
        i++;
        continue;
      }
      if (mode === Mode.Unicode) {
        if (!isHex(c)) throw grammar(`bad \\u escape ${describe(c)}`, base + i);
        if (s.keyBytes !== null) s.keyBytes += String.fromCharCode(c);
        if (--s.unicodeLeft === 0) s.mode = Mode.String;
        i++;
        continue;
      }
      if (mode === Mode.Literal) {
        const word = LITERALS[s.literal]!;
        if (c !== word.charCodeAt(s.literalAt)) throw grammar(`unexpected ${describe(c)} in a literal`, base + i);
        i++;
        if (++s.literalAt === word.length) this.valueEnd(base + i);
        continue;
      }
      if (isWs(c)) {
        i++;
        continue;
      }
      this.structural(c, base + i);
      i++;
    }
    s.pos = base + n;
  }

  /** The document ended. */
  end(): void {
    const s = this.s;
    if (s.mode === Mode.Number) {
      if (s.num === Num.Zero || s.num === Num.Int || s.num === Num.Frac || s.num === Num.ExpDigits) this.valueEnd(s.pos);
    }
    if (!s.started) throw new ScanError("schema is not valid JSON: the document is empty", true);
    if (s.mode !== Mode.Done) throw new ScanError("schema is not valid JSON: unexpected end of input", true);
  }

  /** Reads string bytes from `i`; answers where it stopped. */
  private stringBytes(b: Uint8Array, i: number, base: number): number {
    const s = this.s;
    const n = b.length;
    const from = i;
    let extra = 0; // continuation bytes (not characters) minus 4-byte leads (two UTF-16 units)
    let c = 0;
    for (; i < n; i++) {
      c = b[i]!;
      if (c === 0x22 || c === 0x5c || c < 0x20) break;
      if (c >= 0x80) {
        if (c < 0xc0) extra++;
        else if (c >= 0xf0) extra--;
      }
    }
    s.chars += i - from - extra;
    if (s.keyBytes !== null) {
      if (c === 0x22 && s.keyBytes === "" && s.stack.length === 3) {
        // An entry's own key, whole in this chunk and without an escape: only whether it is `enum` matters (keyEnd),
        // and its bytes tell, without copying them into a string (a quarter of the scan step's CPU went to copying).
        s.keyBytes = i - from === 4 && b[from] === 0x65 && b[from + 1] === 0x6e && b[from + 2] === 0x75 && b[from + 3] === 0x6d ? "enum" : "";
      } else if (s.keyBytes.length + (i - from) > MAX_KEY_BYTES) s.keyBytes = null;
      else s.keyBytes += String.fromCharCode.apply(null, b.subarray(from, i) as unknown as number[]);
    }
    if (s.chars > MAX_STRING_CHARS) throw new ScanError(`schema contains a string longer than ${MAX_STRING_CHARS / (1024 * 1024)} Mi characters`);
    if (i === n) return i;
    if (c === 0x5c) {
      s.chars++;
      s.mode = Mode.Escape;
      if (s.keyBytes !== null) s.keyBytes += "\\";
      return i + 1;
    }
    if (c < 0x20) throw grammar(`control character ${describe(c)} in a string`, base + i);
    // The closing quote.
    if (s.isKey) this.keyEnd();
    else this.valueEnd(base + i + 1);
    return i + 1;
  }

  /** Answers whether `c` continues the number. */
  private numberByte(c: number, at: number): boolean {
    const s = this.s;
    const digit = isDigit(c);
    let next: Num;
    switch (s.num) {
      case Num.Minus:
        if (!digit) throw grammar(`unexpected ${describe(c)} in a number`, at);
        next = c === 0x30 ? Num.Zero : Num.Int;
        break;
      case Num.Zero:
      case Num.Int:
        if (digit && s.num === Num.Int) next = Num.Int;
        else if (c === 0x2e) next = Num.Dot;
        else if (c === 0x65 || c === 0x45) next = Num.Exp;
        else if (digit) throw grammar("a leading zero in a number", at);
        else return false;
        break;
      case Num.Dot:
        if (!digit) throw grammar(`unexpected ${describe(c)} in a number`, at);
        next = Num.Frac;
        break;
      case Num.Frac:
        if (digit) next = Num.Frac;
        else if (c === 0x65 || c === 0x45) next = Num.Exp;
        else return false;
        break;
      case Num.Exp:
        if (c === 0x2b || c === 0x2d) next = Num.ExpSign;
        else if (digit) next = Num.ExpDigits;
        else throw grammar(`unexpected ${describe(c)} in a number`, at);
        break;
      case Num.ExpSign:
        if (!digit) throw grammar(`unexpected ${describe(c)} in a number`, at);
        next = Num.ExpDigits;
        break;
      default:
        if (!digit) return false;
        next = Num.ExpDigits;
    }
    s.num = next;
    if (++s.numChars > MAX_NUMBER_CHARS) throw new ScanError(`schema contains a number longer than ${MAX_NUMBER_CHARS} characters`);
    return true;
  }

  /** A byte outside strings, numbers and literals that is not whitespace. */
  private structural(c: number, at: number): void {
    const s = this.s;
    switch (s.mode) {
      case Mode.Start:
      case Mode.Value:
      case Mode.ValueOrEnd:
        if (c === 0x5d && s.mode === Mode.ValueOrEnd) return this.close(2, at);
        return this.valueStart(c, at);
      case Mode.KeyOrEnd:
      case Mode.Key:
        if (c === 0x7d && s.mode === Mode.KeyOrEnd) return this.close(1, at);
        if (c !== 0x22) throw grammar(`expected a key, found ${describe(c)}`, at);
        this.keyStart();
        return;
      case Mode.Colon:
        if (c !== 0x3a) throw grammar(`expected ':', found ${describe(c)}`, at);
        s.mode = Mode.Value;
        return;
      case Mode.CommaOrEnd: {
        const top = s.stack[s.stack.length - 1];
        if (c === 0x2c) {
          s.mode = top === 1 ? Mode.Key : Mode.Value;
          return;
        }
        if ((c === 0x7d && top === 1) || (c === 0x5d && top === 2)) return this.close(top, at);
        throw grammar(`expected ',' or a closing bracket, found ${describe(c)}`, at);
      }
      default:
        throw grammar(`unexpected ${describe(c)} after the document`, at);
    }
  }

  private valueStart(c: number, at: number): void {
    const s = this.s;
    if (!s.started) {
      s.started = true;
      if (c !== 0x7b) throw new ScanError("schema must be a JSON object at the top level");
    }
    const depth = s.stack.length;
    if (depth === 1) {
      s.memberStart = at;
      this.hooks.onMemberStart?.(s.member ?? undefined, at);
    } else if (depth === 2 && s.entry !== undefined) {
      s.entryStart = at;
      s.entryIsObject = c === 0x7b;
      s.entryEnum = false;
    } else if (depth === 3 && s.enumKey) {
      s.entryEnum = c === 0x5b;
    }
    if (c === 0x7b || c === 0x5b) {
      if (depth + 1 > MAX_DEPTH) throw new ScanError(`schema nests deeper than ${MAX_DEPTH} levels`);
      s.stack.push(c === 0x7b ? 1 : 2);
      s.mode = c === 0x7b ? Mode.KeyOrEnd : Mode.ValueOrEnd;
      return;
    }
    if (c === 0x22) {
      s.mode = Mode.String;
      s.isKey = false;
      s.chars = 0;
      s.keyBytes = null;
      return;
    }
    if (c === 0x2d || isDigit(c)) {
      s.mode = Mode.Number;
      s.num = c === 0x2d ? Num.Minus : c === 0x30 ? Num.Zero : Num.Int;
      s.numChars = 1;
      return;
    }
    const literal = c === 0x74 ? 0 : c === 0x66 ? 1 : c === 0x6e ? 2 : -1;
    if (literal < 0) throw grammar(`unexpected ${describe(c)}`, at);
    s.mode = Mode.Literal;
    s.literal = literal;
    s.literalAt = 1;
  }

  private keyStart(): void {
    const s = this.s;
    s.mode = Mode.String;
    s.isKey = true;
    s.chars = 0;
    const depth = s.stack.length;
    const captured = depth === 1 || (depth === 2 && s.member !== undefined && s.member !== null && !!this.hooks.sections?.has(s.member)) || (depth === 3 && s.entry !== undefined);
    s.keyBytes = captured ? "" : null;
    if (depth === 1) s.member = undefined;
    if (depth === 3) s.enumKey = false;
  }

  private keyEnd(): void {
    const s = this.s;
    const depth = s.stack.length;
    const raw = s.keyBytes;
    s.keyBytes = null;
    s.mode = Mode.Colon;
    if (depth === 1) {
      s.member = raw === null ? null : (decodeKey(raw) ?? null);
      s.entry = undefined;
    } else if (depth === 2 && s.member !== undefined && s.member !== null && this.hooks.sections?.has(s.member)) {
      s.entry = raw === null ? null : (decodeKey(raw) ?? null);
    } else if (depth === 3 && s.entry !== undefined) {
      s.enumKey = raw === "enum" || (raw !== null && raw.includes("\\") && decodeKey(raw) === "enum");
    }
  }

  private close(kind: number, at: number): void {
    const s = this.s;
    s.stack.pop();
    if (s.stack.length === 0) {
      s.mode = Mode.Done;
      return;
    }
    void kind;
    this.valueEnd(at + 1);
  }

  /** A value ended at `end` (exclusive): report it if it is a top-level member or an entry. */
  private valueEnd(end: number): void {
    const s = this.s;
    const depth = s.stack.length;
    s.mode = depth === 0 ? Mode.Done : Mode.CommaOrEnd;
    if (depth === 1) {
      const key = s.member;
      this.hooks.onMember?.(key ?? undefined, s.memberStart, end);
      s.member = undefined;
    } else if (depth === 2 && s.entry !== undefined) {
      this.hooks.onEntry?.(s.member!, s.entry ?? undefined, s.entryStart, end, s.entryIsObject, s.entryEnum);
      s.entry = undefined;
    } else if (depth === 3) {
      s.enumKey = false;
    }
  }
}

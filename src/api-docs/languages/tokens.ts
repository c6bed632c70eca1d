// Token, module and $ref parsing shared by every language, plus the small casing helpers the
// Pulumi generators share (Title, camel, unhyphenate). Pure; no language rules here.
import type { PackageNaming, RefShape, ScalarNames, Shape, TypeContext, TypeRef, TypeSpec } from "./types";

/** A type token split into its package, raw module and member name (`pkg:mod/sub:Name`). */
export interface Token {
  pkg: string;
  rawModule: string;
  name: string;
}

/** Splits `pkg:module:Name`; a token with fewer parts gets an empty module (the index). */
export function parseToken(token: string): Token {
  const first = token.indexOf(":");
  if (first < 0) return { pkg: "", rawModule: "", name: token };
  const second = token.indexOf(":", first + 1);
  if (second < 0) return { pkg: token.slice(0, first), rawModule: "", name: token.slice(first + 1) };
  return { pkg: token.slice(0, first), rawModule: token.slice(first + 1, second), name: token.slice(second + 1) };
}

/** Whether a token names the package's provider resource (`pulumi:providers:pkg`). */
export function isProviderToken(token: string): boolean {
  return token.startsWith("pulumi:providers:");
}

const DEFAULT_MODULE_FORMAT = /(.*)/;
const formatCache = new Map<string, RegExp>();

/** At most this many quantifiers (`*`, `+`, `?`, `{…}`) and alternatives (`|`) in a moduleFormat that is run. */
const MAX_FORMAT_QUANTIFIERS = 3;
const MAX_FORMAT_ALTERNATIONS = 2;
/** A token's module part longer than this is not given to a schema's moduleFormat. */
const MAX_FORMATTED_MODULE = 128;
/** A moduleFormat longer than this is not safe to run (real ones are a few dozen characters): the default format is used. */
const MAX_FORMAT_CHARS = 200;

/**
 * Whether a moduleFormat can be run on publisher input in bounded time. JavaScript's engine backtracks, so a
 * schema (publisher input) could make naming one token cost seconds or more, on every read that names it
 * (format 3 names types when read): a repeated group that contains a quantifier, an alternation or another
 * group (`(a+)+`, `(a|a)*`, `((a)*)*`) backtracks exponentially, and so does a run of alternations
 * (`(a|a)(a|a)…`); more than a few quantifiers (`(.*)(.*)(.*)(.*)…`) backtrack as a high power of the
 * token's length. Real formats (`(.*)(?:/[^/]*)`, `(.*?)(?:/[^/]*)?`) need none of that.
 */
export function safeModuleFormat(source: string): boolean {
  if (source.length > MAX_FORMAT_CHARS) return false;
  type Group = { alternation: boolean; quantifier: boolean; group: boolean };
  const stack: Group[] = [{ alternation: false, quantifier: false, group: false }];
  let quantifiers = 0;
  let alternations = 0;
  /** Whether the last thing read can take a quantifier (an atom, a class, a closed group). */
  let atom = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const top = stack[stack.length - 1]!;
    if (c === "\\") {
      i++;
      atom = true;
    } else if (c === "[") {
      // A class: to its closing `]` (a `]` first, or after `^`, is a literal).
      let j = i + 1;
      if (source[j] === "^") j++;
      if (source[j] === "]") j++;
      for (; j < source.length && source[j] !== "]"; j++) if (source[j] === "\\") j++;
      i = j;
      atom = true;
    } else if (c === "(") {
      top.group = true;
      stack.push({ alternation: false, quantifier: false, group: false });
      // `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`: the `?` is not a quantifier.
      if (source[i + 1] === "?") {
        i++;
        if (source[i + 1] === "<" && source[i + 2] !== "=" && source[i + 2] !== "!") {
          const close = source.indexOf(">", i);
          if (close < 0) return false;
          i = close;
        } else i++;
      }
      atom = false;
    } else if (c === ")") {
      if (stack.length < 2) return false;
      const closed = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      const next = source[i + 1];
      const repeated = next === "*" || next === "+" || (next === "{" && /^\{\d*,?\d*\}/.test(source.slice(i + 1)));
      if (repeated && (closed.alternation || closed.quantifier || closed.group)) return false;
      parent.alternation ||= closed.alternation;
      parent.quantifier ||= closed.quantifier;
      atom = true;
    } else if (c === "|") {
      top.alternation = true;
      if (++alternations > MAX_FORMAT_ALTERNATIONS) return false;
      atom = false;
    } else if (c === "*" || c === "+" || c === "?" || (c === "{" && /^\{\d*,?\d*\}/.test(source.slice(i)))) {
      // A quantifier after an atom; a `?` right after a quantifier makes it lazy (no new quantifier).
      if (!atom) continue;
      if (c === "{") i = source.indexOf("}", i);
      top.quantifier = true;
      if (++quantifiers > MAX_FORMAT_QUANTIFIERS) return false;
      if (source[i + 1] === "?") i++;
      atom = false;
    } else {
      atom = true;
    }
  }
  return stack.length === 1;
}

/**
 * The moduleFormat naming runs: the schema's, or "" (the default format) when it is absent or too long to be
 * safe. A too-long one is neither kept nor hashed: a schema's megabytes-long format would otherwise stay in
 * the isolate (formatCache's keys) and be read whole by every naming call (the memo's key).
 */
const effectiveFormat = (pkg: PackageNaming): string => {
  const source = pkg.moduleFormat;
  return typeof source === "string" && source.length <= MAX_FORMAT_CHARS ? source : "";
};

function moduleFormat(pkg: PackageNaming): RegExp {
  const source = effectiveFormat(pkg);
  if (!source) return DEFAULT_MODULE_FORMAT;
  let re = formatCache.get(source);
  if (!re) {
    // A moduleFormat written for Go's regexp that JavaScript cannot compile falls back to the
    // default format, which is what the schema loader does for an absent format; so does one not safe to run.
    try {
      re = safeModuleFormat(source) ? new RegExp(source) : DEFAULT_MODULE_FORMAT;
    } catch {
      re = DEFAULT_MODULE_FORMAT;
    }
    if (formatCache.size >= 1000) formatCache.clear();
    formatCache.set(source, re);
  }
  return re;
}

/**
 * Canonical modules already computed, by moduleFormat and raw module (every member of a module asks again). Only
 * real-sized modules are kept, and at most MODULE_MEMO of them: a hostile schema's thousands of long module parts
 * cost their computing, never the isolate's memory.
 */
const modules = new Map<string, string>();
const MODULE_MEMO = 4096;
const MEMO_KEY_CHARS = 512;

/** canonicalModule's last answer: naming a member asks for its token's module once per language and name. */
let lastModule: { pkg: PackageNaming; token: string; mod: string } | undefined;

/** The canonical module of a token as Pulumi's schema loader computes it ("" for the index). */
export function canonicalModule(pkg: PackageNaming, token: string): string {
  if (lastModule !== undefined && lastModule.token === token && lastModule.pkg === pkg) return lastModule.mod;
  const mod = computeModule(pkg, token);
  lastModule = { pkg, token, mod };
  return mod;
}

function computeModule(pkg: PackageNaming, token: string): string {
  const t = parseToken(token);
  if (t.pkg === "pulumi" && (t.rawModule === "providers" || t.rawModule === "pulumi")) return "";
  const format = effectiveFormat(pkg);
  // The format's length first: no format and module can spell another pair's key.
  const id = `${format.length}:${format}${t.rawModule}`;
  const known = modules.get(id);
  if (known !== undefined) return known;
  // Even a safe format backtracks as a power (up to the third) of what it is run on: a module part longer than
  // any real one is taken whole, as by the default format.
  const matched = (t.rawModule.length > MAX_FORMATTED_MODULE ? DEFAULT_MODULE_FORMAT : moduleFormat(pkg)).exec(t.rawModule)?.[1];
  const mod = matched === undefined || matched === "index" ? "" : matched;
  if (id.length <= MEMO_KEY_CHARS) {
    if (modules.size >= MODULE_MEMO) modules.clear();
    modules.set(id, mod);
  }
  return mod;
}

/** Each naming options object's number in perModule's keys (given once, never reused: a key names one object). */
const namingIds = new WeakMap<PackageNaming, number>();
let lastNamingId = 0;
/** How many values each perModule memo holds (namingMemoSize reports them). */
const moduleMemos: Array<() => number> = [];

/**
 * A value that depends only on a package's naming options and a token's canonical module (a language's package,
 * namespace or module path), computed once per options object and module: naming every member of a module
 * computes it once, not once per member. The options object is not changed once naming uses it. The bound is
 * for all options objects together, as canonicalModule's: what the memo holds does not grow with the number of
 * packages' options an isolate keeps alive (the naming of each manifest it caches).
 */
export function perModule<T>(compute: (pkg: PackageNaming, mod: string) => T): (pkg: PackageNaming, token: string) => T {
  // By options object's number (not the object: the memo keeps none alive), then module.
  const memo = new Map<number, Map<string, T>>();
  let size = 0;
  moduleMemos.push(() => size);
  return (pkg, token) => {
    const mod = canonicalModule(pkg, token);
    // As canonicalModule's memo: real-sized modules only, a bounded number of them.
    if (mod.length > MAX_FORMATTED_MODULE) return compute(pkg, mod);
    let id = namingIds.get(pkg);
    if (id === undefined) namingIds.set(pkg, (id = ++lastNamingId));
    let byModule = memo.get(id);
    let value = byModule?.get(mod);
    if (value === undefined) {
      if (size >= MODULE_MEMO) {
        memo.clear();
        size = 0;
        byModule = undefined;
      }
      if (!byModule) memo.set(id, (byModule = new Map()));
      value = compute(pkg, mod);
      byModule.set(mod, value);
      size++;
    }
    return value;
  };
}

/** What the module-level naming memos hold (formats kept compiled, canonical modules kept, boundedMemo's and perModule's caches), for tests. */
export function namingMemoSize(): { entries: number; chars: number; perModule: number } {
  let chars = 0;
  let entries = formatCache.size + modules.size;
  for (const key of formatCache.keys()) chars += key.length;
  for (const [key, mod] of modules) chars += key.length + mod.length;
  for (const cache of memoCaches) {
    entries += cache.size;
    for (const [key, value] of cache) chars += key.length + (typeof value === "string" ? value.length : 0);
  }
  let perModule = 0;
  for (const held of moduleMemos) perModule += held();
  return { entries: entries + perModule, chars, perModule };
}

/** The flat module path used by nav: the canonical module, or "index". */
export function moduleOf(pkg: PackageNaming, token: string): string {
  return canonicalModule(pkg, token) || "index";
}

const EMPTY_BLOCK: Record<string, unknown> = Object.freeze({});

/** Reads `language.<lang>` of a schema (or of a property) as a plain object. */
export function languageBlock(language: Record<string, unknown> | undefined, lang: string): Record<string, unknown> {
  const block = language?.[lang];
  return block !== null && typeof block === "object" && !Array.isArray(block) ? (block as Record<string, unknown>) : EMPTY_BLOCK;
}

// Override maps (a provider's csharp.namespaces can hold thousands of entries) are read once per
// language block, not once per name: the pipeline names every property in six languages.
const stringMaps = new WeakMap<Record<string, unknown>, Map<string, Readonly<Record<string, string>>>>();

/** A string-to-string map from a language block (e.g. csharp.namespaces); other entries are ignored. */
export function stringMap(block: Record<string, unknown>, key: string): Readonly<Record<string, string>> {
  let byKey = stringMaps.get(block);
  if (!byKey) stringMaps.set(block, (byKey = new Map()));
  let out = byKey.get(key);
  if (!out) {
    const value = block[key];
    const map: Record<string, string> = Object.create(null);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === "string") map[k] = v;
    }
    byKey.set(key, (out = map));
  }
  return out;
}

/** A string setting from a language block, or undefined when absent or empty. */
export function stringSetting(block: Record<string, unknown>, key: string): string | undefined {
  const value = block[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Upper-cases the first character (Pulumi's UppercaseFirst / Title in nodejs, dotnet, java). */
export function upperFirst(s: string): string {
  if (s === "") return s;
  const first = String.fromCodePoint(s.codePointAt(0) ?? 0);
  return first.toUpperCase() + s.slice(first.length);
}

/** Lower-cases the first character (Java's LowerCamelCase). */
export function lowerFirst(s: string): string {
  if (s === "") return s;
  const first = String.fromCodePoint(s.codePointAt(0) ?? 0);
  return first.toLowerCase() + s.slice(first.length);
}

/** Removes each hyphen and upper-cases the character after it ("abc-def" → "abcDef"); a trailing hyphen is dropped. */
export function unhyphenate(s: string): string {
  return s.replace(/-+(.?)/gu, (_m, next: string) => next.toUpperCase());
}

/** Lower-cases the leading run of non-lowercase characters, up to the first lowercase one ("URLPath" → "urlpath"). */
export function camel(s: string): string {
  const chars = [...unhyphenate(s)];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? "";
    if (isLower(c)) return out + chars.slice(i).join("");
    out += c.toLowerCase();
  }
  return out;
}

// ASCII is answered by character code: naming runs for every property in six languages, and a
// Unicode-class regex per character dominated the cost.
const isAsciiUpper = (k: number) => k >= 65 && k <= 90;
const isAsciiLower = (k: number) => k >= 97 && k <= 122;
const isAsciiDigit = (k: number) => k >= 48 && k <= 57;

/** Whether a single character is a lowercase letter. */
export function isLower(c: string): boolean {
  const k = c.charCodeAt(0);
  if (k < 128) return isAsciiLower(k);
  return c !== c.toUpperCase() && c === c.toLowerCase();
}

/** Whether a single character is an uppercase letter. */
export function isUpper(c: string): boolean {
  const k = c.charCodeAt(0);
  if (k < 128) return isAsciiUpper(k);
  return c !== c.toLowerCase() && c === c.toUpperCase();
}

/** Whether a single character is a decimal digit. */
export function isDigit(c: string): boolean {
  const k = c.charCodeAt(0);
  return k < 128 ? isAsciiDigit(k) : /\p{Nd}/u.test(c);
}

/**
 * A character predicate: ASCII letters (and digits, with `digits`) plus the listed ASCII extras by
 * code, anything beyond ASCII by the Unicode class given.
 */
export function charClass(options: { digits: boolean; extra: string; unicode: RegExp }): (c: string) => boolean {
  return (c) => {
    const k = c.charCodeAt(0);
    if (k >= 128) return options.unicode.test(c);
    return isAsciiUpper(k) || isAsciiLower(k) || (options.digits && isAsciiDigit(k)) || options.extra.includes(c);
  };
}

/** Go's strings.Title: upper-cases every letter that starts a word (after a non-letter, non-digit, non-underscore). */
export function titleWords(s: string): string {
  let out = "";
  let prevIsSeparator = true;
  for (const c of s) {
    out += prevIsSeparator ? c.toUpperCase() : c;
    prevIsSeparator = !/[\p{L}\p{N}_]/u.test(c);
  }
  return out;
}

/** Unicode letter classes that may start an identifier in JavaScript, Python and C#. */
export const ID_START = /[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}]/u;
/** Unicode classes that may continue such an identifier. */
export const ID_PART = /[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u;

/** What a language allows in an identifier, for makeIdentifier. */
export interface IdentifierRules {
  isStart(c: string): boolean;
  isPart(c: string): boolean;
  /** A character kept as it is when it comes first (C#'s `@`, Java's `$`). */
  keepFirst?: string;
  /** Characters dropped rather than replaced (Java drops `-`: azure-native → azurenative). */
  drop?: string;
}

/** Replaces characters a language does not allow in identifiers with `_`, and puts `_` before a first character that may not start one. */
export function makeIdentifier(name: string, rules: IdentifierRules): string {
  let out = "";
  let first = true;
  for (const c of name) {
    if (first && c === rules.keepFirst) out += c;
    else if (rules.drop?.includes(c)) {
      // dropped, as the generator does
    } else if (!rules.isPart(c)) out += "_";
    else {
      if (first && !rules.isStart(c)) out += "_";
      out += c;
    }
    first = false;
  }
  return out;
}

/** A scalar or builtin kind's spelling from a language's table; undefined for arrays, maps, unions and refs. */
export function scalarName(table: ScalarNames, kind: Shape["kind"]): string | undefined {
  return Object.hasOwn(table, kind) ? table[kind as keyof ScalarNames] : undefined;
}

/** The single-character enum names every generator spells out. */
const SHORT_ENUM_NAMES: Record<string, string> = {
  "*": "Asterisk",
  "0": "Zero",
  "1": "One",
  "2": "Two",
  "3": "Three",
  "4": "Four",
  "5": "Five",
  "6": "Six",
  "7": "Seven",
  "8": "Eight",
  "9": "Nine",
};

/** The raw name an enum member starts from: its `name`, else its value, with short names expanded. */
export function enumRawName(value: { name?: string; value: unknown }): string {
  const raw = value.name !== undefined && value.name !== "" ? value.name : String(value.value);
  return SHORT_ENUM_NAMES[raw] ?? raw;
}

/** Every boundedMemo's cache (namingMemoSize reports what they hold). */
const memoCaches: Array<Map<string, unknown>> = [];

/**
 * Memoizes a pure function of a string, forgetting everything once `limit` keys are held, so the
 * memory stays bounded whatever the schema's size. Schemas repeat the same names and `$ref`s
 * thousands of times, and each is spelled in six languages. A key longer than MEMO_KEY_CHARS (no real
 * name or `$ref` is) is computed each time, never kept: a count alone bounds nothing when a schema's
 * property names and `$ref`s can be hundreds of KiB each, and the caches outlive the request.
 */
export function boundedMemo<T>(limit: number, compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  memoCaches.push(cache);
  return (key) => {
    if (key.length > MEMO_KEY_CHARS) return compute(key);
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      if (cache.size >= limit) cache.clear();
      value = compute(key);
      cache.set(key, value);
    }
    return value as T;
  };
}

const BUILTIN_REFS: Record<string, Shape> = {
  "pulumi.json#/Any": { kind: "any" },
  "pulumi.json#/Json": { kind: "json" },
  "pulumi.json#/Archive": { kind: "archive" },
  "pulumi.json#/Asset": { kind: "asset" },
};

type ParsedRef =
  | { builtin: Shape }
  | { token: string; isResource: boolean; external?: { package: string; version?: string }; provider?: boolean }
  | undefined;

/** The package-independent part of reading a `$ref`. */
const parseRefText = boundedMemo<ParsedRef>(20_000, (ref) => {
  const builtin = BUILTIN_REFS[ref];
  if (builtin) return { builtin };
  const hash = ref.indexOf("#");
  if (hash < 0) return undefined;
  const location = ref.slice(0, hash);
  const pointer = ref.slice(hash + 1);
  const section = /^\/(types|resources)\/(.+)$/.exec(pointer);
  if (section) {
    const external = location === "" ? undefined : externalPackage(location);
    if (location !== "" && !external) return undefined;
    const token = safeDecode(section[2] ?? "");
    return { token, isResource: section[1] === "resources", ...(external ? { external } : {}) };
  }
  if (pointer === "/provider" && location === "") return { token: "", isResource: true, provider: true };
  return undefined;
});

/** Parses a `$ref` into a named type, a builtin, or undefined when it is not one we know. */
export function parseRef(pkg: PackageNaming, ref: string, ctx?: Pick<TypeContext, "refKind">): Shape | undefined {
  const parsed = parseRefText(ref);
  if (!parsed) return undefined;
  if ("builtin" in parsed) return parsed.builtin;
  if (parsed.provider) return { kind: "ref", token: `pulumi:providers:${pkg.name}`, target: "resource" };
  const { token, isResource, external } = parsed;
  // Pointing into the same package by a full path is still a local reference.
  if (!external || external.package === pkg.name) {
    const target = ctx?.refKind(token) ?? (isResource ? "resource" : "object");
    return { kind: "ref", token, target };
  }
  // Another package's types are objects unless proven otherwise: without its schema an enum
  // cannot be told apart, and Pulumi's own docs link such references as object types.
  return { kind: "ref", token, target: isResource ? "resource" : "object", external };
}

/** `/aws/v6.0.0/schema.json` or `https://host/aws/v6.0.0/schema.json` → `{package: "aws", version: "6.0.0"}`. */
function externalPackage(location: string): { package: string; version?: string } | undefined {
  let path = location;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  const segments = path.split("/").filter((s) => s !== "");
  if (segments.length < 2 || segments[segments.length - 1] !== "schema.json") return undefined;
  if (segments.length >= 3) {
    const versionSegment = segments[segments.length - 2] ?? "";
    const name = segments[segments.length - 3] ?? "";
    if (/^v\d/.test(versionSegment)) return { package: name, version: versionSegment.slice(1) };
  }
  return { package: segments[segments.length - 2] ?? "" };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A token with a stray % is taken literally, as the schema wrote it.
    return s;
  }
}

/** Reduces a schema type to the shape every language renders. */
export function toShape(pkg: PackageNaming, spec: TypeSpec, ctx?: Pick<TypeContext, "refKind">): Shape {
  if (spec.$ref !== undefined) {
    const ref = parseRef(pkg, spec.$ref, ctx);
    if (ref) return ref;
    // An unresolvable reference with a primitive `type` alongside it keeps the primitive.
    if (spec.type !== undefined && spec.type !== "array" && spec.type !== "object") return { kind: spec.type };
    return { kind: "any" };
  }
  if (spec.oneOf && spec.oneOf.length > 0) {
    const items: Shape[] = [];
    for (const item of spec.oneOf) {
      const shape = toShape(pkg, item, ctx);
      if (!items.some((s) => sameShape(s, shape))) items.push(shape);
    }
    return items.length === 1 ? (items[0] as Shape) : { kind: "union", items };
  }
  switch (spec.type) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
      return { kind: spec.type };
    case "array":
      return { kind: "array", items: toShape(pkg, spec.items ?? {}, ctx), plainItems: spec.items?.plain === true };
    case "object":
      return {
        kind: "map",
        items: toShape(pkg, spec.additionalProperties ?? { type: "string" }, ctx),
        plainItems: spec.additionalProperties?.plain === true,
      };
    default:
      return { kind: "any" };
  }
}

function sameShape(a: Shape, b: Shape): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The named type a schema type refers to, looking through arrays, maps and unions. */
export function typeRef(pkg: PackageNaming, spec: TypeSpec): TypeRef | undefined {
  return refOfShape(toShape(pkg, spec));
}

function refOfShape(shape: Shape): TypeRef | undefined {
  switch (shape.kind) {
    case "ref":
      return shape.external
        ? { token: shape.token, package: shape.external.package, ...(shape.external.version ? { version: shape.external.version } : {}) }
        : { token: shape.token };
    case "array":
    case "map":
      return refOfShape(shape.items);
    case "union":
      for (const item of shape.items) {
        const found = refOfShape(item);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** A union of a string and a (local or external) enum: the generators' "relaxed enum". */
export function relaxedEnum(shape: Shape): { enumShape: RefShape; primitive: Shape } | undefined {
  if (shape.kind !== "union") return undefined;
  const enumShape = shape.items.find((s): s is RefShape => s.kind === "ref" && s.target === "enum");
  const primitive = shape.items.find((s) => s.kind === "string" || s.kind === "integer" || s.kind === "number" || s.kind === "boolean");
  return enumShape && primitive && shape.items.length === 2 ? { enumShape, primitive } : undefined;
}

/** The Pulumi package's token name Title-cased, as every generator's tokenToName does. */
export function memberTypeName(token: string): string {
  return upperFirst(parseToken(token).name);
}

/** The package a reference's type belongs to: this one, or another known only from the reference. */
export function ownerOf(pkg: PackageNaming, ref: { external?: { package: string; version?: string }; token: string }): PackageNaming {
  return ref.external ? foreignPackage(ref.external, ref.token) : pkg;
}

/**
 * Naming for another package known only from a reference. Without its schema its moduleFormat is
 * unknown; a token whose last module segment is the member's own name (`kms:index/keyRing:KeyRing`)
 * follows the bridged-provider layout, so that segment is treated as a file, not a module.
 */
export function foreignPackage(external: { package: string; version?: string }, token: string): PackageNaming {
  const t = parseToken(token);
  const last = t.rawModule.split("/").pop() ?? "";
  const fileLike = t.rawModule.includes("/") && lowerFirst(last) === lowerFirst(t.name);
  return {
    name: external.package,
    language: {},
    ...(external.version ? { version: external.version } : {}),
    ...(fileLike ? { moduleFormat: "(.*)(?:/[^/]*)" } : {}),
  };
}

/** Splits a module path into its parts ("storage/buckets" → ["storage", "buckets"]); the index is []. */
export function moduleParts(mod: string): string[] {
  return mod === "" ? [] : mod.split("/").filter((p) => p !== "");
}

// Derives a package version's docs from its schema, README and installation text, streamed from R2, into immutable objects (see storage.ts).
//
// Memory stays flat in the schema's size: the schema is never held whole, and every per-token fact
// goes to temporary R2 objects (spill.ts) instead of maps. Pass 1 streams the schema for the naming
// options and sorts, by token, each type's kind and each reference a value makes; joined, they give
// each value the kinds of the types it refers to, in document order. Pass 2 streams it again, one
// type / resource / function at a time, reading those kinds in step, writing each one's language-neutral
// record (stored-form.ts) to the pack as it completes and sorting what the index needs; the index, examples and nav are then
// written from the sorted members, supporting types found through a block-read table of types.
// docs/api-docs.md describes the layout, the limits and what they cost.
import { JSONParser } from "@streamparser/json";
import { SchemaScanner, newScanState } from "./schema-scan";
import { Spill, SpillSorter, SpillTable, TextWriter, type SpillLimits, type SpillRecord } from "./spill";
import { extractExamples, parseContent } from "./content";
import { packageFacts, type PackageFacts } from "./package-facts";
import { LANGUAGES, memberName, moduleOf, namingLanguage, type Language, type LocalRefKind, type PackageNaming } from "./languages";
import { BIG_ENTRY_CHARS, cutEntry, isBigEntry, MAX_LIST_ITEMS, MAX_RECORD_LIST_CHARS, MAX_STRINGIFY_CHARS_PER_BYTE, MAX_SUPPORTING_TYPES, recordBudget, type EntryTotals } from "./entry-caps";
import { isObject, kindsJson, memberRefs, neutralRecordText, refTokens, text, propertyRefs, type Json, type NeutralRecord, type PerLanguage, type RefKinds } from "./stored-form";
import {
  DOCS_FORMAT,
  DOCS_LAYOUT,
  FENCE_EVERY,
  INDEX_BLOCK_BYTES,
  ObjectWriter,
  artifactName,
  docsPrefix,
  exampleLine,
  indexLine,
  putJson,
  type DocsObject,
  type Fence,
  type IndexEntry,
  type Manifest,
  type Range,
  type RecordRange,
  memberKey,
  utf8Length,
  writeIndexFences,
} from "./storage";
import { SearchLines, writePostings } from "./search-index";
import { storedFences, withLengths, writeFenceTree, type FenceTree } from "./fence-tree";

export type { PerLanguage, RefKinds, StoredDoc, StoredProperty, StoredType } from "./stored-form";
export { collectRefs, propertiesOf, refTokens } from "./stored-form";
export { memberKey, utf8Length } from "./storage";

export interface NavModule {
  name: string;
  /** Tokens, sorted; their names are the naming rules' (applied when served, to keep derivation small). */
  resources: string[];
  functions: string[];
  /** When the lists hold only the module's first members (read from nav-members.tsv, never stored): its totals. */
  totals?: { resources: number; functions: number };
}
export interface Nav {
  naming: PackageNaming;
  modules: NavModule[];
  /** Names a member's own schema entry overrides (e.g. `language.csharp.name`), by token and language. */
  overrides?: Record<string, Partial<PerLanguage>>;
}
/**
 * nav-head.json: what every API page needs of the navigation, bounded whatever the package (nav-summary.json
 * lists every module): the first NAV_HEAD_MODULES modules, the totals, where nav.json's parts lie, and a
 * fence every NAV_MODULE_FENCE modules into nav-modules.tsv (one line per module: name, resources,
 * functions, offset and length in nav.json), so one module is found with one range read of one block.
 * Absent in docs derived before it was kept (pages then read nav-summary.json).
 */
export interface NavHead {
  format: 1;
  modules: number;
  resources: number;
  functions: number;
  naming: Range;
  overrides?: Range;
  /** The modules array's elements in nav.json (from the first module's `{` to the last one's `}`). */
  span: Range;
  first: NavSummary["modules"];
  /** [the block's first module name, its byte offset in nav-modules.tsv]; empty when `fenceTree` holds them. */
  fences: Array<[string, number]>;
  /** The fences' tree (fence-tree.ts), its nodes in nav-fences.tsv: only when they take more than FENCE_ROOT_BYTES. */
  fenceTree?: FenceTree;
  linesBytes: number;
  /**
   * Where the first modules' lines of nav-members.tsv start (one more: where the last one's end): module i's
   * lines are [membersAt[i], membersAt[i + 1]). Absent in docs derived before nav-members.tsv was kept.
   */
  membersAt?: number[];
}
/** Modules listed in nav-head.json (the API pages list at most 300). */
export const NAV_HEAD_MODULES = 300;
/** …and at most this many bytes of them: a package of long module names lists fewer (each page reads the head). */
export const NAV_HEAD_FIRST_BYTES = 64 * 1024;
/** A block of nav-modules.tsv (a fence in nav-head.json) every this many modules… */
export const NAV_MODULE_FENCE = 128;
/** …or fewer: a block ends once it holds this many bytes (module names may be 4 KiB each). */
export const NAV_BLOCK_BYTES = 16 * 1024;

export function navModuleLine(m: NavSummary["modules"][number]): string {
  const members = m.members ? `\t${m.members[0]}\t${m.members[1]}` : "";
  return `${m.name}\t${m.resources}\t${m.functions}\t${m.range![0]}\t${m.range![1]}${members}\n`;
}

/**
 * A line of nav-modules.tsv: 5 fields, or 7 with the module's lines of nav-members.tsv; anything else (a module
 * name holding a tab, which docs derived before such modules were left out may have) is no module.
 */
export function parseNavModuleLine(line: string): NavSummary["modules"][number] | undefined {
  const fields = line.split("\t");
  if (fields.length !== 5 && fields.length !== 7) return undefined;
  const [name, ...rest] = fields as [string, ...string[]];
  const numbers = rest.map(Number);
  if (!numbers.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  const [resources, functions, offset, length, membersOffset, membersLength] = numbers as [number, number, number, number, number?, number?];
  const members: Range | undefined = membersLength === undefined ? undefined : [membersOffset!, membersLength];
  return { name, resources, functions, range: [offset, length], ...(members ? { members } : {}) };
}

/** A nav item's sort value: the token, then its name overrides' JSON after a NUL (JSON.stringify never writes a raw NUL). */
export function navItemValue(value: string): { token: string; override?: Partial<PerLanguage> } {
  const cut = value.lastIndexOf("\u0000");
  if (cut < 0) return { token: value };
  try {
    return { token: value.slice(0, cut), override: JSON.parse(value.slice(cut + 1)) as Partial<PerLanguage> };
  } catch {
    return { token: value };
  }
}

/**
 * One line of nav-members.tsv: kind (0 resource, 1 function), the token as JSON, the name overrides as JSON
 * (or nothing). A module's lines are in nav.json's order: kind, then memberKey.
 */
export function memberLine(kind: "resource" | "function", token: string, override: Partial<PerLanguage> | undefined): string {
  const names = override ? JSON.stringify(override) : "";
  return `${kind === "resource" ? 0 : 1}\t${JSON.stringify(token)}\t${names.length <= MAX_OVERRIDE_JSON ? names : ""}\n`;
}
/** An overriding name longer than this is left out of the navigation (nav.json, nav-members.tsv): its size is not the package's to choose. */
export const MAX_OVERRIDE_NAME = 256;
/** Name overrides whose JSON is longer are left out of nav-members.tsv (pages show the naming rules' name): lines stay under 32 KiB. */
export const MAX_OVERRIDE_JSON = 4 * 1024;

/**
 * Every navigation object of a version: nav.json, nav-summary.json (the JSON nav route's plain answer),
 * nav-modules.tsv and nav-head.json (what pages read: bounded, see NavHead), and the tree filter's
 * posting lists, dictionary and head from the trigram records SearchLines made while the index was
 * written (search-index.ts; `search` absent: a step chain a release without the index began). Shared by
 * deriveDocs and the step chain, so both write the same bytes.
 */
export const NAV_OBJECTS = ["nav.json", "nav-summary.json", "nav-modules.tsv", "nav-head.json", "nav-members.tsv"] as const satisfies readonly DocsObject[];

export interface SearchRecords {
  grams: AsyncIterable<SpillRecord>;
  members: number;
  membersBytes: number;
}

export async function writeNavObjects(bucket: R2Bucket, prefix: string, naming: PackageNaming, items: SpillSorter, overrides: SpillSorter, search?: SearchRecords): Promise<DocsObject[]> {
  const { summary, memberRanges } = await writeNav(bucket, prefix + "nav.json", naming, items, overrides, prefix + "nav-members.tsv");
  const searchObjects = search ? await writePostings(bucket, prefix, naming, search.grams, search.members, search.membersBytes) : [];
  await putJson(bucket, prefix + "nav-summary.json", summary);
  // nav-modules.tsv and nav-head.json also say where each module's lines of nav-members.tsv lie (nav-summary.json does not: the JSON route answers it).
  const withMembers = summary.modules.map((m, i) => ({ ...m, members: memberRanges[i]! }));
  // The first NAV_HEAD_MODULES modules, as many of them as NAV_HEAD_FIRST_BYTES of JSON hold (module names may be 4 KiB each).
  const first: NavSummary["modules"] = [];
  let firstBytes = 0;
  for (const m of summary.modules.slice(0, NAV_HEAD_MODULES)) {
    firstBytes += utf8Length(JSON.stringify(m)) + 1;
    if (firstBytes > NAV_HEAD_FIRST_BYTES) break;
    first.push(m);
  }
  const lines = new TextWriter(new ObjectWriter(bucket, prefix + "nav-modules.tsv", "text/tab-separated-values"));
  const fences: NavHead["fences"] = [];
  let offset = 0;
  try {
    let sinceFence = NAV_MODULE_FENCE;
    for (const m of withMembers) {
      if (sinceFence >= NAV_MODULE_FENCE || offset - fences[fences.length - 1]![1] >= NAV_BLOCK_BYTES) {
        fences.push([m.name, offset]);
        sinceFence = 0;
      }
      sinceFence++;
      const line = navModuleLine(m);
      offset += utf8Length(line);
      await lines.write(line);
    }
    await lines.close();
  } catch (error) {
    await lines.writer.abort();
    throw error;
  }
  const tree = await writeFenceTree(bucket, prefix + "nav-fences.tsv", withLengths(fences, offset));
  const firstRange = summary.modules[0]?.range;
  const lastRange = summary.modules[summary.modules.length - 1]?.range;
  const head: NavHead = {
    format: 1,
    modules: summary.modules.length,
    resources: summary.modules.reduce((n, m) => n + m.resources, 0),
    functions: summary.modules.reduce((n, m) => n + m.functions, 0),
    naming: summary.naming!,
    ...(summary.overrides ? { overrides: summary.overrides } : {}),
    span: firstRange && lastRange ? [firstRange[0], lastRange[0] + lastRange[1] - firstRange[0]] : [0, 0],
    first,
    // The first modules' lines of nav-members.tsv are contiguous: where each starts, and where the last ends.
    membersAt: [...first.map((_, i) => memberRanges[i]![0]), first.length ? memberRanges[first.length - 1]![0] + memberRanges[first.length - 1]![1] : 0],
    ...storedFences(tree, fences),
    linesBytes: offset,
  };
  await putJson(bucket, prefix + "nav-head.json", head);
  return [...NAV_OBJECTS, ...(tree.levels ? (["nav-fences.tsv"] as const) : []), ...searchObjects];
}

export interface NavSummary {
  /** `range`: where the module's object lies in nav.json, so a page can read one module (absent before it was kept). */
  modules: Array<{ name: string; resources: number; functions: number; range?: Range; members?: Range }>;
  /** Where nav.json's `naming` and `overrides` values lie (absent before they were kept). */
  naming?: Range;
  overrides?: Range;
}

export interface StoredExample {
  token: string;
  kind: "resource" | "function";
  slug: string;
  title: string;
  code: Partial<Record<Language, Range>>;
}

export interface DocsSources {
  schemaKey: string;
  /** The schema's bytes, when the caller already holds them (small schemas at complete). */
  schemaBytes?: Uint8Array;
  readmeKey?: string;
  installationKey?: string;
  /** Where the docs objects go (ends with "/"); default: beside the schema (docsPrefix). */
  prefix?: string;
  /** Docs format 3's form, which chains of earlier releases still write: every record copies its entry. */
  copyEntries?: boolean;
}

/** A streaming parser handing each value at `paths` over with the top-level member (`section`) it sits in. */
function valueParser(paths: string[], onValue: (section: string, key: string, value: unknown) => void): JSONParser {
  const parser = new JSONParser({ paths, keepStack: false });
  parser.onValue = ({ value, key, stack }) => {
    const section = stack.length >= 2 ? String(stack[1]!.key) : String(key);
    onValue(section, String(key), value);
  };
  return parser;
}

const SLICE_BYTES = 256 * 1024;
/** The top-level members whose entries are packed. */
const PACKED_SECTIONS: ReadonlySet<string> = new Set(["types", "resources", "functions"]);

/** The bytes in slices, as a stream (a small schema already in memory is not read from R2 again). */
function sliced(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(at, (at += SLICE_BYTES)));
    },
  });
}

/**
 * Streams the values at `paths` one by one, awaiting `onValue` for each (so that it may write). With `sections`,
 * each object value of those top-level members also gets where it lies in the schema: the structural scanner
 * (schema-scan.ts) reads the same bytes beside the parser and reports the entries in the same order.
 */
async function streamValues(
  bucket: R2Bucket,
  key: string,
  paths: string[],
  onValue: (section: string, key: string, value: unknown, at?: Range) => Promise<void>,
  bytes?: Uint8Array,
  sections?: ReadonlySet<string>,
): Promise<void> {
  let body: ReadableStream<Uint8Array>;
  if (bytes) body = sliced(bytes);
  else {
    const object = await bucket.get(key);
    if (!object) throw new Error(`schema ${key} is missing`);
    body = object.body;
  }
  const pending: Array<[string, string, unknown]> = [];
  const parser = valueParser(paths, (...item) => pending.push(item));
  const found: Array<[string, string | undefined, Range]> = [];
  const scanner = sections && new SchemaScanner({ sections, onEntry: (section, token, start, end, object) => void (object && found.push([section, token, [start, end - start]])) }, newScanState());
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.write(value);
      scanner?.write(value);
      // Values are handed on after each chunk so that writes can be awaited; a chunk holds few of them.
      for (const [section, token, v] of pending.splice(0)) {
        let at: Range | undefined;
        if (scanner && isObject(v)) {
          const entry = found.shift();
          // Both read one document in one order; a disagreement is a defect here, not the schema's.
          if (!entry || entry[0] !== section || entry[1] !== token) throw new Error(`docs derivation: the scanner and the parser disagree at ${section} '${token}'`);
          at = entry[2];
        }
        await onValue(section, token, v, at);
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (!parser.isEnded) parser.end();
  // Every entry the scanner found was the parser's too (else a later one took an earlier one's range).
  if (found.length) throw new Error(`docs derivation: the scanner and the parser disagree at ${found[0]![0]} '${found[0]![1]}'`);
}

/**
 * What pass 1 leaves: naming options, and the kinds of the local types each schema value refers
 * to, as a stream in value order (pass 2 reads it in step with the schema).
 */
interface Outline {
  naming: PackageNaming;
  facts: PackageFacts;
  kinds: KindStream;
}

type Named = Pick<Outline, "naming">;

/** Schema values (object types, resources, functions) are numbered in document order by both passes. */
const seqKey = (n: number) => n.toString(36).padStart(8, "0");

/**
 * Pass 1, fed chunk by chunk: by `outline()` reading the schema itself, or by the metadata scan at
 * complete, which reads the schema anyway (one read of R2 and one tokenization fewer). It sorts two
 * things into R2 when large: every local type's kind by token, and every (token, value number) a
 * value refers to; joined by token, they give each value's kinds, sorted by value number. Owns the
 * derivation's temporary objects: `deriveDocs` deletes them when it ends, `discard` when it never runs.
 */
export class OutlineBuilder {
  private readonly top: Json = {};
  private pending: Array<[string, string, unknown]> = [];
  private readonly parser = valueParser(["$.name", "$.version", "$.language", "$.meta", "$.license", "$.homepage", "$.repository", "$.types.*", "$.resources.*", "$.functions.*"], (...item) => this.pending.push(item));
  readonly spill: Spill;
  private readonly kinds: SpillSorter;
  private readonly refs: SpillSorter;
  private seq = 0;
  private failure: unknown;

  constructor(bucket: R2Bucket, schemaKey: string, limits?: Partial<SpillLimits>) {
    this.spill = new Spill(bucket, `${docsPrefix(schemaKey)}tmp/${crypto.randomUUID()}/`, limits);
    this.kinds = new SpillSorter(this.spill, "kinds");
    this.refs = new SpillSorter(this.spill, "refs");
  }

  /** Throws only when storage fails: a schema the metadata scan rejects is reported by that scan, not from here. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure !== undefined) return;
    try {
      this.parser.write(chunk);
    } catch (error) {
      this.failure = error;
      this.pending = [];
      return;
    }
    await this.drain();
  }

  private async drain(): Promise<void> {
    for (const [section, key, value] of this.pending.splice(0)) {
      if (section !== "types" && section !== "resources" && section !== "functions") {
        this.top[key] = value;
        continue;
      }
      if (!isObject(value)) continue;
      const n = seqKey(this.seq++);
      if (section === "types") await this.kinds.add(key, Array.isArray(value.enum) ? "e" : "o");
      const tokens = new Set<string>();
      refTokens(value, tokens);
      for (const t of tokens) await this.refs.add(t, n);
    }
  }

  async finish(): Promise<Outline> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.parser.isEnded) this.parser.end();
    await this.drain();
    const { top } = this;
    const naming = namingOf(top);
    // The join: both streams sorted by token; a type defined twice keeps its last kind, as a map would.
    const answers = new SpillSorter(this.spill, "answers");
    const kinds = this.kinds.sorted();
    let kind = await kinds.next();
    // The last kind record of the token last looked up (refs arrive sorted, so repeats are adjacent).
    let found: [string, string] | undefined;
    for await (const [token, n] of this.refs.sorted()) {
      if (found?.[0] !== token) {
        found = undefined;
        while (!kind.done && kind.value[0] < token) kind = await kinds.next();
        while (!kind.done && kind.value[0] === token) {
          found = kind.value;
          kind = await kinds.next();
        }
      }
      if (found) await answers.add(n, `${found[1]}${token}`);
    }
    return { naming, facts: packageFacts(top), kinds: new KindStream(answers.sorted()) };
  }

  /** Deletes what pass 1 wrote, when the derivation is not going to run. */
  async discard(): Promise<void> {
    await this.spill.cleanup();
  }
}

/** The naming options of a schema, from its top-level members. */
export function namingOf(top: Json): PackageNaming {
  const meta = isObject(top.meta) ? top.meta : {};
  const naming: PackageNaming = { name: String(top.name ?? ""), language: namingLanguage(top.language) };
  if (typeof top.version === "string") naming.version = top.version;
  if (typeof meta.moduleFormat === "string") naming.moduleFormat = meta.moduleFormat;
  return naming;
}

/**
 * The kinds of the local types one schema value refers to, read before its names are computed (the
 * naming rules ask synchronously). A token not answered is not a type of this schema.
 */
class KindStream {
  private known = new Map<string, LocalRefKind>();
  private seq = 0;
  private head: IteratorResult<[string, string]> | undefined;
  readonly refKind = (token: string): LocalRefKind => this.known.get(token);

  constructor(private readonly answers: AsyncGenerator<[string, string]>) {}

  /** Moves to the next schema value (every object value of types, resources and functions, in order). */
  async next(): Promise<void> {
    const n = seqKey(this.seq++);
    this.known = new Map();
    this.head ??= await this.answers.next();
    while (!this.head.done && this.head.value[0] <= n) {
      const [key, answer] = this.head.value;
      if (key === n) this.known.set(answer.slice(1), answer[0] === "e" ? "enum" : "object");
      this.head = await this.answers.next();
    }
  }
}

async function outline(builder: OutlineBuilder, bucket: R2Bucket, schemaKey: string): Promise<Outline> {
  const object = await bucket.get(schemaKey);
  if (!object) throw new Error(`schema ${schemaKey} is missing`);
  const reader = object.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await builder.write(value);
  }
  return builder.finish();
}

/**
 * The local object/enum types reachable from `start` through property references, with their pack ranges, in
 * token order: the nearest first (breadth first from `start`, in order), at most MAX_SUPPORTING_TYPES of them;
 * `more` when the walk stopped with others left (entry-caps.ts: an answer lists no more than that).
 */
async function reach(types: SpillTable, start: string[]): Promise<{ ranges: RecordRange[]; more: boolean }> {
  const seen = new Map<string, RecordRange | undefined>();
  const queue = [...start];
  let found = 0;
  let more = false;
  for (let i = 0; i < queue.length; i++) {
    const t = queue[i]!;
    if (seen.has(t)) continue;
    const got = types.get(t);
    const record = got instanceof Promise ? await got : got;
    if (record === undefined) {
      // Not a type of this schema: neither listed nor followed.
      seen.set(t, undefined);
      continue;
    }
    if (found === MAX_SUPPORTING_TYPES) {
      more = true;
      break;
    }
    // [offset, length, ...refs], or (format 4, referring to the schema) [offset, length, schemaOffset, schemaLength, ...refs].
    const fields = JSON.parse(record) as Array<number | string>;
    const n = typeof fields[2] === "number" ? 4 : 2;
    const refs = fields.slice(n) as string[];
    seen.set(t, fields.slice(0, n) as RecordRange);
    found++;
    for (const next of refs) if (!seen.has(next)) queue.push(next);
  }
  const ranges = [...seen]
    .filter((e): e is [string, RecordRange] => e[1] !== undefined)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((e) => e[1]);
  return { ranges, more };
}

const encoder = new TextEncoder();

export async function readContent(bucket: R2Bucket, key: string | undefined) {
  if (!key) return undefined;
  const object = await bucket.get(key);
  return object ? parseContent(await object.text()) : undefined;
}

/**
 * What pass 2 keeps of a resource or function until the index is written (in a sorter, by token); format 4 appends
 * where its entry lies in the schema when its record refers to it.
 */
export type MemberRecord =
  | [kind: "resource" | "function", offset: number, length: number, refs: string[], override: Partial<PerLanguage> | 0, examples: string[]]
  | [kind: "resource" | "function", offset: number, length: number, refs: string[], override: Partial<PerLanguage> | 0, examples: string[], schemaOffset: number, schemaLength: number];
/** A type's own index line (its page in the web docs): its properties link to their types' lines, so it lists none. */
export type TypeLineRecord = [kind: "object" | "enum", ...range: RecordRange];
/** Index lines sort by token, then a member before a type of the same token (Kubernetes schemas have both). */
export const lineKey = (token: string, rank: 0 | 1) => `${token}\u0000${rank}`;

/**
 * Writes the docs objects beside the schema and answers their keys by artifact name. The manifest
 * is written last: a reader that finds it finds everything it points at. Temporary objects (see
 * spill.ts) are deleted before it returns or throws.
 */
export async function deriveDocs(
  bucket: R2Bucket,
  sources: DocsSources,
  outlined?: OutlineBuilder,
  limits?: Partial<SpillLimits>,
): Promise<Record<string, string>> {
  const builder = outlined ?? new OutlineBuilder(bucket, sources.schemaKey, limits);
  let derived: Record<string, string>;
  try {
    derived = await derive(bucket, sources, builder, !outlined);
  } catch (error) {
    // The derivation's own failure is the one reported, even if deleting also fails.
    await builder.spill.cleanup().catch(() => undefined);
    throw error;
  }
  // A failure to delete fails the derivation: nothing temporary may outlive a successful one.
  await builder.spill.cleanup();
  return derived;
}

/** The derivation's three stages: the pack (with the sorted member and type records), the index, the small objects. */
async function derive(bucket: R2Bucket, sources: DocsSources, builder: OutlineBuilder, readOutline: boolean): Promise<Record<string, string>> {
  const prefix = sources.prefix ?? docsPrefix(sources.schemaKey);
  // The README and installation are read while the schema is parsed.
  const texts = Promise.all([readContent(bucket, sources.readmeKey), readContent(bucket, sources.installationKey)]);
  texts.catch(() => undefined);
  const o = readOutline ? await outline(builder, bucket, sources.schemaKey) : await builder.finish();
  const packed = await writePack(bucket, sources, prefix, o, builder.spill);
  const types = await SpillTable.build(builder.spill, "types-table", packed.typeRecords.sorted());
  const indexed = await writeIndex(bucket, prefix, o, types, packed.members, builder.spill);
  const written: DocsObject[] = [];
  if (packed.packBytes) written.push("pack");
  if (indexed.indexBytes) written.push("index.tsv");
  if (indexed.exampleCount) written.push("examples.tsv");
  const [readme, installation] = await texts;
  if (indexed.entries) {
    written.push("search-members.jsonl", ...(await writeNavObjects(bucket, prefix, o.naming, indexed.navItems, indexed.overrides, indexed.search)));
  }
  const small: Array<[DocsObject, unknown]> = [];
  if (readme?.length) small.push(["readme.json", readme]);
  if (installation) small.push(["installation.json", installation]);
  await Promise.all(small.map(([name, value]) => putJson(bucket, prefix + name, value)));
  written.push(...small.map(([name]) => name));
  const fences = await writeIndexFences(bucket, prefix, indexed.fences, indexed.indexBytes);
  if (fences.fenceTree) written.push("index-fences.tsv");
  const manifest: Manifest = {
    format: sources.copyEntries ? 3 : DOCS_FORMAT,
    layout: DOCS_LAYOUT,
    entries: indexed.entries,
    indexBytes: indexed.indexBytes,
    ...fences,
    examples: indexed.exampleCount,
    hasInstallation: installation !== undefined,
    package: o.facts,
    naming: o.naming,
    ...(sources.copyEntries ? {} : { schema: sources.schemaKey }),
  };
  await putJson(bucket, prefix + "manifest.json", manifest);
  written.push("manifest.json");
  return Object.fromEntries(written.map((w) => [artifactName(w), prefix + w]));
}

/**
 * Pass 2 over the schema: every type, resource and function (and each example's code) is appended to the
 * pack; what the index needs of them goes to sorters by token.
 */
async function writePack(bucket: R2Bucket, sources: DocsSources, prefix: string, o: Outline, spill: Spill) {
  const { kinds } = o;
  const pack = new ObjectWriter(bucket, prefix + "pack", "application/octet-stream");
  // Type token → [pack offset, length, ...tokens of the types it refers to].
  const typeRecords = new SpillSorter(spill, "types");
  // Index lines: lineKey(member token, 0) → MemberRecord, lineKey(type token, 1) → TypeLineRecord (JSON).
  const members = new SpillSorter(spill, "members");

  // packEntry is synchronous (a derivation in steps packs into buffers): what it appends and records is gathered
  // here, then written before the next entry.
  const appended: Uint8Array[] = [];
  let appendedBytes = 0;
  const append = (json: string): Range => {
    const bytes = encoder.encode(json);
    const range: Range = [pack.offset + appendedBytes, bytes.byteLength];
    appended.push(bytes);
    appendedBytes += bytes.byteLength;
    return range;
  };
  const typeLines: SpillRecord[] = [];
  const memberLines: SpillRecord[] = [];

  try {
    await streamValues(
      bucket,
      sources.schemaKey,
      ["$.types.*", "$.resources.*", "$.functions.*"],
      async (section, token, value, at) => {
        if (!isObject(value)) return;
        await kinds.next();
        packEntry(prepareEntry(o, section, token, value, at), kinds, append, bufferSink(typeLines), bufferSink(memberLines));
        for (const bytes of appended.splice(0)) await pack.write(bytes);
        appendedBytes = 0;
        for (const [key, line] of typeLines.splice(0)) await typeRecords.add(key, line);
        for (const [key, line] of memberLines.splice(0)) await members.add(key, line);
      },
      sources.schemaBytes,
      sources.copyEntries ? undefined : PACKED_SECTIONS,
    );
    await pack.close();
  } catch (error) {
    await pack.abort();
    throw error;
  }
  return { packBytes: pack.offset, typeRecords, members };
}

/**
 * The pack writer's sink: appends JSON text to the pack and answers its range. packEntry is synchronous: its sinks
 * are buffers (a pack step's; deriveDocs writes them out after each entry), as a promise turn per entry was
 * measurable in a step that packs tens of thousands.
 */
export type Append = (json: string) => Range;
/** Where packEntry leaves what the index needs: a buffer (see Append). */
export interface PackSink {
  add(key: string, value: string): void;
}
/** A sink that keeps records in `records`: what packEntry writes to, and a derivation step's record sinks. */
export const bufferSink = (records: SpillRecord[]): PackSink => ({ add: (key, value) => void records.push([key, value]) });
/**
 * Where IndexLines and SearchLines leave records (SpillSorter, or a step's buffer). A step's buffers answer at once,
 * deriveDocs' sorters with a promise: the callers await only a promise (a promise turn per record is measurable).
 */
export interface RecordSink {
  add(key: string, value: string): void | Promise<void>;
}

/** What packing needs of one schema entry, taken from its parsed value, which need not be kept (see packEntry). */
export interface PreparedEntry {
  section: NeutralRecord["entry"];
  token: string;
  /**
   * The entry as its record keeps it (JSON.stringify of the parsed value: one canonical form whatever the schema's
   * layout); none when the record refers to the entry's bytes in the schema (`at`, format 4).
   */
  json?: string;
  /** Format 4: where the entry lies in the schema, when its record refers to it (an entry stored cut does not). */
  at?: Range;
  /** Every token its `$ref`s name (refTokens): what its kinds are looked up for. */
  refs: Set<string>;
  /** The local types its properties refer to (collectRefs): where its supporting types start. */
  typeRefs: Set<string>;
  isEnum: boolean;
  /** A member's names that its own `language` section makes differ from the naming rules'. */
  override: Partial<PerLanguage> | 0;
  examples: Array<{ slug: string; title: string; code: Partial<Record<Language, string>> }>;
  /** A big entry is packed cut (entry-caps.ts): the totals of its lists. */
  totals?: EntryTotals;
}

/**
 * Whether an entry is stored cut, judged as docs format 3 judged it (its re-serialized JSON's characters), so that
 * format 4 stores cut exactly the entries format 3 did: the stored cut keeps at most MAX_RECORD_LIST_CHARS of each
 * list, fewer items than an answer of the whole entry shows, so judging by the schema's bytes (pretty-printed, or
 * non-ASCII, several bytes a character) would cut entries whose answers format 3 showed whole. An entry whose bytes
 * cannot make that many characters is not serialized to tell.
 */
function isBigStored(value: Json, json: string | undefined, at: Range | undefined): boolean {
  if (!at) return isBigEntry(value, json!.length);
  // A list of more than MAX_LIST_ITEMS items takes more than twice as many bytes of JSON (an item and a comma
  // each, at least): a smaller entry is not big, and counting its lists' keys (arrays of them) is spared.
  if (at[1] <= 2 * MAX_LIST_ITEMS) return false;
  if (isBigEntry(value, 0)) return true;
  return at[1] * MAX_STRINGIFY_CHARS_PER_BYTE > BIG_ENTRY_CHARS && JSON.stringify(value).length > BIG_ENTRY_CHARS;
}

/**
 * `at`: where the entry lies in the schema, for a record that refers to it (format 4) instead of keeping its JSON
 * (nothing is serialized unless the entry may be big: isBigStored).
 */
export function prepareEntry(o: Named, section: string, token: string, value: Json, at?: Range): PreparedEntry {
  const entry = section as NeutralRecord["entry"];
  let json = at ? undefined : JSON.stringify(value);
  // A big entry is stored as an answer can show it, so that reading it is bounded (entry-caps.ts): its kinds
  // and supporting types are those of what is kept. Examples and name overrides come from the whole entry.
  let kept = value;
  let totals: EntryTotals | undefined;
  if (isBigStored(value, json, at)) {
    const cut = cutEntry(entry, value, recordBudget(), { listChars: MAX_RECORD_LIST_CHARS, readFieldsOnly: true });
    kept = cut.spec;
    totals = cut.totals;
    json = JSON.stringify(kept);
    at = undefined;
  }
  const refs = new Set<string>();
  refTokens(kept, refs);
  const prepared: PreparedEntry = { section: entry, token, refs, typeRefs: new Set(), isEnum: Array.isArray(value.enum), override: 0, examples: [] };
  if (json !== undefined) prepared.json = json;
  if (at) prepared.at = at;
  if (totals) prepared.totals = totals;
  if (section === "types") {
    propertyRefs(kept, prepared.typeRefs);
    return prepared;
  }
  const kind = section === "resources" ? "resource" : "function";
  prepared.typeRefs = memberRefs(kind, kept);
  // Only a member's own `language` section can make its names differ from the naming rules'.
  const own = value.language;
  for (const l of typeof own === "object" && own !== null ? LANGUAGES : []) {
    const name = memberName(l, o.naming, token, kind, value);
    // A name longer than MAX_OVERRIDE_NAME is not carried into the navigation (which lists members by these names): the naming rules' is.
    if (name !== memberName(l, o.naming, token, kind) && name.length <= MAX_OVERRIDE_NAME) (prepared.override ||= {})[l] = name;
  }
  prepared.examples = extractExamples(text(value.description) ?? "");
  return prepared;
}

/**
 * Packs one type, resource or function as its language-neutral record (stored-form.ts), each example's code
 * after it, and records, by token, what the index and the supporting-type table need of it.
 */
export function packEntry(p: PreparedEntry, kinds: RefKinds, append: Append, typeRecords: PackSink, members: PackSink): void {
  const packed = append(neutralRecordText(p.section, p.token, kindsJson(p.refs, kinds.refKind), p.json, p.totals));
  const range: RecordRange = p.at ? [packed[0], packed[1], p.at[0], p.at[1]] : packed;
  const { token } = p;
  if (p.section === "types") {
    // JSON.stringify of `[...range, ...typeRefs]` and of the TypeLineRecord, written as text (ranges are whole numbers):
    // most entries of a dense schema are types, and the arrays were garbage.
    const numbers = range.join(",");
    let typeRecord = `[${numbers}`;
    for (const t of p.typeRefs) typeRecord += `,${JSON.stringify(t)}`;
    typeRecords.add(token, `${typeRecord}]`);
    members.add(lineKey(token, 1), `[${p.isEnum ? '"enum"' : '"object"'},${numbers}]`);
    return;
  }
  const kind = p.section === "resources" ? "resource" : "function";
  const examples: string[] = [];
  for (const ex of p.examples) {
    const code: StoredExample["code"] = {};
    for (const lang of LANGUAGES) if (ex.code[lang] !== undefined) code[lang] = append(JSON.stringify(ex.code[lang]));
    examples.push(exampleLine({ token, kind, slug: ex.slug, title: ex.title, code }));
  }
  const record: MemberRecord = [kind, ...packed, [...p.typeRefs], p.override, examples, ...(p.at ?? [])];
  members.add(lineKey(token, 0), JSON.stringify(record));
}

/** Where index lines and example lines go (a TextWriter, or a step's buffer); answers as Append. */
export interface TextSink {
  write(text: string): void | Promise<void>;
}

/**
 * Turns the members' records, in token order, into index and example lines, each index line with its
 * supporting types' pack ranges; nav items and overrides go to sinks of their own. Fed record by record,
 * so that a derivation in steps can feed it a slice at a time (its counters are plain fields).
 */
export class IndexLines {
  fences: Fence[] = [];
  entries = 0;
  indexBytes = 0;
  exampleCount = 0;
  sinceFence = FENCE_EVERY;
  /** Where the last block of index.tsv began (absent in a step chain's state saved before blocks were cut by bytes). */
  fenceAt = 0;
  /** The UTF-8 length of that block's first token (absent in states saved before it was kept). */
  fenceKey = 0;
  previous: string | undefined;

  constructor(
    private readonly o: Named,
    private readonly types: SpillTable,
    private readonly index: TextSink,
    private readonly examples: TextSink,
    private readonly navItems: RecordSink,
    private readonly overrides: RecordSink,
    private readonly search?: SearchLines,
  ) {}

  /** Adds one record; answers a promise only when a sink or the types table does (a type's line never waits on the table). */
  add(key: string, json: string): void | Promise<void> {
    const token = key.slice(0, key.lastIndexOf("\u0000"));
    // index.tsv's and examples.tsv's lines begin with the token as is, then tab-separated kind and byte ranges (so
    // does nav-modules.tsv's with its module): a token holding a tab or a line break would spell lines of another
    // token, with ranges of the pack of its choosing (an examples page read the whole pack). No route names such a
    // token (docs/{token} refuses control characters, page URLs carry none): it is left out of the docs' objects.
    if (/[\t\n]/.test(token)) return;
    // Lines of one token stay in one block: lookup reads the block of the last fence at or before a token.
    // A block ends after FENCE_EVERY lines, or sooner once it holds INDEX_BLOCK_BYTES (lines are up to ~8 KiB, ~14 KiB in format 4: a
    // 4 KiB token and 250 type ranges) and FENCE_EVERY times its first token's length: the fences (held whole by
    // the step that writes their tree) then stay within 1/FENCE_EVERY of index.tsv, as with blocks of lines only.
    const blockBytes = this.indexBytes - this.fenceAt;
    const full = this.sinceFence >= FENCE_EVERY || (blockBytes >= INDEX_BLOCK_BYTES && blockBytes >= FENCE_EVERY * this.fenceKey);
    if (full && token !== this.previous) {
      this.fences.push({ token, offset: this.indexBytes });
      this.sinceFence = 0;
      this.fenceAt = this.indexBytes;
      this.fenceKey = utf8Length(token);
    }
    this.sinceFence++;
    this.previous = token;
    // A type's record is JSON.stringify of its TypeLineRecord (packEntry): `["object",` or `["enum",`, then whole
    // numbers. Its line is written from that text without JSON.parse (most records of a dense schema are types').
    if (json.startsWith('["object",') || json.startsWith('["enum",')) {
      const quote = json.indexOf('"', 2);
      const range = json.slice(quote + 2, json.length - 1).split(",").map(Number) as RecordRange;
      const line = indexLine({ token, kind: json.slice(2, quote) as TypeLineRecord[0], range, types: [] });
      this.indexBytes += utf8Length(line);
      return this.index.write(line);
    }
    return this.addMember(token, JSON.parse(json) as MemberRecord);
  }

  private async addMember(token: string, record: MemberRecord): Promise<void> {
    const [kind, offset, length, refs, override, examples, schemaOffset, schemaLength] = record;
    this.entries++;
    const reached = await reach(this.types, refs);
    const range: RecordRange = schemaOffset === undefined ? [offset, length] : [offset, length, schemaOffset, schemaLength!];
    const entry: IndexEntry = { token, kind, range, types: reached.ranges, ...(reached.more ? { more: true } : {}) };
    const line = indexLine(entry);
    this.indexBytes += utf8Length(line);
    await this.index.write(line);
    for (const ex of examples) await this.examples.write(ex);
    this.exampleCount += examples.length;
    // Modules in name order, then resources before functions, each by its name in the URL (the token's last part), then token:
    // the order nav.json lists them in, and nav-members.tsv's, where a page finds a member of its URL by bisection.
    // The value is the token, with the member's name overrides when it has any (nav-members.tsv carries them).
    // A NUL is the sort key's separator (module, then URL name, then token) and the value's (token, then overrides):
    // a token holding one would file itself under another module or member. No route names it (docs/{token}
    // refuses control characters, pages their URLs), so it stays out of the navigation and the search index.
    if (token.includes("\u0000")) return;
    // (A module holding a tab, whose nav-modules.tsv line would split, is part of such a token: left out above.)
    const module = moduleOf(this.o.naming, token);
    await this.navItems.add(`${module}\u0000${kind === "resource" ? 0 : 1}${memberKey(token)}`, override ? `${token}\u0000${JSON.stringify(override)}` : token);
    if (override) await this.overrides.add(token, JSON.stringify(override));
    await this.search?.add(module, kind, token, override || undefined);
  }
}

/**
 * Index and examples from the members in token order (stable: a token's examples keep their position);
 * nav and overrides go to sorters of their own, read back when nav.json is written.
 */
export async function writeIndex(bucket: R2Bucket, prefix: string, o: Named, types: SpillTable, members: SpillSorter, spill: Spill) {
  const index = new TextWriter(new ObjectWriter(bucket, prefix + "index.tsv", "text/tab-separated-values; charset=utf-8"));
  const exampleWriter = new TextWriter(new ObjectWriter(bucket, prefix + "examples.tsv", "text/tab-separated-values; charset=utf-8"));
  const navItems = new SpillSorter(spill, "nav");
  const overrides = new SpillSorter(spill, "overrides");
  const searchWriter = new TextWriter(new ObjectWriter(bucket, prefix + "search-members.jsonl", "application/x-ndjson"));
  const grams = new SpillSorter(spill, "search-grams");
  const search = new SearchLines(o.naming, searchWriter, grams);
  const lines = new IndexLines(o, types, index, exampleWriter, navItems, overrides, search);
  try {
    for await (const [key, json] of members.sorted()) await lines.add(key, json);
    await search.finish();
    await index.close();
    await exampleWriter.close();
    await searchWriter.close();
  } catch (error) {
    await index.writer.abort();
    await exampleWriter.writer.abort();
    await searchWriter.writer.abort();
    throw error;
  }
  const { entries, indexBytes, exampleCount, fences } = lines;
  return { entries, indexBytes, exampleCount, fences, navItems, overrides, search: { grams: grams.sorted(), members: search.count, membersBytes: search.bytes } };
}

/**
 * Streams nav.json (the JSON of a `Nav`) from the sorted nav items and overrides, and answers the
 * summary: memory holds one module's totals per module, not its tokens.
 */
const closeModule = (inFunctions: boolean) => (inFunctions ? "]}" : `],"functions":[]}`);

export async function writeNav(bucket: R2Bucket, key: string, naming: PackageNaming, items: SpillSorter, overrides: SpillSorter, membersKey: string): Promise<{ summary: NavSummary; memberRanges: Range[] }> {
  const out = new TextWriter(new ObjectWriter(bucket, key, "application/json"));
  const members = new TextWriter(new ObjectWriter(bucket, membersKey, "text/tab-separated-values; charset=utf-8"));
  const summary: NavSummary = { modules: [] };
  /** Each module's lines in nav-members.tsv, in the summary's order. */
  const memberRanges: Range[] = [];
  let memberOffset = 0;
  // Bytes written so far: each module's object and the naming/overrides values get their range.
  let offset = 0;
  const write = (text: string) => {
    offset += utf8Length(text);
    return out.write(text);
  };
  try {
    await write(`{"naming":`);
    const namingJson = JSON.stringify(naming);
    summary.naming = [offset, utf8Length(namingJson)];
    await write(`${namingJson},"modules":[`);
    let module: NavSummary["modules"][number] | undefined;
    let inFunctions = false;
    const close = async () => {
      if (!module) return;
      await write(closeModule(inFunctions));
      module.range = [module.range![0], offset - module.range![0]];
    };
    for await (const [sortKey, value] of items.sorted()) {
      const name = sortKey.slice(0, sortKey.indexOf("\u0000"));
      const isFunction = sortKey[name.length + 1] === "1";
      const { token, override } = navItemValue(value);
      if (module?.name !== name) {
        const first = !module;
        await close();
        if (!first) await write(",");
        summary.modules.push((module = { name, resources: 0, functions: 0, range: [offset, 0] }));
        memberRanges.push([memberOffset, 0]);
        await write(`{"name":${JSON.stringify(name)},"resources":[`);
        inFunctions = false;
      }
      if (isFunction && !inFunctions) {
        await write(`],"functions":[`);
        inFunctions = true;
      }
      const first = isFunction ? module.functions === 0 : module.resources === 0;
      await write(`${first ? "" : ","}${JSON.stringify(token)}`);
      const line = memberLine(isFunction ? "function" : "resource", token, override);
      memberOffset += utf8Length(line);
      memberRanges[memberRanges.length - 1]![1] = memberOffset - memberRanges[memberRanges.length - 1]![0];
      await members.write(line);
      if (isFunction) module.functions++;
      else module.resources++;
    }
    await close();
    await write("]");
    if (overrides.size) {
      await write(`,"overrides":`);
      const start = offset;
      await write("{");
      let last: [string, Partial<PerLanguage>] | undefined;
      let first = true;
      const emit = async ([token, names]: [string, Partial<PerLanguage>]) => {
        await write(`${first ? "" : ","}${JSON.stringify(token)}:${JSON.stringify(names)}`);
        first = false;
      };
      for await (const [token, json] of overrides.sorted()) {
        const names = JSON.parse(json) as Partial<PerLanguage>;
        // A token listed twice (a resource and a function) keeps one entry, as a map would.
        if (last?.[0] === token) Object.assign(last[1], names);
        else {
          if (last) await emit(last);
          last = [token, names];
        }
      }
      if (last) await emit(last);
      await write("}");
      summary.overrides = [start, offset - start];
    }
    await write("}");
    await out.close();
    await members.close();
  } catch (error) {
    await out.writer.abort();
    await members.writer.abort();
    throw error;
  }
  return { summary, memberRanges };
}

// Derives a package version's docs from its schema, README and installation text, streamed from R2, into immutable objects (see storage.ts).
//
// Memory stays flat in the schema's size: the schema is never held whole. Pass 1 streams it to learn
// the package's naming options, which tokens are object types, enums and resources, and which types
// each type refers to (a small graph of tokens). Pass 2 streams it again, one type / resource /
// function at a time, writing each document to the pack as it completes; a resource's supporting
// types may appear later in the file, so their pack ranges are joined to it in the index afterwards.
import { JSONParser } from "@streamparser/json";
import { extractExamples, parseContent } from "./content";
import {
  LANGUAGES,
  enumValueName,
  memberName,
  moduleOf,
  propertyName,
  typeDisplayName,
  typeName,
  typeRef,
  type Language,
  type LocalRefKind,
  type PackageNaming,
  type TypeRef,
  type TypeSpec,
} from "./languages";
import {
  DOCS_FORMAT,
  FENCE_EVERY,
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
} from "./storage";

export type PerLanguage<T = string> = Record<Language, T>;

export interface StoredProperty {
  name: PerLanguage;
  /** Raw markdown; expanded per language when served. */
  description?: string;
  type: PerLanguage;
  required: boolean;
  replaceOnChanges: boolean;
  deprecated?: string;
  typeRef?: TypeRef;
}

export interface StoredDoc {
  token: string;
  kind: "resource" | "function";
  name: PerLanguage;
  description?: string;
  inputs: StoredProperty[];
  outputs: StoredProperty[];
  deprecated?: string;
}

export interface StoredType {
  token: string;
  kind: "object" | "enum";
  name: PerLanguage;
  description?: string;
  properties?: StoredProperty[];
  values?: Array<{ name: PerLanguage; value: unknown; description?: string }>;
}

export interface NavModule {
  name: string;
  /** Tokens, sorted; their names are the naming rules' (applied when served, to keep derivation small). */
  resources: string[];
  functions: string[];
}
export interface Nav {
  naming: PackageNaming;
  modules: NavModule[];
  /** Names a member's own schema entry overrides (e.g. `language.csharp.name`), by token and language. */
  overrides?: Record<string, Partial<PerLanguage>>;
}
export interface NavSummary {
  modules: Array<{ name: string; resources: number; functions: number }>;
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
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function perLanguage<T>(f: (lang: Language) => T): Record<Language, T> {
  const out = {} as Record<Language, T>;
  for (const l of LANGUAGES) out[l] = f(l);
  return out;
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

/** Streams the values at `paths` one by one, awaiting `onValue` for each (so that it may write). */
async function streamValues(
  bucket: R2Bucket,
  key: string,
  paths: string[],
  onValue: (section: string, key: string, value: unknown) => Promise<void>,
  bytes?: Uint8Array,
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
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.write(value);
      // Values are handed on after each chunk so that writes can be awaited; a chunk holds few of them.
      for (const item of pending.splice(0)) await onValue(...item);
    }
  } finally {
    reader.releaseLock();
  }
  if (!parser.isEnded) parser.end();
}

/** Local type tokens a type spec refers to (`#/types/…`), anywhere inside it. */
function collectRefs(spec: unknown, out: Set<string>): void {
  if (!isObject(spec)) return;
  const ref = spec.$ref;
  if (typeof ref === "string" && ref.startsWith("#/types/")) out.add(decodeToken(ref.slice("#/types/".length)));
  collectRefs(spec.items, out);
  collectRefs(spec.additionalProperties, out);
  if (Array.isArray(spec.oneOf)) for (const s of spec.oneOf) collectRefs(s, out);
}

function propertiesOf(spec: unknown): Array<[string, Json]> {
  if (!isObject(spec) || !isObject(spec.properties)) return [];
  return Object.entries(spec.properties).filter((e): e is [string, Json] => isObject(e[1]));
}

function decodeToken(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * What pass 1 keeps: naming options, and local object/enum types as small integer ids with their kind
 * and the ids they refer to, so that memory per type is a map entry and a few numbers.
 */
interface Outline {
  naming: PackageNaming;
  typeIds: Map<string, number>;
  typeTokens: string[];
  isEnum: boolean[];
  edges: Array<number[] | undefined>;
}

/**
 * Pass 1, fed chunk by chunk: by `outline()` reading the schema itself, or by the metadata scan at
 * complete, which reads the schema anyway (one read of R2 and one tokenization fewer).
 */
export class OutlineBuilder {
  private readonly top: Json = {};
  private readonly typeIds = new Map<string, number>();
  private readonly typeTokens: string[] = [];
  private readonly isEnum: boolean[] = [];
  private readonly refsByType: Array<string[] | undefined> = [];
  // Resources are only tokenized here: a `#/resources/…` reference names its kind itself.
  private readonly parser = valueParser(["$.name", "$.version", "$.language", "$.meta", "$.types.*"], (section, key, value) => this.onValue(section, key, value));

  private failure: unknown;

  /** Never throws: a schema the metadata scan rejects is reported by that scan, not from here. */
  write(chunk: Uint8Array): void {
    if (this.failure !== undefined) return;
    try {
      this.parser.write(chunk);
    } catch (error) {
      this.failure = error;
    }
  }

  private onValue(section: string, key: string, value: unknown): void {
    if (section !== "types") {
      this.top[key] = value;
      return;
    }
    if (!isObject(value)) return;
    let n = this.typeIds.get(key);
    if (n === undefined) {
      n = this.typeIds.size;
      this.typeIds.set(key, n);
      this.typeTokens[n] = key;
    }
    this.isEnum[n] = Array.isArray(value.enum);
    const refs = new Set<string>();
    for (const [, p] of propertiesOf(value)) collectRefs(p, refs);
    if (refs.size) this.refsByType[n] = [...refs];
  }

  finish(): Outline {
    if (this.failure !== undefined) throw this.failure;
    if (!this.parser.isEnded) this.parser.end();
    const { top, typeIds } = this;
    // Ids are known for every defined type only now; references to undefined types are dropped.
    const edges = this.refsByType.map((refs) => refs?.map((t) => typeIds.get(t)).filter((n): n is number => n !== undefined));
    const meta = isObject(top.meta) ? top.meta : {};
    const naming: PackageNaming = { name: String(top.name ?? ""), language: isObject(top.language) ? top.language : {} };
    if (typeof top.version === "string") naming.version = top.version;
    if (typeof meta.moduleFormat === "string") naming.moduleFormat = meta.moduleFormat;
    return { naming, typeIds, typeTokens: this.typeTokens, isEnum: this.isEnum, edges };
  }
}

async function outline(bucket: R2Bucket, schemaKey: string): Promise<Outline> {
  const object = await bucket.get(schemaKey);
  if (!object) throw new Error(`schema ${schemaKey} is missing`);
  const builder = new OutlineBuilder();
  const reader = object.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    builder.write(value);
  }
  return builder.finish();
}

function refKindOf(o: Outline, token: string): LocalRefKind {
  const n = o.typeIds.get(token);
  return n === undefined ? undefined : o.isEnum[n] ? "enum" : "object";
}

function properties(o: Outline, spec: unknown, required: unknown, input: boolean): StoredProperty[] {
  const requiredSet = new Set(Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : []);
  const refKind = (token: string) => refKindOf(o, token);
  return propertiesOf(spec).map(([name, p]) => {
    const isRequired = requiredSet.has(name);
    const t = p as TypeSpec;
    const prop: StoredProperty = {
      name: perLanguage((l) => propertyName(l, o.naming, name, p)),
      type: perLanguage((l) => typeName(l, o.naming, t, { input, required: isRequired, refKind })),
      required: isRequired,
      replaceOnChanges: p.replaceOnChanges === true || p.willReplaceOnChanges === true,
    };
    const description = text(p.description);
    if (description) prop.description = description;
    const deprecated = text(p.deprecationMessage);
    if (deprecated) prop.deprecated = deprecated;
    const ref = typeRef(o.naming, t);
    if (ref) prop.typeRef = ref;
    return prop;
  });
}

function typeDoc(o: Outline, token: string, value: Json): StoredType {
  if (Array.isArray(value.enum)) {
    return {
      token,
      kind: "enum",
      name: perLanguage((l) => typeDisplayName(l, o.naming, token, { input: false, kind: "enum" })),
      ...(text(value.description) ? { description: text(value.description) } : {}),
      values: value.enum.filter(isObject).map((v) => ({
        name: perLanguage((l) => enumValueName(l, o.naming, token, { name: text(v.name), value: v.value })),
        value: v.value,
        ...(text(v.description) ? { description: text(v.description) } : {}),
      })),
    };
  }
  return {
    token,
    kind: "object",
    name: perLanguage((l) => typeDisplayName(l, o.naming, token, { input: false })),
    ...(text(value.description) ? { description: text(value.description) } : {}),
    properties: properties(o, value, value.required, false),
  };
}

function memberDoc(o: Outline, token: string, kind: "resource" | "function", value: Json): { doc: StoredDoc; refs: Set<string> } {
  const inputsSpec = kind === "resource" ? { properties: value.inputProperties } : value.inputs;
  const inputsRequired = kind === "resource" ? value.requiredInputs : isObject(value.inputs) ? value.inputs.required : undefined;
  const outputsSpec = kind === "resource" ? value : value.outputs;
  const outputsRequired = kind === "resource" ? value.required : isObject(value.outputs) ? value.outputs.required : undefined;
  const refs = new Set<string>();
  for (const [, p] of [...propertiesOf(inputsSpec), ...propertiesOf(outputsSpec)]) collectRefs(p, refs);
  const doc: StoredDoc = {
    token,
    kind,
    name: perLanguage((l) => memberName(l, o.naming, token, kind, value)),
    inputs: properties(o, inputsSpec, inputsRequired, true),
    outputs: properties(o, outputsSpec, outputsRequired, false),
  };
  const description = text(value.description);
  if (description) doc.description = description;
  const deprecated = text(value.deprecationMessage);
  if (deprecated) doc.deprecated = deprecated;
  return { doc, refs };
}

/** Ids of every local object/enum type reachable from `start` through property references, in token order. */
function reach(o: Outline, start: number[]): number[] {
  const seen = new Set<number>();
  const queue = [...start];
  while (queue.length) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const next of o.edges[n] ?? []) if (!seen.has(next)) queue.push(next);
  }
  const tokens = o.typeTokens;
  return [...seen].sort((a, b) => (tokens[a]! < tokens[b]! ? -1 : tokens[a]! > tokens[b]! ? 1 : 0));
}

const encoder = new TextEncoder();

async function readContent(bucket: R2Bucket, key: string | undefined) {
  if (!key) return undefined;
  const object = await bucket.get(key);
  return object ? parseContent(await object.text()) : undefined;
}

/**
 * Writes the docs objects beside the schema and answers their keys by artifact name. The manifest
 * is written last: a reader that finds it finds everything it points at.
 */
export async function deriveDocs(bucket: R2Bucket, sources: DocsSources, outlined?: OutlineBuilder): Promise<Record<string, string>> {
  const prefix = docsPrefix(sources.schemaKey);
  const o = outlined ? outlined.finish() : await outline(bucket, sources.schemaKey);
  const pack = new ObjectWriter(bucket, prefix + "pack", "application/octet-stream");
  // Pack ranges of types by id: offsets and lengths, two numbers each.
  const typeRanges: number[] = [];
  const members: Array<{ token: string; kind: "resource" | "function"; range: Range; refs: number[] }> = [];
  // Example index lines, kept as strings (compact); sorted and streamed out at the end.
  const examples: string[] = [];
  const modules = new Map<string, NavModule>();
  const overrides: Record<string, Partial<PerLanguage>> = {};

  // The README and installation are read while the schema is parsed.
  const texts = Promise.all([readContent(bucket, sources.readmeKey), readContent(bucket, sources.installationKey)]);
  texts.catch(() => undefined);
  const append = async (value: unknown): Promise<Range> => {
    const bytes = encoder.encode(JSON.stringify(value));
    const range: Range = [pack.offset, bytes.byteLength];
    await pack.write(bytes);
    return range;
  };

  try {
    await streamValues(bucket, sources.schemaKey, ["$.types.*", "$.resources.*", "$.functions.*"], async (section, token, value) => {
      if (!isObject(value)) return;
      if (section === "types") {
        const n = o.typeIds.get(token);
        const range = await append(typeDoc(o, token, value));
        if (n !== undefined) [typeRanges[2 * n], typeRanges[2 * n + 1]] = range;
        return;
      }
      const kind = section === "resources" ? "resource" : "function";
      const { doc, refs } = memberDoc(o, token, kind, value);
      const ids = [...refs].map((t) => o.typeIds.get(t)).filter((n): n is number => n !== undefined);
      members.push({ token, kind, range: await append(doc), refs: ids });
      const moduleName = moduleOf(o.naming, token);
      let module = modules.get(moduleName);
      if (!module) modules.set(moduleName, (module = { name: moduleName, resources: [], functions: [] }));
      (kind === "resource" ? module.resources : module.functions).push(token);
      for (const l of LANGUAGES) {
        if (doc.name[l] !== memberName(l, o.naming, token, kind)) (overrides[token] ??= {})[l] = doc.name[l];
      }
      for (const ex of extractExamples(doc.description ?? "")) {
        const code: StoredExample["code"] = {};
        for (const lang of LANGUAGES) if (ex.code[lang] !== undefined) code[lang] = await append(ex.code[lang]);
        examples.push(exampleLine({ token, kind, slug: ex.slug, title: ex.title, code }));
      }
    }, sources.schemaBytes);
    await pack.close();
  } catch (error) {
    await pack.abort();
    throw error;
  }

  // The index: members and types sorted by token (a member before a type of the same token, as
  // Kubernetes schemas have), each member with its supporting types' pack ranges. A type's own line
  // (its page in the web docs) lists none: its properties link to their types' lines.
  const typeLines = o.typeTokens.flatMap((token, n) => (typeRanges[2 * n] === undefined ? [] : [{ token, kind: (o.isEnum[n] ? "enum" : "object") as IndexEntry["kind"], range: [typeRanges[2 * n]!, typeRanges[2 * n + 1]!] as Range, refs: [] as number[] }]));
  const lines = [...members, ...typeLines];
  const rank = (kind: IndexEntry["kind"]) => (kind === "resource" || kind === "function" ? 0 : 1);
  lines.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : rank(a.kind) - rank(b.kind)));
  const index = new ObjectWriter(bucket, prefix + "index.tsv", "text/tab-separated-values; charset=utf-8");
  const fences: Fence[] = [];
  try {
    let sinceFence = FENCE_EVERY;
    for (const [i, m] of lines.entries()) {
      // Lines of one token stay in one block: lookup reads the block of the last fence at or before a token.
      if (sinceFence >= FENCE_EVERY && (i === 0 || lines[i - 1]!.token !== m.token)) {
        fences.push({ token: m.token, offset: index.offset });
        sinceFence = 0;
      }
      sinceFence++;
      const types = reach(o, m.refs)
        .filter((n) => typeRanges[2 * n] !== undefined)
        .map((n): Range => [typeRanges[2 * n]!, typeRanges[2 * n + 1]!]);
      const entry: IndexEntry = { token: m.token, kind: m.kind, range: m.range, types };
      await index.write(encoder.encode(indexLine(entry)));
    }
    await index.close();
  } catch (error) {
    await index.abort();
    throw error;
  }

  const nav: Nav = { naming: o.naming, modules: [...modules.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) };
  if (Object.keys(overrides).length) nav.overrides = overrides;
  for (const m of nav.modules) {
    m.resources.sort();
    m.functions.sort();
  }
  // Stable sort: by token, then position within the token's description.
  const tokenOf = (line: string) => line.slice(0, line.indexOf("\t"));
  examples.sort((a, b) => {
    const ta = tokenOf(a);
    const tb = tokenOf(b);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  });
  const exampleWriter = new ObjectWriter(bucket, prefix + "examples.tsv", "text/tab-separated-values; charset=utf-8");
  try {
    for (const line of examples) await exampleWriter.write(encoder.encode(line));
    await exampleWriter.close();
  } catch (error) {
    await exampleWriter.abort();
    throw error;
  }

  // Empty objects are not written: a schema without resources costs a manifest and a README.
  const written: DocsObject[] = [];
  if (pack.offset) written.push("pack");
  if (index.offset) written.push("index.tsv");
  if (exampleWriter.offset) written.push("examples.tsv");
  const [readme, installation] = await texts;
  const small: Array<[DocsObject, unknown]> = [];
  if (nav.modules.length) {
    const summary: NavSummary = { modules: nav.modules.map((m) => ({ name: m.name, resources: m.resources.length, functions: m.functions.length })) };
    small.push(["nav.json", nav], ["nav-summary.json", summary]);
  }
  if (readme?.length) small.push(["readme.json", readme]);
  if (installation) small.push(["installation.json", installation]);
  await Promise.all(small.map(([name, value]) => putJson(bucket, prefix + name, value)));
  written.push(...small.map(([name]) => name));
  const manifest: Manifest = {
    format: DOCS_FORMAT,
    entries: members.length,
    indexBytes: index.offset,
    fences,
    examples: examples.length,
    hasInstallation: installation !== undefined,
  };
  await putJson(bucket, prefix + "manifest.json", manifest);
  written.push("manifest.json");
  return Object.fromEntries(written.map((w) => [artifactName(w), prefix + w]));
}

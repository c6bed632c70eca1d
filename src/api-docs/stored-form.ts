// How a type, resource or function is kept in the pack, and the per-language document it is served as.
//
// Docs format 2 stored each one as its per-language document (a StoredDoc or StoredType: every name and type
// name in all six languages). Format 3 stores one language-neutral record instead, the schema entry itself
// (JSON, as JSON.parse reads it) with the kinds of the local types it refers to:
//   {"entry":"resources"|"functions"|"types","token":…,"kinds":{"<type token>":"o"|"e",…},"spec":<the entry>}
// and the document is computed when read, by the same functions from the same inputs (the naming options are
// in the manifest), so the answers are the same. About a quarter of the bytes, and no naming work at publish.
// Format 4 leaves `spec` out of a record whose entry is not cut: the entry's bytes in the schema are read in its
// place (storage.ts RecordRange), as JSON.parse reads them — the same value format 3 stored re-serialized.
import { answerBudget, cutEntry, cutText, MAX_ENTRY_DESCRIPTION_CHARS, MAX_ITEM_DESCRIPTION_CHARS, MAX_LIST_ITEMS, type AnswerBudget, type EntryTotals } from "./entry-caps";
import {
  LANGUAGES,
  enumValueName,
  memberName,
  propertyName,
  typeDisplayName,
  typeNames,
  typeRef,
  type Language,
  type LocalRefKind,
  type PackageNaming,
  type TypeRef,
  type TypeSpec,
} from "./languages";

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
  /** Only when the list was cut (entry-caps.ts): how many it had. */
  inputsTotal?: number;
  outputsTotal?: number;
  /** Only when some: descriptions shortened by the caps. */
  descriptionsCut?: number;
}

export interface StoredType {
  token: string;
  kind: "object" | "enum";
  name: PerLanguage;
  description?: string;
  properties?: StoredProperty[];
  values?: Array<{ name: PerLanguage; value: unknown; description?: string }>;
  /** Only when the list was cut (entry-caps.ts): how many it had. */
  propertiesTotal?: number;
  valuesTotal?: number;
  descriptionsCut?: number;
}

/** A format 3 pack record (see the top of this file). */
export interface NeutralRecord {
  entry: "types" | "resources" | "functions";
  token: string;
  kinds: Record<string, "o" | "e">;
  spec: Json;
  /** A big entry's record is stored cut (entry-caps.ts): the totals its lists had in the schema. */
  totals?: EntryTotals;
}

/** The kinds of the local types a value refers to; a token not answered is not a type of this schema. */
export interface RefKinds {
  readonly refKind: (token: string) => LocalRefKind;
}
export type Named = { naming: PackageNaming };

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
export const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function perLanguage<T>(f: (lang: Language) => T): Record<Language, T> {
  const out = {} as Record<Language, T>;
  for (const l of LANGUAGES) out[l] = f(l);
  return out;
}

export function decodeToken(raw: string): string {
  // Without a `%` there is nothing to decode (and nothing to throw on): most tokens, and the hot path of a pack.
  if (!raw.includes("%")) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Local type tokens a type spec refers to (`#/types/…`), anywhere inside it. */
export function collectRefs(spec: unknown, out: Set<string>): void {
  if (!isObject(spec)) return;
  const ref = spec.$ref;
  if (typeof ref === "string" && ref.startsWith("#/types/")) out.add(decodeToken(ref.slice("#/types/".length)));
  collectRefs(spec.items, out);
  collectRefs(spec.additionalProperties, out);
  if (Array.isArray(spec.oneOf)) for (const s of spec.oneOf) collectRefs(s, out);
}

export function propertiesOf(spec: unknown): Array<[string, Json]> {
  if (!isObject(spec) || !isObject(spec.properties)) return [];
  return Object.entries(spec.properties).filter((e): e is [string, Json] => isObject(e[1]));
}

/**
 * The local types a spec's properties refer to, in order (collectRefs of each of propertiesOf's values, without its
 * arrays: collectRefs passes over the values that are not objects). Where a type's supporting types start.
 */
export function propertyRefs(spec: unknown, out: Set<string>): void {
  if (!isObject(spec) || !isObject(spec.properties)) return;
  const { properties } = spec;
  for (const name of Object.keys(properties)) collectRefs(properties[name], out);
}

/** A line terminator: what `.` does not match. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * What `/^\/(?:types|resources)\/(.+)$/` captures of `ref` from `at` (undefined where it does not match): the rest
 * after either prefix, if it is not empty and holds no line terminator. Without the regular expression's match array
 * and slice of every `$ref` (each entry of a dense schema has several).
 */
export function refTail(ref: string, at: number): string | undefined {
  const start = ref.startsWith("/types/", at) ? at + 7 : ref.startsWith("/resources/", at) ? at + 11 : -1;
  if (start < 0 || start >= ref.length) return undefined;
  const rest = ref.slice(start);
  return LINE_TERMINATOR.test(rest) ? undefined : rest;
}

/** Every type or resource token a `$ref` anywhere inside `value` names (local or not: a superset of what the naming rules ask about). */
export function refTokens(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) refTokens(v, out);
    return;
  }
  if (!isObject(value)) return;
  for (const k in value) {
    const v = value[k];
    if (k === "$ref" && typeof v === "string") {
      const hash = v.indexOf("#");
      if (hash < 0) continue;
      const token = refTail(v, hash + 1);
      if (token !== undefined) out.add(decodeToken(token));
    } else if (typeof v === "object" && v !== null) refTokens(v, out);
  }
}

function properties(o: Named, kinds: RefKinds, spec: unknown, required: unknown, input: boolean): StoredProperty[] {
  const requiredSet = new Set(Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : []);
  const { refKind } = kinds;
  return propertiesOf(spec).map(([name, p]) => {
    const isRequired = requiredSet.has(name);
    const t = p as TypeSpec;
    const prop: StoredProperty = {
      name: perLanguage((l) => propertyName(l, o.naming, name, p)),
      type: typeNames(o.naming, t, { input, required: isRequired, refKind }),
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

export function typeDoc(o: Named, kinds: RefKinds, token: string, value: Json): StoredType {
  if (Array.isArray(value.enum)) {
    const values = value.enum;
    return {
      token,
      kind: "enum",
      name: perLanguage((l) => typeDisplayName(l, o.naming, token, { input: false, kind: "enum" })),
      ...(text(value.description) ? { description: text(value.description) } : {}),
      values: values.filter(isObject).map((v) => ({
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
    properties: properties(o, kinds, value, value.required, false),
  };
}

/** A resource's or function's input and output property specs, with what each requires. */
function memberSpecs(kind: "resource" | "function", value: Json) {
  return {
    inputsSpec: kind === "resource" ? { properties: value.inputProperties } : value.inputs,
    inputsRequired: kind === "resource" ? value.requiredInputs : isObject(value.inputs) ? value.inputs.required : undefined,
    outputsSpec: kind === "resource" ? value : value.outputs,
    outputsRequired: kind === "resource" ? value.required : isObject(value.outputs) ? value.outputs.required : undefined,
  };
}

/** The local types a resource's or function's properties refer to (its supporting types start from these). */
export function memberRefs(kind: "resource" | "function", value: Json): Set<string> {
  const { inputsSpec, outputsSpec } = memberSpecs(kind, value);
  const refs = new Set<string>();
  propertyRefs(inputsSpec, refs);
  propertyRefs(outputsSpec, refs);
  return refs;
}

export function memberDoc(o: Named, kinds: RefKinds, token: string, kind: "resource" | "function", value: Json): StoredDoc {
  const { inputsSpec, inputsRequired, outputsSpec, outputsRequired } = memberSpecs(kind, value);
  const doc: StoredDoc = {
    token,
    kind,
    name: perLanguage((l) => memberName(l, o.naming, token, kind, value)),
    inputs: properties(o, kinds, inputsSpec, inputsRequired, true),
    outputs: properties(o, kinds, outputsSpec, outputsRequired, false),
  };
  const description = text(value.description);
  if (description) doc.description = description;
  const deprecated = text(value.deprecationMessage);
  if (deprecated) doc.deprecated = deprecated;
  return doc;
}

/** The record's text: the spec's JSON is already serialized (once, by the deriver); none when the record refers to the schema (format 4). */
export function neutralRecordText(entry: NeutralRecord["entry"], token: string, kinds: string, specJson: string | undefined, totals?: EntryTotals): string {
  const cut = totals && Object.keys(totals).length ? `,"totals":${JSON.stringify(totals)}` : "";
  const spec = specJson === undefined ? "" : `,"spec":${specJson}`;
  return `{"entry":${JSON.stringify(entry)},"token":${JSON.stringify(token)},"kinds":${kinds}${spec}${cut}}`;
}

/** A canonical array index (what an object orders first, by value): "0", or 1 to 4294967294 without leading zeros. */
const isArrayIndex = (key: string) => key.charCodeAt(0) <= 57 && /^(?:0|[1-9][0-9]{0,9})$/.test(key) && Number(key) < 4294967295;

/**
 * A record's `kinds` (NeutralRecord) as JSON: of `refs`, each that names a local type, `"e"` for an enum and `"o"`
 * otherwise. The text is exactly JSON.stringify of the object that assigning them in order makes: array-index keys
 * first by value, the others in order, `__proto__` left out (assigning it sets no key). It is written without that
 * object: one keyed by every token a package's entries refer to made V8 build a shape per key.
 */
export function kindsJson(refs: Iterable<string>, refKind: RefKinds["refKind"]): string {
  const items: string[] = [];
  let indices: Array<[number, string]> | undefined;
  for (const token of refs) {
    const kind = refKind(token);
    if (!kind || token === "__proto__") continue;
    const item = `${JSON.stringify(token)}:${kind === "enum" ? '"e"' : '"o"'}`;
    if (isArrayIndex(token)) (indices ??= []).push([Number(token), item]);
    else items.push(item);
  }
  if (indices) items.unshift(...indices.sort((a, b) => a[0] - b[0]).map(([, item]) => item));
  return `{${items.join(",")}}`;
}

/** The totals of a cut: the stored record's (the schema's counts) first, then the read's own. */
function mergedTotals(stored: EntryTotals | undefined, read: EntryTotals): EntryTotals {
  const out: EntryTotals = { ...read, ...stored };
  const descriptions = (stored?.descriptions ?? 0) + (read.descriptions ?? 0);
  if (descriptions) out.descriptions = descriptions;
  else delete out.descriptions;
  return out;
}

const isMemberDoc = (d: StoredDoc | StoredType): d is StoredDoc => d.kind === "resource" || d.kind === "function";

function withTotals(doc: StoredDoc | StoredType, totals: EntryTotals): StoredDoc | StoredType {
  if (isMemberDoc(doc)) {
    if (totals.inputs !== undefined) doc.inputsTotal = totals.inputs;
    if (totals.outputs !== undefined) doc.outputsTotal = totals.outputs;
  } else {
    if (totals.properties !== undefined) doc.propertiesTotal = totals.properties;
    if (totals.values !== undefined) doc.valuesTotal = totals.values;
  }
  if (totals.descriptions) doc.descriptionsCut = totals.descriptions;
  return doc;
}

/**
 * A format 2 document (named when it was derived) within the caps: its lists sliced, descriptions cut. Its
 * record was read and parsed whole (what docs derived by those releases cost); nothing more is expanded.
 */
export function cutStoredDocument(doc: StoredDoc | StoredType, budget: AnswerBudget = answerBudget()): StoredDoc | StoredType {
  const totals: EntryTotals = {};
  const describe = <T extends { description?: string }>(item: T): T => {
    if (item.description === undefined) return item;
    const allowed = Math.min(MAX_ITEM_DESCRIPTION_CHARS, budget.descriptionChars);
    if (item.description.length <= allowed) {
      budget.descriptionChars -= item.description.length;
      return item;
    }
    totals.descriptions = (totals.descriptions ?? 0) + 1;
    const description = cutText(item.description, allowed);
    budget.descriptionChars -= description.length;
    return { ...item, description };
  };
  const slice = <T extends { description?: string }>(items: T[], total: keyof EntryTotals): T[] => {
    const n = Math.min(items.length, MAX_LIST_ITEMS, budget.named);
    budget.named -= n;
    if (n < items.length) totals[total] = items.length;
    return items.slice(0, n).map(describe);
  };
  const out = { ...doc } as StoredDoc | StoredType;
  if (out.description !== undefined && out.description.length > MAX_ENTRY_DESCRIPTION_CHARS) {
    out.description = cutText(out.description, MAX_ENTRY_DESCRIPTION_CHARS);
    totals.descriptions = 1;
  }
  if (isMemberDoc(out)) {
    out.inputs = slice(out.inputs, "inputs");
    out.outputs = slice(out.outputs, "outputs");
  } else {
    if (out.properties) out.properties = slice(out.properties, "properties");
    if (out.values) out.values = slice(out.values, "values");
  }
  if (!Object.keys(totals).length) return doc;
  return withTotals(out, totals);
}

/**
 * The per-language document of a format 3 record, exactly as format 2 stored it: built by the functions that
 * built it then, and passed through JSON as it was (so absent and undefined fields, numbers, key order agree).
 */
export function documentOf(naming: PackageNaming, record: NeutralRecord, budget: AnswerBudget = answerBudget()): StoredDoc | StoredType {
  const known = record.kinds;
  const kinds: RefKinds = { refKind: (token) => (Object.hasOwn(known, token) ? (known[token] === "e" ? "enum" : "object") : undefined) };
  const o = { naming };
  // Cut before naming: only what is shown is named (entry-caps.ts).
  const { spec, totals } = cutEntry(record.entry, record.spec, budget);
  const doc = record.entry === "types" ? typeDoc(o, kinds, record.token, spec) : memberDoc(o, kinds, record.token, record.entry === "resources" ? "resource" : "function", spec);
  return JSON.parse(JSON.stringify(withTotals(doc, mergedTotals(record.totals, totals)))) as StoredDoc | StoredType;
}

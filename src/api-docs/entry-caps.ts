// What one docs answer (JSON `docs/{token}`, a member page, a type page) shows of one entry, whatever the entry's
// size: the caps, and the cuts that apply them before anything is named (docs/route-budgets.md, "One huge entry").
//
// A schema entry may be as large as the schema (100,000 properties, an enum of 100,000 values, a resource that
// reaches 50,000 supporting types). Naming is the cost (six languages per property), so the cut comes first:
// a format 3 record's spec is cut before it is named, a format 2 document (named when derived) is sliced, and
// the derivation stores a big entry's record already cut (`totals` in the record), so that reading it is bounded
// too. Every cut keeps the first items in schema order and records the total it cut from.
type Json = Record<string, unknown>;

/** Properties shown per list (a resource's inputs, its outputs, an object type's properties) and values of an enum. */
export const MAX_LIST_ITEMS = 1000;
/** Properties and enum values named in one answer, every list together (the entry's and its supporting types'). */
export const MAX_NAMED_ITEMS = 2500;
/** Supporting types listed in one answer (and kept on a member's index line by the derivation). */
export const MAX_SUPPORTING_TYPES = 250;
/** Bytes of supporting types' records read for one answer (their ranges are known from the index line). */
export const MAX_SUPPORTING_TYPE_BYTES = 1024 * 1024;
/** Characters of one property's or enum value's description. */
export const MAX_ITEM_DESCRIPTION_CHARS = 16 * 1024;
/** Characters of property and value descriptions in one answer, all together. */
export const MAX_ANSWER_DESCRIPTION_CHARS = 256 * 1024;
/** Characters of the entry's own description (the resource's or function's, with its examples). */
export const MAX_ENTRY_DESCRIPTION_CHARS = 512 * 1024;
/** Derivation: characters of the kept items' JSON per list in a stored (cut) record. */
export const MAX_RECORD_LIST_CHARS = 256 * 1024;

/** The totals an entry's lists had where they were cut (absent: not cut). */
export interface EntryTotals {
  inputs?: number;
  outputs?: number;
  properties?: number;
  values?: number;
  /** Descriptions cut (shortened or emptied). */
  descriptions?: number;
}

/** What one answer may still name and describe; shared by the entry and its supporting types, in that order. */
export interface AnswerBudget {
  named: number;
  descriptionChars: number;
}

export const answerBudget = (): AnswerBudget => ({ named: MAX_NAMED_ITEMS, descriptionChars: MAX_ANSWER_DESCRIPTION_CHARS });
/** The derivation's cut of one record: each list to MAX_LIST_ITEMS (and MAX_RECORD_LIST_CHARS), descriptions as an answer's. */
export const recordBudget = (): AnswerBudget => ({ named: 4 * MAX_LIST_ITEMS, descriptionChars: MAX_ANSWER_DESCRIPTION_CHARS });

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first `n` UTF-16 units of `text`, not splitting a surrogate pair. */
export function cutText(text: string, n: number): string {
  if (text.length <= n) return text;
  let end = Math.max(0, n);
  const c = text.charCodeAt(end - 1);
  if (end > 0 && c >= 0xd800 && c <= 0xdbff) end--;
  return text.slice(0, end);
}

/** A description within the budget: whole, cut to what is left, or "" once the budget is spent. */
function cutDescription(value: unknown, budget: AnswerBudget, totals: EntryTotals): unknown {
  if (typeof value !== "string") return value;
  const allowed = Math.min(MAX_ITEM_DESCRIPTION_CHARS, budget.descriptionChars);
  const out = value.length > allowed ? cutText(value, allowed) : value;
  if (out !== value) totals.descriptions = (totals.descriptions ?? 0) + 1;
  budget.descriptionChars -= out.length;
  return out;
}

/** The item with its description within the budget (the same object when nothing changes). */
function withDescription(item: Json, budget: AnswerBudget, totals: EntryTotals): Json {
  if (typeof item.description !== "string") return item;
  const description = cutDescription(item.description, budget, totals);
  return description === item.description ? item : { ...item, description };
}

interface ListCut {
  /** Stop adding items once their JSON passes this many characters (the derivation's record bound). */
  listChars?: number;
}

/** The first properties of a `properties` map within the caps, descriptions cut; `total` when any were left out. */
function cutProperties(map: unknown, budget: AnswerBudget, totals: EntryTotals, opts: ListCut): { map: unknown; total?: number } {
  if (!isObject(map)) return { map };
  const keys = Object.keys(map);
  const max = Math.min(MAX_LIST_ITEMS, budget.named);
  const out: Json = {};
  let chars = 0;
  let kept = 0;
  for (const key of keys) {
    if (kept >= max) break;
    const value = map[key];
    const item = isObject(value) ? withDescription(value, budget, totals) : value;
    if (opts.listChars !== undefined) {
      chars += key.length + JSON.stringify(item ?? null).length + 4;
      if (chars > opts.listChars) break;
    }
    out[key] = item;
    // Only objects are properties (propertiesOf): only they are named.
    if (isObject(value)) budget.named--;
    kept++;
  }
  return kept === keys.length ? { map: out } : { map: out, total: keys.filter((k) => isObject(map[k])).length };
}

function cutValues(values: unknown[], budget: AnswerBudget, totals: EntryTotals, opts: ListCut): { values: unknown[]; total?: number } {
  const max = Math.min(MAX_LIST_ITEMS, budget.named);
  const out: unknown[] = [];
  let chars = 0;
  for (const v of values) {
    if (out.length >= max) break;
    const item = isObject(v) ? withDescription(v, budget, totals) : v;
    if (opts.listChars !== undefined) {
      chars += JSON.stringify(item ?? null).length + 1;
      if (chars > opts.listChars) break;
    }
    out.push(item);
    if (isObject(v)) budget.named--;
  }
  return out.length === values.length ? { values: out } : { values: out, total: values.filter(isObject).length };
}

/** The fields a docs answer reads of an entry: a stored cut record keeps only these. */
const READ_FIELDS = ["type", "description", "deprecationMessage", "language", "properties", "required", "inputProperties", "requiredInputs", "inputs", "outputs", "enum", "isComponent"];

/**
 * The entry as a docs answer may show it: each list cut to its first items within the caps and what `budget`
 * has left, descriptions within theirs, and the totals of what was cut. Only the lists' first items are
 * touched (the rest are not even looked at beyond counting them), so this costs what is shown. `opts.listChars`
 * also bounds each list by its JSON's size, and `opts.readFieldsOnly` drops the fields no answer reads (the
 * derivation's stored cut). Answers the same object when nothing was cut.
 */
export function cutEntry(entry: "types" | "resources" | "functions", spec: Json, budget: AnswerBudget, opts: ListCut & { readFieldsOnly?: boolean } = {}): { spec: Json; totals: EntryTotals } {
  const totals: EntryTotals = {};
  let out: Json = opts.readFieldsOnly ? Object.fromEntries(READ_FIELDS.filter((f) => Object.hasOwn(spec, f)).map((f) => [f, spec[f]])) : { ...spec };
  if (typeof out.description === "string" && out.description.length > MAX_ENTRY_DESCRIPTION_CHARS) {
    out.description = cutText(out.description, MAX_ENTRY_DESCRIPTION_CHARS);
    totals.descriptions = 1;
  }
  /** A properties map cut, and the list of required names beside it narrowed to those kept (it may be as long). */
  const list = (holder: Json, key: string, total: keyof EntryTotals, requiredKey = "required"): Json => {
    const cut = cutProperties(holder[key], budget, totals, opts);
    if (cut.map === holder[key]) return holder;
    const out = { ...holder, [key]: cut.map };
    if (cut.total !== undefined) {
      totals[total] = cut.total;
      const required = holder[requiredKey];
      if (Array.isArray(required) && isObject(cut.map)) out[requiredKey] = required.filter((r) => typeof r === "string" && Object.hasOwn(cut.map as Json, r));
    }
    return out;
  };
  if (entry === "types") {
    if (Array.isArray(out.enum)) {
      const cut = cutValues(out.enum, budget, totals, opts);
      out.enum = cut.values;
      if (cut.total !== undefined) totals.values = cut.total;
    } else out = list(out, "properties", "properties");
  } else if (entry === "resources") {
    out = list(out, "inputProperties", "inputs", "requiredInputs");
    out = list(out, "properties", "outputs");
  } else {
    if (isObject(out.inputs)) out.inputs = list(out.inputs, "properties", "inputs");
    if (isObject(out.outputs)) out.outputs = list(out.outputs, "properties", "outputs");
  }
  return { spec: out, totals };
}

/** An entry whose JSON (as JSON.stringify writes it) has more characters than this is stored cut. */
export const BIG_ENTRY_CHARS = 4 * MAX_RECORD_LIST_CHARS;
/**
 * At most this many characters of JSON.stringify's output per byte of the JSON text it parsed: a string or a key
 * never has more characters than bytes, whitespace and a duplicate key's first value are dropped, and a number
 * spelled with an exponent grows at most from 4 bytes to 21 characters (`1e20` → `100000000000000000000`).
 */
export const MAX_STRINGIFY_CHARS_PER_BYTE = 21 / 4;

/** Whether an entry's record is stored cut: some list, or its JSON, is past what an answer shows. */
export function isBigEntry(spec: Json, jsonChars: number): boolean {
  if (jsonChars > BIG_ENTRY_CHARS) return true;
  const count = (v: unknown) => (isObject(v) ? Object.keys(v).length : Array.isArray(v) ? v.length : 0);
  const lists = [spec.properties, spec.inputProperties, spec.enum, isObject(spec.inputs) ? spec.inputs.properties : undefined, isObject(spec.outputs) ? spec.outputs.properties : undefined];
  return lists.some((l) => count(l) > MAX_LIST_ITEMS);
}

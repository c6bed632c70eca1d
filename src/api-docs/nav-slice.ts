// One module's part of a version's navigation, read by byte range from nav.json (nav-head.json or the
// summary says where each module, the naming options and the name overrides lie), so a page that shows
// one member or one module reads that module's tokens, not the whole package's; and the tree filter's
// list, from one bounded span of nav.json's modules.
import type { Nav, NavModule } from "./derive";
import { memberName, type Language, type PackageNaming } from "./languages";
import type { Range } from "./storage";
import type { ModuleLine, NavOutline } from "./nav-outline";
import { readImmutable } from "./derived-cache";
import { contentText } from "./utf8";

async function rangeJson<T>(bucket: R2Bucket, key: string, [offset, length]: Range): Promise<T> {
  const value = await readImmutable(bucket, key, (object) => object.json() as Promise<T>, { offset, length });
  if (value === undefined) throw new Error(`derived docs object ${key} is missing`);
  return value;
}

/** Where nav.json's naming options and name overrides lie. */
export type NavRanges = Pick<NavOutline, "naming" | "overrides">;

/**
 * The nav of the modules given (each with its range), with the naming options and only those modules'
 * overrides; undefined when the ranges are not known (docs derived before them: the caller reads the
 * whole nav). No modules: the naming options alone.
 */
export async function readNavSlice(bucket: R2Bucket, prefix: string, ranges: NavRanges, wanted: readonly ModuleLine[]): Promise<Nav | undefined> {
  if (!ranges.naming) return undefined;
  if (wanted.some((m) => !m.range)) return undefined;
  const key = prefix + "nav.json";
  const [naming, overrides, ...modules] = await Promise.all([
    rangeJson<PackageNaming>(bucket, key, ranges.naming),
    wanted.length && ranges.overrides ? rangeJson<NonNullable<Nav["overrides"]>>(bucket, key, ranges.overrides) : undefined,
    ...wanted.map((m) => rangeJson<NavModule>(bucket, key, m.range!)),
  ]);
  const nav: Nav = { naming, modules: modules as NavModule[] };
  if (overrides) {
    // Only the shown modules' tokens: the overrides of a big package are not carried along.
    const tokens = new Set(nav.modules.flatMap((m) => [...m.resources, ...m.functions]));
    const kept = Object.fromEntries(Object.entries(overrides).filter(([token]) => tokens.has(token)));
    if (Object.keys(kept).length) nav.overrides = kept;
  }
  return nav;
}

/**
 * The nav of consecutive modules (a nav answer's page): one range read from the first one's `{` to the last
 * one's `}`, so its bytes are those modules' own; the naming options and their overrides as readNavSlice's.
 */
export async function readNavRun(bucket: R2Bucket, prefix: string, ranges: NavRanges, run: readonly ModuleLine[]): Promise<Nav | undefined> {
  if (!ranges.naming || run.some((m) => !m.range)) return undefined;
  if (!run.length) return readNavSlice(bucket, prefix, ranges, run);
  const start = run[0]!.range![0];
  const last = run[run.length - 1]!.range!;
  const key = prefix + "nav.json";
  const [naming, overrides, text] = await Promise.all([
    rangeJson<PackageNaming>(bucket, key, ranges.naming),
    ranges.overrides ? rangeJson<NonNullable<Nav["overrides"]>>(bucket, key, ranges.overrides) : undefined,
    // Kept apart from the JSON parse of the same range (a run of one module is that module's slice).
    readImmutable(bucket, key, contentText, { offset: start, length: last[0] + last[1] - start }, "text"),
  ]);
  if (text === undefined) throw new Error(`derived docs object ${key} is missing`);
  const nav: Nav = { naming, modules: JSON.parse(`[${text}]`) as NavModule[] };
  if (overrides) {
    const tokens = new Set(nav.modules.flatMap((m) => [...m.resources, ...m.functions]));
    const kept = Object.fromEntries(Object.entries(overrides).filter(([token]) => tokens.has(token)));
    if (Object.keys(kept).length) nav.overrides = kept;
  }
  return nav;
}

/** What a filter scans of nav.json when the search index could not answer it because `q` is under 3 characters. */
export const SHORT_FILTER_BYTES = 64 * 1024;

/**
 * The bytes of nav.json a filter scans: MAX_FILTER_NAV_BYTES for docs without the search index (every `q` is
 * scanned, as before), at most SHORT_FILTER_BYTES when the index exists and `q` was too short for it (such a
 * filter matches most members anyway, and a cold scan costs what it parses and names).
 */
export function scanBudget(context: { limits: { filterNavBytes: number } }, indexed: boolean): number {
  return indexed ? Math.min(context.limits.filterNavBytes, SHORT_FILTER_BYTES) : context.limits.filterNavBytes;
}

/**
 * A member as the filter matches it: its module and token (lowercased too), and its name in the list's
 * language, worked out the first time a filter needs it (a `q` that matches the token does not) and kept.
 */
interface FilterItem {
  module: string;
  kind: "resource" | "function";
  token: string;
  lowerToken: string;
  name?: string;
  lowerName?: string;
}

interface FilterList {
  items: FilterItem[];
  /** Modules whose members are in the list. */
  modules: number;
  naming: PackageNaming;
  overrides?: NonNullable<Nav["overrides"]>;
}

/** A module of the filter's answer, as the nav route's `depth=full` lists it. */
export interface FilteredModule {
  name: string;
  resources: Array<{ name: string; token: string }>;
  functions: Array<{ name: string; token: string }>;
}

/**
 * The tree filter over a bounded part of the navigation: nav.json's modules from the first, as many whole
 * modules as `budget` bytes hold (one range read; the name overrides too when they take at most half the
 * budget), matched by token or by name in `language` as the nav route's `q` matches. The list is built
 * once per span and language and kept by the isolate (derived-cache.ts), with each member's name once
 * a filter has needed it, so a later filter of the same package, whatever its `q`, reads nothing and
 * only scans. At most `max` matches are answered,
 * all are counted. Undefined when nav.json's ranges are not known (older docs: the caller reads it whole).
 */
export async function filterNav(
  bucket: R2Bucket,
  prefix: string,
  outline: NavOutline,
  budget: number,
  language: Language,
  q: string,
  max: number,
  /** false: tokens only (the JSON nav without `lang` matches no names). */
  matchNames = true,
): Promise<{ modules: FilteredModule[]; total: number; searched: number; whole: boolean } | undefined> {
  if (!outline.naming || !outline.span) return undefined;
  const key = prefix + "nav.json";
  const withOverrides = !!outline.overrides && outline.overrides[1] <= budget / 2;
  const room = budget - (withOverrides ? outline.overrides![1] : 0);
  const [offset, spanBytes] = outline.span;
  const whole = spanBytes <= room;
  const length = Math.min(spanBytes, room);
  const [naming, overrides] = await Promise.all([
    rangeJson<PackageNaming>(bucket, key, outline.naming),
    withOverrides ? rangeJson<NonNullable<Nav["overrides"]>>(bucket, key, outline.overrides!) : undefined,
  ]);
  const list = length
    ? await readImmutable<FilterList>(
        bucket,
        key,
        async (object) => {
          let text = await contentText(object);
          if (!whole) {
            // Cut after the last whole module: `]},{"name":` cannot occur inside a JSON string (its quotes would be escaped).
            const cut = text.lastIndexOf(']},{"name":');
            text = cut < 0 ? "" : text.slice(0, cut + 2);
          }
          const modules = JSON.parse(`[${text}]`) as NavModule[];
          const items: FilterItem[] = [];
          for (const m of modules) {
            for (const token of m.resources) items.push({ module: m.name, kind: "resource", token, lowerToken: token.toLowerCase() });
            for (const token of m.functions) items.push({ module: m.name, kind: "function", token, lowerToken: token.toLowerCase() });
          }
          return { items, modules: modules.length, naming, ...(overrides ? { overrides } : {}) };
        },
        { offset, length },
        `filter-${language}-${withOverrides ? "o" : "n"}`,
      )
    : { items: [], modules: 0, naming };
  if (!list) throw new Error(`derived docs object ${key} is missing`);
  const nameOf = (item: FilterItem) => {
    if (item.name === undefined) {
      item.name = list.overrides?.[item.token]?.[language] ?? memberName(language, list.naming, item.token, item.kind);
      item.lowerName = item.name.toLowerCase();
    }
    return item.name;
  };
  const needle = q.toLowerCase();
  const out: FilteredModule[] = [];
  let total = 0;
  for (const item of list.items) {
    if (!item.lowerToken.includes(needle)) {
      if (!matchNames) continue;
      nameOf(item);
      if (!item.lowerName!.includes(needle)) continue;
    }
    total++;
    if (total > max) continue;
    let module = out[out.length - 1];
    if (module?.name !== item.module) out.push((module = { name: item.module, resources: [], functions: [] }));
    (item.kind === "resource" ? module.resources : module.functions).push({ name: nameOf(item), token: item.token });
  }
  return { modules: out, total, searched: list.modules, whole };
}

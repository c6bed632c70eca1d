// One module's part of a version's navigation, read by byte range from nav.json (the summary says
// where each module, the naming options and the name overrides lie), so a page that shows one member
// or one module reads that module's tokens, not the whole package's.
import type { Nav, NavModule, NavSummary } from "./derive";
import type { PackageNaming } from "./languages";
import type { Range } from "./storage";
import { readImmutable } from "./derived-cache";

async function rangeJson<T>(bucket: R2Bucket, key: string, [offset, length]: Range): Promise<T> {
  const value = await readImmutable(bucket, key, (object) => object.json() as Promise<T>, { offset, length });
  if (value === undefined) throw new Error(`derived docs object ${key} is missing`);
  return value;
}

/**
 * The modules named (all with ranges in the summary), read with one range read spanning them: for a
 * search over many modules, one R2 get whatever their number. The span's bytes are at most the caller's
 * budget (it picks the modules); the naming options come with them, and the name overrides when asked
 * (their bytes are the caller's to count too).
 */
export async function readNavSpan(bucket: R2Bucket, prefix: string, summary: NavSummary, names: readonly string[], withOverrides: boolean): Promise<Nav | undefined> {
  if (!summary.naming) return undefined;
  const wanted = summary.modules.filter((m) => names.includes(m.name));
  if (!wanted.length || wanted.some((m) => !m.range)) return undefined;
  const start = Math.min(...wanted.map((m) => m.range![0]));
  const end = Math.max(...wanted.map((m) => m.range![0] + m.range![1]));
  const key = prefix + "nav.json";
  const [naming, overrides, span] = await Promise.all([
    rangeJson<PackageNaming>(bucket, key, summary.naming),
    withOverrides && summary.overrides ? rangeJson<NonNullable<Nav["overrides"]>>(bucket, key, summary.overrides) : undefined,
    bucket.get(key, { range: { offset: start, length: end - start } }),
  ]);
  if (!span) throw new Error(`derived docs object ${key} is missing`);
  const bytes = new Uint8Array(await span.arrayBuffer());
  const decoder = new TextDecoder();
  const modules = wanted.map((m) => JSON.parse(decoder.decode(bytes.subarray(m.range![0] - start, m.range![0] - start + m.range![1]))) as NavModule);
  return overrides ? { naming, modules, overrides } : { naming, modules };
}

/**
 * The nav of the modules named (those the summary knows), with the naming options and only those
 * modules' overrides; undefined when the summary predates the ranges (the caller reads the whole nav).
 */
export async function readNavSlice(bucket: R2Bucket, prefix: string, summary: NavSummary, names: readonly string[]): Promise<Nav | undefined> {
  if (!summary.naming) return undefined;
  const wanted = summary.modules.filter((m) => names.includes(m.name));
  if (wanted.some((m) => !m.range)) return undefined;
  const key = prefix + "nav.json";
  const [naming, overrides, ...modules] = await Promise.all([
    rangeJson<PackageNaming>(bucket, key, summary.naming),
    summary.overrides ? rangeJson<NonNullable<Nav["overrides"]>>(bucket, key, summary.overrides) : undefined,
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

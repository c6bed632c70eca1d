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

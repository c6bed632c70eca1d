// The stored plugin records of a version (its `plugins` column) as answers: the list route, the version's
// `checksums`, and the pluginDownloadURL the CLI's https source appends file names to.
import { isPlatform, type Platform } from "./platforms";

export interface StoredPlugin {
  file: string;
  size: number;
  sha256: string;
  attachedAt: string;
}

/** The column's JSON, platforms in the CLI's order; NULL (every version stored before plugins) is none. */
export function pluginRecords(column: string | null): Partial<Record<Platform, StoredPlugin>> {
  if (!column) return {};
  const parsed = JSON.parse(column) as Record<string, StoredPlugin>;
  const records: Partial<Record<Platform, StoredPlugin>> = {};
  for (const [platform, record] of Object.entries(parsed).sort(([a], [b]) => a.localeCompare(b))) if (isPlatform(platform)) records[platform] = record;
  return records;
}

/** `{"linux-amd64": "<hex>", …}`, the keys of a Pulumi.yaml `checksums` block; undefined without plugins. */
export function checksumsOf(column: string | null): Record<string, string> | undefined {
  const entries = Object.entries(pluginRecords(column)).map(([platform, r]) => [platform, r.sha256] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

export interface PluginListing {
  platform: Platform;
  file: string;
  size: number;
  sha256: string;
  attachedAt: string;
  url: string;
}

/** The list route's entries; `base` is the version's plugins URL (its pluginDownloadURL). */
export function pluginList(column: string | null, base: string): PluginListing[] {
  return Object.entries(pluginRecords(column)).map(([platform, r]) => ({
    platform: platform as Platform,
    file: r.file,
    size: r.size,
    sha256: r.sha256,
    attachedAt: r.attachedAt,
    url: `${base}/${encodeURIComponent(r.file)}`,
  }));
}

/** `sha256sum` format: `<hex>  <file>\n` per archive, sorted by file name, so an attach only adds lines. */
export function sha256Sums(column: string | null): string {
  return Object.values(pluginRecords(column))
    .map((r) => `${r.sha256}  ${r.file}\n`)
    .sort((a, b) => a.slice(66).localeCompare(b.slice(66)))
    .join("");
}

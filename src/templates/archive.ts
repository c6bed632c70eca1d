// Streaming, bounded check of a template archive (gzip tar) that keeps only its root Pulumi.yaml and README,
// and the names and sizes of its first files (the template page's file list). The walk itself (gunzip, tar blocks, bounds, safe names) is src/archives/gzip-tar.ts.
import type { Limits } from "../core/vocabulary/limits";
import { badRequest } from "../http/api-error";
import { walkGzipTar, type TarFile } from "../archives/gzip-tar";
import { quoted } from "../archives/tar-format";
import { FileListBuilder, type FileList } from "./file-list";

export interface ArchiveFacts {
  /** Text of the root Pulumi.yaml (or Pulumi.yml when there is no Pulumi.yaml). */
  pulumiYaml: string;
  /** Bytes of a root README.md in any letter case. */
  readme?: Uint8Array;
  /** Any regular file named tsconfig.json (in any directory) or ending in `.ts` (`.d.ts` included). */
  hasTypeScript: boolean;
  /** Entries other than tar meta headers: regular files and (tolerated) directories. */
  entries: number;
  /** Sum of the sizes of those entries. */
  unpackedBytes: number;
  /** The regular files' names and sizes, in archive order, bounded (file-list.ts). */
  files: FileList;
}

const LABEL = "template archive";
const MiB = 1024 * 1024;
/** Kept in memory, so capped well below the archive limits. */
const PULUMI_YAML_MAX_BYTES = 1 * MiB;
/** Same bound as a package README (spec §7). */
const README_MAX_BYTES = 5 * MiB;

/** A root file kept in memory, refused past its cap. */
async function readCapped(file: TarFile, max: number, what: string): Promise<Uint8Array> {
  if (file.size > max) throw badRequest(`${LABEL} entry ${quoted(file.rawName)} is ${file.size} bytes; ${what} may be at most ${max}`);
  return file.read();
}

export async function inspectArchive(
  stream: ReadableStream<Uint8Array>,
  limits: Pick<Limits, "archiveUnpackedBytes" | "archiveEntries">,
): Promise<ArchiveFacts> {
  let pulumiYaml: Uint8Array | undefined;
  let pulumiYml: Uint8Array | undefined;
  let readme: Uint8Array | undefined;
  let hasTypeScript = false;
  const files = new FileListBuilder();
  const totals = await walkGzipTar(stream, limits, LABEL, async (file) => {
    files.add(file.name, file.size);
    const base = file.name.slice(file.name.lastIndexOf("/") + 1);
    if (base === "tsconfig.json" || file.name.endsWith(".ts")) hasTypeScript = true;
    if (file.name.includes("/")) return;
    // A later entry of the same name wins, as it would on extraction.
    if (file.name === "Pulumi.yaml") pulumiYaml = await readCapped(file, PULUMI_YAML_MAX_BYTES, "Pulumi.yaml");
    else if (file.name === "Pulumi.yml") pulumiYml = await readCapped(file, PULUMI_YAML_MAX_BYTES, "Pulumi.yaml");
    else if (file.name.toLowerCase() === "readme.md") readme = await readCapped(file, README_MAX_BYTES, "a README");
  });

  const yamlBytes = pulumiYaml ?? pulumiYml;
  if (!yamlBytes) throw badRequest(`${LABEL} has no Pulumi.yaml at its root`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(yamlBytes);
  } catch {
    throw badRequest(`${LABEL}'s Pulumi.yaml is not valid UTF-8`);
  }
  const facts: ArchiveFacts = { pulumiYaml: text, hasTypeScript, ...totals, files: files.done() };
  if (readme) facts.readme = readme;
  return facts;
}

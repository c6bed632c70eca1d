// What a policy pack archive must hold: a gzip tar of a policy pack project with PulumiPolicy.yaml at its
// root naming `runtime` (and optionally `description`); bounded like a template archive.
import { parse } from "yaml";
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";
import { walkGzipTar, type TarLimits } from "../archives/gzip-tar";

export interface PackRuntime {
  name: string;
  options?: Record<string, unknown>;
}

export interface PackArchiveFacts {
  runtime: PackRuntime;
  description?: string;
  entries: number;
  unpackedBytes: number;
}

const WHAT = "policy pack archive";
/** Kept in memory, so capped far below the archive bounds. */
const PROJECT_FILE_MAX_BYTES = 1024 * 1024;
/** Enough for any real project file; low enough that an alias bomb fails instead of expanding. */
const MAX_ALIAS_COUNT = 100;

export async function inspectPackArchive(stream: ReadableStream<Uint8Array>, limits: TarLimits): Promise<PackArchiveFacts> {
  let project: Uint8Array | undefined;
  const counts = await walkGzipTar(stream, limits, WHAT, async (file) => {
    if (file.name !== "PulumiPolicy.yaml") return;
    if (file.size > PROJECT_FILE_MAX_BYTES) {
      throw badRequest(`${WHAT} entry '${printable(file.rawName)}' is ${file.size} bytes; PulumiPolicy.yaml may be at most ${PROJECT_FILE_MAX_BYTES}`);
    }
    // A later entry of the same name wins, as it would on extraction.
    project = await file.read();
  });
  if (!project) throw badRequest(`${WHAT} has no PulumiPolicy.yaml at its root`);
  return { ...projectFacts(project), ...counts };
}

/** Reads PulumiPolicy.yaml: `runtime` (a name, or `{name, options}`) is required; `description` optional. */
export function projectFacts(bytes: Uint8Array): { runtime: PackRuntime; description?: string } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest("PulumiPolicy.yaml is not valid UTF-8");
  }
  let project: unknown;
  try {
    // Core schema without optional tags: every value is plain JSON data (as for Pulumi.yaml).
    project = parse(text, { schema: "core", resolveKnownTags: false, maxAliasCount: MAX_ALIAS_COUNT, logLevel: "error", uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw badRequest(`PulumiPolicy.yaml is not valid YAML: ${printable(detail.split("\n")[0] ?? "")}`);
  }
  if (!isMapping(project)) throw badRequest("PulumiPolicy.yaml is not a YAML mapping");
  const runtime = runtimeOf(project.runtime);
  const description = project.description;
  if (description !== undefined && description !== null && typeof description !== "string") {
    throw badRequest("PulumiPolicy.yaml 'description' must be a string");
  }
  return description ? { runtime, description } : { runtime };
}

function runtimeOf(value: unknown): PackRuntime {
  if (value === undefined || value === null) throw badRequest("PulumiPolicy.yaml names no 'runtime'");
  if (typeof value === "string" && value !== "") return { name: value };
  if (isMapping(value) && typeof value.name === "string" && value.name !== "") {
    if (value.options === undefined || value.options === null) return { name: value.name };
    if (!isMapping(value.options)) throw badRequest("PulumiPolicy.yaml 'runtime.options' must be a mapping");
    return { name: value.name, options: value.options };
  }
  throw badRequest("PulumiPolicy.yaml 'runtime' must be a name or a mapping with a 'name'");
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

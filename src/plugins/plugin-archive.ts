// Validation of a provider plugin archive, streamed once with the shared gzip-tar walker: a gzip tar within
// the limits, safe paths (the walker refuses `..`, absolute names and links), and the executable
// `pulumi-resource-<name>` (`.exe` on Windows) at the root, with an executable bit off Windows.
import { badRequest } from "../http/api-error";
import { walkGzipTar } from "../archives/gzip-tar";
import type { Limits } from "../core/vocabulary/limits";
import { executableName, type Platform } from "./platforms";

const PLUGIN_EXECUTABLE = /^pulumi-resource-(.+?)(\.exe)?$/;
const ANY_EXECUTE_BIT = 0o111;
/** Plugins are a handful of files (the executable, PulumiPlugin.yaml, README, LICENSE). */
const PLUGIN_ENTRIES = 1_000;

export interface PluginCheck {
  name: string;
  platform: Platform;
  limits: Limits;
}

export async function checkPluginArchive(stream: ReadableStream<Uint8Array>, check: PluginCheck): Promise<void> {
  const label = `the ${check.platform} plugin archive`;
  const wanted = executableName(check.name, check.platform);
  let found = false;
  await walkGzipTar(stream, { archiveUnpackedBytes: check.limits.pluginUnpackedBytes, archiveEntries: PLUGIN_ENTRIES }, label, (file) => {
    if (file.name === wanted) {
      if (!check.platform.startsWith("windows-") && (file.mode & ANY_EXECUTE_BIT) === 0) {
        throw badRequest(`${label}: ${wanted} is not executable (mode ${file.mode.toString(8).padStart(4, "0")}); set its executable bit`);
      }
      if (file.size === 0) throw badRequest(`${label}: ${wanted} is empty`);
      found = true;
      return;
    }
    const other = file.name.includes("/") ? null : PLUGIN_EXECUTABLE.exec(file.name);
    if (other) throw badRequest(`${label} holds ${file.name}, the executable of another plugin; this package's is ${wanted}`);
  });
  if (!found) throw badRequest(`${label} has no ${wanted} at its root`);
}

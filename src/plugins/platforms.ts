// Provider plugin platforms and file names, exactly as the stock Pulumi CLI spells them
// (/work/shared/spec/plugins.md §1): `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz`.

export const PLUGIN_OSES = ["linux", "darwin", "windows"] as const;
export const PLUGIN_ARCHES = ["amd64", "arm64"] as const;
export const PLATFORMS = PLUGIN_OSES.flatMap((os) => PLUGIN_ARCHES.map((arch) => `${os}-${arch}` as const));
export type Platform = (typeof PLATFORMS)[number];

/** The key of a platform in a version's artifact map. */
export const PLUGIN_ARTIFACT_PREFIX = "plugin/";

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** The upload slot of a platform (staging keys take letters and digits): `linux-amd64` → `pluginLinuxAmd64`. */
export function platformSlot(platform: Platform): string {
  return "plugin" + platform.split("-").map((part) => part[0]!.toUpperCase() + part.slice(1)).join("");
}

export function pluginFileName(name: string, version: string, platform: Platform): string {
  return `pulumi-resource-${name}-v${version}-${platform}.tar.gz`;
}

/** The executable the archive must hold at its root. */
export function executableName(name: string, platform: Platform): string {
  return `pulumi-resource-${name}${platform.startsWith("windows-") ? ".exe" : ""}`;
}

/** The platform a requested file names for this plugin and version; undefined for any other file. */
export function platformOfFile(file: string, name: string, version: string): Platform | undefined {
  const stem = `pulumi-resource-${name}-v${version}-`;
  if (!file.startsWith(stem) || !file.endsWith(".tar.gz")) return undefined;
  const platform = file.slice(stem.length, -".tar.gz".length);
  return isPlatform(platform) ? platform : undefined;
}

/**
 * The `<project>` of a package in the CLI's `gitlab://<host>/<project>` source (a private package's
 * pluginDownloadURL): one path segment, `<source>~<publisher>~<name>` (segments never hold `~`).
 */
export function gitlabProject(identity: { source: string; publisher: string; name: string }): string {
  return `${identity.source}~${identity.publisher}~${identity.name}`;
}

export function parseGitlabProject(project: string): { source: string; publisher: string; name: string } | undefined {
  const parts = project.split("~");
  if (parts.length !== 3) return undefined;
  const [source, publisher, name] = parts as [string, string, string];
  return { source, publisher, name };
}

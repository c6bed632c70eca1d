// A stand-in for the hosts provider plugin archives come from (spec/plugins.md §1): GitHub's release API
// (`github://` sources and the CLI's default), whose asset downloads redirect to another host as GitHub's do,
// and get.pulumi.com's `releases/plugins/<file>`. The archives are real gzip tars holding the executable.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { tar, type TarEntry } from "../../unit/tar-fixtures";
import { json, StandInServers, type Answer, type Fault, type FaultHandle, type FaultOptions, type LoggedRequest } from "./http-stand-in";

export const PLUGIN_PLATFORMS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64", "windows-arm64"] as const;
export type PluginPlatform = (typeof PLUGIN_PLATFORMS)[number];

export interface PluginArchive {
  platform: PluginPlatform;
  /** `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz` */
  file: string;
  bytes: Buffer;
  /** Hex SHA-256 of `bytes`. */
  sha256: string;
  size: number;
}

export interface AddPluginInput {
  name: string;
  /** SemVer without a `v`. */
  version: string;
  /** All six by default. */
  platforms?: readonly PluginPlatform[];
  /** The GitHub release's repository: `pulumi/pulumi-<name>` by default (the CLI's default source). */
  org?: string;
  repo?: string;
  /** Which hosts serve it; both by default. */
  github?: boolean;
  getPulumi?: boolean;
  /** The archive's entries instead of the standard ones (executable, PulumiPlugin.yaml, README.md, LICENSE), e.g. to serve a broken archive. */
  entries?: (platform: PluginPlatform) => TarEntry[];
}

export interface PluginHostsOptions {
  /**
   * When set, GitHub's API routes (release by tag, asset) need `Authorization: token <t>` (or `Bearer <t>`), as a
   * private repository's do: none → 404, another token → 401 "Bad credentials".
   */
  githubToken?: string;
}

export interface PluginHostsStandIn {
  /** Stands for `https://api.github.com`: `GET {githubApi}/repos/{org}/{repo}/releases/tags/v{version}`. */
  githubApi: string;
  /** Stands for `https://github.com` (browser_download_url); the same listener as githubApi. */
  githubWeb: string;
  /** Where GitHub's asset downloads redirect to (stands for objects.githubusercontent.com); another origin. */
  objectsOrigin: string;
  /** Stands for `https://get.pulumi.com/releases/plugins` (a pluginDownloadURL base: `GET {getPulumi}/<file>`); another origin. */
  getPulumi: string;
  /** Adds a plugin version's archives; answers them by platform. Throws on a duplicate. */
  addPlugin(input: AddPluginInput): Partial<Record<PluginPlatform, PluginArchive>>;
  /** The archive served for a plugin version and platform, or undefined. */
  archive(name: string, version: string, platform: PluginPlatform): PluginArchive | undefined;
  /** Hex SHA-256 of the archive served; throws when there is none. */
  sha256(name: string, version: string, platform: PluginPlatform): string;
  fault(fault: Fault, options?: FaultOptions): FaultHandle;
  clearFaults(): void;
  /** Every request so far, oldest first (hosts "github", "objects", "get.pulumi.com"). */
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export function pluginFileName(name: string, version: string, platform: PluginPlatform): string {
  return `pulumi-resource-${name}-v${version}-${platform}.tar.gz`;
}

/** The standard entries: the executable (a shell script printing its identity) at the root, PulumiPlugin.yaml, README.md, LICENSE. */
export function pluginEntries(name: string, version: string, platform: PluginPlatform, say = `${name} ${version} ${platform}`): TarEntry[] {
  const exe = `pulumi-resource-${name}${platform.startsWith("windows-") ? ".exe" : ""}`;
  return [
    { name: exe, data: `#!/bin/sh\necho "${say}"\n`, mode: 0o755 },
    { name: "PulumiPlugin.yaml", data: "runtime: go\n" },
    { name: "README.md", data: `# pulumi-resource-${name}\n` },
    { name: "LICENSE", data: "Apache-2.0\n" },
  ];
}

/** A gzip tar of the entries; deterministic (fixed mtimes, no gzip timestamp). */
export function gzipTarOf(entries: TarEntry[]): Buffer {
  return gzipSync(tar(entries));
}

type ServedArchive = PluginArchive & { assetId: number; wrong: () => Buffer };

interface Release {
  org: string;
  repo: string;
  name: string;
  version: string;
  github: boolean;
  getPulumi: boolean;
  archives: Map<PluginPlatform, ServedArchive>;
}

const GITHUB_NOT_FOUND = { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" };

export async function startPluginHostsStandIn(options: PluginHostsOptions = {}): Promise<PluginHostsStandIn> {
  const servers = new StandInServers();
  const releases = new Map<string, Release>();
  const assets = new Map<number, { release: Release; archive: ServedArchive }>();
  let nextAssetId = 1000;
  let githubOrigin = "";
  let objectsOrigin = "";
  const releaseKey = (name: string, version: string) => `${name}@${version}`;

  const assetJson = (release: Release, archive: PluginArchive & { assetId: number }) => ({
    url: `${githubOrigin}/repos/${release.org}/${release.repo}/releases/assets/${archive.assetId}`,
    id: archive.assetId,
    name: archive.file,
    label: "",
    content_type: "application/gzip",
    state: "uploaded",
    size: archive.size,
    digest: `sha256:${archive.sha256}`,
    browser_download_url: `${githubOrigin}/${release.org}/${release.repo}/releases/download/v${release.version}/${encodeURIComponent(archive.file)}`,
  });

  const bytesAnswer = (archive: PluginArchive & { wrong: () => Buffer }): Answer => ({
    status: 200,
    headers: { "Content-Type": "application/octet-stream" },
    body: archive.bytes,
    wrongBody: archive.wrong,
  });

  const toObjects = (assetId: number, file: string): Answer => ({
    status: 302,
    headers: { Location: `${objectsOrigin}/github-production-release-asset/${assetId}/${encodeURIComponent(file)}?X-Amz-Expires=300&sig=stand-in` },
  });

  const github = (request: { url: string; headers: Record<string, string | string[] | undefined> }): Answer => {
    const url = new URL(request.url, githubOrigin);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return json(400, { message: "Bad Request" });
    }
    // github.com's browser_download_url: no token needed for a public repository; redirects to the objects host.
    const download = /^\/([^/]+)\/([^/]+)\/releases\/download\/v([^/]+)\/([^/]+)$/.exec(path);
    if (download && download[1] !== "repos") {
      const release = [...releases.values()].find((r) => r.github && r.org === download[1] && r.repo === download[2] && r.version === download[3]);
      const archive = release && [...release.archives.values()].find((a) => a.file === download[4]);
      return archive ? toObjects(archive.assetId, archive.file) : { status: 404, headers: { "Content-Type": "text/plain" }, body: "Not Found" };
    }
    if (options.githubToken !== undefined) {
      const authorization = request.headers.authorization as string | undefined;
      if (authorization === undefined) return json(404, GITHUB_NOT_FOUND);
      if (authorization !== `token ${options.githubToken}` && authorization !== `Bearer ${options.githubToken}`) {
        return json(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
      }
    }
    const tag = /^\/repos\/([^/]+)\/([^/]+)\/releases\/tags\/v([^/]+)$/.exec(path);
    if (tag) {
      const release = [...releases.values()].find((r) => r.github && r.org === tag[1] && r.repo === tag[2] && r.version === tag[3]);
      if (!release) return json(404, GITHUB_NOT_FOUND);
      return json(200, {
        url: `${githubOrigin}/repos/${release.org}/${release.repo}/releases/${release.archives.size}`,
        tag_name: `v${release.version}`,
        name: `v${release.version}`,
        draft: false,
        prerelease: release.version.includes("-"),
        assets: [...release.archives.values()].map((archive) => assetJson(release, archive)),
      });
    }
    const asset = /^\/repos\/([^/]+)\/([^/]+)\/releases\/assets\/(\d+)$/.exec(path);
    if (asset) {
      const found = assets.get(Number(asset[3]));
      if (!found || found.release.org !== asset[1] || found.release.repo !== asset[2]) return json(404, GITHUB_NOT_FOUND);
      const accept = request.headers.accept as string | undefined;
      const archive = found.archive;
      if (accept?.includes("application/octet-stream")) return toObjects(archive.assetId, archive.file);
      return json(200, assetJson(found.release, archive));
    }
    return json(404, GITHUB_NOT_FOUND);
  };

  const objects = (request: { url: string }): Answer => {
    const match = /^\/github-production-release-asset\/(\d+)\/[^/]+$/.exec(new URL(request.url, objectsOrigin).pathname);
    const found = match ? assets.get(Number(match[1])) : undefined;
    if (!found) return { status: 404, headers: { "Content-Type": "application/xml" }, body: "<Error><Code>NoSuchKey</Code></Error>" };
    return bytesAnswer(found.archive);
  };

  const getPulumi = (request: { url: string }): Answer => {
    const pathname = new URL(request.url, "http://x").pathname;
    const prefix = "/releases/plugins/";
    let file = "";
    try {
      file = pathname.startsWith(prefix) ? decodeURIComponent(pathname.slice(prefix.length)) : "";
    } catch {
      file = "";
    }
    for (const release of releases.values()) {
      if (!release.getPulumi) continue;
      for (const archive of release.archives.values()) if (archive.file === file) return bytesAnswer(archive);
    }
    return { status: 404, headers: { "Content-Type": "text/plain" }, body: "Not Found" };
  };

  githubOrigin = (await servers.listen("github", (request) => github(request))).origin;
  objectsOrigin = (await servers.listen("objects", (request) => objects(request))).origin;
  const getPulumiOrigin = (await servers.listen("get.pulumi.com", (request) => getPulumi(request))).origin;

  const archiveOf = (name: string, version: string, platform: PluginPlatform) => releases.get(releaseKey(name, version))?.archives.get(platform);

  return {
    githubApi: githubOrigin,
    githubWeb: githubOrigin,
    objectsOrigin,
    getPulumi: `${getPulumiOrigin}/releases/plugins`,
    requests: servers.requests,
    addPlugin(input) {
      const key = releaseKey(input.name, input.version);
      if (releases.has(key)) throw new Error(`stand-in: plugin ${key} exists`);
      const release: Release = {
        org: input.org ?? "pulumi",
        repo: input.repo ?? `pulumi-${input.name}`,
        name: input.name,
        version: input.version,
        github: input.github ?? true,
        getPulumi: input.getPulumi ?? true,
        archives: new Map(),
      };
      const out: Partial<Record<PluginPlatform, PluginArchive>> = {};
      for (const platform of input.platforms ?? PLUGIN_PLATFORMS) {
        const bytes = gzipTarOf(input.entries?.(platform) ?? pluginEntries(input.name, input.version, platform));
        const archive: ServedArchive = {
          platform,
          file: pluginFileName(input.name, input.version, platform),
          bytes,
          sha256: createHash("sha256").update(bytes).digest("hex"),
          size: bytes.length,
          assetId: nextAssetId++,
          // A valid archive of other content: only its checksum tells it apart.
          wrong: () => gzipTarOf(pluginEntries(input.name, input.version, platform, "not the plugin you asked for")),
        };
        release.archives.set(platform, archive);
        assets.set(archive.assetId, { release, archive });
        out[platform] = { platform, file: archive.file, bytes, sha256: archive.sha256, size: archive.size };
      }
      releases.set(key, release);
      return out;
    },
    archive(name, version, platform) {
      const archive = archiveOf(name, version, platform);
      return archive ? { platform, file: archive.file, bytes: archive.bytes, sha256: archive.sha256, size: archive.size } : undefined;
    },
    sha256(name, version, platform) {
      const archive = archiveOf(name, version, platform);
      if (!archive) throw new Error(`stand-in has no plugin ${name}@${version} for ${platform}`);
      return archive.sha256;
    },
    fault: (fault, faultOptions) => servers.fault(fault, faultOptions),
    clearFaults: () => servers.clearFaults(),
    close: () => servers.close(),
  };
}

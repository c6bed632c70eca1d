// Provider plugin archives built in the test (real tar headers, gzip), and the attach flow as a publisher runs it.
import { callJson } from "./helpers";
import { put } from "./publish-helpers";
import { gzip, tar, type TarEntry } from "../unit/tar-fixtures";

export const pluginsPath = (path: string, version: string) => `/api/registry/packages/${path}/versions/${encodeURIComponent(version)}/plugins`;

/** A plugin archive the CLI would install: the executable at the root, PulumiPlugin.yaml and a README. */
export async function pluginArchive(name: string, platform = "linux-amd64", extra: TarEntry[] = []): Promise<Uint8Array> {
  const exe = `pulumi-resource-${name}${platform.startsWith("windows-") ? ".exe" : ""}`;
  return gzip(
    tar([
      { name: exe, data: `#!/bin/sh\necho ${name} ${platform}\n`, mode: 0o755 },
      { name: "PulumiPlugin.yaml", data: "runtime: go\n" },
      { name: "README.md", data: `# ${name}\n` },
      ...extra,
    ]),
  );
}

export async function hexSha256(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function startAttach(token: string, path: string, version: string, platforms: unknown) {
  return callJson(pluginsPath(path, version), { method: "POST", token, body: { platforms } });
}

export async function completeAttach(token: string, path: string, version: string, operationID: string) {
  return callJson(`${pluginsPath(path, version)}/complete`, { method: "POST", token, body: { operationID } });
}

/** Start → PUT each archive → complete; answers the complete response. */
export async function attachPlugins(token: string, path: string, version: string, archives: Record<string, Uint8Array>) {
  const started = await startAttach(token, path, version, Object.keys(archives));
  if (started.status !== 202) throw new Error(`attach start ${path}@${version}: ${started.status} ${JSON.stringify(started.body)}`);
  for (const [platform, bytes] of Object.entries(archives)) {
    const r = await put(started.body.uploadURLs[platform], bytes);
    if (r.status !== 200) throw new Error(`upload ${platform}: ${r.status}`);
  }
  return completeAttach(token, path, version, started.body.operationID);
}

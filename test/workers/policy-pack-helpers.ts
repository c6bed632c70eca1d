// Publishing policy packs the way the stock CLI does (org route → presigned PUT → complete with no body)
// and the way a registry client does (start → PUT → complete with the operation id).
import { gzip, tar, type TarEntry } from "../unit/tar-fixtures";
import { call, callJson } from "./helpers";
import { put } from "./publish-helpers";

export const POLICY_YAML = "runtime: nodejs\ndescription: Guards written for these tests\n";

export const packArchiveOf = (entries: TarEntry[]) => gzip(tar(entries));

export function goodPackArchive() {
  return packArchiveOf([
    { name: "PulumiPolicy.yaml", data: POLICY_YAML },
    { name: "index.ts", data: "export const policies = [];\n" },
    { name: "package.json", data: '{"name":"guards"}\n' },
  ]);
}

export const POLICIES = [
  {
    name: "no-public-buckets",
    displayName: "No public buckets",
    description: "Buckets must not be readable by everyone.",
    enforcementLevel: "mandatory",
    message: "This bucket is public.",
    configSchema: { properties: { allowList: { type: "array", items: { type: "string" } } }, type: "object" },
    severity: "high",
    tags: ["storage"],
    remediationSteps: "Make the bucket private.",
    url: "https://example.com/policies/no-public-buckets",
  },
  { name: "tagged", displayName: "Tagged", description: "Resources carry an owner tag.", enforcementLevel: "advisory", message: "Tag it.", severity: "" },
];

/** The body `pulumi policy publish` sends (every field it may send; `runtime` is a bare name there). */
export function cliBody(name: string, versionTag: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    name,
    displayName: `${name} pack`,
    ...(versionTag === undefined ? {} : { versionTag }),
    policies: POLICIES,
    provider: "aws",
    tags: ["storage", "security"],
    repository: "https://example.com/acme/guards",
    runtime: "nodejs",
    metadata: { "vcs.commit": "0123abc" },
    ...extra,
  };
}

export async function cliStart(token: string | undefined, org: string, body: unknown) {
  return callJson(`/api/orgs/${org}/policypacks`, { method: "POST", token, body });
}

/** The CLI's PUT: the required headers, a Content-Length, no Authorization. */
export async function cliUpload(uploadURI: string, archive: Uint8Array, requiredHeaders: Record<string, string> = {}) {
  return put(uploadURI, archive, requiredHeaders);
}

export async function cliComplete(token: string | undefined, org: string, name: string, versionTag: string) {
  return call(`/api/orgs/${org}/policypacks/${name}/versions/${versionTag}/complete`, { method: "POST", token });
}

/** `pulumi policy publish`, start to finish; throws unless every step succeeds. */
export async function cliPublish(token: string, org: string, name: string, versionTag: string | undefined, archive?: Uint8Array, extra: Record<string, unknown> = {}) {
  const started = await cliStart(token, org, cliBody(name, versionTag, extra));
  if (started.status !== 200) throw new Error(`start ${org}/${name}@${versionTag}: ${started.status} ${JSON.stringify(started.body)}`);
  const up = await cliUpload(started.body.uploadURI, archive ?? (await goodPackArchive()), started.body.requiredHeaders);
  if (up.status !== 200) throw new Error(`upload: ${up.status}`);
  const done = await cliComplete(token, org, name, versionTag ?? String(started.body.version));
  if (done.status !== 204) throw new Error(`complete: ${done.status} ${await done.text()}`);
  return started.body as { version: number; uploadURI: string };
}

export async function startPack(token: string | undefined, path: string, body: Record<string, unknown>, prefix = "/api/registry") {
  return callJson(`${prefix}/policypacks/${path}/versions`, { method: "POST", token, body });
}

/** A registry-route publish; answers the complete's response. */
export async function publishPack(token: string, path: string, version: string, archive?: Uint8Array, prefix = "/api/registry", extra: Record<string, unknown> = {}) {
  const s = await startPack(token, path, { version, policies: POLICIES, ...extra }, prefix);
  if (s.status !== 202) throw new Error(`start ${path}@${version}: ${s.status} ${JSON.stringify(s.body)}`);
  const up = await put(s.body.uploadURLs.archive, archive ?? (await goodPackArchive()));
  if (up.status !== 200) throw new Error(`upload: ${up.status}`);
  return callJson(`${prefix}/policypacks/${path}/versions/${encodeURIComponent(version)}/complete`, { method: "POST", token, body: { operationID: s.body.operationID } });
}

// Provider plugin routes of a package version (under both registry prefixes): attach (start, complete),
// the platform list, and the archives themselves under the exact file names the stock CLI appends to a
// version's pluginDownloadURL.
import type { IRequest } from "itty-router";
import { notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { parseWith, readJsonObject } from "../http/json-body";
import { json } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { enforceRateLimit, rateLimitKey } from "../rate-limits/rate-limit";
import type { RouteParams } from "../core/kind";
import { describeIdentity } from "../core/vocabulary/identity";
import { CompleteBody } from "../registry-api/bodies";
import { parseVersionParam, requirePublisherCaller } from "../registry-api/request-parsing";
import { resolveRouteVersion } from "../registry-api/read-routes";
import { packageKind } from "../packages/package-kind";
import { parseGitlabProject, PLUGIN_ARTIFACT_PREFIX, platformOfFile } from "./platforms";
import { completeAttach, parsePlatforms, startAttach, type PluginRecord } from "./plugin-service";
import { pluginList, pluginRecords } from "./plugin-view";
import { viewContext } from "../core/views";
import { withMirroredPlugin } from "../mirror/mirror-plugins";
import { currentPublicKey, publicKeys, PUBLIC_KEY_PATH, PUBLIC_KEYS_PREFIX, SIGNATURE_FILE, SUMS_FILE, sumsFile, trustedComment } from "./plugin-signing";

const PLUGINS_PATH = "/packages/:source/:publisher/:name/versions/:version/plugins";

async function start(request: IRequest, context: RequestContext): Promise<Response> {
  await enforceRateLimit(context.env, "publish", await rateLimitKey(request));
  const caller = await requirePublisherCaller(context);
  const identity = packageKind.identity(request.params as RouteParams);
  const version = parseVersionParam(request.params.version, false);
  const body = await readJsonObject(request);
  const platforms = parsePlatforms(body.platforms);
  const started = await startAttach(context, caller, identity, version, platforms);
  return json({ operationID: started.operationId, uploadURLs: started.uploadURLs }, 202);
}

async function complete(request: IRequest, context: RequestContext): Promise<Response> {
  const caller = await requirePublisherCaller(context);
  const identity = packageKind.identity(request.params as RouteParams);
  const version = parseVersionParam(request.params.version, false);
  const { operationID } = parseWith(CompleteBody, await readJsonObject(request), "attach complete request");
  const records = await completeAttach(context, caller, identity, version, operationID);
  return json({ plugins: Object.entries(records).map(([platform, r]) => ({ platform, size: r.size, sha256: r.sha256 })) }, 201);
}

async function list(request: IRequest, context: RequestContext): Promise<Response> {
  const { resolved } = await resolveRouteVersion(packageKind, request, context);
  const base = viewContext(packageKind, context.origin, resolved.entry).artifactUrl("plugins");
  return json({ plugins: pluginList(resolved.version?.plugins ?? null, base) }, 200, cacheHeaders(resolved.visibility));
}

function cacheHeaders(visibility: string): Record<string, string> {
  return { "Cache-Control": visibility === "public" ? "public, no-cache" : "private, no-store" };
}

async function sums(request: IRequest, context: RequestContext, file: string): Promise<Response> {
  const { resolved, identity } = await resolveRouteVersion(packageKind, request, context);
  const version = resolved.version!;
  const body = await sumsFile(context.env, file, version.plugins, trustedComment(identity, version.version));
  if (body === undefined) throw notFound(`${describeIdentity(identity, version.version)} has no ${file}`);
  const etag = `"${await hexDigest(body)}"`;
  // Re-issued by each attach: revalidated every time (the ETag is the content's).
  const headers = { "Content-Type": "text/plain; charset=utf-8", ETag: etag, ...cacheHeaders(resolved.visibility) };
  if (request.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers });
  return new Response(body, { headers });
}

async function hexDigest(text: string): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The requested file name, decoded once: the CLI query-escapes it (a `+` in the version arrives as `%2B`). */
function fileParam(request: IRequest): string {
  try {
    return decodeURIComponent(String(request.params.file ?? ""));
  } catch {
    throw notFound("not found");
  }
}

async function download(request: IRequest, context: RequestContext): Promise<Response> {
  const file = fileParam(request);
  if (file === SUMS_FILE || file === SIGNATURE_FILE) return sums(request, context, file);
  const { resolved, identity } = await resolveRouteVersion(packageKind, request, context);
  let version = resolved.version!;
  const platform = platformOfFile(file, identity.name, version.version);
  // A mirrored version's archive is fetched from the upstream's plugin source on its first download.
  if (platform && resolved.item.mirror) version = await withMirroredPlugin(context, resolved.item, identity, version, platform);
  const record: PluginRecord | undefined = platform ? pluginRecords(version.plugins)[platform] : undefined;
  const key = platform ? (JSON.parse(version.artifacts) as Record<string, string>)[PLUGIN_ARTIFACT_PREFIX + platform] : undefined;
  const object = record && key ? await context.env.ARTIFACTS.get(key) : null;
  if (!object || !record) throw notFound(`${describeIdentity(identity, version.version)} has no plugin archive '${file.slice(0, 200)}'`);
  const headers = new Headers({
    "Content-Type": "application/gzip",
    "Content-Length": String(object.size),
    ETag: `"${record.sha256}"`,
    // An attached archive never changes; only a delete can take it away (then: 404).
    "Cache-Control": resolved.visibility === "public" ? "public, max-age=31536000, immutable" : "private, no-store",
    "X-Checksum-Sha256": record.sha256,
  });
  if (request.method === "HEAD") {
    await object.body.cancel();
    return new Response(null, { headers });
  }
  return new Response(object.body, { headers, encodeBody: "manual" });
}

export const pluginRoutes: Array<[string, RouteMethods]> = [
  [PLUGINS_PATH, { GET: list, POST: start }],
  [`${PLUGINS_PATH}/complete`, { POST: complete }],
  [`${PLUGINS_PATH}/:file`, { GET: download }],
];

/** The gitlab source's path parameters as the registry's: project → source/publisher/name, `v<version>` → version. */
function asRegistryParams(request: IRequest, tag: string | undefined): void {
  let raw: string;
  try {
    raw = decodeURIComponent(String(request.params.project ?? ""));
  } catch {
    throw notFound("not found");
  }
  const project = parseGitlabProject(raw);
  if (!project || (tag !== undefined && !tag.startsWith("v"))) throw notFound("not found");
  request.params = { ...project, ...(tag === undefined ? {} : { version: tag.slice(1) }), file: String(request.params.file ?? "") };
}

/**
 * What the CLI's `gitlab://<host>/<project>` source requests, with `Authorization: Bearer <registry token>`:
 * an archive of a release, and the latest release's tag. A private package is absent to everyone else.
 */
export const gitlabSourceRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/v4/projects/:project/releases/permalink/latest",
    {
      GET: async (request, context) => {
        asRegistryParams(request, undefined);
        request.params.version = "latest";
        const { resolved } = await resolveRouteVersion(packageKind, request, context);
        return json({ tag_name: `v${resolved.version!.version}` }, 200, { "Cache-Control": "private, no-store" });
      },
    },
  ],
  [
    "/api/v4/projects/:project/releases/:tag/downloads/:file",
    {
      GET: async (request, context) => {
        asRegistryParams(request, String(request.params.tag ?? ""));
        if (request.params.file === SUMS_FILE || request.params.file === SIGNATURE_FILE) return sums(request, context, request.params.file);
        return download(request, context);
      },
    },
  ],
];

/** `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz`: name and version (the name up to the first `-v<digit>`). */
const ARCHIVE_FILE = /^pulumi-resource-(.+?)-v(\d+\.\d+\.\d+[^/]*?)-(linux|darwin|windows)-(amd64|arm64)\.tar\.gz$/;

/**
 * Where PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES sends the CLI (docs/operator/mirror.md): the archive of
 * `name@version` (both from the file name the CLI appends), pulled through from the upstream when this
 * registry lacks the version or the archive, served like the hosted plugin route.
 */
export const mirrorOverrideRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/mirror/plugins/:source/:publisher/:name/:file",
    {
      GET: async (request, context) => {
        const file = fileParam(request);
        const match = ARCHIVE_FILE.exec(file);
        if (!match || match[1]!.toLowerCase() !== String(request.params.name ?? "").toLowerCase()) throw notFound(`no plugin archive '${file.slice(0, 200)}' here`);
        request.params = { source: String(request.params.source), publisher: String(request.params.publisher), name: String(request.params.name), version: match[2]!, file: String(request.params.file) };
        return download(request, context);
      },
    },
  ],
  [
    "/api/mirror/get.pulumi.com/:file",
    {
      GET: async (request, context) => {
        const file = fileParam(request);
        const match = ARCHIVE_FILE.exec(file);
        if (!match) throw notFound(`no plugin archive '${file.slice(0, 200)}' here`);
        request.params = { source: "pulumi", publisher: "pulumi", name: match[1]!, version: match[2]!, file: String(request.params.file) };
        return download(request, context);
      },
    },
  ],
];

const keyHeaders = { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=300" };

/** The current public key (what `minisign -p` reads), and every published one by key id (after rotations). */
export const pluginKeyRoutes: Array<[string, RouteMethods]> = [
  [PUBLIC_KEY_PATH, { GET: async (_request, context) => new Response(await currentPublicKey(context.env), { headers: keyHeaders }) }],
  [
    `${PUBLIC_KEYS_PREFIX}:file`,
    {
      GET: async (request, context) => {
        const match = /^([0-9A-F]{16})\.pub$/.exec(String(request.params.file ?? ""));
        const key = match ? (await publicKeys(context.env)).get(match[1]!) : undefined;
        if (!key) throw notFound("no such plugin signing key");
        return new Response(key, { headers: keyHeaders });
      },
    },
  ],
];

// Provider plugin routes of a package version (under both registry prefixes): attach (start, complete),
// the platform list, and the archives themselves under the exact file names the stock CLI appends to a
// version's pluginDownloadURL.
import type { IRequest } from "itty-router";
import { notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { readJsonObject } from "../http/json-body";
import { json } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { enforceRateLimit, rateLimitKey } from "../rate-limits/rate-limit";
import type { RouteParams } from "../core/kind";
import { describeIdentity } from "../core/vocabulary/identity";
import { CompleteBody } from "../registry-api/bodies";
import { parseWith } from "../http/json-body";
import { parseVersionParam, requirePublisherCaller } from "../registry-api/request-parsing";
import { resolveRouteVersion } from "../registry-api/read-routes";
import { packageKind } from "../packages/package-kind";
import { PLUGIN_ARTIFACT_PREFIX, platformOfFile } from "./platforms";
import { completeAttach, parsePlatforms, startAttach, type PluginRecord } from "./plugin-service";
import { pluginList, pluginRecords } from "./plugin-view";
import { viewContext } from "../core/views";

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

async function download(request: IRequest, context: RequestContext): Promise<Response> {
  const { resolved, identity } = await resolveRouteVersion(packageKind, request, context);
  const file = String(request.params.file ?? "");
  const version = resolved.version!;
  const platform = platformOfFile(file, identity.name, version.version);
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

// The registry's write routes for one kind: publish start and complete, delete a version, delete the
// whole item, deprecation. Parse → call a core service → present.
import type { IRequest } from "itty-router";
import type { RequestContext } from "../http/context";
import { parseWith, readBody, readJsonObject } from "../http/json-body";
import { parseBooleanParam } from "../http/query-params";
import { json, noContent } from "../http/respond";
import { enforceRateLimit, rateLimitKey } from "../rate-limits/rate-limit";
import type { AnyKind, RouteParams } from "../core/kind";
import { setDeprecation } from "../core/publish/deprecation-service";
import { checkPublishSource, completePublish, startPublish } from "../core/publish/publish-service";
import { requireOrgToken } from "../core/publish/publisher-rights";
import { deleteItem, retireVersion } from "../core/publish/retire-service";
import { requireVersion } from "../core/vocabulary/versions";
import { CompleteBody, DeprecateBody, StartBody } from "./bodies";
import { parseVersionParam, requirePublisherCaller } from "./request-parsing";
import { deleteRenderings, publishedFolder } from "../artifacts/renderings";

export async function start(kind: AnyKind, request: IRequest, context: RequestContext): Promise<Response> {
  await enforceRateLimit(context.env, "publish", await rateLimitKey(request));
  const caller = await requirePublisherCaller(context);
  const identity = kind.identity(request.params as RouteParams);
  checkPublishSource(kind, identity);
  const raw = await readJsonObject(request);
  const body = parseWith(StartBody, raw, "publish request");
  // A kind's start extension adds its fields to the same body.
  const extension = kind.startExtension ? parseWith(kind.startExtension, raw, "publish request") : undefined;
  const version = requireVersion(body.version);
  const started = await startPublish(context, kind, caller, identity, { version, publishedAt: body.publishedAt, extension });
  return json({ operationID: started.operationId, uploadURLs: started.uploadURLs }, 202);
}

export async function complete(kind: AnyKind, request: IRequest, context: RequestContext): Promise<Response> {
  const caller = await requirePublisherCaller(context);
  const identity = kind.identity(request.params as RouteParams);
  const version = parseVersionParam(request.params.version, false);
  const { operationID } = await readBody(request, CompleteBody, "complete request");
  await completePublish(context, kind, caller, identity, version, operationID);
  return json({}, 201);
}

export async function removeVersion(kind: AnyKind, request: IRequest, context: RequestContext): Promise<Response> {
  const caller = await context.caller();
  requireOrgToken(caller, "deleting a version");
  const identity = kind.identity(request.params as RouteParams);
  const version = parseVersionParam(request.params.version, false);
  const force = kind.lastVersionNeedsForce ? (parseBooleanParam(new URL(request.url).searchParams, "force") ?? false) : false;
  await retireVersion(context, kind, caller, identity, version, { force });
  // The pages' stored renderings of the version's texts are not in its artifact map: removed with it.
  await deleteRenderings(context.env.ARTIFACTS, publishedFolder({ ...identity, version: version.raw }));
  return noContent();
}

export async function removeItem(kind: AnyKind, request: IRequest, context: RequestContext): Promise<Response> {
  const caller = await context.caller();
  requireOrgToken(caller, `deleting a ${kind.noun}`);
  const identity = kind.identity(request.params as RouteParams);
  await deleteItem(context, kind, caller, identity);
  await deleteRenderings(context.env.ARTIFACTS, publishedFolder(identity));
  return noContent();
}

export function changeDeprecation(kind: AnyKind, scope: "version" | "item", undo: boolean) {
  return async (request: IRequest, context: RequestContext): Promise<Response> => {
    const caller = await context.caller();
    requireOrgToken(caller, `deprecating a ${kind.noun}`);
    const identity = kind.identity(request.params as RouteParams);
    const version = scope === "version" ? parseVersionParam(request.params.version, false) : undefined;
    // The body is read once the caller is known to be allowed (401, 404, 403 come first).
    const deprecation = undo ? null : () => readBody(request, DeprecateBody, "deprecation");
    await setDeprecation(context, kind, caller, identity, { ...(version ? { version } : {}), deprecation });
    return noContent();
  };
}

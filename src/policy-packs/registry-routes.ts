// The registry routes of policy packs: the core's table for the kind, plus the list's POST form (Pulumi
// takes the list filters as a JSON body too) answered by the same list adapter as the GET, and Pulumi's
// list field `policyPacks` where the core names the array after the path segment (`policypacks`).
import type { IRequest } from "itty-router";
import { badRequest } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { parseWith, readJsonObject } from "../http/json-body";
import type { Handler } from "../http/context";
import type { RouteMethods } from "../http/routes";
import { registryKindRoutes } from "../registry-api/kind-routes";
import { policyPackKind } from "./policy-pack-kind";
import { PolicyPackListBody } from "./policy-pack-schemas";

/** The POST form as the GET it stands for: the body's filters become the query, the caller's headers stay. */
function asListQuery(request: IRequest, get: NonNullable<RouteMethods["GET"]>) {
  return async (_: IRequest, context: RequestContext) => {
    const body = parseWith(PolicyPackListBody, await readJsonObject(request), "list request");
    if (body.ids !== undefined) throw badRequest("the 'ids' filter is not supported; list by orgLogin and page with continuationToken");
    const url = new URL(request.url);
    url.search = "";
    for (const [key, value] of Object.entries({ access: body.access, orgLogin: body.orgLogin, limit: body.limit, continuationToken: body.continuationToken })) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers = new Headers(request.headers);
    headers.delete("Content-Type");
    headers.delete("Content-Length");
    return get(Object.assign(new Request(url, { method: "GET", headers }), { params: {}, query: {} }) as IRequest, context);
  };
}

/** The list field Pulumi's clients read. */
export const LIST_FIELD = "policyPacks";

/**
 * A list answer with its array under `policyPacks`. The body is rewritten deterministically, so the
 * edge cache's ETag for it still names one answer. Until the descriptor can name its list field.
 */
function withListField(get: Handler): Handler {
  return async (request, context) => {
    const response = await get(request, context);
    if (request.method === "HEAD" || response.status !== 200 || !response.headers.get("Content-Type")?.startsWith("application/json")) return response;
    const { [policyPackKind.collection]: entries, ...rest } = (await response.json()) as Record<string, unknown>;
    const out = new Response(JSON.stringify({ [LIST_FIELD]: entries, ...rest }), response);
    out.headers.delete("Content-Length");
    return out;
  };
}

export function policyPackRegistryRoutes(): Array<[string, RouteMethods]> {
  const collection = `/${policyPackKind.collection}`;
  return registryKindRoutes(policyPackKind).map(([pattern, methods]): [string, RouteMethods] => {
    if (!methods.GET || (pattern !== collection && !pattern.endsWith("/versions"))) return [pattern, methods];
    const get = withListField(methods.GET);
    if (pattern !== collection) return [pattern, { ...methods, GET: get }];
    return [pattern, { ...methods, GET: get, POST: (request, context) => asListQuery(request, get)(request, context) }];
  });
}

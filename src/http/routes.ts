// A route table on itty-router: each path lists its methods; any other method on it is a JSON 405.
import { IttyRouter, type IRequest } from "itty-router";
import { ApiError } from "./api-error";
import type { Handler, RequestContext } from "./context";

type Method = "GET" | "POST" | "PUT" | "DELETE";
export type RouteMethods = Partial<Record<Method, Handler>>;

/** Every registry route is served under both prefixes with identical behaviour. */
export const REGISTRY_PREFIXES = ["/api/preview/registry", "/api/registry"] as const;

export function buildRouter(table: Array<[string, RouteMethods]>) {
  const router = IttyRouter<IRequest, [RequestContext]>();
  for (const [pattern, methods] of table) {
    const allowed = Object.keys(methods) as Method[];
    for (const method of allowed) {
      const handler = methods[method]!;
      router[method.toLowerCase() as "get"](pattern, handler);
      if (method === "GET") router.head(pattern, handler);
    }
    router.all(pattern, () => {
      throw new ApiError(405, `method not allowed; this route accepts ${allowed.join(", ")}`, undefined, {
        Allow: allowed.join(", "),
      });
    });
  }
  router.all("*", (request: IRequest) => {
    throw new ApiError(404, `no route for ${request.method} ${new URL(request.url).pathname}`);
  });
  return router;
}

export function registryRoutes(table: Array<[string, RouteMethods]>): Array<[string, RouteMethods]> {
  return REGISTRY_PREFIXES.flatMap((prefix) => table.map(([path, methods]) => [prefix + path, methods] as [string, RouteMethods]));
}

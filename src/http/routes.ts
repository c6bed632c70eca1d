// A route table on itty-router: each path lists its methods; any other method on it is a JSON 405.
import { IttyRouter, type IRequest } from "itty-router";
import { ApiError } from "./api-error";
import type { Handler, RequestContext } from "./context";

type Method = "GET" | "POST" | "PUT" | "DELETE";
export type RouteMethods = Partial<Record<Method, Handler>>;

/** Every registry route is served under both prefixes with identical behaviour. */
export const REGISTRY_PREFIXES = ["/api/preview/registry", "/api/registry"] as const;

/**
 * itty-router compiles `/:param` to a group that needs at least one character, so a path with an
 * empty segment (`/private//x`) would fall through to the 404. Letting the group match nothing
 * hands the empty segment to the handler, whose validation answers the same 400 as for any other
 * invalid segment.
 */
function allowEmptySegments(pattern: RegExp): RegExp {
  return new RegExp(pattern.source.replaceAll("[^//]+?", "[^/]*?").replaceAll("[^]+", "[^]*"));
}

/** What a 405 lists: HEAD is served wherever GET is. */
export function allowedMethods(methods: RouteMethods): string[] {
  const allowed: string[] = Object.keys(methods);
  if (methods.GET) allowed.splice(allowed.indexOf("GET") + 1, 0, "HEAD");
  return allowed;
}

/** Method tables whose other methods fall through to the next route (and at the end to the 404), not a 405. */
const fallingThrough = new WeakSet<RouteMethods>();

/**
 * Marks a path's methods as its only business: any other method on it is not a 405 but falls through, as
 * if the path were not routed. For a path that overlaps others' shapes, e.g. an item's own path
 * `/{collection}/{source}/{publisher}/{name}`, which a mistyped version path also matches.
 */
export function otherMethodsFallThrough(methods: RouteMethods): RouteMethods {
  fallingThrough.add(methods);
  return methods;
}

export function buildRouter(table: Array<[string, RouteMethods]>) {
  const router = IttyRouter<IRequest, [RequestContext]>();
  const relax = () => {
    const route = router.routes[router.routes.length - 1]!;
    route[1] = allowEmptySegments(route[1]);
  };
  for (const [pattern, methods] of table) {
    const allowed = allowedMethods(methods);
    for (const method of Object.keys(methods) as Method[]) {
      const handler = methods[method]!;
      router[method.toLowerCase() as "get"](pattern, handler);
      relax();
      if (method === "GET") {
        router.head(pattern, handler);
        relax();
      }
    }
    if (fallingThrough.has(methods)) continue;
    router.all(pattern, () => {
      throw new ApiError(405, `method not allowed; this route accepts ${allowed.join(", ")}`, undefined, {
        Allow: allowed.join(", "),
      });
    });
    relax();
  }
  router.all("*", (request: IRequest) => {
    throw new ApiError(404, `no route for ${request.method} ${new URL(request.url).pathname}`);
  });
  return router;
}

export function registryRoutes(table: Array<[string, RouteMethods]>): Array<[string, RouteMethods]> {
  return REGISTRY_PREFIXES.flatMap((prefix) => table.map(([path, methods]) => [prefix + path, methods] as [string, RouteMethods]));
}

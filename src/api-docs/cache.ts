// The one call site between the docs routes and the edge cache; the docs' own client caching headers are set by the routes.
import { anonymousCached } from "../registry/edge-cache";
import type { RequestContext } from "../http/context";
import type { Format } from "./negotiate";

/**
 * Anonymous answers are stored at the edge (keyed by URL, catalog generation and the negotiated
 * format, since one URL has two representations); token-bearing ones never are.
 */
export function edgeCached(request: Request, context: RequestContext, format: Format, produce: () => Promise<Response>): Promise<Response> {
  const url = new URL(request.url);
  url.searchParams.set("__format", format);
  return anonymousCached(new Request(url.toString(), { method: request.method, headers: request.headers }), context, produce);
}

// The one call site between the docs routes and the edge cache; the docs' own client caching headers are set by the routes.
import { canonicalKey, edgeCached as edgeCache } from "../http/edge-cache";
import type { RequestContext } from "../http/context";
import type { Format } from "./negotiate";

/**
 * Anonymous answers are stored at the edge under a canonical key: the path, the parsed query (defaults
 * filled in, unknown parameters dropped) and the negotiated format, since one URL has two
 * representations. Token-bearing requests never use it.
 */
export function edgeCached(
  request: Request,
  context: RequestContext,
  format: Format,
  query: object,
  produce: (context: RequestContext) => Promise<Response>,
): Promise<Response> {
  const key = canonicalKey(request, [
    ["q", JSON.stringify(query)],
    ["format", format],
  ]);
  return edgeCache(request, context, key, produce);
}

// Serves the API descriptions. They change only with the deployed code: built once per isolate, ETag from
// the content hash, revalidated with If-None-Match (304).
import { noneMatchHits } from "../http/conditional";
import type { RouteMethods } from "../http/routes";
import { sha256Hex } from "../identity/secrets";
import { buildDocument } from "./document";
import type { DocumentName } from "./operations";

export const OPENAPI_PATHS: Record<DocumentName, string> = {
  client: "/api/openapi/pulumi-spec.json",
  admin: "/api/openapi/admin.json",
};

/** An hour in shared and private caches; a deploy is picked up within that, and revalidation is a 304. */
export const OPENAPI_CACHE_CONTROL = "public, max-age=3600";

interface Served {
  body: string;
  etag: string;
}

const served = new Map<DocumentName, Promise<Served>>();

async function serialize(document: DocumentName): Promise<Served> {
  const body = JSON.stringify(buildDocument(document));
  return { body, etag: `"${await sha256Hex(body)}"` };
}

function serve(document: DocumentName): RouteMethods {
  return {
    async GET(request) {
      let promise = served.get(document);
      if (!promise) {
        promise = serialize(document);
        served.set(document, promise);
        // A failed build is not cached; the next request tries again (and fails the same way, loudly).
        promise.catch(() => served.delete(document));
      }
      const { body, etag } = await promise;
      const headers = { ETag: etag, "Cache-Control": OPENAPI_CACHE_CONTROL };
      if (noneMatchHits(request.headers.get("If-None-Match"), etag)) return new Response(null, { status: 304, headers });
      return new Response(body, { headers: { ...headers, "Content-Type": "application/json" } });
    },
  };
}

export const openApiRoutes: Array<[string, RouteMethods]> = [
  [OPENAPI_PATHS.client, serve("client")],
  [OPENAPI_PATHS.admin, serve("admin")],
];

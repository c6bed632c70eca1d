// Local mode's S3-compatible upload endpoint: verifies the presigned URL (signature, method, expiry),
// then the size, then streams the body into the R2 binding under the operation's staging key.
import { ApiError } from "../http/api-error";
import type { RequestContext } from "../http/context";
import type { RouteMethods } from "../http/routes";
import type { ArtifactSlot } from "../core/kind";
import { LOCAL_UPLOAD_PATH, r2Configured, verifyLocalPresigned } from "./upload-signing";
import { parseStagingKey } from "./storage-keys";

export function uploadRoutes(slots: readonly ArtifactSlot[]): Array<[string, RouteMethods]> {
  const bySlot = new Map(slots.map((s) => [s.name, s]));

  async function upload(request: Request, context: RequestContext): Promise<Response> {
    // In R2 mode uploads go straight to R2; this route does not exist.
    if (r2Configured(context.env)) throw new ApiError(404, "not found");
    const verified = await verifyLocalPresigned(request, context.env);
    if (!verified.ok) throw new ApiError(403, `upload rejected: ${verified.reason}`);
    if (request.method !== "PUT") throw new ApiError(403, "upload rejected: this URL is signed for PUT");
    const target = parseStagingKey(verified.key);
    const slot = target ? bySlot.get(target.slot) : undefined;
    if (!target || !slot) throw new ApiError(403, "upload rejected: not an upload target");
    const declared = request.headers.get("Content-Length");
    if (declared === null || !/^[0-9]+$/.test(declared)) throw new ApiError(411, "upload needs a Content-Length header");
    const size = Number(declared);
    const max = slot.maxBytes(context.limits);
    if (size > max) throw new ApiError(413, `the ${slot.name} upload is ${size} bytes; the limit is ${max}`);
    const body = request.body ?? new ReadableStream({ start: (c) => c.close() });
    // FixedLengthStream makes R2 accept the stream and fails the write if fewer or more bytes arrive.
    const object = await context.env.ARTIFACTS.put(verified.key, body.pipeThrough(new FixedLengthStream(size)), {
      httpMetadata: { contentType: slot.contentType },
    });
    return new Response(null, { status: 200, headers: { ETag: object.httpEtag } });
  }

  const methods: RouteMethods = { PUT: upload, GET: upload, POST: upload, DELETE: upload };
  return [[`${LOCAL_UPLOAD_PATH}*`, methods]];
}

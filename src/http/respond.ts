// Response builders: every JSON body goes out with application/json, every error as {"code","message"}.
import { ApiError } from "./api-error";

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set("Content-Type", "application/json");
  return response;
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

export function errorResponse(error: unknown): Response {
  if (error instanceof ApiError) {
    const body: Record<string, unknown> = { code: error.status, message: error.message };
    if (error.errors?.length) body.errors = error.errors;
    return json(body, error.status, error.headers);
  }
  // Never leak internals: the request id in the response lets an operator find the log line.
  return json({ code: 500, message: "internal server error" }, 500);
}

// Reads a POST/PUT body as a JSON object within the size limit, then validates it with a zod schema.
import type { z } from "zod";
import { ApiError, badRequest, type FieldError } from "./api-error";
import { readWithin } from "./bytes";

export const MAX_JSON_BODY_BYTES = 64 * 1024;

export async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) {
    throw new ApiError(413, `request body exceeds ${limit} bytes`);
  }
  if (!request.body) return new Uint8Array();
  return readWithin(request.body, limit, () => new ApiError(413, `request body exceeds ${limit} bytes`));
}

export async function readJsonObject(request: Request, limit = MAX_JSON_BODY_BYTES): Promise<Record<string, unknown>> {
  const bytes = await readLimited(request, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw badRequest("request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest("request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

export function zodFieldErrors(resource: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    resource,
    attribute: issue.path.length ? issue.path.join(".") : undefined,
    errorType: issue.code,
    customMessage: issue.message,
  }));
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, resource: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = zodFieldErrors(resource, result.error);
    const first = errors[0];
    const where = first?.attribute ? `'${first.attribute}'` : resource;
    throw badRequest(`invalid ${resource}: ${where}: ${first?.customMessage ?? "invalid value"}`, errors);
  }
  return result.data;
}

export async function readBody<S extends z.ZodType>(request: Request, schema: S, resource: string): Promise<z.infer<S>> {
  return parseWith(schema, await readJsonObject(request), resource);
}

// The JSON bodies of the registry routes, as zod schemas: parsed at the edge, and declared by the same
// schemas in the OpenAPI document.
import { z } from "zod";

export const StartBody = z.object({
  version: z.string({ error: "is required and must be a string" }),
  publishedAt: z.iso.datetime({ offset: true, error: "must be an RFC 3339 timestamp" }).optional(),
});

export const CompleteBody = z.object({
  operationID: z.string({ error: "is required and must be a string" }).min(1).max(200),
});

export const DeprecateBody = z.object({
  message: z.string({ error: "is required and must be a string" }).trim().min(1, "must not be empty").max(1000, "must be at most 1000 characters"),
  replacement: z.string({ error: "must be a string" }).max(600).optional(),
});

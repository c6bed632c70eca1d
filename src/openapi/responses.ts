// The response entries every operation list writes (the registry's, the policy packs', the plugins'): one error text per status.
import type { z } from "zod";
import { ErrorBody } from "./schemas";

export const ERROR_TEXT: Record<number, string> = {
  400: "invalid input",
  401: "no valid token",
  403: "the token may not do this",
  404: "absent, or not visible to the caller",
  406: "none of the accepted media types can be produced",
  409: "conflicts with the current state",
  413: "request body too large",
  422: "the version's documentation could not be derived from its schema (docs.status is failed); the operator can derive it again",
  503: "the version's documentation is being derived (docs.status is pending); retry after the Retry-After seconds",
};

/** `{code, message}` answers for these statuses. */
export function fails(...statuses: number[]): Record<number, { description: string; json: z.ZodType }> {
  return Object.fromEntries(statuses.map((s) => [s, { description: ERROR_TEXT[s] ?? "error", json: ErrorBody }]));
}

export const ok = (description: string, json: z.ZodType) => ({ description, json });
export const empty = (description: string) => ({ description });

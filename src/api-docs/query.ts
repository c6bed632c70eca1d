// The query parameters of the five documentation routes, as zod schemas: the handlers parse with them
// and the OpenAPI document (src/openapi/api-docs-schemas.ts) declares them, so the two cannot differ.
import { z } from "zod";
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";
import { OSES, type Os } from "./content";
import { LANGUAGES, type Language } from "./languages";

export const MAX_Q = 200;
export const DEFAULT_EXAMPLES = 20;
export const MAX_EXAMPLES = 100;

const lang = z.enum(LANGUAGES, { error: `must be one of ${LANGUAGES.join(", ")}` }).optional().describe("the SDK language to answer in");
const os = z.enum(OSES, { error: `must be one of ${OSES.join(", ")}` }).optional().describe("the OS for OS-specific text; default linux");
const q = z.string().max(MAX_Q, { error: `longer than ${MAX_Q} characters` }).optional().describe("keeps what contains it (case-insensitive)");
const depth = z.enum(["full"], { error: "the only depth is 'full'" }).optional().describe("full: list each module's resources and functions");
const limit = z
  .int({ error: `must be an integer from 1 to ${MAX_EXAMPLES}` })
  .min(1, { error: `must be an integer from 1 to ${MAX_EXAMPLES}` })
  .max(MAX_EXAMPLES, { error: `must be an integer from 1 to ${MAX_EXAMPLES}` })
  .optional()
  .describe(`default ${DEFAULT_EXAMPLES}`);

export const ContentQuery = z.object({ lang, os });
/** A module's name is part of a token, and the schema scan keeps no token past 4 KiB (MAX_KEY_BYTES): any continuation fits. */
export const MAX_AFTER = 4096;
const after = z
  .string()
  .min(1, { error: "empty" })
  .max(MAX_AFTER, { error: `longer than ${MAX_AFTER} characters` })
  .optional()
  .describe("continues a nav answer cut by its caps: the modules whose names sort after this one (the last module of the previous answer; its `modulesNextUrl` carries it)");
export const NavQuery = z.object({ lang, q, depth, after });
export const DocsQuery = z.object({ lang, os });
export const ExamplesQuery = z.object({ lang, q, limit });

export type QuerySchema = typeof ContentQuery | typeof NavQuery | typeof DocsQuery | typeof ExamplesQuery;

export interface ParsedDocsQuery {
  lang?: Language;
  os?: Os;
  q?: string;
  full: boolean;
  limit: number;
  /** nav: list the modules after this name (a continuation). */
  after?: string;
}

/**
 * Reads the parameters `schema` declares (others are ignored, as on every route) and validates them
 * with it: the first bad one is a 400 naming it. An empty `q` is no filter.
 */
export function parseDocsQuery(query: URLSearchParams, schema: QuerySchema): ParsedDocsQuery {
  const raw: Record<string, string | number> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = query.get(key);
    if (value === null) continue;
    // Only plain decimal digits become a number; anything else reaches zod as text and fails as such.
    raw[key] = key === "limit" && /^[0-9]{1,4}$/.test(value) ? Number(value) : value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw badRequest(`invalid ${name} '${printable(String(raw[name]))}': ${issue.message}`);
  }
  const value = parsed.data as { lang?: Language; os?: Os; q?: string; depth?: "full"; limit?: number; after?: string };
  return {
    ...(value.lang ? { lang: value.lang } : {}),
    ...(value.os ? { os: value.os } : {}),
    ...(value.q ? { q: value.q } : {}),
    full: value.depth === "full",
    limit: value.limit ?? DEFAULT_EXAMPLES,
    ...(value.after ? { after: value.after } : {}),
  };
}

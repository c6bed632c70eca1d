// The pieces every answer schema is built from, and the registry of named schemas the API description lists.
// At the bottom of the answer schemas: kinds declare their answers with these (packages/package-answer.ts, …),
// and src/openapi/ assembles the document from them.
import { z } from "zod";
import { SEGMENT_PATTERN } from "../core/vocabulary/names";

/** Named schemas appear under `components.schemas` with their id (and as `$ref`s wherever used). */
export const named = new Map<z.ZodType, string>();

export function component<S extends z.ZodType>(id: string, schema: S): S {
  const existing = named.get(schema);
  if (existing !== undefined && existing !== id) throw new Error(`schema named both ${existing} and ${id}`);
  named.set(schema, id);
  return schema;
}

/** Optional fields are omitted when unknown, never null or "". */
export const text = () => z.string().min(1);
export const timestamp = () => z.iso.datetime({ offset: true }).describe("RFC 3339 UTC timestamp");
export const url = () => z.url().describe("absolute URL");
export const segment = () => z.string().regex(SEGMENT_PATTERN);

export const Deprecation = component(
  "Deprecation",
  z
    .strictObject({
      message: text(),
      replacement: text().optional().describe("source/publisher/name[@version] of something in this registry"),
      deprecatedAt: timestamp(),
    })
    .describe("present when the version, or the whole package or template, is deprecated; a whole-item deprecation is shown in preference to the version's own"),
);

/**
 * `value` as one of `allowed`, for a view whose answer schema names the values a field may take: stored rows
 * only ever hold those (they were validated on the way in), so anything else is a broken invariant, not input.
 */
export function oneOf<const T extends readonly string[]>(allowed: T, value: string, field: string): T[number] {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`stored ${field} '${value}' is not one of ${allowed.join(", ")}`);
  return value as T[number];
}

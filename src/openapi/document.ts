// Builds the OpenAPI 3.1 documents from the operation table: zod's toJSONSchema for every parameter, body
// and answer; named schemas become components. Pure and deterministic: same code, same bytes.
import { z } from "zod";
import { named } from "./schemas";
import { operations, type Auth, type DocumentName, type OperationSpec } from "./operations";

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

const TITLES: Record<DocumentName, { title: string; description: string }> = {
  client: {
    title: "edge-registry",
    description:
      "The routes edge-registry serves to clients: the Pulumi registry API under /api/registry/ (and, identically, /api/preview/registry/), stack usage reports, the Pulumi CLI's login calls and health. Operation ids follow Pulumi's where Pulumi has one. Every error is {code, message}. GET routes also answer HEAD.",
  },
  admin: {
    title: "edge-registry admin API",
    description:
      "Operator routes, authorised by the ADMIN_TOKEN secret (org token routes also by an admin token of that org). Every route is a 404 while ADMIN_TOKEN is unset.",
  },
};

const SECURITY_SCHEMES: Record<DocumentName, Json> = {
  client: {
    orgToken: { type: "apiKey", in: "header", name: "Authorization", description: "`token <t>` (or `Bearer <t>`) with an org token" },
  },
  admin: {
    adminToken: {
      type: "apiKey",
      in: "header",
      name: "Authorization",
      description: "`token <ADMIN_TOKEN>`; on the token routes also an admin-role token of that org",
    },
  },
};

function security(auth: Auth): Json[] {
  switch (auth) {
    case "none":
      return [];
    case "optional":
      return [{}, { orgToken: [] }];
    case "org":
      return [{ orgToken: [] }];
    case "admin":
      return [{ adminToken: [] }];
  }
}

function strip(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** Converts a set of schemas together, so that named ones reference each other by `$ref`. */
function convert(entries: Map<z.ZodType, string>, io: "input" | "output"): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of entries) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, { target: "draft-2020-12", io, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(out.schemas).map(([id, s]) => [id, strip(s as Json)]));
}

function parameters(op: OperationSpec): Json[] {
  const templated = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const declared = Object.keys(op.pathParams?.shape ?? {});
  if (templated.join() !== declared.join()) {
    throw new Error(`${op.operationId}: path ${op.path} has {${templated.join(",")}} but pathParams declare ${declared.join(",") || "nothing"}`);
  }
  const out: Json[] = [];
  for (const [where, object] of [
    ["path", op.pathParams],
    ["query", op.query],
  ] as const) {
    for (const [name, schema] of Object.entries(object?.shape ?? {}) as Array<[string, z.ZodType]>) {
      const json = strip(z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as Json);
      const { description, ...rest } = json;
      out.push({
        name,
        in: where,
        required: where === "path" || !schema.safeParse(undefined).success,
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
        ...(rest.type === "array" ? { style: "form", explode: true } : {}),
      });
    }
  }
  return out;
}

/** Operations of one document, in table order. */
export function operationsOf(document: DocumentName, table: readonly OperationSpec[] = operations): OperationSpec[] {
  return table.filter((op) => op.document === document);
}

export function buildDocument(document: DocumentName, table: readonly OperationSpec[] = operations): Json {
  const ops = operationsOf(document, table);
  const ids = new Set<string>();
  for (const op of ops) {
    if (ids.has(op.operationId)) throw new Error(`duplicate operationId ${op.operationId}`);
    ids.add(op.operationId);
  }

  // Bodies describe what a client sends (zod input); answers what the gateway sends (zod output).
  const requests = new Map<z.ZodType, string>();
  const responses = new Map<z.ZodType, string>();
  for (const op of ops) {
    if (op.body && !requests.has(op.body)) requests.set(op.body, named.get(op.body) ?? `${op.operationId}Request`);
  }
  const bodies = new Set(table.map((op) => op.body));
  for (const [schema, id] of named) if (!bodies.has(schema)) responses.set(schema, id);
  for (const op of ops) {
    for (const [status, r] of Object.entries(op.responses)) {
      if (r.json && !responses.has(r.json)) responses.set(r.json, `${op.operationId}${status}Response`);
    }
  }
  const schemas = { ...convert(responses, "output") };
  for (const [id, schema] of Object.entries(convert(requests, "input"))) {
    if (id in schemas) throw new Error(`schema id ${id} is used for both a request and a response`);
    schemas[id] = schema;
  }

  const paths: Record<string, Record<string, Json>> = {};
  for (const op of ops) {
    const responseObjects: Record<string, Json> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      const content: Record<string, Json> = {};
      if (r.json) content["application/json"] = { schema: ref(responses.get(r.json)!) };
      if (r.markdown) content["text/markdown"] = { schema: { type: "string" } };
      if (r.bytes) content[r.bytes] = { schema: { type: "string", contentMediaType: r.bytes } };
      responseObjects[status] = { description: r.description, ...(Object.keys(content).length ? { content } : {}) };
    }
    const params = parameters(op);
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: op.tags,
      security: security(op.auth),
      ...(params.length ? { parameters: params } : {}),
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: ref(requests.get(op.body)!) } } } } : {}),
      responses: responseObjects,
    };
  }

  const doc: Json = {
    openapi: "3.1.0",
    info: { ...TITLES[document], version: "1" },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    tags: [...new Set(ops.flatMap((op) => op.tags))].map((name) => ({ name })),
    paths,
    components: { schemas: reachable(schemas, paths), securitySchemes: SECURITY_SCHEMES[document] },
  };
  return doc;
}

/** Only the components this document's paths reach, directly or through other components. */
function reachable(schemas: Record<string, Json>, from: unknown): Record<string, Json> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) {
        const id = value.slice("#/components/schemas/".length);
        if (!seen.has(id)) {
          seen.add(id);
          visit(schemas[id]);
        }
      } else visit(value);
    }
  };
  visit(from);
  return Object.fromEntries(Object.keys(schemas).filter((id) => seen.has(id)).sort().map((id) => [id, schemas[id]!]));
}

// Reads a served OpenAPI document the way a client does: match a request to its operation, then check an
// answer against what that operation declares (status, media type, JSON Schema). No workerd imports, so
// the black-box suite uses it too.
import { Validator, type OutputUnit } from "@cfworker/json-schema";

// Operations are read from fetched JSON and walked by key, as any client of a document does: they are
// typed `any` on purpose; the document's own validity is the black-box validator's job.
export type Doc = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, unknown> };
};

export interface Matched {
  path: string;
  method: string;
  operation: any;
  bindings: Record<string, string>;
}

const METHODS = ["get", "post", "put", "delete"];

/** Router patterns (`:name`, `:name+`) as OpenAPI templates (`{name}`). */
export function templateOf(routerPattern: string): string {
  return routerPattern.replace(/:([A-Za-z0-9_]+)\+?/g, "{$1}");
}

/** Every `METHOD /template` a document describes. */
export function describedRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
}

export function operationById(doc: Doc, id: string): Matched {
  const found: Matched[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) if (item[method]?.operationId?.toLowerCase() === id.toLowerCase()) found.push({ path, method, operation: item[method], bindings: {} });
  }
  if (found.length !== 1) throw new Error(`operation id ${id} matches ${found.length} operations`);
  return found[0]!;
}

/** Like `pulumi api`: segment by segment, a literal must be equal, a `{param}` takes the segment; the
 * match with the fewest parameters wins and a tie is an error. */
export function operationByPath(doc: Doc, method: string, concretePath: string): Matched {
  const segments = concretePath.split("/");
  const matches: Matched[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const operation = item[method.toLowerCase()];
    if (!operation) continue;
    const spec = path.split("/");
    if (spec.length !== segments.length) continue;
    const bindings: Record<string, string> = {};
    if (spec.every((s, i) => (s.startsWith("{") ? ((bindings[s.slice(1, -1)] = segments[i]!), true) : s === segments[i]))) {
      matches.push({ path, method: method.toLowerCase(), operation, bindings });
    }
  }
  if (!matches.length) throw new Error(`no operation matches ${method} ${concretePath}`);
  const params = (m: Matched) => (m.path.match(/\{/g) ?? []).length;
  const fewest = Math.min(...matches.map(params));
  const best = matches.filter((m) => params(m) === fewest);
  if (best.length > 1) throw new Error(`${method} ${concretePath} matches ${best.map((m) => m.path).join(", ")}`);
  return best[0]!;
}

/** The content types an operation's first 2xx answer declares (what `pulumi api` negotiates with). */
export function successContentTypes(operation: any): string[] {
  const status = Object.keys(operation.responses).sort().find((s) => s.startsWith("2"));
  return Object.keys(operation.responses[status!]?.content ?? {});
}

/** A JSON Schema validator for one schema of the document, its `$ref`s resolved against the components. */
export function validatorFor(doc: Doc, schema: unknown): Validator {
  const root = JSON.parse(JSON.stringify({ ...(schema as object), $defs: doc.components.schemas }).replaceAll('"#/components/schemas/', '"#/$defs/'));
  return new Validator(root, "2020-12", false);
}

function describeErrors(errors: OutputUnit[]): string {
  return errors
    .filter((e) => e.keyword !== "$ref" && e.keyword !== "properties" && e.keyword !== "items")
    .map((e) => `${e.instanceLocation}: ${e.error}`)
    .join("; ");
}

/** Throws unless the answer's status is declared for the operation, its media type is one declared for
 * that status, and a JSON body validates against the declared schema. */
export function checkAnswer(doc: Doc, matched: Matched, status: number, contentType: string | null, body: string): void {
  const where = `${matched.method.toUpperCase()} ${matched.path} → ${status}`;
  const declared = matched.operation.responses[String(status)];
  if (!declared) throw new Error(`${where}: status not declared (declared: ${Object.keys(matched.operation.responses).join(", ")})`);
  const content: Record<string, { schema: unknown }> = declared.content ?? {};
  if (!Object.keys(content).length) {
    if (body !== "") throw new Error(`${where}: declared without a body, got ${body.slice(0, 200)}`);
    return;
  }
  const media = (contentType ?? "").split(";")[0]!.trim();
  const entry = content[media];
  if (!entry) throw new Error(`${where}: media type '${media}' not declared (declared: ${Object.keys(content).join(", ")})`);
  if (media !== "application/json") return;
  const result = validatorFor(doc, entry.schema).validate(JSON.parse(body));
  if (!result.valid) throw new Error(`${where}: body does not match the declared schema: ${describeErrors(result.errors)}\n${body.slice(0, 2000)}`);
}

/** Whether a request body satisfies the operation's declared requestBody schema (true when none is declared). */
export function requestBodyValid(doc: Doc, matched: Matched, body: unknown): { valid: boolean; errors: string } {
  const schema = matched.operation.requestBody?.content?.["application/json"]?.schema;
  if (!schema) return { valid: true, errors: "" };
  const result = validatorFor(doc, schema).validate(body);
  return { valid: result.valid, errors: describeErrors(result.errors) };
}

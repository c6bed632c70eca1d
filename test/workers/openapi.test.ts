import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { routes } from "../../src/index";
import { UNDESCRIBED_ROUTES } from "../../src/openapi/operations";
import { OPENAPI_PATHS } from "../../src/openapi/openapi-routes";
import { gzip, tar } from "../unit/tar-fixtures";
import { docsInstallation, docsReadme, docsSchema } from "./api-docs-fixture";
import { ADMIN, BASE, call, countRows, orgWithTokens, type CallOptions, type OrgTokens } from "./helpers";
import { checkAnswer, describedRoutes, operationById, operationByPath, requestBodyValid, templateOf, type Doc } from "./openapi-check";
import { publishPackage, schemaFor } from "./publish-helpers";
import { publishTemplate } from "./template-helpers";
import { cliBody, goodPackArchive, publishPack } from "./policy-pack-helpers";
import { put } from "./publish-helpers";

const DOCS_PACKAGE = "private/acme/acmecloud";
const BUCKET_TOKEN = "acmecloud:s3/bucket:Bucket";
// Dozens of real calls per test on a shared 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let client: Doc;
let admin: Doc;
let acme: OrgTokens;
/** A registered webhook of acme's, so `{id}` reaches a real one. */
let hookId: string;

async function fetchDoc(path: string): Promise<Doc> {
  const r = await call(path);
  expect(r.status).toBe(200);
  return (await r.json()) as Doc;
}

/** Calls the worker and checks the answer against the operation the document matches for the request. */
async function checked(method: string, path: string, options: CallOptions = {}) {
  const doc = path.startsWith("/api/admin") || path === OPENAPI_PATHS.admin ? admin : client;
  const matched = operationByPath(doc, method, new URL(path, BASE).pathname);
  const response = await call(path, { ...options, method });
  const type = response.headers.get("Content-Type") ?? "";
  const bytes = await response.arrayBuffer();
  const text = /^(application\/json|text\/)/.test(type) ? new TextDecoder().decode(bytes) : bytes.byteLength ? "<bytes>" : "";
  checkAnswer(doc, matched, response.status, type || null, text);
  // What the gateway accepted, the document must not reject.
  if (options.body !== undefined && response.status < 300) {
    const request = requestBodyValid(doc, matched, options.body);
    if (!request.valid) throw new Error(`${method} ${path}: accepted a body the declared requestBody rejects: ${request.errors}`);
  }
  return { status: response.status, body: type.startsWith("application/json") ? JSON.parse(text) : text, operationId: matched.operation.operationId as string };
}

const RICH_SCHEMA = (name: string, version: string) =>
  schemaFor(name, version, {
    logoUrl: "https://example.com/logo.png",
    repository: "https://github.com/acme/db",
    pluginDownloadURL: "https://example.com/plugins",
    parameterization: { baseProvider: { name: "terraform-provider", version: "0.8.0" }, parameter: "eyJuYW1lIjoiZGIifQ==" },
  });

const archive = () =>
  gzip(
    tar([
      { name: "Pulumi.yaml", data: "name: web\nruntime:\n  name: nodejs\n  options:\n    typescript: true\ndescription: d\ntemplate:\n  displayName: Web\n  metadata:\n    cloud: aws\n  config:\n    aws:region:\n      description: region\n      default: us-west-2\n      secret: false\n" },
      { name: "index.ts", data: "export {};\n" },
      { name: "README.md", data: "# Web\n" },
    ]),
  );

beforeAll(async () => {
  client = await fetchDoc(OPENAPI_PATHS.client);
  admin = await fetchDoc(OPENAPI_PATHS.admin);
  acme = await orgWithTokens("acme", "Acme Corp");
  await publishPackage(acme.publisher, "private/acme/db", "1.0.0", { schema: RICH_SCHEMA("db", "1.0.0"), installation: "## Install\n" });
  await publishPackage(acme.publisher, "pulumi/acme/tools", "0.3.0");
  await publishPackage(acme.publisher, DOCS_PACKAGE, "2.1.0", { schema: JSON.stringify(docsSchema), readme: docsReadme, installation: docsInstallation });
  await publishTemplate(acme.publisher, "private/acme/web", "1.0.0", await archive());
  await publishTemplate(acme.publisher, "private/acme/web", "1.1.0", await archive());
  // A policy pack under the name the path filler uses for every other collection.
  expect((await publishPack(acme.publisher, "private/acme/db", "1.0.0")).status).toBe(201);
  const vcs = await call("/api/admin/templates", {
    method: "POST",
    token: ADMIN,
    body: { source: "github", publisher: "acme", name: "k8s", repoSlug: "acme/templates", downloadURL: "https://github.com/acme/templates/archive/main.tar.gz" },
  });
  expect(vcs.status).toBe(201);
  // Usage, so that usageStats appears in views for acme's tokens.
  const usage = await call("/api/orgs/acme/registry/usage/web/prod", {
    method: "PUT",
    token: acme.publisher,
    body: { packages: [{ source: "private", publisher: "acme", name: "db", version: "1.0.0" }] },
  });
  expect(usage.status).toBe(204);
  const hook = await call("/api/orgs/acme/registry/webhooks", {
    method: "POST",
    token: acme.admin,
    body: { url: `${inject("receiverUrl")}/hook/openapi`, events: ["package.deprecated"] },
  });
  expect(hook.status).toBe(201);
  hookId = ((await hook.json()) as { id: string }).id;
});

describe("the API description", () => {
  it("is served at /api/openapi/pulumi-spec.json as OpenAPI 3.1 JSON, the admin API at /api/openapi/admin.json", async () => {
    for (const path of Object.values(OPENAPI_PATHS)) {
      const r = await call(path);
      expect(r.headers.get("Content-Type")).toBe("application/json");
      const doc = await r.json<any>();
      expect(doc.openapi).toBe("3.1.0");
    }
    expect(Object.keys(client.paths).some((p) => p.startsWith("/api/admin"))).toBe(false);
    expect(Object.keys(admin.paths).every((p) => p.startsWith("/api/admin") || p === OPENAPI_PATHS.admin)).toBe(true);
  });

  it("has an ETag that is the SHA-256 of its bytes, a public max-age, and answers If-None-Match with a bodiless 304", async () => {
    const first = await call(OPENAPI_PATHS.client);
    const bytes = await first.arrayBuffer();
    const hex = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(first.headers.get("ETag")).toBe(`"${hex}"`);
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=3600");
    const again = await call(OPENAPI_PATHS.client, { headers: { "If-None-Match": `"other", ${first.headers.get("ETag")}` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("ETag")).toBe(first.headers.get("ETag"));
    const stale = await call(OPENAPI_PATHS.client, { headers: { "If-None-Match": '"not-this-one"' } });
    expect(stale.status).toBe(200);
    const adminDoc = await call(OPENAPI_PATHS.admin);
    expect(adminDoc.headers.get("ETag")).not.toBe(first.headers.get("ETag"));
  });

  it("describes exactly the (method, path) pairs of the router table, in both directions", () => {
    const routed = new Set<string>();
    const undescribed = new Set<string>();
    for (const [pattern, methods] of routes) {
      for (const method of Object.keys(methods)) {
        (pattern in UNDESCRIBED_ROUTES ? undescribed : routed).add(`${method} ${templateOf(pattern)}`);
      }
    }
    // Every deliberate exception names a route that exists.
    for (const pattern of Object.keys(UNDESCRIBED_ROUTES)) expect(routes.some(([p]) => p === pattern), pattern).toBe(true);
    const described = [...describedRoutes(client), ...describedRoutes(admin)];
    expect(new Set(described).size).toBe(described.length);
    expect([...routed].filter((r) => !described.includes(r)), "routed but not described").toEqual([]);
    expect(described.filter((r) => !routed.has(r)), "described but not routed").toEqual([]);
  });

  it("carries Pulumi's operation ids on the /api/registry routes, unique ids everywhere", () => {
    const pulumiIds = {
      ListPackages: "GET /api/registry/packages",
      GetPackageVersion: "GET /api/registry/packages/{source}/{publisher}/{name}/versions/{version}",
      PostPublishPackageVersion: "POST /api/registry/packages/{source}/{publisher}/{name}/versions",
      PostPublishPackageVersionComplete: "POST /api/registry/packages/{source}/{publisher}/{name}/versions/{version}/complete",
      DeletePublishPackageVersion: "DELETE /api/registry/packages/{source}/{publisher}/{name}/versions/{version}",
      GetPackageReadme: "GET /api/registry/packages/{source}/{publisher}/{name}/versions/{version}/readme",
      GetPackageInstallation: "GET /api/registry/packages/{source}/{publisher}/{name}/versions/{version}/installation",
      GetPackageNav: "GET /api/registry/packages/{source}/{publisher}/{name}/versions/{version}/nav",
      GetPackageDocs: "GET /api/registry/packages/{source}/{publisher}/{name}/versions/{version}/docs/{token}",
      GetPackageExamples: "GET /api/registry/packages/{source}/{publisher}/{name}/versions/{version}/examples",
      ListTemplates: "GET /api/registry/templates",
      GetTemplateVersion: "GET /api/registry/templates/{source}/{publisher}/{name}/versions/{version}",
      PostPublishTemplateVersion: "POST /api/registry/templates/{source}/{publisher}/{name}/versions",
      PostPublishTemplateVersionComplete: "POST /api/registry/templates/{source}/{publisher}/{name}/versions/{version}/complete",
      DeleteTemplateVersion: "DELETE /api/registry/templates/{source}/{publisher}/{name}/versions/{version}",
    };
    for (const [id, route] of Object.entries(pulumiIds)) {
      const op = operationById(client, id);
      expect(`${op.method.toUpperCase()} ${op.path}`).toBe(route);
      expect(operationById(client, `${id}Preview`).path).toBe(op.path.replace("/api/registry/", "/api/preview/registry/"));
    }
    for (const doc of [client, admin]) {
      const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op: any) => op.operationId));
      expect(ids.every((id) => typeof id === "string" && /^[A-Z][A-Za-z]+$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

/** Path values that reach a real, visible item for every templated parameter. */
function fill(path: string): string {
  const values: Record<string, string> = path.includes("/templates/")
    ? { source: "private", publisher: "acme", name: "web", version: "1.0.0" }
    : /\/(readme|installation|nav|docs\/\{token\}|examples)$/.test(path)
      ? { source: "private", publisher: "acme", name: "acmecloud", version: "2.1.0", token: encodeURIComponent(BUCKET_TOKEN) }
      : { source: "private", publisher: "acme", name: "db", version: "1.0.0", org: "acme", project: "web", stack: "prod", id: path.includes("/webhooks/") ? hookId : "tok_none" };
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? name);
}

/** Values for the required query parameters an operation declares (a name without one here fails the test). */
const REQUIRED_QUERY: Record<string, string> = { packageName: "private/acme/db" };

/** `fill(path)` plus the operation's required query parameters and `extra`: a URL that reaches a real item. */
function fillUrl(doc: Doc, method: string, path: string, extra: Record<string, string>): string {
  const query = new URLSearchParams();
  for (const p of doc.paths[path]![method.toLowerCase()]!.parameters ?? []) {
    if (p.in !== "query" || !p.required || p.name in extra) continue;
    const value = REQUIRED_QUERY[p.name];
    if (value === undefined) throw new Error(`${method} ${path}: no value for the required query parameter ${p.name}`);
    query.set(p.name, value);
  }
  for (const [name, value] of Object.entries(extra)) query.set(name, value);
  return `${fill(path)}?${query}`;
}

/** The org's audit log and webhooks need an admin token of the org; every other route reads with `token`. */
const tokenFor = (path: string, token: string) => (/\/registry\/(audit|webhooks)/.test(path) ? acme.admin : token);

interface EnumParam {
  method: string;
  path: string;
  name: string;
  values: string[];
}

function enumParams(doc: Doc): EnumParam[] {
  const out: EnumParam[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      for (const p of op.parameters ?? []) {
        if (p.in !== "query") continue;
        const schema = p.schema.type === "array" ? p.schema.items : p.schema;
        const values = schema.enum ?? (schema.type === "boolean" ? [true, false] : undefined);
        if (values) out.push({ method: method.toUpperCase(), path, name: p.name, values: values.map(String) });
      }
    }
  }
  return out;
}

describe("declared query enums against the real worker", () => {
  it("finds the enum parameters it is about to check (sort, visibility, asc, backing, force, under both prefixes)", () => {
    const names = new Set(enumParams(client).map((p) => `${p.method} ${p.path} ${p.name}`));
    for (const prefix of ["/api/registry", "/api/preview/registry"]) {
      for (const n of ["sort", "visibility", "asc"]) expect(names.has(`GET ${prefix}/packages ${n}`)).toBe(true);
      const version = `${prefix}/packages/{source}/{publisher}/{name}/versions/{version}`;
      for (const route of ["readme", "installation", "docs/{token}"]) for (const n of ["lang", "os"]) expect(names.has(`GET ${version}/${route} ${n}`)).toBe(true);
      for (const n of ["lang", "depth"]) expect(names.has(`GET ${version}/nav ${n}`)).toBe(true);
      expect(names.has(`GET ${version}/examples lang`)).toBe(true);
      expect(names.has(`GET ${prefix}/templates backing`)).toBe(true);
      expect(names.has(`DELETE ${prefix}/templates/{source}/{publisher}/{name}/versions/{version} force`)).toBe(true);
    }
  });

  it("accepts every declared value of every enum parameter on GET routes", async () => {
    for (const p of enumParams(client).filter((p) => p.method === "GET")) {
      for (const value of p.values) {
        const r = await checked("GET", fillUrl(client, "GET", p.path, { [p.name]: value }), { token: tokenFor(p.path, acme.reader) });
        expect(r.status, `${p.path}?${p.name}=${value}: ${JSON.stringify(r.body)}`).toBe(200);
      }
    }
  });

  it("answers a value outside the declared enum with a 400 {code, message}, on every route, and writes nothing", async () => {
    const before = { versions: await countRows("versions"), items: await countRows("items"), audit: await countRows("audit_log"), hooks: await countRows("webhooks") };
    for (const p of enumParams(client)) {
      const r = await checked(p.method, fillUrl(client, p.method, p.path, { [p.name]: "not-a-declared-value" }), { token: tokenFor(p.path, acme.publisher) });
      expect(r.status, `${p.method} ${p.path}?${p.name}`).toBe(400);
      expect(r.body.code).toBe(400);
    }
    expect({ versions: await countRows("versions"), items: await countRows("items"), audit: await countRows("audit_log"), hooks: await countRows("webhooks") }).toEqual(before);
  });
});

describe("declared docs parameters are the ones the docs routes read", () => {
  it("a bad value of a parameter another docs route declares is ignored where it is not declared", async () => {
    const docsPaths = Object.keys(client.paths).filter((path) => path.startsWith("/api/registry/packages/") && /\/versions\/\{version\}\/(readme|installation|nav|docs\/\{token\}|examples)$/.test(path));
    expect(docsPaths).toHaveLength(5);
    const declared = (path: string) => new Set<string>((client.paths[path]!.get!.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => p.name));
    const all = new Set(docsPaths.flatMap((path) => [...declared(path)]));
    expect([...all].sort()).toEqual(["after", "depth", "lang", "limit", "os", "q"]);
    let ignored = 0;
    for (const path of docsPaths) {
      for (const name of all) {
        if (declared(path).has(name)) continue;
        const r = await checked("GET", fillUrl(client, "GET", path, { [name]: "x".repeat(300) }), { token: acme.reader });
        expect(r.status, `${path}?${name}: ${JSON.stringify(r.body)}`).toBe(200);
        ignored++;
      }
    }
    // readme, installation and docs lack q, depth, limit and after; nav lacks os and limit; examples lacks os, depth and after.
    expect(ignored).toBe(3 * 4 + 2 + 3);
  });
});

describe("declared integer bounds against the real worker", () => {
  it("every GET route's integer query parameter accepts its bounds and refuses one past them with a 400", async () => {
    let checkedBounds = 0;
    for (const [path, item] of Object.entries(client.paths)) {
      for (const p of item.get?.parameters ?? []) {
        if (p.in !== "query" || p.schema.type !== "integer") continue;
        const bounds: Array<[number, number]> = [];
        if (typeof p.schema.minimum === "number") bounds.push([p.schema.minimum, p.schema.minimum - 1]);
        if (typeof p.schema.maximum === "number" && p.schema.maximum < 1e6) bounds.push([p.schema.maximum, p.schema.maximum + 1]);
        for (const [inside, outside] of bounds) {
          const ok = await checked("GET", fillUrl(client, "GET", path, { [p.name]: String(inside) }), { token: tokenFor(path, acme.reader) });
          expect(ok.status, `${path}?${p.name}=${inside}: ${JSON.stringify(ok.body)}`).toBe(200);
          const bad = await checked("GET", fillUrl(client, "GET", path, { [p.name]: String(outside) }), { token: tokenFor(path, acme.reader) });
          expect(bad.status, `${path}?${p.name}=${outside}`).toBe(400);
          checkedBounds++;
        }
      }
    }
    // limit on both lists and both version lists under both prefixes (minimum), on examples (minimum and
    // maximum), and on package usage, the audit log and webhook deliveries (minimum).
    expect(checkedBounds).toBeGreaterThanOrEqual(2 * (2 + 2 + 2) + 3);
  });
});

describe("real answers match the declared schemas", () => {
  it("health, the CLI's login calls and their 401", async () => {
    expect((await checked("GET", "/healthz")).status).toBe(200);
    for (const path of ["/api/user", "/api/user/organizations/default", "/api/capabilities"]) {
      expect((await checked("GET", path, { token: acme.reader })).status).toBe(200);
      expect((await checked("GET", path)).status).toBe(401);
    }
  });

  it("package list, get (anonymous and with usageStats), artifacts, and the 404 of an absent or private package", async () => {
    for (const prefix of ["/api/registry", "/api/preview/registry"]) {
      const list = await checked("GET", `${prefix}/packages?limit=1`, { token: acme.reader });
      expect(list.body.packages).toHaveLength(1);
      expect(list.body.continuationToken).toBeDefined();
      const anonymous = await checked("GET", `${prefix}/packages`);
      expect(anonymous.body.packages.map((p: any) => p.name)).toEqual(["tools"]);
      const got = await checked("GET", `${prefix}/packages/private/acme/db/versions/latest`, { token: acme.reader });
      expect(got.body).toMatchObject({ parameterization: { parameter: "eyJuYW1lIjoiZGIifQ==" }, usageStats: { totalStacks: 1 }, publisherDisplayName: "Acme Corp" });
      expect((await checked("GET", `${prefix}/packages/private/acme/db/versions/1.0.0`)).status).toBe(404);
      expect((await checked("GET", `${prefix}/packages/private/acme/db/versions/not-semver`, { token: acme.reader })).status).toBe(400);
      for (const artifact of ["schema", "raw/schema", "raw/readme", "raw/installation"]) {
        expect((await checked("GET", `${prefix}/packages/private/acme/db/versions/1.0.0/${artifact}`, { token: acme.reader })).status).toBe(200);
      }
    }
  });

  it("the five docs routes, as JSON and as markdown, in a language, pinned and latest, and their 400/404/406", async () => {
    const base = `/api/registry/packages/${DOCS_PACKAGE}/versions`;
    const token = encodeURIComponent(BUCKET_TOKEN);
    for (const route of ["readme", "installation", "nav?depth=full", `docs/${token}`, "examples?limit=5"]) {
      for (const version of ["2.1.0", "latest"]) {
        const path = `${base}/${version}/${route}${route.includes("?") ? "&" : "?"}lang=python`;
        const json = await checked("GET", path, { token: acme.reader });
        expect(json.status, path).toBe(200);
        const markdown = await checked("GET", path, { token: acme.reader, headers: { Accept: "text/markdown" } });
        expect(markdown.status).toBe(200);
        expect(typeof markdown.body).toBe("string");
      }
    }
    expect((await checked("GET", `${base}/2.1.0/docs/${token}`, { token: acme.reader, headers: { Accept: "text/html" } })).status).toBe(406);
    expect((await checked("GET", `${base}/2.1.0/docs/acmecloud%3Anone%3ANone`, { token: acme.reader })).status).toBe(404);
    expect((await checked("GET", `${base}/2.1.0/nav?depth=shallow`, { token: acme.reader })).status).toBe(400);
    expect((await checked("GET", `${base}/2.1.0/examples?limit=0`, { token: acme.reader })).status).toBe(400);
    expect((await checked("GET", `${base}/2.1.0/nav`)).status).toBe(404);
    expect((await checked("GET", `/api/registry/packages/private/acme/db/versions/1.0.0/installation`, { token: acme.reader })).status).toBe(200);
    const backfill = await checked("POST", `/api/admin/packages/${DOCS_PACKAGE}/versions/2.1.0/docs`, { token: ADMIN });
    expect(backfill.status).toBe(202);
    expect((await checked("GET", `/api/admin/packages/${DOCS_PACKAGE}/versions/2.1.0/docs`, { token: ADMIN })).status).toBe(200);
  });

  it("the publish cycle: start (202), complete (201), a 409 for a published version, delete (204)", async () => {
    const started = await checked("POST", "/api/registry/packages/private/acme/cycle/versions", { token: acme.publisher, body: { version: "1.0.0" } });
    expect(started.status).toBe(202);
    const urls = started.body.uploadURLs as Record<string, string>;
    for (const [slot, data] of [
      ["schema", schemaFor("cycle", "1.0.0")],
      ["index", "# cycle\n"],
    ] as const) {
      const bytes = new TextEncoder().encode(data);
      expect((await call(urls[slot]!, { method: "PUT", rawBody: bytes, headers: { "Content-Length": String(bytes.length) } })).status).toBe(200);
    }
    const done = await checked("POST", "/api/registry/packages/private/acme/cycle/versions/1.0.0/complete", { token: acme.publisher, body: { operationID: started.body.operationID } });
    expect(done.status).toBe(201);
    expect((await checked("POST", "/api/preview/registry/packages/private/acme/cycle/versions", { token: acme.publisher, body: { version: "1.0.0" } })).status).toBe(409);
    expect((await checked("DELETE", "/api/registry/packages/private/acme/cycle/versions/1.0.0", { token: acme.publisher })).status).toBe(204);
    expect((await checked("DELETE", "/api/registry/packages/private/acme/cycle/versions/1.0.0", { token: acme.reader })).status).toBe(404);
    expect((await checked("POST", "/api/registry/packages/private/acme/cycle/versions", { body: { version: "2.0.0" } })).status).toBe(401);
  });

  it("templates: list (registry and VCS), get, start, artifacts, a VCS version's 400", async () => {
    for (const prefix of ["/api/registry", "/api/preview/registry"]) {
      const list = await checked("GET", `${prefix}/templates?backing=registry&backing=vcs`, { token: acme.reader });
      expect(list.body.templates.map((t: any) => t.name).sort()).toEqual(["k8s", "web"]);
      expect((await checked("GET", `${prefix}/templates/private/acme/web/versions/1.1.0`, { token: acme.reader })).body.config).toBeDefined();
      expect((await checked("GET", `${prefix}/templates/private/acme/absent/versions/latest`, { token: acme.reader })).status).toBe(404);
      expect((await checked("GET", `${prefix}/templates/github/acme/k8s/versions/latest`)).body.repoSlug).toBe("acme/templates");
      expect((await checked("GET", `${prefix}/templates/github/acme/k8s/versions/1.0.0`)).status).toBe(400);
      expect((await checked("GET", `${prefix}/templates/private/acme/web/versions/1.0.0/archive`, { token: acme.reader })).status).toBe(200);
      expect((await checked("GET", `${prefix}/templates/private/acme/web/versions/1.0.0/readme`, { token: acme.reader })).status).toBe(200);
      expect((await checked("GET", `${prefix}/templates/private/acme/web/versions/1.0.0/readme?lang=python`, { token: acme.reader, headers: { Accept: "text/markdown" } })).status).toBe(200);
      expect((await checked("GET", `${prefix}/templates/private/acme/web/versions/1.0.0/raw/readme`, { token: acme.reader })).status).toBe(200);
      const started = await checked("POST", `${prefix}/templates/private/acme/web/versions`, { token: acme.publisher, body: { version: "9.0.0" } });
      expect(started.status).toBe(202);
      expect((await checked("POST", `${prefix}/templates/github/acme/web/versions`, { token: acme.publisher, body: { version: "9.0.0" } })).status).toBe(400);
    }
    expect((await checked("DELETE", "/api/registry/templates/private/acme/web/versions/1.1.0", { token: acme.publisher })).status).toBe(204);
    expect((await checked("DELETE", "/api/registry/templates/private/acme/web/versions/1.0.0", { token: acme.publisher })).status).toBe(400);
  });

  it("usage reports: 204, and 400/401/403 bodies", async () => {
    const body = { packages: [{ source: "private", publisher: "acme", name: "db" }] };
    expect((await checked("PUT", "/api/orgs/acme/registry/usage/web/staging", { token: acme.publisher, body })).status).toBe(204);
    expect((await checked("PUT", "/api/orgs/acme/registry/usage/web/staging", { token: acme.publisher, body: { packages: "no" } })).status).toBe(400);
    expect((await checked("PUT", "/api/orgs/acme/registry/usage/web/staging", { body })).status).toBe(401);
    expect((await checked("DELETE", "/api/orgs/acme/registry/usage/web/staging", { token: acme.reader })).status).toBe(403);
    expect((await checked("DELETE", "/api/orgs/acme/registry/usage/web/staging", { token: acme.publisher })).status).toBe(204);
  });

  it("the admin API: orgs, tokens, featured, VCS templates, and its 401/403/409", async () => {
    expect((await checked("POST", "/api/admin/orgs", { token: ADMIN, body: { login: "beta", displayName: "Beta" } })).status).toBe(201);
    expect((await checked("POST", "/api/admin/orgs", { token: ADMIN, body: { login: "beta" } })).status).toBe(409);
    expect((await checked("GET", "/api/admin/orgs", { token: ADMIN })).body.orgs.length).toBeGreaterThan(1);
    expect((await checked("GET", "/api/admin/orgs", { token: acme.admin })).status).toBe(403);
    expect((await checked("GET", "/api/admin/orgs", { token: "erg_wrong" })).status).toBe(401);
    const created = await checked("POST", "/api/admin/orgs/beta/tokens", { token: ADMIN, body: { role: "reader", description: "CI", expiresAt: "2099-01-01T00:00:00Z" } });
    expect(created.status).toBe(201);
    expect((await checked("GET", "/api/admin/orgs/beta/tokens", { token: ADMIN })).body.tokens).toHaveLength(1);
    expect((await checked("DELETE", `/api/admin/orgs/beta/tokens/${created.body.id}`, { token: ADMIN })).status).toBe(204);
    expect((await checked("DELETE", `/api/admin/orgs/beta/tokens/${created.body.id}`, { token: ADMIN })).status).toBe(404);
    expect((await checked("PUT", "/api/admin/packages/pulumi/acme/tools/featured", { token: ADMIN, body: { featured: true } })).status).toBe(204);
    expect((await checked("PUT", "/api/admin/packages/pulumi/acme/tools/featured", { token: ADMIN, body: { featured: "yes" } })).status).toBe(400);
    const vcs = { source: "gitlab", publisher: "beta", name: "gt", repoSlug: "g/t", downloadURL: "https://gitlab.com/g/t.tar.gz", description: "d", language: "go", metadata: { a: "b" } };
    expect((await checked("POST", "/api/admin/templates", { token: ADMIN, body: vcs })).status).toBe(201);
    expect((await checked("DELETE", "/api/admin/templates/gitlab/beta/gt", { token: ADMIN })).status).toBe(204);
  });

  it("version listings of packages and templates, and their 400/404", async () => {
    for (const prefix of ["/api/registry", "/api/preview/registry"]) {
      const packages = await checked("GET", `${prefix}/packages/private/acme/db/versions?limit=1`, { token: acme.reader });
      expect(packages.operationId).toBe(prefix === "/api/registry" ? "ListPackageVersions" : "ListPackageVersionsPreview");
      expect(packages.body.packages.map((p: any) => p.version)).toEqual(["1.0.0"]);
      const templates = await checked("GET", `${prefix}/templates/private/acme/web/versions`, { token: acme.reader });
      expect(templates.operationId).toBe(prefix === "/api/registry" ? "ListTemplateVersions" : "ListTemplateVersionsPreview");
      expect(templates.body.templates.length).toBeGreaterThanOrEqual(1);
      expect((await checked("GET", `${prefix}/packages/private/acme/db/versions`)).status).toBe(404);
      expect((await checked("GET", `${prefix}/templates/github/acme/k8s/versions`)).status).toBe(400);
      expect((await checked("GET", `${prefix}/packages/private/acme/db/versions?continuationToken=forged`, { token: acme.reader })).status).toBe(400);
    }
  });

  it("deprecation of a version and of a whole package or template: 204, the deprecation field in views, its lifting, and 400/401/403/404", async () => {
    // A replacement is of the same kind: a package for packages; the templates name none.
    const body = { message: "use tools", replacement: "pulumi/acme/tools@0.3.0" };
    for (const [path, view] of [
      ["/api/registry/packages/private/acme/db/versions/1.0.0/deprecation", "/api/registry/packages/private/acme/db/versions/1.0.0"],
      ["/api/preview/registry/packages/private/acme/db/deprecation", "/api/registry/packages/private/acme/db/versions/latest"],
      ["/api/registry/templates/private/acme/web/deprecation", "/api/registry/templates/private/acme/web/versions/latest"],
      ["/api/preview/registry/templates/private/acme/web/versions/1.0.0/deprecation", "/api/registry/templates/private/acme/web/versions/1.0.0"],
    ]) {
      const sent = path!.includes("/templates/") ? { message: body.message } : body;
      expect((await checked("PUT", path!, { token: acme.publisher, body: sent })).status, path).toBe(204);
      expect((await checked("GET", view!, { token: acme.reader })).body.deprecation).toMatchObject({ message: "use tools" });
    }
    expect((await checked("GET", "/api/registry/packages?visibility=private", { token: acme.reader })).body.packages.find((p: any) => p.name === "db").deprecation).toBeDefined();
    expect((await checked("GET", "/api/registry/templates/private/acme/web/versions", { token: acme.reader })).body.templates[0].deprecation).toBeDefined();
    const pkg = "/api/registry/packages/private/acme/db/deprecation";
    expect((await checked("PUT", pkg, { token: acme.publisher, body: { message: "" } })).status).toBe(400);
    expect((await checked("PUT", pkg, { token: acme.publisher, body: { message: "m", replacement: "private/acme/absent" } })).status).toBe(400);
    expect((await checked("PUT", pkg, { body })).status).toBe(401);
    expect((await checked("PUT", pkg, { token: acme.reader, body })).status).toBe(403);
    expect((await checked("PUT", "/api/registry/packages/private/acme/absent/deprecation", { token: acme.publisher, body })).status).toBe(404);
    for (const path of [
      pkg,
      "/api/registry/packages/private/acme/db/versions/1.0.0/deprecation",
      "/api/registry/templates/private/acme/web/deprecation",
      "/api/registry/templates/private/acme/web/versions/1.0.0/deprecation",
    ]) {
      expect((await checked("DELETE", path, { token: acme.publisher })).status, path).toBe(204);
    }
    expect((await checked("DELETE", pkg, { token: acme.reader })).status).toBe(403);
    expect((await checked("GET", "/api/registry/packages/private/acme/db/versions/1.0.0", { token: acme.reader })).body.deprecation).toBeUndefined();
  });

  it("which of an org's stacks use a package, and its 400/401/403", async () => {
    const usage = await checked("GET", "/api/orgs/acme/packages/usage?packageName=acme/db&version=1.0.0", { token: acme.reader });
    expect(usage.body).toMatchObject({ packageName: "acme/db", totalStacks: 1, stacks: [{ stackId: "acme/web/prod", version: "1.0.0" }] });
    expect((await checked("GET", "/api/orgs/acme/packages/usage", { token: acme.reader })).status).toBe(400);
    expect((await checked("GET", "/api/orgs/acme/packages/usage?packageName=db")).status).toBe(401);
    const other = await orgWithTokens("openapi-other");
    expect((await checked("GET", "/api/orgs/acme/packages/usage?packageName=db", { token: other.reader })).status).toBe(403);
  });

  it("an org's audit log and the operator's, filtered, and their 400/401/403", async () => {
    const org = await checked("GET", "/api/orgs/acme/registry/audit?limit=2", { token: acme.admin });
    expect(org.body.entries).toHaveLength(2);
    expect(org.body.continuationToken).toBeDefined();
    const next = await checked("GET", `/api/orgs/acme/registry/audit?limit=2&continuationToken=${org.body.continuationToken}`, { token: acme.admin });
    expect(next.body.entries).toHaveLength(2);
    const published = await checked("GET", "/api/orgs/acme/registry/audit?action=package.publish.complete&since=2000-01-01T00:00:00Z", { token: acme.admin });
    expect(published.body.entries.length).toBeGreaterThan(0);
    expect(published.body.entries.every((e: any) => e.action === "package.publish.complete" && e.actor.kind === "token")).toBe(true);
    expect((await checked("GET", "/api/orgs/acme/registry/audit?target=package/private/acme/db", { token: acme.admin })).body.entries.length).toBeGreaterThan(0);
    expect((await checked("GET", "/api/orgs/acme/registry/audit?since=yesterday", { token: acme.admin })).status).toBe(400);
    expect((await checked("GET", "/api/orgs/acme/registry/audit", { token: acme.reader })).status).toBe(403);
    expect((await checked("GET", "/api/orgs/acme/registry/audit")).status).toBe(401);
    const all = await checked("GET", "/api/admin/audit?action=org.create", { token: ADMIN });
    expect(all.operationId).toBe("ListAuditEntries");
    expect(all.body.entries.some((e: any) => e.actor.kind === "operator")).toBe(true);
    expect((await checked("GET", "/api/admin/audit", { token: acme.admin })).status).toBe(403);
    expect((await checked("GET", "/api/admin/audit?until=not-a-time", { token: ADMIN })).status).toBe(400);
  });

  it("webhooks: register (201, with its secret), list, a delivery attempt, delete (204), and 400/401/403/404", async () => {
    const hooks = "/api/orgs/acme/registry/webhooks";
    const created = await checked("POST", hooks, { token: acme.admin, body: { url: `${inject("receiverUrl")}/hook/openapi-second`, events: ["package.deleted", "template.deleted"] } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeDefined();
    const listed = await checked("GET", hooks, { token: acme.admin });
    expect(listed.body.webhooks.map((h: any) => h.id)).toEqual(expect.arrayContaining([hookId, created.body.id]));
    expect(listed.body.webhooks.every((h: any) => h.secret === undefined)).toBe(true);
    // The deprecation test's events reach the first hook through the queue; wait for an attempt to be recorded.
    const deadline = Date.now() + 15_000;
    let deliveries: any[] = [];
    while (deliveries.length === 0 && Date.now() < deadline) {
      deliveries = (await checked("GET", `${hooks}/${hookId}/deliveries`, { token: acme.admin })).body.deliveries;
      if (deliveries.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(deliveries[0]).toMatchObject({ event: "package.deprecated", outcome: "delivered", status: 200 });
    expect((await checked("POST", hooks, { token: acme.admin, body: { url: "ftp://example.com/", events: ["package.deleted"] } })).status).toBe(400);
    expect((await checked("POST", hooks, { token: acme.admin, body: { url: "https://example.com/", events: ["package.renamed"] } })).status).toBe(400);
    expect((await checked("GET", hooks)).status).toBe(401);
    expect((await checked("GET", hooks, { token: acme.publisher })).status).toBe(403);
    expect((await checked("DELETE", `${hooks}/${created.body.id}`, { token: acme.admin })).status).toBe(204);
    expect((await checked("DELETE", `${hooks}/${created.body.id}`, { token: acme.admin })).status).toBe(404);
    expect((await checked("GET", `${hooks}/${created.body.id}/deliveries`, { token: acme.admin })).status).toBe(404);
  });

  it("the checker itself refuses an undeclared field, an undeclared status and an undeclared media type", () => {
    const get = operationById(client, "GetPackageVersion");
    const list = operationById(client, "ListPackages");
    const valid = JSON.stringify({ packages: [] });
    expect(() => checkAnswer(client, list, 200, "application/json", valid)).not.toThrow();
    expect(() => checkAnswer(client, list, 200, "application/json", JSON.stringify({ packages: [], extra: 1 }))).toThrow(/schema/);
    expect(() => checkAnswer(client, list, 200, "application/json", JSON.stringify({ packages: [], continuationToken: "" }))).toThrow(/schema/);
    expect(() => checkAnswer(client, list, 418, "application/json", valid)).toThrow(/not declared/);
    expect(() => checkAnswer(client, get, 200, "text/html", "<p>")).toThrow(/not declared/);
    const start = operationById(client, "PostPublishPackageVersion");
    expect(requestBodyValid(client, start, { version: "1.0.0", publishedAt: "2026-01-01T00:00:00Z" }).valid).toBe(true);
    expect(requestBodyValid(client, start, { publishedAt: "2026-01-01T00:00:00Z" }).valid).toBe(false);
  });

  it("policy packs: registry lists and gets, the CLI's org routes, and their errors", async () => {
    for (const prefix of ["/api/registry", "/api/preview/registry"]) {
      const list = await checked("GET", `${prefix}/policypacks?limit=1`, { token: acme.reader });
      expect(list.body.policyPacks.map((p: any) => p.name)).toEqual(["db"]);
      expect((await checked("POST", `${prefix}/policypacks`, { token: acme.reader, body: { orgLogin: "acme", access: "enabled" } })).body).toEqual({ policyPacks: list.body.policyPacks });
      expect((await checked("GET", `${prefix}/policypacks/private/acme/db/versions/latest`, { token: acme.publisher })).body.policyPack.accessLevel).toBe("full");
      expect((await checked("GET", `${prefix}/policypacks/private/acme/db/versions`, { token: acme.reader })).body.policyPacks).toHaveLength(1);
      expect((await checked("GET", `${prefix}/policypacks/private/acme/db/versions/1.0.0`)).status).toBe(404);
      expect((await checked("GET", `${prefix}/policypacks?access=none`, { token: acme.reader })).status).toBe(400);
    }
    const started = await checked("POST", "/api/orgs/acme/policypacks", { token: acme.publisher, body: cliBody("cli-pack", "2.0.0") });
    expect(started.status).toBe(200);
    expect((await put(started.body.uploadURI, await goodPackArchive())).status).toBe(200);
    expect((await checked("POST", "/api/orgs/acme/policypacks/cli-pack/versions/2.0.0/complete", { token: acme.publisher })).status).toBe(204);
    expect((await checked("POST", "/api/orgs/acme/policypacks/cli-pack/versions/2.0.0/complete", { token: acme.publisher })).status).toBe(404);
    expect((await checked("GET", "/api/orgs/acme/policypacks", { token: acme.reader })).body.policyPacks).toHaveLength(2);
    expect((await checked("GET", "/api/orgs/acme/policypacks/cli-pack/versions/2.0.0/schema", { token: acme.reader })).status).toBe(200);
    expect((await checked("POST", "/api/orgs/acme/policypacks", { token: acme.reader, body: cliBody("cli-pack", "2.1.0") })).status).toBe(403);
    expect((await checked("DELETE", "/api/orgs/acme/policypacks/cli-pack/versions/2.0.0", { token: acme.publisher })).status).toBe(204);
    expect((await checked("DELETE", "/api/orgs/acme/policypacks/cli-pack", { token: acme.publisher })).status).toBe(404);
  });

  it("the description documents themselves", async () => {
    expect((await checked("GET", OPENAPI_PATHS.client)).status).toBe(200);
    expect((await checked("GET", OPENAPI_PATHS.admin)).operationId).toBe("GetAdminOpenApiSpec");
  });
});

// Behaves like `pulumi api` against a real `wrangler dev`: download the description, resolve an operation by
// id or by path, fill path variables with Go's url.PathEscape, add `lang`/`os` only where the operation
// declares them, ask for markdown first only where it declares text/markdown; then walk readme → navUrl →
// nav → docsUrlTemplate to every resource's and function's docs.
import { beforeAll, describe, expect, it } from "vitest";
import { skylineInstallation, skylineReadme, skylineSchema, webappSchema } from "../fixtures/api-docs";
import { checkAnswer, operationById, operationByPath, successContentTypes, type Doc, type Matched } from "../workers/openapi-check";
import { cli, docsReady, gateway, setupOrg } from "./client";

const ORG = "bb-pulumi-api";
const PACKAGE = { source: "private", publisher: ORG, name: skylineSchema.name, version: skylineSchema.version };
let tokens: { reader: string; publisher: string };
let spec: Doc;

/** Go's url.PathEscape: what `pulumi api` applies to each path variable (`/` escaped, `:` kept). */
function pathEscape(value: string): string {
  return encodeURIComponent(value).replace(/%(24|26|2B|3A|3D|40)/g, (m) => decodeURIComponent(m));
}

/** The Accept header `pulumi api` sends by default: markdown first only when the operation declares it. */
function acceptFor(op: Matched): string {
  const types = successContentTypes(op.operation);
  const accept = types.includes("text/markdown") ? ["text/markdown", ...types.filter((t) => t !== "text/markdown")] : [types[0] ?? "application/json"];
  return `${accept.join(", ")}, application/vnd.pulumi+8`;
}

/** Query values from the CLI's context (project runtime python, OS linux), added only where declared. */
function contextQuery(op: Matched, query: URLSearchParams): URLSearchParams {
  const declared = new Set((op.operation.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => p.name));
  const context: Record<string, string> = { lang: "python", os: "linux" };
  for (const [name, value] of Object.entries(context)) if (declared.has(name) && !query.has(name)) query.set(name, value);
  return query;
}

interface Call {
  status: number;
  contentType: string;
  text: string;
  json?: any;
  url: string;
}

async function send(op: Matched, path: string, query: URLSearchParams, accept: string): Promise<Call> {
  const url = `${gateway()}${path}${query.size ? `?${query}` : ""}`;
  const r = await cli("GET", url, { token: tokens.reader, headers: { Accept: accept } });
  const contentType = r.headers.get("content-type") ?? "";
  checkAnswer(spec, op, r.status, contentType, r.text);
  return { status: r.status, contentType, text: r.text, json: contentType.startsWith("application/json") ? r.body : undefined, url };
}

/** `pulumi api <OperationId> -F var=value …` */
async function byOperationId(id: string, vars: Record<string, string>, options: { output?: "json" } = {}): Promise<Call> {
  const op = operationById(spec, id);
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`template var {${name}} is unresolved`);
    return pathEscape(vars[name]!);
  });
  return send(op, path, contextQuery(op, new URLSearchParams()), options.output === "json" ? "application/json, application/vnd.pulumi+8" : acceptFor(op));
}

/** `pulumi api <path-with-query>`, or a URL an answer handed out. */
async function byPath(pathOrUrl: string, options: { output?: "json" } = {}): Promise<Call> {
  const url = new URL(pathOrUrl, gateway());
  expect(url.origin).toBe(new URL(gateway()).origin);
  const op = operationByPath(spec, "GET", url.pathname);
  return send(op, url.pathname, contextQuery(op, url.searchParams), options.output === "json" ? "application/json, application/vnd.pulumi+8" : acceptFor(op));
}

beforeAll(async () => {
  tokens = await setupOrg(ORG);
  const r = await cli("GET", "/api/openapi/pulumi-spec.json");
  expect(r.status).toBe(200);
  spec = r.body;
  // Publish the fixture package the way the CLI does.
  await publish(PACKAGE.name, PACKAGE.version, { schema: JSON.stringify(skylineSchema), index: skylineReadme, installationConfiguration: skylineInstallation });
  // A component package referencing skyline's types; also makes a page of one have a next page.
  await publish(webappSchema.name, webappSchema.version, { schema: JSON.stringify(webappSchema), index: "# Skyline web app\n" });
});

async function publish(name: string, version: string, files: Record<string, string>) {
  const base = `/api/registry/packages/${PACKAGE.source}/${PACKAGE.publisher}/${name}/versions`;
  const start = await cli("POST", base, { token: tokens.publisher, body: { version } });
  expect(start.status, start.text).toBe(202);
  for (const [slot, body] of Object.entries(files)) {
    const put = await fetch(start.body.uploadURLs[slot], { method: "PUT", body });
    await put.arrayBuffer();
    expect(put.status).toBe(200);
  }
  const complete = await cli("POST", `${base}/${version}/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
  expect(complete.status, complete.text).toBe(201);
  expect(await docsReady(tokens.publisher, `${PACKAGE.source}/${PACKAGE.publisher}/${name}`, version)).toBe("ready");
}

describe("pulumi api against the gateway", () => {
  it("finds GetPackageNav by id, fills lang but not os (nav does not declare os), and gets markdown because nav declares it", async () => {
    const op = operationById(spec, "GetPackageNav");
    expect(op.path).toBe("/api/registry/packages/{source}/{publisher}/{name}/versions/{version}/nav");
    const nav = await byOperationId("GetPackageNav", PACKAGE);
    expect(nav.status).toBe(200);
    expect(nav.contentType).toMatch(/^text\/markdown/);
    expect(nav.url).toContain("lang=python");
    expect(nav.url).not.toContain("os=");
    expect(nav.text).toContain(skylineSchema.displayName);
  });

  it("asks for JSON where the operation declares no markdown (GetPackageVersion), and never adds lang there", async () => {
    const got = await byOperationId("GetPackageVersion", PACKAGE);
    expect(got.status).toBe(200);
    expect(got.contentType).toBe("application/json");
    expect(got.url).not.toContain("lang=");
    expect(got.json.version).toBe(PACKAGE.version);
    expect(acceptFor(operationById(spec, "ListPackages"))).toBe("application/json, application/vnd.pulumi+8");
  });

  it("fills both lang and os for the README, and the markdown honours them", async () => {
    const readme = await byOperationId("GetPackageReadme", PACKAGE);
    expect(readme.status).toBe(200);
    expect(readme.url).toMatch(/lang=python/);
    expect(readme.url).toMatch(/os=linux/);
    expect(readme.contentType).toMatch(/^text\/markdown/);
    const json = await byOperationId("GetPackageReadme", PACKAGE, { output: "json" });
    expect(json.json).toMatchObject({ version: PACKAGE.version, language: "python", os: "linux" });
  });

  it("matches a concrete path to its operation, more specific literals winning, under both prefixes", async () => {
    for (const prefix of ["/api/registry", "/api/preview/registry"]) {
      const path = `${prefix}/packages/${PACKAGE.source}/${PACKAGE.publisher}/${PACKAGE.name}/versions/latest/nav`;
      expect(operationByPath(spec, "GET", path).operation.operationId).toBe(prefix === "/api/registry" ? "GetPackageNav" : "GetPackageNavPreview");
      const nav = await byPath(`${path}?depth=full`, { output: "json" });
      expect(nav.status).toBe(200);
      expect(nav.json.modules.length).toBeGreaterThan(0);
    }
  });

  it.each([
    [skylineSchema.name, skylineSchema],
    [webappSchema.name, webappSchema],
  ] as const)("follows navUrl from the README and docsUrlTemplate from the nav to the docs of every resource and function of %s, each as JSON and markdown", async (_, schema) => {
    const pkg = { ...PACKAGE, name: schema.name, version: schema.version };
    const readme = await byOperationId("GetPackageReadme", pkg, { output: "json" });
    const nav = await byPath(`${readme.json.navUrl}${readme.json.navUrl.includes("?") ? "&" : "?"}depth=full`, { output: "json" });
    expect(nav.status).toBe(200);
    expect(nav.json.docsUrlTemplate).toContain("{token}");
    const tokensInNav = nav.json.modules.flatMap((m: any) => [...m.resources, ...m.functions].map((i: any) => i.token));
    const declared = [...Object.keys(schema.resources), ...Object.keys((schema as { functions?: object }).functions ?? {})];
    expect([...tokensInNav].sort()).toEqual([...declared].sort());
    for (const token of tokensInNav) {
      // Fully percent-encoded, as a client fills a URI template; the half-encoded form works as well.
      for (const encoded of [encodeURIComponent(token), pathEscape(token)]) {
        const url = nav.json.docsUrlTemplate.replace("{token}", encoded);
        const docs = await byPath(url, { output: "json" });
        expect(docs.status, url).toBe(200);
        expect(docs.json).toMatchObject({ token, language: "python", navUrl: expect.stringContaining("/nav") });
      }
      const markdown = await byPath(nav.json.docsUrlTemplate.replace("{token}", encodeURIComponent(token)));
      expect(markdown.contentType).toMatch(/^text\/markdown/);
      expect(markdown.text).toContain(token);
    }
  });

  it("reads examples and installation text through their operation ids", async () => {
    const examples = await byOperationId("GetPackageExamples", PACKAGE, { output: "json" });
    expect(examples.status).toBe(200);
    expect(examples.json.totalCount).toBeGreaterThan(0);
    expect(examples.json.examples.every((e: any) => e.code.length > 0)).toBe(true);
    const installation = await byOperationId("GetPackageInstallation", PACKAGE);
    expect(installation.status).toBe(200);
    expect(installation.contentType).toMatch(/^text\/markdown/);
  });

  it("pages like `pulumi api ListPackages --all`: one array field per page, continuationToken sent back until absent", async () => {
    for (const id of ["ListPackages", "ListTemplates"]) {
      const op = operationById(spec, id);
      expect(op.operation.parameters.some((p: any) => p.in === "query" && p.name === "continuationToken")).toBe(true);
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = new URLSearchParams({ limit: "1", ...(cursor ? { continuationToken: cursor } : {}) });
        const page = await send(op, op.path, query, acceptFor(op));
        expect(page.status).toBe(200);
        const arrays = Object.entries(page.json).filter(([, v]) => Array.isArray(v));
        expect(arrays.map(([k]) => k)).toEqual([id === "ListPackages" ? "packages" : "templates"]);
        if (page.json.continuationToken !== undefined) expect(page.json.continuationToken).not.toBe(cursor);
        cursor = page.json.continuationToken;
        pages++;
      } while (cursor && pages < 200);
      expect(cursor).toBeUndefined();
      if (id === "ListPackages") expect(pages).toBeGreaterThanOrEqual(2);
    }
  });

  it("an unknown token is the declared 404 {code, message}", async () => {
    const r = await byOperationId("GetPackageDocs", { ...PACKAGE, token: `${PACKAGE.name}:index/none:None` }, { output: "json" });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe(404);
  });
});

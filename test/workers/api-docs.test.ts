// The five docs routes (spec ga-registry §2) over real D1/R2: JSON and markdown, languages, q, depth, fallbacks, negotiation, caching, visibility.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, countObjects, countRows, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { docsSettled, PREFIXES, publishPackage } from "./publish-helpers";
import { docsInstallation, docsReadme, docsSchema } from "./api-docs-fixture";

let acme: OrgTokens;
let other: OrgTokens;
const PUBLIC = "pulumi/acme/acmecloud";
const PRIVATE = "private/acme/acmecloud";
const BUCKET = "acmecloud:s3/bucket:Bucket";

beforeAll(async () => {
  acme = await orgWithTokens("acme", "Acme Corp");
  other = await orgWithTokens("other");
  const schema = JSON.stringify(docsSchema);
  await publishPackage(acme.publisher, PUBLIC, "2.1.0", { schema, readme: docsReadme, installation: docsInstallation });
  await publishPackage(acme.publisher, PRIVATE, "2.1.0", { schema, readme: docsReadme });
});

const v = (path: string, rest: string, prefix = "/api/registry") => `${prefix}/packages/${path}/versions/${rest}`;

describe.each(PREFIXES)("docs routes under %s", (prefix) => {
  it("nav lists modules with their ancestors, totals, and items only with depth=full", async () => {
    const r = await callJson(v(PUBLIC, "2.1.0/nav", prefix));
    expect(r.status).toBe(200);
    expect(r.response.headers.get("Content-Type")).toBe("application/json");
    expect(r.body).toMatchObject({
      source: "pulumi",
      publisher: "acme",
      name: "acmecloud",
      version: "2.1.0",
      title: "Acme Cloud",
      description: "Manage Acme Cloud resources.",
      packageVersionUrl: `http://gateway.test${prefix}/packages/${PUBLIC}/versions/2.1.0`,
      readmeUrl: `http://gateway.test${prefix}/packages/${PUBLIC}/versions/2.1.0/readme`,
      installationUrl: `http://gateway.test${prefix}/packages/${PUBLIC}/versions/2.1.0/installation`,
      docsUrlTemplate: `http://gateway.test${prefix}/packages/${PUBLIC}/versions/2.1.0/docs/{token}`,
      modulesTotal: 4,
    });
    expect(r.body).not.toHaveProperty("language");
    expect(r.body.modules).toEqual([
      { name: "compute", resourcesTotal: 1, functionsTotal: 0 },
      { name: "compute/network", resourcesTotal: 1, functionsTotal: 0 },
      { name: "index", resourcesTotal: 1, functionsTotal: 0 },
      { name: "s3", resourcesTotal: 1, functionsTotal: 1 },
    ]);
    expect(r.body.modules.every((m: object) => !("resources" in m) && !("functions" in m))).toBe(true);

    const full = await callJson(v(PUBLIC, "2.1.0/nav?depth=full&lang=python", prefix));
    expect(full.body.language).toBe("python");
    expect(full.body.docsUrlTemplate).toMatch(/\/docs\/\{token\}\?lang=python$/);
    const bucketModule = full.body.modules.find((m: any) => m.resources.some((i: any) => i.token === BUCKET));
    // The same spelling as the docs answer gives for that language.
    const docs = await callJson(v(PUBLIC, `2.1.0/docs/${encodeURIComponent(BUCKET)}`, prefix));
    expect(bucketModule.resources).toEqual([{ name: docs.body.name.python, token: BUCKET }]);
    expect(docs.body.name.python).toMatch(/Bucket$/);
    const tokens = full.body.modules.flatMap((m: any) => [...m.resources, ...m.functions].map((i: any) => i.token)).sort();
    expect(tokens).toEqual(["acmecloud:compute/network/firewall:Firewall", "acmecloud:compute/instance:Instance", "acmecloud:index:Project", BUCKET, "acmecloud:s3/getBucket:getBucket"].sort());
    const getBucket = full.body.modules.flatMap((m: any) => m.functions).find((i: any) => i.token === "acmecloud:s3/getBucket:getBucket");
    expect(getBucket.name).toMatch(/get_bucket$/);
  });

  it("nav q keeps matching items (name or token, any case), their ancestor modules, and drops empty modules; totals stay the modules' own", async () => {
    const r = await callJson(v(PUBLIC, "2.1.0/nav?q=FIREwall&depth=full", prefix));
    expect(r.status).toBe(200);
    expect(r.body.modules).toEqual([
      // compute holds Instance, which q drops: its totals still count it.
      { name: "compute", resourcesTotal: 1, functionsTotal: 0, resources: [], functions: [] },
      { name: "compute/network", resourcesTotal: 1, functionsTotal: 0, resources: [{ name: "Firewall", token: "acmecloud:compute/network/firewall:Firewall" }], functions: [] },
    ]);
    expect(r.body.modulesTotal).toBe(2);
    const none = await callJson(v(PUBLIC, "2.1.0/nav?q=nothing-like-this", prefix));
    expect(none.body).toMatchObject({ modules: [], modulesTotal: 0 });
  });

  it("docs/{token} answers names and types in all six languages, supporting types reached through forward refs, and typeRef into another package", async () => {
    const token = encodeURIComponent(BUCKET);
    const r = await callJson(v(PUBLIC, `2.1.0/docs/${token}?lang=python`, prefix));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      version: "2.1.0",
      navUrl: `http://gateway.test${prefix}/packages/${PUBLIC}/versions/2.1.0/nav?lang=python`,
      token: BUCKET,
      kind: "resource",
      language: "python",
    });
    expect(Object.keys(r.body.name).sort()).toEqual(["csharp", "go", "java", "python", "typescript", "yaml"]);
    const bucketName = r.body.inputs.find((p: any) => p.name.typescript === "bucketName");
    expect(bucketName).toMatchObject({ required: true, replaceOnChanges: true });
    expect(bucketName.name.python).toBe("bucket_name");
    expect(bucketName.name.go).toBe("BucketName");
    expect(bucketName.type.python).toBe("str");
    expect(bucketName.description.python).toBe("The name of the bucket.");
    const legacy = r.body.inputs.find((p: any) => p.name.typescript === "legacyRegion");
    expect(legacy).toMatchObject({ deprecated: "Use the provider's region instead.", required: false, replaceOnChanges: false });
    const pod = r.body.inputs.find((p: any) => p.name.typescript === "podSpec");
    expect(pod.typeRef).toMatchObject({ token: "kubernetes:core/v1:PodSpec", package: "kubernetes", version: "4.0.0" });
    const website = r.body.inputs.find((p: any) => p.name.typescript === "website");
    expect(website.typeRef).toEqual({ token: "acmecloud:s3/BucketWebsite:BucketWebsite" });
    expect(r.body.outputs.map((p: any) => p.name.typescript)).toEqual(["arn", "bucketName", "website"]);
    expect(r.body.supportingTypes.map((t: any) => [t.token, t.kind])).toEqual([
      ["acmecloud:s3/BucketWebsite:BucketWebsite", "object"],
      ["acmecloud:s3/CannedAcl:CannedAcl", "enum"],
      ["acmecloud:s3/RoutingRule:RoutingRule", "object"],
    ]);
    const acl = r.body.supportingTypes.find((t: any) => t.kind === "enum");
    expect(acl.values.map((x: any) => x.value)).toEqual(["private", "public-read"]);
    expect(acl.values[0].description.go).toBe("Owner only.");
    // The description keeps only Python's example code.
    const text = r.body.description.map((n: any) => n.markdown).join("\n");
    expect(r.body.description.every((n: any) => n.kind === "text")).toBe(true);
    expect(text).toContain("Provides an object storage bucket.");
    expect(text).toContain("bucket_name=\"logs\"");
    expect(text).not.toContain("new acme.s3.Bucket");
    expect(text).not.toContain("{{%");
  });

  it("docs/{token} accepts a half-encoded token and a function token", async () => {
    const half = await callJson(v(PUBLIC, "2.1.0/docs/acmecloud:s3%2Fbucket:Bucket", prefix));
    expect(half.status).toBe(200);
    expect(half.body.token).toBe(BUCKET);
    const raw = await callJson(v(PUBLIC, `2.1.0/docs/${BUCKET}`, prefix));
    expect(raw.body.token).toBe(BUCKET);
    expect(half.body.language).toBe("typescript");
    const fn = await callJson(v(PUBLIC, `2.1.0/docs/${encodeURIComponent("acmecloud:s3/getBucket:getBucket")}?lang=go`, prefix));
    expect(fn.body).toMatchObject({ kind: "function", token: "acmecloud:s3/getBucket:getBucket" });
    expect(fn.body.inputs.map((p: any) => [p.name.go, p.required])).toEqual([["Bucket", true]]);
    expect(fn.body.outputs.map((p: any) => p.name.python)).toEqual(["arn", "bucket"]);
  });

  it("docs/{token} in markdown names the language's spelling", async () => {
    const r = await call(v(PUBLIC, `2.1.0/docs/${encodeURIComponent(BUCKET)}?lang=python`, prefix), { headers: { Accept: "text/markdown" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(r.headers.get("Link")).toBeNull();
    const md = await r.text();
    const json = await callJson(v(PUBLIC, `2.1.0/docs/${encodeURIComponent(BUCKET)}?lang=python`, prefix));
    expect(md.startsWith(`# ${json.body.name.python}\n`)).toBe(true);
    expect(md).toContain("`bucket_name` `str` (required, replaces on change)");
    expect(md).toContain("## Supporting types");
    expect(md).toContain("```python");
    expect(md).not.toContain("```typescript");
  });

  it("docs/{token} names its token twice: token, and typeToken as the newest SDK calls it", async () => {
    const r = await callJson(v(PUBLIC, `2.1.0/docs/${encodeURIComponent(BUCKET)}?lang=go`, prefix));
    expect(r.status).toBe(200);
    expect(r.body.token).toBe(BUCKET);
    expect(r.body.typeToken).toBe(BUCKET);
    const fn = await callJson(v(PUBLIC, `2.1.0/docs/${encodeURIComponent("acmecloud:s3/getBucket:getBucket")}`, prefix));
    expect(fn.body).toMatchObject({ token: "acmecloud:s3/getBucket:getBucket", typeToken: "acmecloud:s3/getBucket:getBucket", kind: "function" });
  });

  it("readme: chooser nodes without lang; with lang only that language, falling back to Go, then the first offered", async () => {
    const all = await callJson(v(PUBLIC, "2.1.0/readme", prefix));
    expect(all.status).toBe(200);
    expect(all.body.version).toBe("2.1.0");
    expect(all.body.navUrl).toBe(`http://gateway.test${prefix}/packages/${PUBLIC}/versions/2.1.0/nav`);
    expect(all.body).not.toHaveProperty("language");
    const chooser = all.body.content.find((n: any) => n.kind === "language-chooser");
    expect(chooser.options.map((o: any) => o.language)).toEqual(["typescript", "python", "go"]);
    expect(chooser.markdown).toContain("npm install");
    expect(all.body.content[0]).toEqual({ kind: "text", markdown: "# Acme Cloud\n\nManage Acme Cloud with Pulumi." });

    const py = await callJson(v(PUBLIC, "2.1.0/readme?lang=python", prefix));
    expect(py.body.language).toBe("python");
    expect(py.body.content).toEqual([{ kind: "text", markdown: "# Acme Cloud\n\nManage Acme Cloud with Pulumi.\n\n```bash\npip install acme_acmecloud\n```\n\nThat is all." }]);
    const java = await callJson(v(PUBLIC, "2.1.0/readme?lang=java", prefix));
    expect(java.body.language).toBe("go");
    expect(java.body.content[0].markdown).toContain("go get github.com/acme");

    const md = await call(v(PUBLIC, "2.1.0/readme?lang=csharp", prefix), { headers: { Accept: "text/markdown" } });
    expect(await md.text()).toContain("go get github.com/acme");
  });

  it("installation: OS asked, else Linux; 404 when the version has none", async () => {
    const linux = await callJson(v(PUBLIC, "2.1.0/installation", prefix));
    expect(linux.status).toBe(200);
    expect(linux.body.os).toBe("linux");
    expect(linux.body.content.map((n: any) => n.markdown).join("\n")).toContain("apt install acme");
    const mac = await call(v(PUBLIC, "2.1.0/installation?os=macos", prefix), { headers: { Accept: "text/markdown" } });
    const text = await mac.text();
    expect(text).toContain("brew install acme");
    expect(text).not.toContain("apt install");
    expectError(await callJson(v(PRIVATE, "2.1.0/installation", prefix), { token: acme.reader }), 404);
  });

  it("examples: sorted by token then position, q over title and token, totalCount before limit, code in the language", async () => {
    const r = await callJson(v(PUBLIC, "2.1.0/examples?lang=typescript", prefix));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: "2.1.0", language: "typescript", totalCount: 3 });
    expect(r.body.examples.map((e: any) => e.id)).toEqual([
      `${BUCKET}#a-private-bucket`,
      `${BUCKET}#with-a-website`,
      "acmecloud:s3/getBucket:getBucket#find-a-bucket",
    ]);
    expect(r.body.examples[0]).toEqual({
      id: `${BUCKET}#a-private-bucket`,
      title: "A private bucket",
      code: 'import * as acme from "@acme/acmecloud";\nconst bucket = new acme.s3.Bucket("b", { bucketName: "logs" });',
      token: BUCKET,
      kind: "resource",
    });
    const go = await callJson(v(PUBLIC, "2.1.0/examples?lang=go&limit=1", prefix));
    expect(go.body.totalCount).toBe(2);
    expect(go.body.examples).toHaveLength(1);
    expect(go.body.examples[0].code).toContain("s3.NewBucket");
    const q = await callJson(v(PUBLIC, "2.1.0/examples?lang=python&q=WEBSITE", prefix));
    expect(q.body.totalCount).toBe(1);
    expect(q.body.examples[0].title).toBe("With a website");
    const md = await call(v(PUBLIC, "2.1.0/examples?lang=yaml", prefix), { headers: { Accept: "text/markdown" } });
    expect(await md.text()).toContain("```yaml\nresources:");
  });
});

describe("content negotiation", () => {
  const url = v(PUBLIC, "2.1.0/nav");
  it.each([[undefined], ["application/json"], ["*/*"], ["application/*"], ["text/markdown;q=0.5, application/json"], ["text/html, */*;q=0.1"], ["application/vnd.pulumi+9"]])("Accept %s → JSON with the markdown alternate Link", async (accept) => {
    const r = await call(url, { headers: accept ? { Accept: accept } : {} });
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toBe("application/json");
    expect(r.headers.get("Link")).toBe(`<http://gateway.test${url}>; rel="alternate"; type="text/markdown"`);
  });
  it.each([["text/markdown"], ["text/*"], ["application/json;q=0.2, text/markdown;q=0.9"], ["text/markdown, */*"]])("Accept %s → markdown", async (accept) => {
    const r = await call(url, { headers: { Accept: accept } });
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(await r.text()).toMatch(/^# Acme Cloud 2\.1\.0/);
  });
  it.each([["text/html"], ["application/xml, image/png"], ["application/json;q=0, text/markdown;q=0"]])("Accept %s → 406 naming the supported types", async (accept) => {
    const r = await callJson(url, { headers: { Accept: accept } });
    expectError(r, 406);
    expect(r.body.message).toContain("application/json, text/markdown");
  });
  it("the Link of a JSON answer is the request URL with its query", async () => {
    const u = v(PUBLIC, `2.1.0/docs/${encodeURIComponent(BUCKET)}?lang=go`);
    expect((await call(u)).headers.get("Link")).toBe(`<http://gateway.test${u}>; rel="alternate"; type="text/markdown"`);
  });
  it("the Link keeps only the parameters the route reads, so a cached answer never repeats another caller's junk", async () => {
    const u = v(PUBLIC, `2.1.0/docs/${encodeURIComponent(BUCKET)}`);
    await call(`${u}?lang=go&attacker=1;rel=preload`);
    expect((await call(`${u}?lang=go`)).headers.get("Link")).toBe(`<http://gateway.test${u}?lang=go>; rel="alternate"; type="text/markdown"`);
  });
});

describe("bad input writes nothing", () => {
  it.each([
    ["nav?lang=rust", 400],
    ["readme?os=beos", 400],
    ["nav?depth=shallow", 400],
    ["examples?limit=0", 400],
    ["examples?limit=101", 400],
    ["examples?limit=ten", 400],
    ["docs/%E0%A4%A", 400],
    ["docs/acmecloud:s3%2Fbucket:Nope", 404],
    ["docs/nothing", 404],
  ])("%s → %i", async (rest, status) => {
    const rows = await countRows("versions");
    const objects = await countObjects();
    const artifacts = await env.DB.prepare("SELECT group_concat(artifacts) AS a FROM versions").first<{ a: string }>();
    expectError(await callJson(v(PUBLIC, `2.1.0/${rest}`)), status);
    expect(await countRows("versions")).toBe(rows);
    expect(await countObjects()).toBe(objects);
    expect(await env.DB.prepare("SELECT group_concat(artifacts) AS a FROM versions").first<{ a: string }>()).toEqual(artifacts);
  });
});

describe("visibility of the version itself", () => {
  it.each(["readme", "installation", "nav", `docs/${encodeURIComponent(BUCKET)}`, "examples"])("private %s: anonymous and another org get exactly the 404 of an absent package; the owner reads it", async (route) => {
    const absent = await callJson(v("private/acme/nosuchpkg", `2.1.0/${route}`));
    expectError(absent, 404);
    const anon = await callJson(v(PRIVATE, `2.1.0/${route}`));
    const foreign = await callJson(v(PRIVATE, `2.1.0/${route}`), { token: other.reader });
    const normalise = (m: string) => m.replace("acmecloud", "nosuchpkg");
    for (const r of [anon, foreign]) {
      expect(r.status).toBe(404);
      expect({ ...r.body, message: normalise(r.body.message) }).toEqual(absent.body);
    }
    const mine = await call(v(PRIVATE, `2.1.0/${route}`), { token: acme.reader });
    expect(mine.status).toBe(route === "installation" ? 404 : 200);
    if (mine.status === 200) expect(mine.headers.get("Cache-Control")).toMatch(/^private, /);
  });
});

describe("caching", () => {
  it("a pinned version is immutable with an ETag and answers 304 to If-None-Match", async () => {
    const url = v(PUBLIC, `2.1.0/docs/${encodeURIComponent(BUCKET)}?lang=go`);
    const first = await call(url);
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=604800, immutable");
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"docs-[0-9a-f]{32}"$/);
    const again = await call(url, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(again.headers.get("Cache-Control")).toBe("public, max-age=604800, immutable");
    const withToken = await call(url, { token: acme.reader, headers: { "If-None-Match": `"other", ${etag}` } });
    expect(withToken.status).toBe(304);
    expect((await call(url, { token: acme.reader, headers: { "If-None-Match": '"other"' } })).status).toBe(200);
    // Another representation has another tag; a bad request is still refused, never a 304.
    const md = await call(url, { headers: { Accept: "text/markdown", "If-None-Match": etag } });
    expect(md.status).toBe(200);
    expect(md.headers.get("ETag")).not.toBe(etag);
    expectError(await callJson(url.replace("lang=go", "lang=cobol"), { headers: { "If-None-Match": etag } }), 400);
    expectError(await callJson(url, { headers: { Accept: "image/png", "If-None-Match": etag } }), 406);
  });

  it("latest resolves every time and is not immutable", async () => {
    const r = await callJson(v(PUBLIC, "latest/nav"));
    expect(r.status).toBe(200);
    expect(r.body.version).toBe("2.1.0");
    expect(r.response.headers.get("Cache-Control")).toBe("public, no-cache");
    const readmeOfLatest = await callJson(v(PUBLIC, "latest/readme"));
    expect(readmeOfLatest.body.navUrl).toContain("/versions/2.1.0/nav");
  });

  it("anonymous answers go through the edge cache, per representation", async () => {
    const url = v(PUBLIC, "2.1.0/examples?lang=go");
    await call(url);
    expect((await call(url)).headers.get("X-Edge-Cache")).toBe("hit");
    const md = await call(url, { headers: { Accept: "text/markdown" } });
    expect(md.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect((await call(url, { token: acme.reader })).headers.get("X-Edge-Cache")).toBeNull();
  });
});

describe("versions published before docs existed", () => {
  async function forgetDocs(path: string, version: string) {
    const [source, publisher, name] = path.split("/");
    const row = await env.DB.prepare(
      "SELECT v.id, v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.source = ? AND i.publisher = ? AND i.name = ? AND v.version = ?",
    )
      .bind(source, publisher, name, version)
      .first<{ id: string; artifacts: string }>();
    const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
    const docsKeys = Object.entries(artifacts).filter(([k]) => k.startsWith("docs."));
    expect(docsKeys.length).toBeGreaterThan(4);
    await env.ARTIFACTS.delete(docsKeys.map(([, key]) => key));
    const kept = Object.fromEntries(Object.entries(artifacts).filter(([k]) => !k.startsWith("docs.")));
    // As the release before durable derivations left it: no docs status, no job.
    await env.DB.prepare("UPDATE versions SET artifacts = ?, docs_status = NULL WHERE id = ?").bind(JSON.stringify(kept), row!.id).run();
    await env.DB.prepare("DELETE FROM jobs WHERE subject = ?").bind(row!.id).run();
    return { id: row!.id, docsKeys: docsKeys.map(([, key]) => key) };
  }

  it("get their docs derived after the first request asks (503 with Retry-After meanwhile), recorded in the artifact map", async () => {
    const path = "pulumi/acme/oldpkg";
    const schema = JSON.stringify({ ...docsSchema, name: "oldpkg" }).replaceAll("acmecloud:", "oldpkg:");
    await publishPackage(acme.publisher, path, "2.1.0", { schema, readme: docsReadme });
    const { id, docsKeys } = await forgetDocs(path, "2.1.0");
    expect(await env.ARTIFACTS.head(docsKeys[0]!)).toBeNull();
    const first = await callJson(v(path, `2.1.0/docs/${encodeURIComponent("oldpkg:s3/bucket:Bucket")}`));
    expectError(first, 503);
    expect(first.response.headers.get("Retry-After")).toBe("5");
    expect(first.body.message).toContain("is being generated");
    expect(await docsSettled(acme.publisher, path, "2.1.0")).toBe("ready");
    const r = await callJson(v(path, `2.1.0/docs/${encodeURIComponent("oldpkg:s3/bucket:Bucket")}`));
    expect(r.status).toBe(200);
    expect(r.body.supportingTypes).toHaveLength(3);
    const row = await env.DB.prepare("SELECT artifacts FROM versions WHERE id = ?").bind(id).first<{ artifacts: string }>();
    expect(Object.keys(JSON.parse(row!.artifacts)).filter((k) => k.startsWith("docs.")).sort()).toEqual(["docs.examples", "docs.index", "docs.manifest", "docs.nav", "docs.nav-head", "docs.nav-members", "docs.nav-modules", "docs.nav-summary", "docs.pack", "docs.readme", "docs.search-head", "docs.search-members", "docs.search-postings", "docs.search-trigrams"]);
    expect((await callJson(v(path, "2.1.0/nav"))).body.modulesTotal).toBe(4);
  });

  it("can be backfilled by the operator", async () => {
    const path = "private/acme/oldpriv";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: JSON.stringify({ ...docsSchema, name: "oldpriv" }), readme: docsReadme });
    const { docsKeys } = await forgetDocs(path, "2.1.0");
    expectError(await callJson(`/api/admin/packages/${path}/versions/2.1.0/docs`, { method: "POST", token: acme.admin }), 403);
    const started = await callJson(`/api/admin/packages/${path}/versions/2.1.0/docs`, { method: "POST", token: ADMIN });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: "pending", job: { attempt: 1, status: "pending", stepsDone: 0 } });
    expect(await docsSettled(acme.publisher, path, "2.1.0")).toBe("ready");
    const report = await callJson(`/api/admin/packages/${path}/versions/2.1.0/docs`, { token: ADMIN });
    expect(report.body).toMatchObject({ status: "ready", job: { attempt: 1, status: "done" } });
    expect((await callJson(v(path, "2.1.0/nav"), { token: acme.reader })).body.modulesTotal).toBe(4);
    for (const key of docsKeys) expect(await env.ARTIFACTS.head(key)).not.toBeNull();
    expectError(await callJson(`/api/admin/packages/private/acme/nosuch/versions/2.1.0/docs`, { method: "POST", token: ADMIN }), 404);
  });

  it("deleting a version removes its derived docs", async () => {
    const path = "pulumi/acme/gonepkg";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: JSON.stringify({ ...docsSchema, name: "gonepkg" }), readme: docsReadme });
    const before = await countObjects("packages/pulumi/acme/gonepkg/");
    expect(before).toBeGreaterThan(6);
    const del = await call(v(path, "2.1.0"), { method: "DELETE", token: acme.publisher });
    expect(del.status).toBe(204);
    expect(await countObjects("packages/pulumi/acme/gonepkg/")).toBe(0);
  });
});

describe("raw files stay reachable", () => {
  it("readmeURL and schemaURL fetch the raw bytes", async () => {
    const got = await callJson(v(PUBLIC, "2.1.0"));
    const readme = await call(got.body.readmeURL);
    expect(readme.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(await readme.text()).toBe(docsReadme);
    expect(await (await call(got.body.schemaURL)).json()).toEqual(docsSchema);
    expect(await (await call(v(PUBLIC, "2.1.0/raw/installation"))).text()).toBe(docsInstallation);
  });
});

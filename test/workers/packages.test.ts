import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, countObjects, countRows, createOrg, createToken, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { completePublish, PREFIXES, publishPackage, put, schemaFor, startPublish, docsSettled } from "./publish-helpers";

let acme: OrgTokens;
let other: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("acme", "Acme Corp");
  other = await orgWithTokens("other");
});

const publishedVersions = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM versions WHERE retired = 0").first<{ n: number }>())!.n;
/** The schema and README uploads, and the docs derived from them: a manifest and the README (a schema without resources has no pack, index, nav or examples; src/api-docs/storage.ts). */
const OBJECTS_PER_VERSION = 4;
const publishedObjects = () => countObjects("packages/");

describe.each(PREFIXES)("packages under %s", (prefix) => {
  const tag = prefix.includes("preview") ? "pv" : "ga";

  it("publish → get → list → delete", async () => {
    const name = `widget-${tag}`;
    const path = `private/acme/${name}`;
    await publishPackage(acme.publisher, path, "1.0.0", { prefix, installation: "## install" });

    const got = await callJson(`${prefix}/packages/${path}/versions/1.0.0`, { token: acme.reader });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      name,
      publisher: "acme",
      publisherDisplayName: "Acme Corp",
      source: "private",
      version: "1.0.0",
      title: `${name} title`,
      description: `The ${name} package`,
      category: "database",
      packageTypes: ["native"],
      packageStatus: "ga",
      isFeatured: false,
      visibility: "private",
    });
    expect(got.body.readmeURL).toBe(`http://gateway.test/api/registry/packages/${path}/versions/1.0.0/raw/readme`);
    expect(got.body.schemaURL).toBe(`http://gateway.test/api/registry/packages/${path}/versions/1.0.0/raw/schema`);
    expect(new Date(got.body.createdAt).toISOString()).toBe(got.body.createdAt);

    const latest = await callJson(`${prefix}/packages/${path}/versions/latest`, { token: acme.reader });
    expect(latest.body.version).toBe("1.0.0");

    const list = await callJson(`${prefix}/packages?name=${name}`, { token: acme.reader });
    expect(list.status).toBe(200);
    expect(list.body.packages).toHaveLength(1);
    expect(list.body.continuationToken).toBeUndefined();
    expect("continuationToken" in list.body).toBe(false);

    const readme = await call(got.body.readmeURL, { token: acme.reader });
    expect(readme.status).toBe(200);
    expect(await readme.text()).toBe(`# ${name}\n`);
    const install = await call(got.body.readmeURL.replace(/readme$/, "installation"), { token: acme.reader });
    expect(await install.text()).toBe("## install");

    const del = await call(`${prefix}/packages/${path}/versions/1.0.0`, { method: "DELETE", token: acme.publisher, headers: { "Content-Type": "application/json" } });
    expect(del.status).toBe(204);
    expectError(await callJson(`${prefix}/packages/${path}/versions/1.0.0`, { token: acme.reader }), 404);
    expect((await callJson(`${prefix}/packages?name=${name}`, { token: acme.reader })).body.packages).toHaveLength(0);
  });
});

describe("get", () => {
  it("a missing version is a 404 with the spec's message", async () => {
    const r = await callJson("/api/registry/packages/pulumi/acme/nothing/versions/1.2.3");
    expectError(r, 404);
    expect(r.body.message).toBe("package version 'pulumi/acme/nothing@1.2.3' not found");
  });

  it("a private package is invisible (same 404) to anonymous callers and other orgs", async () => {
    await publishPackage(acme.publisher, "private/acme/secret", "1.0.0");
    const mine = await callJson("/api/registry/packages/private/acme/secret/versions/1.0.0", { token: acme.reader });
    expect(mine.status).toBe(200);
    const anon = await callJson("/api/registry/packages/private/acme/secret/versions/1.0.0");
    const stranger = await callJson("/api/registry/packages/private/acme/secret/versions/1.0.0", { token: other.publisher });
    const absent = await callJson("/api/registry/packages/private/acme/absent/versions/1.0.0");
    expectError(anon, 404);
    expectError(stranger, 404);
    expect(anon.body.message).toBe("package version 'private/acme/secret@1.0.0' not found");
    expect(absent.body.message).toBe("package version 'private/acme/absent@1.0.0' not found");
    const schemaAnon = await call("/api/registry/packages/private/acme/secret/versions/1.0.0/schema");
    expect(schemaAnon.status).toBe(404);
    const schemaMine = await call("/api/registry/packages/private/acme/secret/versions/1.0.0/schema", { token: acme.reader });
    expect(schemaMine.status).toBe(200);
    expect(JSON.parse(await schemaMine.text()).name).toBe("secret");
  });

  it("public artifacts are fetchable anonymously", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/open", "1.0.0");
    const got = await callJson("/api/registry/packages/pulumi/acme/open/versions/1.0.0");
    const r = await call(got.body.readmeURL);
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toContain("text/markdown");
  });

  it("build metadata: a version published with +build is found by its precedence", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/built", "1.0.0+sha.1", { schema: schemaFor("built", "1.0.0+sha.1") });
    const r = await callJson("/api/registry/packages/pulumi/acme/built/versions/1.0.0+sha.1");
    expect(r.status).toBe(200);
    expect(r.body.version).toBe("1.0.0+sha.1");
    expect((await callJson("/api/registry/packages/pulumi/acme/built/versions/1.0.0")).body.version).toBe("1.0.0+sha.1");
    expect(r.body.readmeURL).toContain("/versions/1.0.0%2Bsha.1/raw/readme");
    expect((await call(r.body.readmeURL)).status).toBe(200);
  });

  it("an invalid version in the path is a 400", async () => {
    expectError(await callJson("/api/registry/packages/pulumi/acme/open/versions/v1.0.0"), 400);
  });

  it("an unknown source is a 404", async () => {
    expectError(await callJson("/api/registry/packages/npm/acme/open/versions/1.0.0"), 404);
  });

  it.each(["bad%2Fname", "a%00b", "a%0Ab", "-x", "..x", "a%20b"])("an invalid name segment %j is a 400", async (seg) => {
    expectError(await callJson(`/api/registry/packages/pulumi/acme/${seg}/versions/1.0.0`), 400);
    expectError(await callJson(`/api/registry/packages/pulumi/acme/${seg}/versions`, { method: "POST", token: acme.publisher, body: { version: "1.0.0" } }), 400);
  });

  it("a '..' segment (even percent-encoded) is resolved away by URL parsing and never reaches a handler", async () => {
    expectError(await callJson("/api/registry/packages/pulumi/acme/%2e%2e/versions/1.0.0"), 404);
  });
});

describe("latest", () => {
  it("is the highest release, ignoring prereleases; a prerelease when there is nothing else", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/lt", "2.0.0-rc.1");
    expect((await callJson("/api/registry/packages/pulumi/acme/lt/versions/latest")).body.version).toBe("2.0.0-rc.1");
    await publishPackage(acme.publisher, "pulumi/acme/lt", "1.1.0");
    await publishPackage(acme.publisher, "pulumi/acme/lt", "1.0.0");
    expect((await callJson("/api/registry/packages/pulumi/acme/lt/versions/latest")).body.version).toBe("1.1.0");
    const listed = await callJson("/api/registry/packages?name=lt");
    expect(listed.body.packages.map((p: any) => p.version)).toEqual(["1.1.0"]);
    expect(await call("/api/registry/packages/pulumi/acme/lt/versions/1.1.0", { method: "DELETE", token: acme.publisher })).toHaveProperty("status", 204);
    expect((await callJson("/api/registry/packages/pulumi/acme/lt/versions/latest")).body.version).toBe("1.0.0");
  });

  it("0.x versions are public_preview", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/young", "0.3.0");
    expect((await callJson("/api/registry/packages/pulumi/acme/young/versions/latest")).body.packageStatus).toBe("public_preview");
  });
});

describe("start publish", () => {
  it("returns 202 with an operation id and presigned upload URLs for each artifact", async () => {
    const r = await startPublish(acme.publisher, "pulumi/acme/urls", "1.0.0");
    expect(r.status).toBe(202);
    expect(r.response.headers.get("Content-Type")).toBe("application/json");
    expect(r.body.operationID).toMatch(/^[0-9a-f]{32}$/);
    for (const slot of ["schema", "index", "installationConfiguration"]) {
      const url = new URL(r.body.uploadURLs[slot]);
      expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
      expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      expect(url.pathname).toBe(`/_artifacts/staging/${r.body.operationID}/${slot}`);
    }
  });

  it("anonymous is a 401 and writes nothing", async () => {
    const r = await callJson("/api/registry/packages/pulumi/acme/anon/versions", { method: "POST", body: { version: "1.0.0" } });
    expectError(r, 401);
  });

  it("a reader token is a 403", async () => {
    expectError(await startPublish(acme.reader, "pulumi/acme/rd", "1.0.0"), 403);
  });

  it("publishing as another org's publisher is a 403", async () => {
    expectError(await startPublish(other.publisher, "pulumi/acme/theirs", "1.0.0"), 403);
    expectError(await startPublish(other.publisher, "private/acme/theirs", "1.0.0"), 403);
  });

  it("an unknown source is a 404", async () => {
    expectError(await startPublish(acme.publisher, "npm/acme/x", "1.0.0"), 404);
  });

  it.each([{ version: "v1.0.0" }, { version: "1.0" }, {}, { version: 1 }, { version: "1.0.0", publishedAt: "yesterday" }, { version: "1.0.0", publishedAt: "2999-01-01T00:00:00Z" }])(
    "a bad body %j is a 400",
    async (body) => {
      expectError(await callJson("/api/registry/packages/pulumi/acme/badbody/versions", { method: "POST", token: acme.publisher, body }), 400);
    },
  );

  it("a published version is a 409", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/taken", "1.0.0");
    const r = await startPublish(acme.publisher, "pulumi/acme/taken", "1.0.0");
    expectError(r, 409);
    expect(r.body.message).toContain("already published");
    expectError(await startPublish(acme.publisher, "pulumi/acme/taken", "1.0.0+other"), 409);
  });

  it("a name differing only in case or separators is a 409 naming the existing package", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/my-pkg", "1.0.0");
    const r = await startPublish(acme.publisher, "pulumi/acme/My_Pkg", "2.0.0");
    expectError(r, 409);
    expect(r.body.message).toContain("pulumi/acme/my-pkg");
  });

  it("publishedAt becomes createdAt", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/backfill", "1.0.0", { publishedAt: "2021-03-04T05:06:07Z" });
    expect((await callJson("/api/registry/packages/pulumi/acme/backfill/versions/1.0.0")).body.createdAt).toBe("2021-03-04T05:06:07.000Z");
  });
});

describe("opentofu ownership", () => {
  it("the first org to publish a name owns it; others get 403", async () => {
    await publishPackage(acme.publisher, "opentofu/hashicorp/random", "1.0.0", { schema: schemaFor("random", "1.0.0") });
    const r = await callJson("/api/registry/packages/opentofu/hashicorp/random/versions/latest");
    expect(r.body.packageTypes).toContain("bridged");
    expectError(await startPublish(other.publisher, "opentofu/hashicorp/random", "2.0.0"), 403);
    expectError(await callJson("/api/registry/packages/opentofu/hashicorp/random/versions/1.0.0", { method: "DELETE", token: other.publisher }), 403);
    await publishPackage(acme.publisher, "opentofu/hashicorp/random", "2.0.0", { schema: schemaFor("random", "2.0.0") });
  });

  it("orgLogin filters on the owning org", async () => {
    const r = await callJson("/api/registry/packages?orgLogin=acme&publisher=hashicorp");
    expect(r.body.packages.map((p: any) => p.name)).toContain("random");
    expect((await callJson("/api/registry/packages?orgLogin=other&publisher=hashicorp")).body.packages).toHaveLength(0);
  });
});

describe("upload URLs", () => {
  it("a plain PUT to the URL answers 200; a retried PUT replaces the staged bytes", async () => {
    const s = await startPublish(acme.publisher, "pulumi/acme/retry", "1.0.0");
    expect((await put(s.body.uploadURLs.schema, "garbage")).status).toBe(200);
    expect((await put(s.body.uploadURLs.schema, schemaFor("retry", "1.0.0"))).status).toBe(200);
    await put(s.body.uploadURLs.index, "# retry");
    expect((await completePublish(acme.publisher, "pulumi/acme/retry", "1.0.0", s.body.operationID)).status).toBe(201);
  });

  it("a tampered URL is a 403 and writes nothing", async () => {
    const s = await startPublish(acme.publisher, "pulumi/acme/tamper", "1.0.0");
    const before = await countObjects("staging/");
    const url = new URL(s.body.uploadURLs.schema);
    const tampered = [
      url.toString().replace("/schema?", "/index?"),
      url.toString().replace(/X-Amz-Signature=([0-9a-f])/, (_m, c) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`),
      url.toString().replace("X-Amz-Expires=3600", "X-Amz-Expires=99999"),
      url.toString().replace(s.body.operationID, "0".repeat(32)),
      url.toString().replace("gateway.test", "evil.test"),
    ];
    for (const t of tampered) {
      const r = await put(t, "x");
      expect(r.status, t).toBe(403);
    }
    expect(await countObjects("staging/")).toBe(before);
  });

  it("a wrong method is a 403 and writes nothing", async () => {
    const s = await startPublish(acme.publisher, "pulumi/acme/method", "1.0.0");
    const before = await countObjects("staging/");
    expect((await call(s.body.uploadURLs.schema, { method: "POST", rawBody: "x" })).status).toBe(403);
    expect((await call(s.body.uploadURLs.schema, { method: "GET" })).status).toBe(403);
    expect(await countObjects("staging/")).toBe(before);
  });

  it("an expired URL is a 403 and writes nothing", async () => {
    const s = await startPublish(acme.publisher, "pulumi/acme/expired", "1.0.0");
    const url = new URL(s.body.uploadURLs.schema);
    // Re-sign the same URL as if it had been issued two hours ago.
    const { uploadSigner } = await import("../../src/artifacts/upload-signing");
    const signer = uploadSigner(env, "http://gateway.test");
    const realNow = Date.now;
    Date.now = () => realNow() - 2 * 3600_000;
    const OrigDate = globalThis.Date;
    let old: string;
    try {
      // aws4fetch reads the clock through new Date(); shift both.
      globalThis.Date = class extends OrigDate {
        constructor(...args: ConstructorParameters<typeof Date>) {
          if ((args as unknown[]).length === 0) super(realNow() - 2 * 3600_000);
          else super(...args);
        }
      } as DateConstructor;
      old = await signer.sign(url.pathname.replace("/_artifacts/", ""), "PUT", 3600);
    } finally {
      globalThis.Date = OrigDate;
      Date.now = realNow;
    }
    const before = await countObjects("staging/");
    const r = await put(old, "x");
    expect(r.status).toBe(403);
    expect(await countObjects("staging/")).toBe(before);
  });

  it("a missing Content-Length is a 411; an oversize upload is a 413; neither writes", async () => {
    const s = await startPublish(acme.publisher, "pulumi/acme/sizes", "1.0.0");
    const before = await countObjects("staging/");
    const stream = new ReadableStream({ start: (c) => { c.enqueue(new Uint8Array(4)); c.close(); } });
    expect((await call(s.body.uploadURLs.index, { method: "PUT", rawBody: stream })).status).toBe(411);
    // One byte over the 5 MiB document limit, sent for real: the assertion cannot be skipped.
    const big = await put(s.body.uploadURLs.index, new Uint8Array(5 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(await countObjects("staging/")).toBe(before);
  });
});

describe("complete", () => {
  async function staged(path: string, version: string, uploads: { schema?: string; index?: string }) {
    const s = await startPublish(acme.publisher, path, version);
    if (uploads.schema !== undefined) await put(s.body.uploadURLs.schema, uploads.schema);
    if (uploads.index !== undefined) await put(s.body.uploadURLs.index, uploads.index);
    return s.body.operationID as string;
  }

  async function expectNothingPublished(name: string) {
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = ?").bind(name).first<{ n: number }>();
    expect(rows!.n).toBe(0);
    expect(await countObjects(`packages/pulumi/acme/${name}/`)).toBe(0);
    expectError(await callJson(`/api/registry/packages/pulumi/acme/${name}/versions/latest`), 404);
  }

  it("without a schema upload is a 400 naming the missing artifact, and publishes nothing", async () => {
    const op = await staged("pulumi/acme/noschema", "1.0.0", { index: "# x" });
    const r = await completePublish(acme.publisher, "pulumi/acme/noschema", "1.0.0", op);
    expectError(r, 400);
    expect(r.body.message).toContain("schema");
    await expectNothingPublished("noschema");
  });

  it("without an index upload is a 400 naming it", async () => {
    const op = await staged("pulumi/acme/noindex", "1.0.0", { schema: schemaFor("noindex", "1.0.0") });
    const r = await completePublish(acme.publisher, "pulumi/acme/noindex", "1.0.0", op);
    expectError(r, 400);
    expect(r.body.message).toContain("index");
    await expectNothingPublished("noindex");
  });

  it("a schema that is not JSON is a 400 and publishes nothing", async () => {
    const op = await staged("pulumi/acme/notjson", "1.0.0", { schema: "{ nope", index: "# x" });
    expectError(await completePublish(acme.publisher, "pulumi/acme/notjson", "1.0.0", op), 400);
    await expectNothingPublished("notjson");
  });

  it("a schema whose name disagrees with the path is a 400", async () => {
    const op = await staged("pulumi/acme/mismatch", "1.0.0", { schema: schemaFor("other-name", "1.0.0"), index: "# x" });
    expectError(await completePublish(acme.publisher, "pulumi/acme/mismatch", "1.0.0", op), 400);
    await expectNothingPublished("mismatch");
  });

  it("a schema whose version disagrees with the path is a 400", async () => {
    const op = await staged("pulumi/acme/vmismatch", "1.0.0", { schema: schemaFor("vmismatch", "2.0.0"), index: "# x" });
    expectError(await completePublish(acme.publisher, "pulumi/acme/vmismatch", "1.0.0", op), 400);
    await expectNothingPublished("vmismatch");
  });

  it("an unknown operation id is a 404", async () => {
    expectError(await completePublish(acme.publisher, "pulumi/acme/noop", "1.0.0", "f".repeat(32)), 404);
  });

  it("an operation of another version, package or org is a 404", async () => {
    const op = await staged("pulumi/acme/owned", "1.0.0", { schema: schemaFor("owned", "1.0.0"), index: "# x" });
    expectError(await completePublish(acme.publisher, "pulumi/acme/owned", "1.0.1", op), 404);
    expectError(await completePublish(acme.publisher, "pulumi/acme/owned-else", "1.0.0", op), 404);
    await createOrg("third");
    const thirdToken = (await createToken("third", "publisher")).token;
    expectError(await completePublish(thirdToken, "pulumi/acme/owned", "1.0.0", op), 404);
    await expectNothingPublished("owned");
  });

  it("anonymous is a 401; a reader is a 403", async () => {
    const op = await staged("pulumi/acme/authc", "1.0.0", { schema: schemaFor("authc", "1.0.0"), index: "# x" });
    expectError(await callJson(`/api/registry/packages/pulumi/acme/authc/versions/1.0.0/complete`, { method: "POST", body: { operationID: op } }), 401);
    expectError(await completePublish(acme.reader, "pulumi/acme/authc", "1.0.0", op), 403);
    await expectNothingPublished("authc");
  });

  it("a malformed body is a 400", async () => {
    expectError(await callJson(`/api/registry/packages/pulumi/acme/x/versions/1.0.0/complete`, { method: "POST", token: acme.publisher, body: {} }), 400);
  });

  it("completing an operation twice is a 409", async () => {
    const op = await staged("pulumi/acme/twice", "1.0.0", { schema: schemaFor("twice", "1.0.0"), index: "# x" });
    expect((await completePublish(acme.publisher, "pulumi/acme/twice", "1.0.0", op)).status).toBe(201);
    expectError(await completePublish(acme.publisher, "pulumi/acme/twice", "1.0.0", op), 409);
  });

  it("two starts may both succeed; the first complete wins and the second is a 409", async () => {
    const a = await staged("pulumi/acme/dual", "1.0.0", { schema: schemaFor("dual", "1.0.0"), index: "# a" });
    const b = await staged("pulumi/acme/dual", "1.0.0", { schema: schemaFor("dual", "1.0.0"), index: "# b" });
    expect((await completePublish(acme.publisher, "pulumi/acme/dual", "1.0.0", b)).status).toBe(201);
    expectError(await completePublish(acme.publisher, "pulumi/acme/dual", "1.0.0", a), 409);
    const readme = await call((await callJson("/api/registry/packages/pulumi/acme/dual/versions/1.0.0")).body.readmeURL);
    expect(await readme.text()).toBe("# b");
    // Counted once its docs, derived after complete, are written.
    await docsSettled(acme.publisher, "pulumi/acme/dual", "1.0.0");
    expect(await countObjects("packages/pulumi/acme/dual/")).toBe(OBJECTS_PER_VERSION);
  });

  it("one operation completed three times at once: one 201, two 409, the version's artifacts intact", async () => {
    const op = await staged("pulumi/acme/samop", "1.0.0", { schema: schemaFor("samop", "1.0.0"), index: "# same op" });
    const results = await Promise.all([1, 2, 3].map(() => completePublish(acme.publisher, "pulumi/acme/samop", "1.0.0", op)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const readme = await call((await callJson("/api/registry/packages/pulumi/acme/samop/versions/1.0.0")).body.readmeURL);
    expect(readme.status).toBe(200);
    expect(await readme.text()).toBe("# same op");
    expect((await call("/api/registry/packages/pulumi/acme/samop/versions/1.0.0/schema")).status).toBe(200);
    // Counted once its docs, derived after complete, are written.
    await docsSettled(acme.publisher, "pulumi/acme/samop", "1.0.0");
    expect(await countObjects("packages/pulumi/acme/samop/")).toBe(OBJECTS_PER_VERSION);
  });

  it("complete answers 201 with a JSON object body", async () => {
    const op = await staged("pulumi/acme/body", "1.0.0", { schema: schemaFor("body", "1.0.0"), index: "# x" });
    const r = await completePublish(acme.publisher, "pulumi/acme/body", "1.0.0", op);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({});
    expect(r.response.headers.get("Content-Type")).toBe("application/json");
  });

  it("staged uploads are removed once promoted", async () => {
    const op = await staged("pulumi/acme/cleanstage", "1.0.0", { schema: schemaFor("cleanstage", "1.0.0"), index: "# x" });
    await completePublish(acme.publisher, "pulumi/acme/cleanstage", "1.0.0", op);
    for (let i = 0; i < 50 && (await countObjects(`staging/${op}/`)) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await countObjects(`staging/${op}/`)).toBe(0);
  });

  it("ten concurrent completes of one new version: exactly one 201, the rest 409, one version visible", async () => {
    const ops: string[] = [];
    for (let i = 0; i < 10; i++) ops.push(await staged("pulumi/acme/race", "1.0.0", { schema: schemaFor("race", "1.0.0"), index: `# ${i}` }));
    const results = await Promise.all(ops.map((op) => completePublish(acme.publisher, "pulumi/acme/race", "1.0.0", op)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = 'race'").first<{ n: number }>();
    expect(rows!.n).toBe(1);
    // Counted once its docs, derived after complete, are written.
    await docsSettled(acme.publisher, "pulumi/acme/race", "1.0.0");
    expect(await countObjects("packages/pulumi/acme/race/")).toBe(OBJECTS_PER_VERSION);
  });
});

describe("delete", () => {
  it("retires the version: 409 that says it was deleted on re-publish; artifacts removed", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/gone", "1.0.0");
    expect(await countObjects("packages/pulumi/acme/gone/")).toBe(OBJECTS_PER_VERSION);
    expect((await call("/api/registry/packages/pulumi/acme/gone/versions/1.0.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect(await countObjects("packages/pulumi/acme/gone/")).toBe(0);
    const again = await startPublish(acme.publisher, "pulumi/acme/gone", "1.0.0");
    expectError(again, 409);
    expect(again.body.message).toContain("deleted");
    expectError(await callJson("/api/registry/packages/pulumi/acme/gone/versions/1.0.0/readme"), 404);
  });

  it("deleting the last version removes the package from listings", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/lastone", "1.0.0");
    await call("/api/registry/packages/pulumi/acme/lastone/versions/1.0.0", { method: "DELETE", token: acme.publisher });
    expect((await callJson("/api/registry/packages?name=lastone")).body.packages).toHaveLength(0);
    expectError(await callJson("/api/registry/packages/pulumi/acme/lastone/versions/latest"), 404);
  });

  it("anonymous is a 401, another org on a public package a 403, on a private one a 404", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/guarded", "1.0.0");
    await publishPackage(acme.publisher, "private/acme/guarded", "1.0.0");
    expectError(await callJson("/api/registry/packages/pulumi/acme/guarded/versions/1.0.0", { method: "DELETE" }), 401);
    expectError(await callJson("/api/registry/packages/pulumi/acme/guarded/versions/1.0.0", { method: "DELETE", token: other.publisher }), 403);
    expectError(await callJson("/api/registry/packages/private/acme/guarded/versions/1.0.0", { method: "DELETE", token: other.publisher }), 404);
    expectError(await callJson("/api/registry/packages/pulumi/acme/guarded/versions/1.0.0", { method: "DELETE", token: acme.reader }), 403);
    expect((await callJson("/api/registry/packages/pulumi/acme/guarded/versions/1.0.0")).status).toBe(200);
    expect((await callJson("/api/registry/packages/private/acme/guarded/versions/1.0.0", { token: acme.reader })).status).toBe(200);
  });

  it("an absent version is a 404; latest is not deletable (400)", async () => {
    expectError(await callJson("/api/registry/packages/pulumi/acme/absent/versions/1.0.0", { method: "DELETE", token: acme.publisher }), 404);
    expectError(await callJson("/api/registry/packages/pulumi/acme/absent/versions/latest", { method: "DELETE", token: acme.publisher }), 400);
  });
});

describe("list", () => {
  it("rejects bad parameters with 400", async () => {
    for (const q of ["limit=0", "limit=-1", "limit=abc", "limit=1.5", "sort=size", "asc=yes", "visibility=internal", "continuationToken=bogus"]) {
      expectError(await callJson(`/api/registry/packages?${q}`), 400);
    }
  });

  it("clamps limit above 500", async () => {
    expect((await callJson("/api/registry/packages?limit=100000")).status).toBe(200);
  });

  it("anonymous callers see public packages only; the owning org sees its private ones", async () => {
    await publishPackage(acme.publisher, "private/acme/hidden-list", "1.0.0");
    const anon = await callJson("/api/registry/packages?limit=500");
    expect(anon.body.packages.every((p: any) => p.visibility === "public")).toBe(true);
    const mine = await callJson("/api/registry/packages?limit=500&visibility=private", { token: acme.reader });
    expect(mine.body.packages.map((p: any) => p.name)).toContain("hidden-list");
    const theirs = await callJson("/api/registry/packages?limit=500&visibility=private", { token: other.publisher });
    expect(theirs.body.packages).toHaveLength(0);
  });

  it("name filters on the canonical form", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/Fancy_Name", "1.0.0", { schema: schemaFor("Fancy_Name", "1.0.0") });
    const r = await callJson("/api/registry/packages?name=fancy-name");
    expect(r.body.packages.map((p: any) => p.name)).toEqual(["Fancy_Name"]);
  });

  it("sorts by name, publisher and createdAt, in both directions", async () => {
    await createOrg("sorter");
    const t = (await createToken("sorter", "publisher")).token;
    await publishPackage(t, "pulumi/sorter/bbb", "1.0.0", { publishedAt: "2020-01-02T00:00:00Z" });
    await publishPackage(t, "pulumi/sorter/aaa", "1.0.0", { publishedAt: "2020-01-03T00:00:00Z" });
    await publishPackage(t, "pulumi/sorter/ccc", "1.0.0", { publishedAt: "2020-01-01T00:00:00Z" });
    const names = async (q: string) => (await callJson(`/api/registry/packages?publisher=sorter&${q}`)).body.packages.map((p: any) => p.name);
    expect(await names("")).toEqual(["aaa", "bbb", "ccc"]);
    expect(await names("asc=false")).toEqual(["ccc", "bbb", "aaa"]);
    expect(await names("sort=createdAt")).toEqual(["aaa", "bbb", "ccc"]);
    expect(await names("sort=createdAt&asc=true")).toEqual(["ccc", "bbb", "aaa"]);
    expect(await names("sort=publisher")).toEqual(["aaa", "bbb", "ccc"]);
  });

  it("pages with URL-safe tokens, each item once, while others are published and deleted between pages", async () => {
    await createOrg("pager");
    const t = (await createToken("pager", "publisher")).token;
    const stable = ["p01", "p03", "p05", "p07", "p09", "p11", "p13"];
    for (const n of stable) await publishPackage(t, `pulumi/pager/${n}`, "1.0.0");
    await publishPackage(t, "pulumi/pager/p04", "1.0.0");
    const seen: string[] = [];
    let token: string | undefined;
    let page = 0;
    do {
      const r = await callJson(`/api/registry/packages?publisher=pager&limit=2${token ? `&continuationToken=${token}` : ""}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.packages.map((p: any) => p.name));
      token = r.body.continuationToken;
      if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      // Churn between pages: new packages before and after the cursor, and a deletion.
      if (page === 0) {
        await publishPackage(t, "pulumi/pager/p00", "1.0.0");
        await publishPackage(t, "pulumi/pager/p12", "1.0.0");
        await call("/api/registry/packages/pulumi/pager/p04/versions/1.0.0", { method: "DELETE", token: t });
      }
      if (page === 1) await publishPackage(t, "pulumi/pager/p02", "1.0.0");
      page++;
    } while (token);
    for (const n of stable) expect(seen.filter((s) => s === n), n).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("sort=createdAt pages exactly once too while other packages come and go", async () => {
    await createOrg("pager2");
    const t = (await createToken("pager2", "publisher")).token;
    const stable = ["c1", "c2", "c3", "c4", "c5", "c6"];
    for (const [i, n] of stable.entries()) await publishPackage(t, `pulumi/pager2/${n}`, "1.0.0", { publishedAt: `2020-01-0${i + 1}T00:00:00Z` });
    await publishPackage(t, "pulumi/pager2/doomed", "1.0.0", { publishedAt: "2020-01-03T12:00:00Z" });
    for (const asc of ["true", "false"]) {
      const seen: string[] = [];
      let token: string | undefined;
      let page = 0;
      do {
        const r = await callJson(`/api/registry/packages?publisher=pager2&sort=createdAt&asc=${asc}&limit=2${token ? `&continuationToken=${token}` : ""}`);
        seen.push(...r.body.packages.map((p: any) => p.name));
        token = r.body.continuationToken;
        if (page === 0) {
          await publishPackage(t, `pulumi/pager2/new-${asc}`, "1.0.0");
          await publishPackage(t, `pulumi/pager2/old-${asc}`, "1.0.0", { publishedAt: "2019-01-01T00:00:00Z" });
          if (asc === "true") await call("/api/registry/packages/pulumi/pager2/doomed/versions/1.0.0", { method: "DELETE", token: t });
        }
        page++;
      } while (token);
      for (const n of stable) expect(seen.filter((s) => s === n), `${asc} ${n}`).toHaveLength(1);
      expect(new Set(seen).size).toBe(seen.length);
      const order = seen.filter((n) => stable.includes(n));
      expect(order).toEqual(asc === "true" ? stable : [...stable].reverse());
    }
  });

  it("sort=createdAt: items whose latest moves mid-walk are still seen exactly once, in the walk's order", async () => {
    await createOrg("mover");
    const t = (await createToken("mover", "publisher")).token;
    // a (newest) … e (oldest), desc by latest time.
    const names = ["a", "b", "c", "d", "e"];
    for (const [i, n] of names.entries()) await publishPackage(t, `pulumi/mover/${n}`, "1.0.0", { publishedAt: `2021-01-0${5 - i}T00:00:00Z` });
    await publishPackage(t, "pulumi/mover/a", "0.9.0", { publishedAt: "2021-01-09T00:00:00Z" });
    const walk = async (asc: boolean, churn: (page: number) => Promise<void>) => {
      const seen: string[] = [];
      let token: string | undefined;
      let page = 0;
      do {
        const r = await callJson(`/api/registry/packages?publisher=mover&sort=createdAt&asc=${asc}&limit=1${token ? `&continuationToken=${token}` : ""}`);
        expect(r.status).toBe(200);
        seen.push(...r.body.packages.map((p: any) => p.name));
        token = r.body.continuationToken;
        await churn(page++);
      } while (token);
      return seen;
    };
    // Desc: after "a" is seen, an unseen item (e) gets a new latest newer than everything.
    const desc = await walk(false, async (page) => {
      if (page === 0) await publishPackage(t, "pulumi/mover/e", "2.0.0");
    });
    expect(desc).toEqual(["a", "b", "c", "d", "e"]);
    // Asc: now e is newest. After the first pages, a seen item gets a new latest (moves to the end).
    const asc = await walk(true, async (page) => {
      if (page === 0) await publishPackage(t, "pulumi/mover/d", "2.0.0");
    });
    expect(asc).toEqual(["d", "c", "b", "a", "e"]);
    // Deleting a's newest version moves a's latest back in time mid-walk: still once.
    const again = await walk(false, async (page) => {
      if (page === 1) await call("/api/registry/packages/pulumi/mover/a/versions/1.0.0", { method: "DELETE", token: t });
    });
    expect([...again].sort()).toEqual(names);
  });

  it("a continuation token reused with other filters is a 400", async () => {
    const first = await callJson("/api/registry/packages?publisher=pager&limit=1");
    const token = first.body.continuationToken;
    expect(token).toBeTruthy();
    expectError(await callJson(`/api/registry/packages?publisher=sorter&limit=1&continuationToken=${token}`), 400);
    expectError(await callJson(`/api/registry/packages?publisher=pager&sort=createdAt&limit=1&continuationToken=${token}`), 400);
    expect((await callJson(`/api/registry/packages?publisher=pager&limit=3&continuationToken=${token}`)).status).toBe(200);
  });
});

describe("nothing left behind", () => {
  it("failed publishes leave no version rows and no published objects", async () => {
    const before = { versions: await publishedVersions(), objects: await publishedObjects(), items: await countRows("items") };
    const s = await startPublish(acme.publisher, "pulumi/acme/atomic", "1.0.0");
    await put(s.body.uploadURLs.schema, JSON.stringify({ name: "wrong", version: "1.0.0" }));
    await put(s.body.uploadURLs.index, "# x");
    expectError(await completePublish(acme.publisher, "pulumi/acme/atomic", "1.0.0", s.body.operationID), 400);
    expect(await publishedVersions()).toBe(before.versions);
    expect(await publishedObjects()).toBe(before.objects);
    expect(await countRows("items")).toBe(before.items);
  });
});

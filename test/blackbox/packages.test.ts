import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, beforeAll } from "vitest";
import { cli, publishOverHttp, setupOrg, upload } from "./client";
import { largeSchema } from "./schema-fixtures";

let tokens: { reader: string; publisher: string; admin: string };
let strangers: { reader: string; publisher: string; admin: string };

beforeAll(async () => {
  tokens = await setupOrg("bb-pkg");
  strangers = await setupOrg("bb-stranger");
});

function publish(prefix: string, path: string, version: string, schema: string | Buffer, readme = "# readme\n") {
  return publishOverHttp(tokens.publisher, prefix, path, version, schema, readme);
}

describe.each(["/api/preview/registry", "/api/registry"])("packages over HTTP under %s", (prefix) => {
  const name = prefix.includes("preview") ? "bb-old-cli" : "bb-new-cli";
  const path = `private/bb-pkg/${name}`;

  it("publish → get → list → delete, as the Pulumi CLI does it", async () => {
    const schema = JSON.stringify({ name, version: "1.2.3", displayName: "BB", keywords: ["kind/component", "category/network"] });
    const complete = await publish(prefix, path, "1.2.3", schema, "# BB readme\n");
    expect(complete.status, complete.text).toBe(201);

    const got = await cli("GET", `${prefix}/packages/${path}/versions/1.2.3`, { token: tokens.reader });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name, publisher: "bb-pkg", source: "private", version: "1.2.3", title: "BB", category: "network", packageTypes: ["component"], packageStatus: "ga", visibility: "private", isFeatured: false });

    const readme = await fetch(got.body.readmeURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(readme.status).toBe(200);
    expect(await readme.text()).toBe("# BB readme\n");
    const anonReadme = await fetch(got.body.readmeURL);
    expect(anonReadme.status).toBe(404);
    await anonReadme.arrayBuffer();
    const schemaBack = await fetch(got.body.schemaURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await schemaBack.text()).toBe(schema);

    const listed = await cli("GET", `${prefix}/packages?limit=499&name=${name}`, { token: tokens.reader });
    expect(listed.status).toBe(200);
    expect(listed.body.packages.map((p: any) => `${p.source}/${p.publisher}/${p.name}@${p.version}`)).toEqual([`${path}@1.2.3`]);
    expect(listed.body).not.toHaveProperty("continuationToken");

    const anonList = await cli("GET", `${prefix}/packages?name=${name}`);
    expect(anonList.body.packages).toEqual([]);

    const del = await cli("DELETE", `/api/registry/packages/${path}/versions/1.2.3`, { token: tokens.publisher });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    const after = await cli("GET", `${prefix}/packages/${path}/versions/1.2.3`, { token: tokens.reader });
    expect(after.status).toBe(404);
    expect(after.body).toEqual({ code: 404, message: `package version '${path}@1.2.3' not found` });
    const again = await cli("POST", `${prefix}/packages/${path}/versions`, { token: tokens.publisher, body: { version: "1.2.3" } });
    expect(again.status).toBe(409);
  });
});

describe("curl against the presigned URLs", () => {
  it("a plain `curl -T` upload works; a tampered URL gets 403 from curl too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "curl-"));
    const start = await cli("POST", "/api/registry/packages/pulumi/bb-pkg/bb-curl/versions", { token: tokens.publisher, body: { version: "2.0.0" } });
    writeFileSync(join(dir, "schema.json"), JSON.stringify({ name: "bb-curl", version: "2.0.0" }));
    writeFileSync(join(dir, "README.md"), "# curl\n");
    const curl = (file: string, url: string) =>
      execFileSync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", join(dir, file), url], { encoding: "utf8" });
    expect(curl("schema.json", start.body.uploadURLs.schema)).toBe("200");
    expect(curl("README.md", start.body.uploadURLs.index)).toBe("200");
    expect(curl("README.md", start.body.uploadURLs.index.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200"))).toBe("403");
    const complete = await cli("POST", "/api/registry/packages/pulumi/bb-pkg/bb-curl/versions/2.0.0/complete", { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(complete.status).toBe(201);
  });
});

describe("package errors over HTTP", () => {
  it("every error is {code,message} with code equal to the status, and leaves nothing visible", async () => {
    const path = "pulumi/bb-pkg/bb-errors";
    const cases: Array<[string, string, { token?: string; body?: unknown }, number]> = [
      ["POST", `/api/registry/packages/${path}/versions`, { body: { version: "1.0.0" } }, 401],
      ["POST", `/api/registry/packages/${path}/versions`, { token: tokens.reader, body: { version: "1.0.0" } }, 403],
      ["POST", `/api/registry/packages/${path}/versions`, { token: strangers.publisher, body: { version: "1.0.0" } }, 403],
      ["POST", `/api/registry/packages/npm/bb-pkg/bb-errors/versions`, { token: tokens.publisher, body: { version: "1.0.0" } }, 404],
      ["POST", `/api/registry/packages/${path}/versions`, { token: tokens.publisher, body: { version: "v1.0.0" } }, 400],
      ["POST", `/api/registry/packages/${path}/versions/1.0.0/complete`, { token: tokens.publisher, body: { operationID: "0".repeat(32) } }, 404],
      ["GET", `/api/registry/packages/${path}/versions/1.0.0`, {}, 404],
      ["DELETE", `/api/registry/packages/${path}/versions/1.0.0`, { token: tokens.publisher }, 404],
      ["GET", `/api/registry/packages?limit=0`, {}, 400],
      ["GET", `/api/registry/packages?sort=nope`, {}, 400],
    ];
    for (const [method, url, options, status] of cases) {
      const r = await cli(method, url, options);
      expect(r.status, `${method} ${url}`).toBe(status);
      expect(r.body, `${method} ${url}`).toEqual({ code: status, message: expect.any(String) });
      expect(r.headers.get("content-type")).toBe("application/json");
    }
    const list = await cli("GET", "/api/registry/packages?name=bb-errors");
    expect(list.body.packages).toEqual([]);
  });

  it("a complete without uploads is a 400 naming both missing artifacts, and publishes nothing", async () => {
    const path = "pulumi/bb-pkg/bb-noupload";
    const start = await cli("POST", `/api/registry/packages/${path}/versions`, { token: tokens.publisher, body: { version: "1.0.0" } });
    const r = await cli("POST", `/api/registry/packages/${path}/versions/1.0.0/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/schema/);
    expect(r.body.message).toMatch(/index/);
    expect((await cli("GET", `/api/registry/packages/${path}/versions/latest`)).status).toBe(404);
  });

  it("tampered, wrong-method and expired-looking upload URLs are 403 over HTTP", async () => {
    const start = await cli("POST", `/api/registry/packages/pulumi/bb-pkg/bb-tamper/versions`, { token: tokens.publisher, body: { version: "1.0.0" } });
    const url: string = start.body.uploadURLs.schema;
    const flipped = url.replace(/X-Amz-Signature=(.)/, (_m, c: string) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`);
    expect(flipped).not.toBe(url);
    expect(await upload(flipped, "{}")).toBe(403);
    const wrong = await fetch(url, { method: "POST", body: "{}" });
    expect(wrong.status).toBe(403);
    await wrong.arrayBuffer();
    // Back-dated, with the credential scope moved along (a date outside its scope is a 400 from R2's S3 API).
    expect(await upload(url.replace(/X-Amz-Date=\d{8}/, "X-Amz-Date=20200101").replace(/%2F\d{8}%2F/, "%2F20200101%2F"), "{}")).toBe(403);
    // Host is signed: the same URL through "localhost" is a different URL.
    expect(await upload(url.replace("127.0.0.1", "localhost"), "{}")).toBe(403);
    const complete = await cli("POST", `/api/registry/packages/pulumi/bb-pkg/bb-tamper/versions/1.0.0/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(complete.status).toBe(400);
  });
});

describe("a large schema", () => {
  it("publishes a generated schema of 50 MB through wrangler dev and reads its metadata", async () => {
    const schema = largeSchema("bigpkg", "3.1.4", 52 * 1024 * 1024);
    expect(schema.byteLength).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const started = Date.now();
    const complete = await publish("/api/registry", "pulumi/bb-pkg/bigpkg", "3.1.4", schema);
    expect(complete.status, complete.text).toBe(201);
    const got = await cli("GET", "/api/registry/packages/pulumi/bb-pkg/bigpkg/versions/latest");
    expect(got.body).toMatchObject({
      name: "bigpkg",
      version: "3.1.4",
      title: "Big bigpkg",
      description: "A large schema",
      repoUrl: "https://example.com/bigpkg",
      category: "cloud",
      packageTypes: ["native"],
      pluginDownloadURL: "https://example.com/plugins",
    });
    const back = Buffer.from(await (await fetch(got.body.schemaURL)).arrayBuffer());
    expect(back.byteLength).toBe(schema.byteLength);
    expect(back.equals(schema)).toBe(true);
    console.log(`50 MB schema publish (complete, then its docs job) took ${Date.now() - started} ms`);
    // Its docs were derived after complete by the docs job, which publish() waited for.
    const docs = await cli("GET", `/api/registry/packages/pulumi/bb-pkg/bigpkg/versions/3.1.4/docs/${encodeURIComponent("bigpkg:index/res0:Res0")}`);
    expect(docs.status, docs.text).toBe(200);
    expect(docs.body.outputs.map((p: { name: { typescript: string } }) => p.name.typescript)).toEqual(["arn", "tags", "count"]);
  }, 400_000);
});

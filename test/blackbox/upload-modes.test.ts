// Both upload modes end to end with curl: R2 mode through the S3 API wrangler dev serves for the local
// bucket (the production path), and gateway mode through the Worker's own verifying route.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminToken, cli, gateway, setupOrg } from "./client";

const dir = mkdtempSync(join(tmpdir(), "upload-modes-"));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `curl -T`, as a person (or a CI script) uploads to a presigned URL: status and body. */
function curlPut(path: string, url: string, headers: Record<string, string> = {}): { status: number; body: string } {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const args = ["-sS", "-o", out, "-w", "%{http_code}", "-T", path];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  const status = Number(execFileSync("curl", [...args, url], { encoding: "utf8" }));
  let body = "";
  try {
    body = readFileSync(out, "utf8");
  } catch {
    // no body
  }
  return { status, body };
}

/** A gzip tar made by the system tar, regular files only, as `pulumi template publish` makes them. */
function templateArchive(name: string): string {
  const src = join(dir, `${name}-src`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, "Pulumi.yaml"), "name: ${PROJECT}\nruntime: yaml\ntemplate:\n  displayName: Upload mode template\n");
  writeFileSync(join(src, "README.md"), `# ${name}\n`);
  const out = join(dir, `${name}.tar.gz`);
  execFileSync("tar", ["-czf", out, "--no-recursion", "-C", src, "Pulumi.yaml", "README.md"]);
  return out;
}

const modes = [
  {
    mode: "r2",
    server: () => ({ url: gateway(), adminToken: adminToken() }),
    // wrangler dev's S3 API for the local bucket, signed for this host and port.
    uploadPrefix: () => `${gateway()}/cdn-cgi/local/r2/s3/edge-registry-artifacts/staging/`,
    refusal: /SignatureDoesNotMatch/,
  },
  {
    mode: "gateway",
    server: () => ({ url: inject("gatewayModeUrl"), adminToken: inject("gatewayModeAdminToken") }),
    uploadPrefix: () => `${inject("gatewayModeUrl")}/_artifacts/staging/`,
    refusal: /"code":403/,
  },
] as const;

describe.each(modes)("publishing in $mode upload mode with curl -T", ({ mode, server, uploadPrefix, refusal }) => {
  let tokens: { publisher: string; reader: string };
  const login = `bb-${mode}-mode`;
  const api = (path: string) => `${server().url}${path}`;

  beforeAll(async () => {
    tokens = await setupOrg(login, server());
  });

  it("a package: uploads land through the mode's endpoint, a tampered URL is refused there and changes nothing, complete publishes the original bytes", async () => {
    const pkg = `private/${login}/curl-pkg`;
    const start = await cli("POST", api(`/api/registry/packages/${pkg}/versions`), { token: tokens.publisher, body: { version: "1.0.0" } });
    expect(start.status, start.text).toBe(202);
    const urls = start.body.uploadURLs as Record<string, string>;
    for (const url of Object.values(urls)) expect(url.startsWith(uploadPrefix())).toBe(true);

    const schema = JSON.stringify({ name: "curl-pkg", version: "1.0.0", displayName: `Curl ${mode}` });
    expect(curlPut(file(`${mode}-schema.json`, schema), urls.schema!).status).toBe(200);
    expect(curlPut(file(`${mode}-readme.md`, "# original\n"), urls.index!).status).toBe(200);

    // Tampered: a longer expiry, a flipped signature, a duplicated parameter. Each is a 403 from the
    // endpoint itself and leaves the staged README as it was.
    const tampered = [
      urls.index!.replace(/X-Amz-Expires=\d+/, "X-Amz-Expires=604000"),
      urls.index!.replace(/X-Amz-Signature=(.)/, (_m, c: string) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`),
      `${urls.index!}&X-Amz-Expires=604000`,
    ];
    for (const url of tampered) {
      const r = curlPut(file(`${mode}-evil.md`, "# replaced\n"), url);
      expect(r.status, url).toBe(403);
      expect(r.body).toMatch(refusal);
    }

    const complete = await cli("POST", api(`/api/registry/packages/${pkg}/versions/1.0.0/complete`), { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(complete.status, complete.text).toBe(201);
    const got = await cli("GET", api(`/api/registry/packages/${pkg}/versions/1.0.0`), { token: tokens.reader });
    expect(got.body).toMatchObject({ name: "curl-pkg", version: "1.0.0", title: `Curl ${mode}` });
    const readme = await fetch(got.body.readmeURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await readme.text()).toBe("# original\n");
    const schemaBack = await fetch(got.body.schemaURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await schemaBack.text()).toBe(schema);
  });

  it("a template: the archive PUT answers exactly 200, complete reads it, the download is the same bytes", async () => {
    const tpl = `private/${login}/curl-tpl`;
    const start = await cli("POST", api(`/api/registry/templates/${tpl}/versions`), { token: tokens.publisher, body: { version: "0.1.0" } });
    expect(start.status, start.text).toBe(202);
    const url: string = start.body.uploadURLs.archive;
    expect(url.startsWith(uploadPrefix())).toBe(true);
    const archive = templateArchive(`${mode}-tpl`);
    expect(curlPut(archive, url, { "Content-Type": "application/gzip" }).status).toBe(200);
    const evil = curlPut(file(`${mode}-evil.tgz`, "not an archive"), url.replace(/X-Amz-Date=\d{8}/, "X-Amz-Date=20200101").replace(/%2F\d{8}%2F/, "%2F20200101%2F"), { "Content-Type": "application/gzip" });
    expect(evil.status).toBe(403);

    const complete = await cli("POST", api(`/api/registry/templates/${tpl}/versions/0.1.0/complete`), { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(complete.status, complete.text).toBe(201);
    const got = await cli("GET", api(`/api/registry/templates/${tpl}/versions/latest`), { token: tokens.reader });
    expect(got.body).toMatchObject({ displayName: "Upload mode template", language: "yaml", version: "0.1.0" });
    const download = await fetch(got.body.downloadURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(readFileSync(archive))).toBe(true);
    const readme = await fetch(got.body.readmeURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await readme.text()).toBe(`# ${mode}-tpl\n`);
  });
});

describe("the gateway's own upload route only exists in gateway mode", () => {
  it("in R2 mode /_artifacts/… is a 404 and writes nothing", async () => {
    const tokens = await setupOrg("bb-r2-no-route");
    const start = await cli("POST", "/api/registry/packages/private/bb-r2-no-route/x/versions", { token: tokens.publisher, body: { version: "1.0.0" } });
    const r2Url = new URL(start.body.uploadURLs.schema);
    const local = `${gateway()}/_artifacts/${r2Url.pathname.split("/edge-registry-artifacts/")[1]}${r2Url.search}`;
    const r = curlPut(file("r2-route.json", "{}"), local);
    expect(r.status).toBe(404);
    const complete = await cli("POST", "/api/registry/packages/private/bb-r2-no-route/x/versions/1.0.0/complete", { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(complete.status).toBe(400);
    expect(complete.body.message).toMatch(/missing upload of schema/);
  });
});

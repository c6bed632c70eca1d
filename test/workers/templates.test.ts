import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { gzip, header, tar, type TarEntry } from "../unit/tar-fixtures";
import { ADMIN, call, callJson, countObjects, createOrg, createToken, expectError } from "./helpers";
import { archiveOf, concatPadded, goodArchive, PULUMI_YAML, publishTemplate, startTemplate, VCS_TEMPLATE } from "./template-helpers";

let acme: { publisher: string; reader: string };
let other: { publisher: string };

beforeAll(async () => {
  await createOrg("acme");
  await createOrg("other");
  acme = { publisher: (await createToken("acme", "publisher")).token, reader: (await createToken("acme", "reader")).token };
  other = { publisher: (await createToken("other", "publisher")).token };
});

describe.each(["/api/preview/registry", "/api/registry"])("templates under %s", (prefix) => {
  const name = prefix.includes("preview") ? "tpl-old" : "tpl-new";
  const path = `private/acme/${name}`;

  it("publish → get → list → download → delete", async () => {
    const done = await publishTemplate(acme.publisher, path, "1.0.0", await goodArchive(), prefix);
    expect(done.status).toBe(201);
    expect(done.body).toEqual({});
    const got = await callJson(`${prefix}/templates/${path}/versions/latest`, { token: acme.reader });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      name,
      publisher: "acme",
      source: "private",
      version: "1.0.0",
      displayName: "Serverless TS",
      description: "An AWS Lambda in TypeScript",
      runtime: { name: "nodejs" },
      language: "typescript",
      readmeURL: `http://gateway.test/api/registry/templates/${path}/versions/1.0.0/raw/readme`,
      downloadURL: `http://gateway.test/api/registry/templates/${path}/versions/1.0.0/archive`,
      visibility: "private",
      updatedAt: expect.any(String),
      metadata: { cloud: "aws", pattern: "100%_literal" },
      config: { "aws:region": { description: "The AWS region", default: "us-west-2" } },
      url: `registry://templates/${path}@1.0.0`,
    });
    const readme = await call(got.body.readmeURL, { token: acme.reader });
    expect(await readme.text()).toBe("# Serverless\n");
    const archive = await call(got.body.downloadURL, { token: acme.reader, headers: { Accept: "application/x-tar" } });
    expect(archive.status).toBe(200);
    expect(new Uint8Array(await archive.arrayBuffer())).toEqual(await goodArchive());
    expect((await call(got.body.downloadURL)).status).toBe(404);

    const listed = await callJson(`${prefix}/templates?name=${name}`, { token: acme.reader });
    expect(listed.body.templates.map((t: any) => t.name)).toEqual([name]);
    expect((await callJson(`${prefix}/templates?name=${name}`)).body.templates).toEqual([]);

    const del = await call(`${prefix}/templates/${path}/versions/1.0.0?force=true`, { method: "DELETE", token: acme.publisher });
    expect(del.status).toBe(204);
    expectError(await callJson(`${prefix}/templates/${path}/versions/latest`, { token: acme.reader }), 404);
    expect((await callJson(`${prefix}/templates?name=${name}`, { token: acme.reader })).body.templates).toEqual([]);
  });
});

describe("template start", () => {
  it("another known template source is a 400; an unknown one a 404", async () => {
    expectError(await startTemplate(acme.publisher, "github/acme/x", "1.0.0"), 400);
    expectError(await startTemplate(acme.publisher, "pulumi/acme/x", "1.0.0"), 404);
    expectError(await startTemplate(acme.publisher, "npm/acme/x", "1.0.0"), 404);
  });

  it("returns uploadURLs.archive only", async () => {
    const s = await startTemplate(acme.publisher, "private/acme/urlonly", "1.0.0");
    expect(s.status).toBe(202);
    expect(Object.keys(s.body.uploadURLs)).toEqual(["archive"]);
    expect(s.body.uploadURLs.archive).toContain("X-Amz-Expires=");
  });

  it("auth: anonymous 401, reader 403, other org 403; a published version 409", async () => {
    expectError(await callJson("/api/registry/templates/private/acme/t/versions", { method: "POST", body: { version: "1.0.0" } }), 401);
    expectError(await startTemplate(acme.reader, "private/acme/t", "1.0.0"), 403);
    expectError(await startTemplate(other.publisher, "private/acme/t", "1.0.0"), 403);
    await publishTemplate(acme.publisher, "private/acme/t409", "1.0.0", await goodArchive());
    expectError(await startTemplate(acme.publisher, "private/acme/t409", "1.0.0"), 409);
  });
});

describe("archive checks at complete", () => {
  async function rejects(name: string, archive: Uint8Array, messagePart: RegExp) {
    const r = await publishTemplate(acme.publisher, `private/acme/${name}`, "1.0.0", archive);
    expectError(r, 400);
    expect(r.body.message).toMatch(messagePart);
    expectError(await callJson(`/api/registry/templates/private/acme/${name}/versions/latest`, { token: acme.reader }), 404);
    expect(await countObjects(`templates/private/acme/${name}/`)).toBe(0);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = ?").bind(name).first<{ n: number }>();
    expect(rows!.n).toBe(0);
  }

  const yaml = { name: "Pulumi.yaml", data: PULUMI_YAML() };

  it("a missing archive is a 400", async () => {
    const s = await startTemplate(acme.publisher, "private/acme/noarchive", "1.0.0");
    const r = await callJson("/api/registry/templates/private/acme/noarchive/versions/1.0.0/complete", { method: "POST", token: acme.publisher, body: { operationID: s.body.operationID } });
    expectError(r, 400);
    expect(r.body.message).toContain("archive");
  });

  it("not gzip", async () => rejects("notgzip", tar([yaml]), /gzip/));
  it("gzip but not tar", async () => rejects("nottar", await gzip(new TextEncoder().encode("hello world, not a tar".repeat(50))), /tar/));
  it("a ../ entry", async () => rejects("dotdot", await archiveOf([yaml, { name: "../x", data: "x" }]), /\.\./));
  it("an absolute path", async () => rejects("abs", await archiveOf([yaml, { name: "/abs", data: "x" }]), /abs/));
  it("a symlink", async () => rejects("symlink", await archiveOf([yaml, { name: "link", type: "2", linkname: "/etc/passwd" }]), /link/));
  it("a hardlink", async () => rejects("hardlink", await archiveOf([yaml, { name: "hard", type: "1", linkname: "Pulumi.yaml" }]), /link/));
  it("a character device", async () => rejects("chardev", await archiveOf([yaml, { name: "dev", type: "3" }]), /device/));
  it("a block device", async () => rejects("blockdev", await archiveOf([yaml, { name: "dev", type: "4" }]), /device/));
  it("no root Pulumi.yaml", async () => rejects("noyaml", await archiveOf([{ name: "sub/Pulumi.yaml", data: PULUMI_YAML() }]), /Pulumi\.yaml/));
  it("Pulumi.yaml without template:", async () => rejects("notemplate", await archiveOf([{ name: "Pulumi.yaml", data: "name: x\nruntime: go\n" }]), /template/));
  it("a gzip bomb (many highly compressible files past 100 MiB unpacked) stops at the bound", async () => {
    // 110 files of 1 MiB of zeros each, compressed as a stream: ~110 KiB on the wire.
    const MiB = 1024 * 1024;
    const zeros = new Uint8Array(MiB);
    let i = -1;
    const tarStream = new ReadableStream<Uint8Array>({
      pull(controller) {
        i++;
        if (i === 0) {
          const yaml = new TextEncoder().encode(PULUMI_YAML());
          controller.enqueue(header({ name: "Pulumi.yaml", type: "0", size: yaml.length }));
          controller.enqueue(concatPadded(yaml));
        } else if (i <= 110) {
          controller.enqueue(header({ name: `zeros-${i}.bin`, type: "0", size: MiB }));
          controller.enqueue(zeros);
        } else {
          controller.enqueue(new Uint8Array(1024));
          controller.close();
        }
      },
    });
    const compressed = new Uint8Array(await new Response(tarStream.pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    expect(compressed.byteLength).toBeLessThan(2 * MiB);
    await rejects("bomb", compressed, /100 MiB|unpacked|bytes/);
  });

  it("more than 10,000 entries", async () => {
    const entries: TarEntry[] = [yaml];
    for (let n = 0; n < 10_001; n++) entries.push({ name: `f${n}`, data: "" });
    await rejects("manyentries", await archiveOf(entries), /entries/);
  });

  it("Pulumi.yaml that is not YAML", async () => rejects("badyaml", await archiveOf([{ name: "Pulumi.yaml", data: "template: [unclosed\n  - {" }]), /YAML/));
});

describe("template language and fields", () => {
  it.each([
    ["nodejs", [], "javascript"],
    ["nodejs", [{ name: "tsconfig.json", data: "{}" }], "typescript"],
    ["python", [], "python"],
    ["go", [], "go"],
    ["dotnet", [], "dotnet"],
    ["java", [], "java"],
    ["yaml", [], "yaml"],
    ["ruby", [], "unknown"],
  ] as const)("runtime %s with %j → %s", async (runtime, extra, language) => {
    const name = `lang-${runtime}-${extra.length}`;
    const archive = await archiveOf([{ name: "Pulumi.yaml", data: `name: p\nruntime:\n  name: ${runtime}\n  options:\n    x: y\ntemplate:\n  description: d\n` }, ...extra]);
    expect((await publishTemplate(acme.publisher, `private/acme/${name}`, "1.0.1", archive)).status).toBe(201);
    const got = await callJson(`/api/registry/templates/private/acme/${name}/versions/latest`, { token: acme.reader });
    expect(got.body.language).toBe(language);
    expect(got.body.runtime).toEqual({ name: runtime, options: { x: "y" } });
    expect(got.body.displayName).toBe(name);
    expect(got.body).not.toHaveProperty("readmeURL");
  });
});

describe("template search", () => {
  let searcher: string;
  beforeAll(async () => {
    await createOrg("searcher");
    searcher = (await createToken("searcher", "publisher")).token;
    const mk = (display: string, description: string, meta: string, runtime = "python") =>
      archiveOf([{ name: "Pulumi.yaml", data: `name: p\nruntime: ${runtime}\ntemplate:\n  displayName: ${display}\n  description: ${description}\n  metadata:\n    tag: "${meta}"\n` }]);
    await publishTemplate(searcher, "private/searcher/search-aws-py", "1.0.0", await mk("AWS Python", "Lambda on AWS", "serverless"));
    await publishTemplate(searcher, "private/searcher/search-gcp-py", "1.0.0", await mk("GCP Python", "Cloud Run", "containers"));
    await publishTemplate(searcher, "private/searcher/search-pct", "1.0.0", await mk("Percent", "100% literal_under", "a\\\\b", "go"));
  });

  const names = async (search: string) =>
    (await callJson(`/api/registry/templates?orgLogin=searcher&search=${encodeURIComponent(search)}`, { token: searcher })).body.templates.map((t: any) => t.name).sort();

  it("all terms must match (AND)", async () => {
    expect(await names("python aws")).toEqual(["search-aws-py"]);
    expect(await names("python")).toEqual(["search-aws-py", "search-gcp-py"]);
  });

  it("is case-insensitive and matches metadata values and language", async () => {
    expect(await names("SERVERLESS")).toEqual(["search-aws-py"]);
    expect(await names("cloud run")).toEqual(["search-gcp-py"]);
    expect((await names("python")).length).toBe(2);
  });

  it("% and _ and \\ match literally, never as patterns", async () => {
    expect(await names("100%")).toEqual(["search-pct"]);
    expect(await names("%")).toEqual(["search-pct"]);
    expect(await names("literal_under")).toEqual(["search-pct"]);
    expect(await names("l_teral")).toEqual([]);
    expect(await names("a\\b")).toEqual(["search-pct"]);
    expect(await names(".*")).toEqual([]);
  });

  it("no match is an empty list", async () => {
    expect(await names("kubernetes")).toEqual([]);
  });
});

describe("template list parameters", () => {
  it("backing must be registry, vcs or pulumi", async () => {
    expectError(await callJson("/api/registry/templates?backing=git"), 400);
    expect((await callJson("/api/registry/templates?backing=pulumi")).body.templates).toEqual([]);
  });

  it("pages like packages", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await callJson(`/api/registry/templates?limit=1${token ? `&continuationToken=${token}` : ""}`, { token: acme.reader });
      seen.push(...r.body.templates.map((t: any) => t.name));
      token = r.body.continuationToken;
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(2);
  });
});

describe("template delete", () => {
  it("force must be a boolean", async () => {
    await publishTemplate(acme.publisher, "private/acme/forced", "1.0.0", await goodArchive());
    expectError(await callJson("/api/registry/templates/private/acme/forced/versions/1.0.0?force=yes", { method: "DELETE", token: acme.publisher }), 400);
  });

  it("the last version without force=true is a 400 saying so; with it the template is gone", async () => {
    await publishTemplate(acme.publisher, "private/acme/lastver", "1.0.0", await goodArchive());
    await publishTemplate(acme.publisher, "private/acme/lastver", "1.1.0", await goodArchive());
    expect((await call("/api/registry/templates/private/acme/lastver/versions/1.1.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect((await callJson("/api/registry/templates/private/acme/lastver/versions/latest", { token: acme.reader })).body.version).toBe("1.0.0");
    const refused = await callJson("/api/registry/templates/private/acme/lastver/versions/1.0.0?force=false", { method: "DELETE", token: acme.publisher });
    expectError(refused, 400);
    expect(refused.body.message).toContain("force=true");
    expect((await callJson("/api/registry/templates/private/acme/lastver/versions/latest", { token: acme.reader })).status).toBe(200);
    expect((await call("/api/registry/templates/private/acme/lastver/versions/1.0.0?force=true", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expectError(await callJson("/api/registry/templates/private/acme/lastver/versions/latest", { token: acme.reader }), 404);
    expect((await callJson("/api/registry/templates?name=lastver", { token: acme.reader })).body.templates).toEqual([]);
    expect(await countObjects("templates/private/acme/lastver/")).toBe(0);
  });
});

describe("VCS-backed templates", () => {
  const body = VCS_TEMPLATE;

  it("are registered by the operator, listed only with backing=vcs, served at latest", async () => {
    const r = await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: body.name, source: "github", repoSlug: "pulumi/examples", downloadURL: body.downloadURL, visibility: "public" });
    expectError(await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body }), 409);
    expect((await callJson("/api/registry/templates?name=pulumi/examples/aws-ts-s3")).body.templates).toEqual([]);
    const vcs = await callJson("/api/registry/templates?backing=vcs&name=pulumi/examples/aws-ts-s3");
    expect(vcs.body.templates).toHaveLength(1);
    const both = await callJson("/api/registry/templates?backing=vcs&backing=registry&search=s3");
    expect(both.body.templates.map((t: any) => t.name)).toContain(body.name);
    const got = await callJson(`/api/registry/templates/github/pulumi/${body.name}/versions/latest`);
    expect(got.status).toBe(200);
    expect(got.body.downloadURL).toBe(body.downloadURL);
    expectError(await callJson(`/api/registry/templates/github/pulumi/${body.name}/versions/1.0.0`), 400);
  });

  it("registration needs the operator token and valid fields", async () => {
    expectError(await callJson("/api/admin/templates", { method: "POST", token: "not-the-admin-token", body }), 401);
    expectError(await callJson("/api/admin/templates", { method: "POST", token: acme.publisher, body }), 403);
    expectError(await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...body, source: "private" } }), 400);
    expectError(await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...body, name: "a/../b" } }), 400);
    expectError(await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...body, downloadURL: "ftp://x" } }), 400);
  });

  it("take their name's slashes raw or percent-encoded (%2F), as an OpenAPI client fills {name}", async () => {
    const name = "pulumi/examples/encoded-slashes";
    expect((await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...body, name } })).status).toBe(201);
    const raw = await callJson(`/api/registry/templates/github/pulumi/${name}/versions/latest`);
    const encoded = await callJson(`/api/registry/templates/github/pulumi/${encodeURIComponent(name)}/versions/latest`);
    const mixed = await callJson(`/api/registry/templates/github/pulumi/pulumi%2fexamples/encoded-slashes/versions/latest`);
    expect(raw.status).toBe(200);
    expect(encoded.status).toBe(200);
    expect(mixed.status).toBe(200);
    expect(encoded.body).toEqual(raw.body);
    expect(mixed.body).toEqual(raw.body);
    // An encoded slash is a separator, never part of a segment: `..` and empty parts stay refused.
    expectError(await callJson(`/api/registry/templates/github/pulumi/pulumi%2F..%2Fexamples/versions/latest`), 400);
    expectError(await callJson(`/api/registry/templates/github/pulumi/pulumi%2F%2Fexamples/versions/latest`), 400);
    expectError(await callJson(`/api/registry/templates/github/pulumi/pulumi%252Fexamples/versions/latest`), 400);
    // A registry-backed name stays one segment: %2F there is an invalid name, not a separator.
    expectError(await callJson(`/api/registry/templates/private/acme/a%2Fb/versions/latest`), 400);
    expect((await call(`/api/admin/templates/github/pulumi/${encodeURIComponent(name)}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    expectError(await callJson(`/api/registry/templates/github/pulumi/${name}/versions/latest`), 404);
  });

  it("are removed by the operator", async () => {
    await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...body, name: "pulumi/examples/gone" } });
    expect((await call("/api/admin/templates/github/pulumi/pulumi/examples/gone", { method: "DELETE", token: ADMIN })).status).toBe(204);
    expectError(await callJson("/api/registry/templates/github/pulumi/pulumi/examples/gone/versions/latest"), 404);
    expectError(await callJson("/api/admin/templates/github/pulumi/pulumi/examples/gone", { method: "DELETE", token: ADMIN }), 404);
  });
});

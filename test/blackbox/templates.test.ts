import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, cli, gateway, setupOrg } from "./client";

let tokens: { reader: string; publisher: string; admin: string };

beforeAll(async () => {
  tokens = await setupOrg("bb-tpl");
});

const PULUMI_YAML = `name: \${PROJECT}
description: \${DESCRIPTION}
runtime:
  name: python
  options:
    toolchain: pip
template:
  displayName: Python on AWS
  description: A minimal Python program for AWS
  metadata:
    cloud: aws
  config:
    aws:region:
      description: The AWS region to deploy into
      default: us-east-1
`;

/** A real .tar.gz made by the system tar, as `pulumi template publish` makes them: regular files only, relative names. */
function archive(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "tpl-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const out = join(dir, "..", `${dir.split("/").pop()}.tar.gz`);
  execFileSync("tar", ["-czf", out, "--no-recursion", "-C", dir, ...Object.keys(files)]);
  return readFileSync(out);
}

async function publish(prefix: string, path: string, version: string, bytes: Buffer) {
  const start = await cli("POST", `${prefix}/templates/${path}/versions`, { token: tokens.publisher, body: { version } });
  expect(start.status, start.text).toBe(202);
  // The CLI sends Content-Type: application/gzip, ignores requiredHeaders, and needs exactly 200.
  const put = await fetch(start.body.uploadURLs.archive, { method: "PUT", body: bytes, headers: { "Content-Type": "application/gzip" } });
  expect(put.status).toBe(200);
  await put.arrayBuffer();
  return cli("POST", `${prefix}/templates/${path}/versions/${version}/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
}

describe.each(["/api/preview/registry", "/api/registry"])("templates over HTTP under %s", (prefix) => {
  const name = prefix.includes("preview") ? "bb-py-old" : "bb-py-new";
  const path = `private/bb-tpl/${name}`;

  it("publish → get → list → search → download → delete", async () => {
    const bytes = archive({ "Pulumi.yaml": PULUMI_YAML, "__main__.py": "import pulumi\n", "requirements.txt": "pulumi>=3\n", "readme.md": "# Python on AWS\n", "src/util.py": "x = 1\n" });
    const complete = await publish(prefix, path, "0.1.0", bytes);
    expect(complete.status, complete.text).toBe(201);

    const got = await cli("GET", `${prefix}/templates/${path}/versions/latest`, { token: tokens.reader });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      name,
      publisher: "bb-tpl",
      source: "private",
      version: "0.1.0",
      displayName: "Python on AWS",
      description: "A minimal Python program for AWS",
      runtime: { name: "python", options: { toolchain: "pip" } },
      language: "python",
      visibility: "private",
      metadata: { cloud: "aws" },
      config: { "aws:region": { description: "The AWS region to deploy into", default: "us-east-1" } },
      url: `registry://templates/${path}@0.1.0`,
    });
    // `pulumi new` fetches it with auth only when it starts with the CLI's API URL.
    expect(got.body.downloadURL.startsWith(`${gateway()}/api/registry/templates/`)).toBe(true);

    const listed = await cli("GET", `${prefix}/templates?name=${name}`, { token: tokens.reader });
    expect(listed.body.templates.map((t: any) => t.name)).toEqual([name]);
    const searched = await cli("GET", `${prefix}/templates?search=AWS+python&orgLogin=bb-tpl`, { token: tokens.reader });
    expect(searched.body.templates.map((t: any) => t.name)).toContain(name);
    const none = await cli("GET", `${prefix}/templates?search=kubernetes&orgLogin=bb-tpl`, { token: tokens.reader });
    expect(none.body.templates).toEqual([]);

    // `pulumi new` fetches downloadURL with its token and Accept: application/x-tar.
    const download = await fetch(got.body.downloadURL, { headers: { Authorization: `token ${tokens.reader}`, Accept: "application/x-tar" } });
    expect(download.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), "dl-"));
    writeFileSync(join(dir, "t.tgz"), Buffer.from(await download.arrayBuffer()));
    execFileSync("tar", ["-xzf", join(dir, "t.tgz"), "-C", dir]);
    expect(readFileSync(join(dir, "Pulumi.yaml"), "utf8")).toBe(PULUMI_YAML);
    const readme = await fetch(got.body.readmeURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await readme.text()).toBe("# Python on AWS\n");
    const anon = await fetch(got.body.downloadURL);
    expect(anon.status).toBe(404);
    await anon.arrayBuffer();

    const refused = await cli("DELETE", `${prefix}/templates/${path}/versions/0.1.0`, { token: tokens.publisher });
    expect(refused.status).toBe(400);
    const del = await cli("DELETE", `${prefix}/templates/${path}/versions/0.1.0?force=true`, { token: tokens.publisher });
    expect(del.status).toBe(204);
    expect((await cli("GET", `${prefix}/templates/${path}/versions/latest`, { token: tokens.reader })).status).toBe(404);
    expect((await cli("GET", `${prefix}/templates?name=${name}`, { token: tokens.reader })).body.templates).toEqual([]);
  });
});

describe("hostile archives over HTTP", () => {
  it("an archive with a symlink is a 400 and publishes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ln-"));
    writeFileSync(join(dir, "Pulumi.yaml"), PULUMI_YAML);
    execFileSync("ln", ["-s", "/etc/passwd", join(dir, "passwd")]);
    execFileSync("tar", ["-czf", join(dir, "..", "ln.tgz"), "-C", dir, "Pulumi.yaml", "passwd"]);
    const r = await publish("/api/registry", "private/bb-tpl/bb-hostile", "1.0.0", readFileSync(join(dir, "..", "ln.tgz")));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: 400, message: expect.stringMatching(/link/) });
    expect((await cli("GET", "/api/registry/templates/private/bb-tpl/bb-hostile/versions/latest", { token: tokens.reader })).status).toBe(404);
  });
});

describe("VCS-backed templates over HTTP", () => {
  it("register, list with backing=vcs, get latest, delete", async () => {
    const body = { source: "gitlab", publisher: "bb-tpl", name: "group/repo/sub", repoSlug: "group/repo", downloadURL: "https://gitlab.example.com/group/repo/-/archive/main/repo-main.tar.gz" };
    expect((await cli("POST", "/api/admin/templates", { token: adminToken(), body })).status).toBe(201);
    const listed = await cli("GET", "/api/registry/templates?backing=vcs&orgLogin=bb-tpl");
    expect(listed.body.templates.map((t: any) => t.name)).toEqual(["group/repo/sub"]);
    const got = await cli("GET", "/api/registry/templates/gitlab/bb-tpl/group/repo/sub/versions/latest");
    expect(got.status).toBe(200);
    expect(got.body.repoSlug).toBe("group/repo");
    expect((await cli("GET", "/api/registry/templates/gitlab/bb-tpl/group/repo/sub/versions/1.0.0")).status).toBe(400);
    expect((await cli("DELETE", "/api/admin/templates/gitlab/bb-tpl/group/repo/sub", { token: adminToken() })).status).toBe(204);
  });
});

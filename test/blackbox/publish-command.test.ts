// `npm run publish` (scripts/publish.mjs) against the black-box server: the examples publish as a
// package and a template; slot-rule mistakes are named before anything is sent.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, cli, gateway, setupOrg } from "./client";

const ORG = "bb-publish-cmd";
let tokens: { reader: string; publisher: string; admin: string };
const scratch = mkdtempSync(join(tmpdir(), "publish-cmd-"));

beforeAll(async () => {
  tokens = await setupOrg(ORG);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function publish(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ["scripts/publish.mjs", ...args], {
    encoding: "utf8",
    env: { ...process.env, REGISTRY_URL: "", PUBLISHER_TOKEN: "", ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A copy of an example directory to spoil, under a name of its own. */
function copyOf(example: "package" | "template", name: string): string {
  const dir = join(scratch, name);
  cpSync(join("examples", example), dir, { recursive: true });
  return dir;
}

/** The org's publish starts, as `target@version`: a publish refused locally must not have started. */
async function publishStarts(): Promise<string[]> {
  const r = await cli("GET", `/api/orgs/${ORG}/registry/audit?action=package.publish.start`, { token: tokens.admin });
  return r.body.entries.map((e: { target: string; version?: string }) => `${e.target}@${e.version}`);
}

describe("npm run publish", () => {
  it("publishes examples/package as a private package of the token's org, with its README and installation text, and prints its page and sign-in link", async () => {
    const run = publish(["examples/package", "--token", tokens.publisher, "--url", gateway()]);
    expect(run.status, run.stderr).toBe(0);
    const page = `${gateway()}/packages/private/${ORG}/uptime/0.3.0`;
    expect(run.stdout).toContain(`publish: page ${page}`);
    expect(run.stdout).toContain(`${gateway()}/sign-in?next=${encodeURIComponent(`/packages/private/${ORG}/uptime/0.3.0`)}`);

    const version = await cli("GET", `/api/registry/packages/private/${ORG}/uptime/versions/0.3.0`, { token: tokens.reader });
    expect(version.status).toBe(200);
    expect(version.body).toMatchObject({ title: "Uptime", publisher: ORG, visibility: "private", category: "monitoring", repoUrl: "https://git.example.com/acme/pulumi-uptime" });
    const readme = await fetch(version.body.readmeURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await readme.text()).toBe(readFileSync("examples/package/README.md", "utf8"));
    const installation = await fetch(`${gateway()}/api/registry/packages/private/${ORG}/uptime/versions/0.3.0/raw/installation`, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await installation.text()).toBe(readFileSync("examples/package/installation.md", "utf8"));
    // The schema's resources and functions made it into the API docs.
    const nav = await cli("GET", `/api/registry/packages/private/${ORG}/uptime/versions/0.3.0/nav`, { token: tokens.reader });
    expect(nav.status).toBe(200);
    expect(JSON.stringify(nav.body)).toContain("alerting");

    // The same version again: the registry's own 409, relayed with its status.
    const again = publish(["examples/package"], { PUBLISHER_TOKEN: tokens.publisher, REGISTRY_URL: gateway() });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("publish: start: HTTP 409:");
  });

  it("publishes examples/template as a template archive the registry accepts, with every file of the directory", async () => {
    const run = publish(["examples/template", "--name", "uptime-status-page", "--version", "1.0.0", "--token", tokens.publisher, "--url", gateway()]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`publish: page ${gateway()}/templates/private/${ORG}/uptime-status-page/versions/1.0.0`);
    const template = await cli("GET", `/api/registry/templates/private/${ORG}/uptime-status-page/versions/1.0.0`, { token: tokens.reader });
    expect(template.status).toBe(200);
    expect(template.body).toMatchObject({ displayName: "Uptime status page", language: "typescript", metadata: { cloud: "uptime" } });
    const archive = Buffer.from(await (await fetch(template.body.downloadURL, { headers: { Authorization: `token ${tokens.reader}` } })).arrayBuffer());
    const path = join(scratch, "downloaded.tar.gz");
    writeFileSync(path, archive);
    // The system tar reads what the script wrote: regular files only, no directory entries.
    expect(execFileSync("tar", ["-tzf", path], { encoding: "utf8" }).trim().split("\n").sort()).toEqual(["Pulumi.yaml", "README.md", "index.ts", "package.json", "tsconfig.json"]);
  });

  it("names the slot rule a package directory breaks, and sends nothing", async () => {
    const noReadme = copyOf("package", "no-readme");
    rmSync(join(noReadme, "README.md"));
    const missing = publish([noReadme, "--token", tokens.publisher, "--url", gateway()]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("has no README.md: the README is the 'index' slot, the package's front page, and is required");

    const renamed = publish(["examples/package", "--name", "monitor", "--token", tokens.publisher, "--url", gateway()]);
    expect(renamed.status).toBe(1);
    expect(renamed.stderr).toContain("--name 'monitor' does not match the schema's name 'uptime': the schema's 'name' must be the package name");

    const otherVersion = publish(["examples/package", "--version", "0.4.0", "--token", tokens.publisher, "--url", gateway()]);
    expect(otherVersion.status).toBe(1);
    expect(otherVersion.stderr).toContain("--version '0.4.0' does not match the schema's version '0.3.0': the schema's 'version' must be the published version");

    const vPrefix = copyOf("package", "v-prefix");
    const schema = JSON.parse(readFileSync(join(vPrefix, "schema.json"), "utf8"));
    writeFileSync(join(vPrefix, "schema.json"), JSON.stringify({ ...schema, name: "uptime-v", version: "v1.0.0" }));
    const badVersion = publish([vPrefix, "--token", tokens.publisher, "--url", gateway()]);
    expect(badVersion.status).toBe(1);
    expect(badVersion.stderr).toContain("schema version 'v1.0.0' is not a SemVer 2.0 version");

    const big = copyOf("package", "big-readme");
    writeFileSync(join(big, "schema.json"), JSON.stringify({ ...schema, name: "uptime-big" }));
    writeFileSync(join(big, "README.md"), "x".repeat(5 * 1024 * 1024 + 1));
    const tooBig = publish([big, "--token", tokens.publisher, "--url", gateway()]);
    expect(tooBig.status).toBe(1);
    expect(tooBig.stderr).toMatch(/README.md is 5242881 bytes; the README \('index' slot\) may be at most 5242880 bytes/);

    // None of them reached start: no publish of these names was begun.
    expect((await publishStarts()).filter((t) => !t.endsWith("/uptime@0.3.0"))).toEqual([]);
  });

  it("names the template rules a directory breaks: Pulumi.yaml with a template: section, and a version", () => {
    const noVersion = publish(["examples/template", "--token", tokens.publisher, "--url", gateway()]);
    expect(noVersion.status).toBe(1);
    expect(noVersion.stderr).toContain("a template has no version of its own: pass --version");

    const plain = copyOf("template", "plain-project");
    writeFileSync(join(plain, "Pulumi.yaml"), "name: plain\nruntime: nodejs\n");
    const noSection = publish([plain, "--version", "1.0.0", "--token", tokens.publisher, "--url", gateway()]);
    expect(noSection.status).toBe(1);
    expect(noSection.stderr).toContain("has no 'template:' section");

    const neither = publish([join(scratch), "--version", "1.0.0"]);
    expect(neither.status).toBe(1);
    expect(neither.stderr).toContain("holds neither schema.json");
  });

  it("--dry-run checks the directory and sends nothing; a refused token and an absent server are named", async () => {
    const dry = publish(["examples/package", "--dry-run"]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain("package uptime@0.3.0");
    expect(dry.stdout).toContain("nothing sent");

    const refused = publish(["examples/package", "--token", "erg_not-a-token", "--url", gateway()]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/reading the token's org \(GET \/api\/user\): HTTP 401: /);

    const noToken = publish(["examples/package", "--url", gateway()]);
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain("no token: pass --token or set PUBLISHER_TOKEN");

    const down = publish(["examples/package", "--token", tokens.publisher, "--url", "http://127.0.0.1:9"]);
    expect(down.status).toBe(1);
    expect(down.stderr).toContain("cannot reach http://127.0.0.1:9");
    // The operator's admin token is not an org token: it cannot publish either.
    const operator = publish(["examples/package", "--token", adminToken(), "--url", gateway()]);
    expect(operator.status).toBe(1);
  });
});

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, setupOrg } from "./client";

let tokens: { reader: string; publisher: string; admin: string };
const ORG = "bb-policy";

beforeAll(async () => {
  tokens = await setupOrg(ORG);
});

/** A pack tarball made by the system tar from a policy pack project directory, as the CLI packs one. */
function packTarball(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pack-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const out = join(dir, "..", `${dir.split("/").pop()}.tgz`);
  execFileSync("tar", ["-czf", out, "-C", dir, ...Object.keys(files)]);
  return out;
}

/** The CLI's PUT, done by curl: the file as the body, the required headers, no Authorization, no Content-Type. */
function curlPut(url: string, file: string, requiredHeaders: Record<string, string> = {}): number {
  const headers = Object.entries(requiredHeaders).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
  const status = execFileSync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", file, ...headers, url], { encoding: "utf8" });
  return Number(status);
}

const POLICIES = [
  { name: "s3-no-public-read", displayName: "No public S3 reads", description: "Buckets stay private.", enforcementLevel: "mandatory", message: "Public bucket.", configSchema: { type: "object", properties: {} } },
  { name: "owner-tag", displayName: "Owner tag", description: "Every resource names its owner.", enforcementLevel: "advisory", message: "Missing owner tag." },
];

describe("policy packs over HTTP, published as `pulumi policy publish` does", () => {
  it("POST the org route → curl PUT to uploadURI → complete with no body; read back through the registry routes", async () => {
    const file = packTarball({
      "PulumiPolicy.yaml": "runtime: nodejs\ndescription: Storage guards\n",
      "index.ts": "// policies are declared here\n",
      "package.json": '{"name":"storage-guards","version":"1.0.0"}\n',
    });
    const start = await cli("POST", `/api/orgs/${ORG}/policypacks`, {
      token: tokens.publisher,
      // What the CLI sends: its runtime as a bare name, tags as a list, metadata from the VCS.
      body: { name: "storage-guards", displayName: "Storage guards", versionTag: "1.0.0", policies: POLICIES, runtime: "nodejs", tags: ["storage"], provider: "aws", metadata: { "vcs.kind": "git" } },
    });
    expect(start.status, start.text).toBe(200);
    expect(start.headers.get("content-type")).toBe("application/json");
    expect(start.body.version).toBe(1);
    expect(curlPut(start.body.uploadURI, file, start.body.requiredHeaders ?? {})).toBe(200);
    // The CLI posts no body here; the client still says Content-Type: application/json.
    const complete = await cli("POST", `/api/orgs/${ORG}/policypacks/storage-guards/versions/1.0.0/complete`, { token: tokens.publisher });
    expect(complete.status, complete.text).toBe(204);

    const got = await cli("GET", `/api/registry/policypacks/private/${ORG}/storage-guards/versions/1.0.0`, { token: tokens.reader });
    expect(got.status, got.text).toBe(200);
    expect(got.body.policyPack).toMatchObject({
      source: "private",
      publisher: ORG,
      name: "storage-guards",
      version: "1.0.0",
      displayName: "Storage guards",
      accessLevel: "view-only",
      enforcementLevels: ["advisory", "mandatory"],
      description: "Storage guards",
      runtime: { name: "nodejs" },
      visibility: "private",
    });
    expect(got.body.policies.map((p: { name: string }) => p.name)).toEqual(["s3-no-public-read", "owner-tag"]);

    const listed = await cli("GET", `/api/registry/policypacks?orgLogin=${ORG}`, { token: tokens.reader });
    expect(listed.body.policyPacks.map((p: { name: string; version: string }) => `${p.name}@${p.version}`)).toEqual(["storage-guards@1.0.0"]);
    const org = await cli("GET", `/api/orgs/${ORG}/policypacks`, { token: tokens.reader });
    expect(org.body).toEqual({ policyPacks: [{ name: "storage-guards", displayName: "Storage guards", versions: [1], versionTags: ["1.0.0"] }] });

    const download = await fetch(got.body.policyPack.downloadURL, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(readFileSync(file));
    // Private: nobody else reads it.
    expect((await cli("GET", `/api/registry/policypacks/private/${ORG}/storage-guards/versions/1.0.0`)).status).toBe(404);

    const removed = await cli("DELETE", `/api/orgs/${ORG}/policypacks/storage-guards`, { token: tokens.publisher });
    expect(removed.status, removed.text).toBe(204);
    expect((await cli("GET", `/api/registry/policypacks/private/${ORG}/storage-guards/versions/latest`, { token: tokens.reader })).status).toBe(404);
  });

  it("a tarball without PulumiPolicy.yaml is refused at complete with a {code, message} 400", async () => {
    const file = packTarball({ "index.ts": "// no project file\n" });
    const start = await cli("POST", `/api/orgs/${ORG}/policypacks`, { token: tokens.publisher, body: { name: "broken", displayName: "Broken", versionTag: "0.1.0", policies: [] } });
    expect(start.status, start.text).toBe(200);
    expect(curlPut(start.body.uploadURI, file)).toBe(200);
    const complete = await cli("POST", `/api/orgs/${ORG}/policypacks/broken/versions/0.1.0/complete`, { token: tokens.publisher });
    expect(complete.status).toBe(400);
    expect(complete.body).toEqual({ code: 400, message: expect.stringContaining("PulumiPolicy.yaml") });
  });
});

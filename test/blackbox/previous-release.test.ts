// Upgrade in place: state written by the previous release (its own code, run from git history under wrangler dev)
// is served by this code on the same state directory — same answers, same bytes, old tokens, further publishes.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, setupOrg, upload } from "./client";
import { docsInstallation, docsReadme, docsSchema } from "../workers/api-docs-fixture";
import { DOCS_LAYOUT } from "../../src/api-docs/storage";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

/**
 * The last release that landed on main before this code: bump it to the new release's commit once one lands.
 * CI clones main with its history, so the commit is there; a clone without it fails here rather than skip.
 */
const PREVIOUS_RELEASE = "c0951b230fe06e0d4bd6c17f4a8c327b88394af5";

const root = join(__dirname, "..", "..");
type Server = { url: string; adminToken: string; signingSecret: string; tokenKeys: string; state: string; stop(o?: { keepState?: boolean }): Promise<void> };

let previousTree: string;
let server: Server | undefined;
let tokens: { reader: string; publisher: string; admin: string };
/** GET answers of the previous release, by path, with the token they were read with. */
const before = new Map<string, { status: number; body: unknown; sha256: string; token?: string }>();

const TEMPLATE_ARCHIVE_FILES: Record<string, string> = {
  "Pulumi.yaml": "name: ${PROJECT}\ndescription: ${DESCRIPTION}\nruntime: yaml\ntemplate:\n  displayName: Upgrade check\n  description: A template stored by the previous release\n",
  "README.md": "# Upgrade check\n\nStored before the upgrade.\n",
};

function templateArchive(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "upgrade-tpl-"));
  for (const [name, content] of Object.entries(TEMPLATE_ARCHIVE_FILES)) execFileSync("sh", ["-c", `cat > "${join(dir, name)}"`], { input: content });
  const out = `${dir}.tar.gz`;
  execFileSync("tar", ["-czf", out, "-C", dir, ...Object.keys(TEMPLATE_ARCHIVE_FILES)]);
  return execFileSync("cat", [out]);
}

async function publishPackage(url: string, token: string, version: string) {
  const path = "private/upgrade/acmecloud";
  const start = await cli("POST", `${url}/api/registry/packages/${path}/versions`, { token, body: { version } });
  expect(start.status, start.text).toBe(202);
  const schema = JSON.stringify({ ...docsSchema, version });
  for (const [slot, bytes] of [["schema", schema], ["index", docsReadme], ["installationConfiguration", docsInstallation]] as const) {
    expect(await upload(start.body.uploadURLs[slot], bytes)).toBeLessThan(400);
  }
  const done = await cli("POST", `${url}/api/registry/packages/${path}/versions/${version}/complete`, { token, body: { operationID: start.body.operationID } });
  expect(done.status, done.text).toBe(201);
}

async function publishTemplate(url: string, token: string, version: string) {
  const path = "private/upgrade/upgrade-check";
  const start = await cli("POST", `${url}/api/registry/templates/${path}/versions`, { token, body: { version } });
  expect(start.status, start.text).toBe(202);
  expect(await upload(start.body.uploadURLs.archive, templateArchive())).toBeLessThan(400);
  const done = await cli("POST", `${url}/api/registry/templates/${path}/versions/${version}/complete`, { token, body: { operationID: start.body.operationID } });
  expect(done.status, done.text).toBe(201);
}

const pkg = "/api/registry/packages/private/upgrade/acmecloud";
const tpl = "/api/registry/templates/private/upgrade/upgrade-check";
/** Reads whose answers must not change across the upgrade (JSON: every field the old answer had, same value). */
const READS = [
  `${pkg}/versions/latest`,
  `${pkg}/versions/1.0.0`,
  `${pkg}/versions`,
  "/api/registry/packages?orgLogin=upgrade",
  "/api/preview/registry/packages?search=acme&orgLogin=upgrade",
  `${pkg}/versions/1.1.0/nav?depth=full`,
  `${pkg}/versions/1.1.0/readme?lang=python`,
  `${pkg}/versions/1.1.0/installation`,
  `${pkg}/versions/1.1.0/docs/${encodeURIComponent("acmecloud:s3/bucket:Bucket")}?lang=go`,
  `${pkg}/versions/1.1.0/examples`,
  `${pkg}/versions/1.1.0/raw/schema`,
  `${pkg}/versions/1.1.0/raw/readme`,
  `${tpl}/versions/latest`,
  `${tpl}/versions`,
  "/api/registry/templates?orgLogin=upgrade",
  `${tpl}/versions/0.1.0/archive`,
  `${tpl}/versions/0.1.0/readme`,
  `${tpl}/versions/0.1.0/raw/readme`,
  "/api/orgs/upgrade/registry/audit",
];

/** An answer with its server's origin written as ORIGIN: the two releases run on different ports. */
async function read(url: string, path: string, token: string) {
  const response = await fetch(url + path, { headers: { Authorization: `token ${token}`, Accept: "application/json" } });
  const bytes = Buffer.from(await response.arrayBuffer());
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString("utf8").replaceAll(url, "ORIGIN"));
  } catch {
    body = undefined;
  }
  return { status: response.status, body, sha256: createHash("sha256").update(bytes).digest("hex") };
}

async function docsReady(url: string, token: string, version: string) {
  for (let waited = 0; waited < 60_000; waited += 250) {
    const answer = await cli("GET", `${url}${pkg}/versions/${version}`, { token });
    if (answer.body?.docs?.status === "ready") return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the previous release did not derive the docs of ${version} within 60 s`);
}

beforeAll(async () => {
  previousTree = mkdtempSync(join(tmpdir(), "previous-release-"));
  rmSync(previousTree, { recursive: true });
  execFileSync("git", ["worktree", "add", "--detach", previousTree, PREVIOUS_RELEASE], { cwd: root, stdio: "pipe" });
  symlinkSync(join(root, "node_modules"), join(previousTree, "node_modules"));
  const previous = await import(join(previousTree, "scripts", "dev-server.mjs"));
  const old: Server = await previous.startDevServer({ name: "previous-release", uploadMode: "r2" });
  try {
    tokens = await setupOrg("upgrade", old);
    await publishPackage(old.url, tokens.publisher, "1.0.0");
    await publishPackage(old.url, tokens.publisher, "1.1.0");
    await publishTemplate(old.url, tokens.publisher, "0.1.0");
    const deprecated = await cli("PUT", `${old.url}${pkg}/versions/1.0.0/deprecation`, { token: tokens.publisher, body: { message: "use 1.1.0" } });
    expect(deprecated.status, deprecated.text).toBe(204);
    // The docs are derived after complete: the answers are read once both versions' docs are ready.
    for (const version of ["1.0.0", "1.1.0"]) await docsReady(old.url, tokens.reader, version);
    for (const path of READS) {
      const token = path.endsWith("/audit") ? tokens.admin : tokens.reader;
      before.set(path, { ...(await read(old.url, path, token)), token });
    }
  } finally {
    await old.stop({ keepState: true });
  }
  // This code on the same state: its own migrations are applied on top of the previous release's.
  // The same secrets: an operator upgrades the code, not the secrets (org tokens carry a MAC under TOKEN_KEYS).
  // The replaced docs' objects go 2 s after a swap (60 s by default): the upgrade's sweep, delayed by the local queue, within the test.
  server = await startDevServer({ name: "this-release", uploadMode: "r2", state: old.state, adminToken: old.adminToken, signingSecret: old.signingSecret, tokenKeys: old.tokenKeys, vars: { DOCS_SWEEP_SECONDS: "2" } });
}, 300_000);

afterAll(async () => {
  await server?.stop();
  if (previousTree && existsSync(previousTree)) execFileSync("git", ["worktree", "remove", "--force", previousTree], { cwd: root, stdio: "pipe" });
});

/** Every field of `old` is in `now` with the same value (answers may gain fields, never lose or change one). */
function expectSuperset(now: unknown, old: unknown, where: string) {
  if (old !== null && typeof old === "object" && !Array.isArray(old)) {
    expect(now, where).toBeTypeOf("object");
    for (const [key, value] of Object.entries(old)) expectSuperset((now as Record<string, unknown>)[key], value, `${where}.${key}`);
  } else if (Array.isArray(old)) {
    expect(Array.isArray(now), where).toBe(true);
    expect((now as unknown[]).length, where).toBe(old.length);
    old.forEach((value, i) => expectSuperset((now as unknown[])[i], value, `${where}[${i}]`));
  } else {
    expect(now, where).toEqual(old);
  }
}

describe("state written by the previous release", () => {
  it("was written and read by the previous release's own code", () => {
    for (const [path, answer] of before) expect(answer.status, path).toBe(200);
  });

  it("is served with the same answers: JSON fields kept, downloads byte-identical", async () => {
    for (const [path, old] of before) {
      const now = await read(server!.url, path, old.token!);
      expect(now.status, path).toBe(200);
      if (path.endsWith("/audit")) {
        // The audit log grows with every request that changes something; the old entries stay as they were.
        const entries = (now.body as { entries: unknown[] }).entries;
        const oldEntries = (old.body as { entries: unknown[] }).entries;
        for (const entry of oldEntries) expect(entries).toContainEqual(entry);
      } else if (old.body === undefined || path.includes("/raw/") || path.endsWith("/archive")) {
        expect(now.sha256, path).toBe(old.sha256);
      } else {
        expectSuperset(now.body, old.body, path);
      }
    }
  });

  it("derives the previous release's docs again once read, when their layout is older, and answers the same after the swap", async () => {
    // DOCS_LAYOUT of the previous release (0 before the manifest recorded one) against this code's.
    const previousSource = execFileSync("git", ["show", `${PREVIOUS_RELEASE}:src/api-docs/storage.ts`], { cwd: root, encoding: "utf8" });
    const older = Number(/export const DOCS_LAYOUT = (\d+)/.exec(previousSource)?.[1] ?? 0) < DOCS_LAYOUT;
    const report = async (version: string) => (await cli("GET", `${server!.url}/api/admin/packages/private/upgrade/acmecloud/versions/${version}/docs`, { token: server!.adminToken })).body;
    // 1.1.0's docs were read by the test before, which started their upgrade: wait for its job to end (swap, then sweep).
    const deadline = Date.now() + 90_000;
    let read110 = await report("1.1.0");
    while ((read110.job?.status !== "done" || (older && read110.job.attempt < 2)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      read110 = await report("1.1.0");
    }
    expect(read110).toMatchObject({ status: "ready", job: { status: "done" } });
    if (older) expect(read110.job.attempt).toBeGreaterThanOrEqual(2);
    // 1.0.0's docs were not read: nothing was derived for them.
    expect((await report("1.0.0")).job?.attempt ?? 1).toBe(1);
    for (const [path, old] of before) {
      if (!path.includes("/versions/1.1.0/")) continue;
      const now = await read(server!.url, path, old.token!);
      expect(now.status, path).toBe(200);
      if (old.body === undefined || path.includes("/raw/")) expect(now.sha256, path).toBe(old.sha256);
      else expectSuperset(now.body, old.body, path);
    }
  }, 120_000);

  it("keeps the previous release's tokens and pages working", async () => {
    expect((await cli("GET", `${server!.url}/api/user`, { token: tokens.reader })).status).toBe(200);
    const signIn = await fetch(`${server!.url}/sign-in`, { method: "POST", body: new URLSearchParams({ token: tokens.reader }), headers: { Origin: server!.url }, redirect: "manual" });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(`${server!.url}/packages/private/upgrade/acmecloud`, { headers: { Cookie: cookie, Accept: "text/html" } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("acmecloud");
    expect(html).toContain("1.1.0");
  });

  it("takes new versions beside the old ones, and deletes and deprecates old ones", async () => {
    await publishPackage(server!.url, tokens.publisher, "1.2.0");
    const latest = await cli("GET", `${server!.url}${pkg}/versions/latest`, { token: tokens.reader });
    expect(latest.body.version).toBe("1.2.0");
    // Versions whose docs the previous release derived at complete report them ready; the new one gets its docs from a durable job.
    expect((await cli("GET", `${server!.url}${pkg}/versions/1.1.0`, { token: tokens.reader })).body.docs).toEqual({ status: "ready" });
    const deadline = Date.now() + 60_000;
    let fresh = latest.body.docs.status as string;
    while (fresh === "pending" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      fresh = (await cli("GET", `${server!.url}${pkg}/versions/1.2.0`, { token: tokens.reader })).body.docs.status;
    }
    expect(fresh).toBe("ready");
    const oldNav = before.get(`${pkg}/versions/1.1.0/nav?depth=full`)!.body as { modules: unknown[] };
    const newNav = await read(server!.url, `${pkg}/versions/1.2.0/nav?depth=full`, tokens.reader);
    expect((newNav.body as { modules: unknown[] }).modules).toEqual(oldNav.modules);
    expect((await cli("DELETE", `${server!.url}${pkg}/versions/1.1.0`, { token: tokens.publisher })).status).toBe(204);
    const listed = await cli("GET", `${server!.url}${pkg}/versions`, { token: tokens.reader });
    expect(listed.body.packages.map((p: { version: string }) => p.version)).toEqual(["1.2.0", "1.0.0"]);
    expect((await cli("DELETE", `${server!.url}${pkg}/versions/1.0.0/deprecation`, { token: tokens.publisher })).status).toBe(204);
    expect((await cli("GET", `${server!.url}${pkg}/versions/1.0.0`, { token: tokens.reader })).body.deprecation).toBeUndefined();
    // The previous release's template archive is still the template's download.
    const archive = await read(server!.url, `${tpl}/versions/latest/archive`, tokens.reader);
    expect(archive.sha256).toBe(before.get(`${tpl}/versions/0.1.0/archive`)!.sha256);
  });
});

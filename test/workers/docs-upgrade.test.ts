// Docs an earlier release derived (a manifest without `layout`: heads and lists whose reads grow with the
// package) are served as they are and derived again in the background the first time they are read, once;
// a version whose docs job is running or failed is left alone.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { database } from "../../src/db/client";
import { findJob, runJobMessage } from "../../src/jobs/jobs";
import { docsJob, DOCS_JOB, rederiveAfterDone, upgradeDocs } from "../../src/api-docs/docs-job";
import { DOCS_LAYOUT } from "../../src/api-docs/storage";
import { call, orgWithTokens, type OrgTokens } from "./helpers";
import { docsSchemaNamed, publishPackage, versionRow } from "./publish-helpers";
import { docsReadme } from "./api-docs-fixture";

const E = env as unknown as Env;
const db = database(E.DB);
let acme: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("upgr");
});

/**
 * Makes a version's docs look derived by an earlier release: its docs objects copied under `<docs>/prev/`, the
 * manifest without `layout`, and the artifact map pointing at the copies. Answers the copies' keys.
 */
async function asEarlierRelease(path: string): Promise<{ id: string; keys: string[] }> {
  const row = await versionRow(path, "2.1.0");
  const artifacts = JSON.parse(row.artifacts) as Record<string, string>;
  const moved: Record<string, string> = {};
  for (const [name, key] of Object.entries(artifacts)) {
    if (!name.startsWith("docs.")) continue;
    const copy = key.replace(/\/docs\/(a\d+\/)?/, "/docs/prev/");
    const object = (await E.ARTIFACTS.get(key))!;
    let body: string | ArrayBuffer = await object.arrayBuffer();
    if (name === "docs.manifest") {
      const manifest = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
      expect(manifest.layout).toBe(DOCS_LAYOUT);
      delete manifest.layout;
      body = JSON.stringify(manifest);
    }
    await E.ARTIFACTS.put(copy, body);
    await E.ARTIFACTS.delete(key);
    moved[name] = copy;
  }
  await E.DB.prepare("UPDATE versions SET artifacts = ? WHERE id = ?").bind(JSON.stringify({ ...artifacts, ...moved }), row.id).run();
  return { id: row.id, keys: Object.values(moved) };
}

async function until(what: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const docsPath = (path: string, token: string) => `/api/registry/packages/${path}/versions/2.1.0/docs/${encodeURIComponent(token)}`;

describe("docs derived in an earlier layout", () => {
  it("are served as they are, derived again once in the background, and swapped in: the same answers, the old objects gone", async () => {
    const path = "pulumi/upgr/old";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("old"), readme: docsReadme });
    const token = "old:s3/bucket:Bucket";
    const before = await (await call(docsPath(path, token), { token: acme.reader })).text();
    const { id, keys } = await asEarlierRelease(path);
    const attempt = (await findJob(db, DOCS_JOB, id))!.attempt;

    const r = await call(docsPath(path, token), { token: acme.reader });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(before);
    // The new attempt derives under a fresh prefix and swaps it in; the copies go DOCS_SWEEP_SECONDS (1 s here) later.
    await until(async () => (await findJob(db, DOCS_JOB, id))?.status === "done" && (await findJob(db, DOCS_JOB, id))!.attempt === attempt + 1);
    const artifacts = JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>;
    expect(artifacts["docs.manifest"]).toContain(`/docs/a${attempt + 1}/manifest.json`);
    const manifest = (await (await E.ARTIFACTS.get(artifacts["docs.manifest"]!))!.json()) as { layout?: number };
    expect(manifest.layout).toBe(DOCS_LAYOUT);
    for (const key of keys) expect(await E.ARTIFACTS.head(key), key).toBeNull();
    expect(await (await call(docsPath(path, token), { token: acme.reader })).text()).toBe(before);

    // Upgraded docs start nothing more.
    for (let i = 0; i < 3; i++) expect((await call(docsPath(path, token), { token: acme.reader })).status).toBe(200);
    expect((await findJob(db, DOCS_JOB, id))!.attempt).toBe(attempt + 1);
  });

  it("a version whose docs job is running, or whose last attempt failed, is left alone; one asks only once per isolate", async () => {
    const path = "pulumi/upgr/busy";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("busy"), readme: docsReadme });
    const { id } = await asEarlierRelease(path);
    const attempt = (await findJob(db, DOCS_JOB, id))!.attempt;
    for (const status of ["pending", "failed"]) {
      await E.DB.prepare("UPDATE jobs SET status = ?, lease_until = ? WHERE kind = ? AND subject = ?").bind(status, Date.now() + 600_000, DOCS_JOB, id).run();
      // Whatever isolate asks, the row decides.
      expect(await rederiveAfterDone(E, id)).toBe(false);
      expect((await findJob(db, DOCS_JOB, id))).toMatchObject({ attempt, status });
    }
    // Read while failed: served as it is, nothing started.
    expect((await call(docsPath(path, "busy:s3/bucket:Bucket"), { token: acme.reader })).status).toBe(200);
    expect((await findJob(db, DOCS_JOB, id))).toMatchObject({ attempt, status: "failed" });
  });

  it("a version whose job finished is upgraded by the first ask of an isolate only", async () => {
    const path = "pulumi/upgr/once";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("once"), readme: docsReadme });
    const { id } = await asEarlierRelease(path);
    const attempt = (await findJob(db, DOCS_JOB, id))!.attempt;
    expect(await upgradeDocs(E, id)).toBe(true);
    expect(await upgradeDocs(E, id)).toBe(false);
    expect((await findJob(db, DOCS_JOB, id))!.attempt).toBe(attempt + 1);
    await until(async () => (await findJob(db, DOCS_JOB, id))?.status === "done");
  });
});

// Review (review-upgrade): upgrades under races and failures.
describe("upgrades, hostile cases", () => {
  const noQueue = { ...E, JOBS_QUEUE: undefined } as unknown as Env;

  it("a reader that found the earlier manifest just before the upgrade finished starts no second derivation", async () => {
    const path = "pulumi/upgr/stale";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("stale"), readme: docsReadme });
    const { id } = await asEarlierRelease(path);
    const oldManifest = (JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>)["docs.manifest"]!;
    const attempt = (await findJob(db, DOCS_JOB, id))!.attempt;
    expect(await rederiveAfterDone(E, id, oldManifest)).toBe(true);
    await until(async () => (await findJob(db, DOCS_JOB, id))?.status === "done");
    // Another isolate (its own memo empty) read the old map before the swap: its ask comes now, the job `done`.
    // Without the manifest condition the ask started attempt + 2, a whole derivation of docs already upgraded.
    expect(await rederiveAfterDone(E, id, oldManifest)).toBe(false);
    expect((await findJob(db, DOCS_JOB, id))!).toMatchObject({ attempt: attempt + 1, status: "done" });
  });

  it("a version with no docs job row at all (stored before jobs) is upgraded too, under a1/", async () => {
    const path = "pulumi/upgr/norow";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("norow"), readme: docsReadme });
    const token = "norow:s3/bucket:Bucket";
    const before = await (await call(docsPath(path, token), { token: acme.reader })).text();
    const { id, keys } = await asEarlierRelease(path);
    await E.DB.prepare("DELETE FROM jobs WHERE kind = ? AND subject = ?").bind(DOCS_JOB, id).run();
    expect((await call(docsPath(path, token), { token: acme.reader })).status).toBe(200);
    await until(async () => (await findJob(db, DOCS_JOB, id))?.status === "done");
    const artifacts = JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>;
    expect(artifacts["docs.manifest"]).toContain("/docs/a1/manifest.json");
    for (const key of keys) expect(await E.ARTIFACTS.head(key), key).toBeNull();
    expect(await (await call(docsPath(path, token), { token: acme.reader })).text()).toBe(before);
  });

  it("an upgrade whose derivation fails: the earlier docs keep serving, nothing of the attempt stays, and no read starts it again", async () => {
    const path = "pulumi/upgr/broken";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("broken"), readme: docsReadme });
    const token = "broken:s3/bucket:Bucket";
    const before = await (await call(docsPath(path, token), { token: acme.reader })).text();
    const { id } = await asEarlierRelease(path);
    const artifacts = JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>;
    const again = artifacts["docs.manifest"]!;
    // The upgrade a read would start, its messages run here by hand.
    expect(await rederiveAfterDone(noQueue, id, again)).toBe(true);
    const job = (await findJob(db, DOCS_JOB, id))!;
    const schemaKey = artifacts.schema!;
    const unreadable = new Proxy(E.ARTIFACTS, {
      get(target, p) {
        if (p === "get") return (key: string, ...rest: unknown[]) => (key === schemaKey ? Promise.reject(new Error("schema unreadable")) : (target.get as (...a: unknown[]) => unknown)(key, ...rest));
        const v = Reflect.get(target, p) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const broken = { ...noQueue, ARTIFACTS: unreadable, DOCS_STEP_BYTES: "4096" } as unknown as Env;
    const handlers = new Map([[DOCS_JOB, docsJob]]);
    for (let i = 0; i < 3; i++) {
      await E.DB.prepare("UPDATE jobs SET lease_until = 0 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, id).run();
      await runJobMessage(broken, handlers, { kind: DOCS_JOB, subject: id, attempt: job.attempt, step: 0 });
    }
    expect((await findJob(db, DOCS_JOB, id))!).toMatchObject({ attempt: job.attempt, status: "failed" });
    expect((await versionRow(path, "2.1.0")).docsStatus).toBe("ready");
    const base = schemaKey.replace(/[^/]*$/, "") + "docs/";
    expect((await E.ARTIFACTS.list({ prefix: `${base}a${job.attempt}/` })).objects).toEqual([]);
    expect(await rederiveAfterDone(noQueue, id, again)).toBe(false);
    for (let i = 0; i < 3; i++) expect(await (await call(docsPath(path, token), { token: acme.reader })).text()).toBe(before);
    expect((await findJob(db, DOCS_JOB, id))!).toMatchObject({ attempt: job.attempt, status: "failed" });
  });

  it("isolates asking at once start one attempt", async () => {
    const path = "pulumi/upgr/crowd";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("crowd"), readme: docsReadme });
    const { id } = await asEarlierRelease(path);
    const key = (JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>)["docs.manifest"]!;
    const attempt = (await findJob(db, DOCS_JOB, id))!.attempt;
    const started = await Promise.all(Array.from({ length: 6 }, () => rederiveAfterDone(noQueue, id, key)));
    expect(started.filter(Boolean)).toHaveLength(1);
    expect((await findJob(db, DOCS_JOB, id))!).toMatchObject({ attempt: attempt + 1, status: "pending" });
    // Left pending (no queue here): marked done so nothing else in this file waits on it.
    await E.DB.prepare("UPDATE jobs SET status = 'done' WHERE kind = ? AND subject = ?").bind(DOCS_JOB, id).run();
  });

  it("a private version's docs are upgraded by its readers' reads only: anonymous and other orgs' asks (404) start nothing", async () => {
    const path = "private/upgr/hidden";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: docsSchemaNamed("hidden"), readme: docsReadme });
    const { id } = await asEarlierRelease(path);
    const attempt = (await findJob(db, DOCS_JOB, id))!.attempt;
    const other = await orgWithTokens("upgrother");
    const token = "hidden:s3/bucket:Bucket";
    expect((await call(docsPath(path, token))).status).toBe(404);
    expect((await call(docsPath(path, token), { token: other.reader })).status).toBe(404);
    expect((await call(`/api/registry/packages/${path}/versions/2.1.0/nav`)).status).toBe(404);
    expect((await findJob(db, DOCS_JOB, id))!).toMatchObject({ attempt, status: "done" });
    expect((await call(docsPath(path, token), { token: acme.reader })).status).toBe(200);
    await until(async () => (await findJob(db, DOCS_JOB, id))?.status === "done" && (await findJob(db, DOCS_JOB, id))!.attempt === attempt + 1);
  });
});

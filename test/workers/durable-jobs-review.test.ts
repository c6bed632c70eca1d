// Review (s5): what a superseded or failing docs attempt leaves behind, on real D1, R2 and the real job queue.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { database } from "../../src/db/client";
import { createJob, findJob, redriveStalled, runJobMessage, type JobRow } from "../../src/jobs/jobs";
import { docsJob, DOCS_JOB, MAX_SWEEP_SECONDS, rederiveAfterDone, rederiveDocs } from "../../src/api-docs/docs-job";
import type { Identity } from "../../src/core/vocabulary/identity";
import { ADMIN, call, callJson, orgWithTokens, type OrgTokens } from "./helpers";
import { docsSettled, publishPackage, docsSchemaNamed, versionRow } from "./publish-helpers";
import { docsReadme } from "./api-docs-fixture";

const E = env as unknown as Env;
const db = database(E.DB);
let acme: OrgTokens;
beforeAll(async () => {
  acme = await orgWithTokens("reviewjobs");
});

const schemaOf = docsSchemaNamed;

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await E.ARTIFACTS.list({ prefix, cursor });
    out.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

async function jobDone(id: string) {
  const deadline = Date.now() + 60_000;
  while ((await findJob(db, DOCS_JOB, id))!.status === "pending" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe("a docs attempt superseded by an operator's re-drive", () => {
  it("leaves nothing behind: no temporaries, no unreferenced docs objects under the version's docs prefix", async () => {
    const path = "pulumi/reviewjobs/superseded";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("superseded"), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const artifacts = JSON.parse(row.artifacts) as Record<string, string>;
    const base = artifacts.schema!.replace(/[^/]*$/, "") + "docs/";
    // A new attempt (as a re-drive makes) whose messages this test runs by hand, a few small steps of it.
    const [created] = await createJob(db, DOCS_JOB, row.id, null);
    const manual = { ...E, JOBS_QUEUE: undefined, DOCS_STEP_BYTES: "4096", DOCS_SWEEP_SECONDS: "0" } as unknown as Env;
    const handlers = new Map([[DOCS_JOB, docsJob]]);
    for (let step = 0; step < 3; step++) await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: created!.attempt, step });
    const job = (await findJob(db, DOCS_JOB, row.id))!;
    expect(job).toMatchObject({ status: "pending", step: 3 });
    const midway = await keysUnder(base);
    const recorded = new Set(Object.values(JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>));
    expect(midway.filter((k) => !recorded.has(k)).length).toBeGreaterThan(0); // the attempt has written work of its own
    // The operator re-drives while that attempt waits between steps: the new attempt runs on the real queue.
    const redo = await callJson(`/api/admin/packages/${path}/versions/2.1.0/docs`, { method: "POST", token: ADMIN });
    expect(redo.status).toBe(202);
    await jobDone(row.id);
    expect(await docsSettled(acme.publisher, path, "2.1.0")).toBe("ready");
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("done");
    const after = new Set(Object.values(JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>));
    const leftover = (await keysUnder(base)).filter((k) => !after.has(k));
    expect(leftover).toEqual([]);
  });
});

/** Runs an attempt's messages by hand (no queue, `vars` over the test env) until its job leaves that step or `until` says stop. */
async function runByHand(id: string, attempt: number, until: (step: number, job: JobRow) => boolean = () => false, vars: Record<string, string> = {}) {
  const manual = { ...E, JOBS_QUEUE: undefined, DOCS_STEP_BYTES: "4096", ...vars } as unknown as Env;
  const handlers = new Map([[DOCS_JOB, docsJob]]);
  for (let i = 0; i < 200; i++) {
    const job = (await findJob(db, DOCS_JOB, id))!;
    if (job.attempt !== attempt || job.status !== "pending" || until(job.step, job)) return job;
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: id, attempt, step: job.step });
  }
  return (await findJob(db, DOCS_JOB, id))!;
}

describe("a failing first attempt racing the re-drive that superseded it", () => {
  it("its cleanup leaves the new attempt's work alone, and it does not mark the version failed", async () => {
    const path = "pulumi/reviewjobs/failrace";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("failrace"), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const artifacts = JSON.parse(row.artifacts) as Record<string, string>;
    // Back to a first derivation (attempt 1, nothing recorded: it writes beside the schema).
    await E.ARTIFACTS.delete(Object.entries(artifacts).filter(([k]) => k.startsWith("docs.")).map(([, key]) => key));
    const kept = Object.fromEntries(Object.entries(artifacts).filter(([k]) => !k.startsWith("docs.")));
    await E.DB.prepare("UPDATE versions SET artifacts = ?, docs_status = 'pending' WHERE id = ?").bind(JSON.stringify(kept), row.id).run();
    await E.DB.prepare("DELETE FROM jobs WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
    await createJob(db, DOCS_JOB, row.id, null);
    const first = await runByHand(row.id, 1, (step) => step >= 2);
    expect(first).toMatchObject({ attempt: 1, step: 2 });
    // The operator re-drives; the new attempt gets going; then the old attempt's failure (claimed before) lands.
    const [second] = await createJob(db, DOCS_JOB, row.id, null);
    expect(second!.attempt).toBe(2);
    await runByHand(row.id, 2, (step) => step >= 3);
    await docsJob.failed(E, first, "step 2 broke");
    expect((await versionRow(path, "2.1.0")).docsStatus).toBe("pending");
    const done = await runByHand(row.id, 2);
    expect(done).toMatchObject({ attempt: 2, status: "done" });
    expect(await docsSettled(acme.publisher, path, "2.1.0")).toBe("ready");
    expect((await callJson(`/api/registry/packages/${path}/versions/2.1.0/nav`)).status).toBe(200);
  });
});

describe("a superseded attempt's last step, claimed before the re-drive", () => {
  it("records nothing and leaves nothing: the newer attempt's docs are the ones served", async () => {
    const path = "pulumi/reviewjobs/stalelast";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("stalelast"), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const base = (JSON.parse(row.artifacts) as Record<string, string>).schema!.replace(/[^/]*$/, "") + "docs/";
    const [a] = await createJob(db, DOCS_JOB, row.id, null);
    // A first re-derivation runs to the end (ready docs at a fresh prefix, served meanwhile).
    await runByHand(row.id, a!.attempt, () => false);
    const manual = { ...E, JOBS_QUEUE: undefined, DOCS_STEP_BYTES: "4096" } as unknown as Env;
    // Attempt A runs up to its last step (finish), which it has claimed when the re-drive comes.
    const [a2] = await createJob(db, DOCS_JOB, row.id, null);
    let prev = (await findJob(db, DOCS_JOB, row.id))!;
    for (let i = 0; i < 200; i++) {
      const state = JSON.parse(prev.state) as { inner?: { phase?: string } } | null;
      if (state?.inner?.phase === "finish") break;
      prev = await runByHand(row.id, a2!.attempt, (step) => step > prev.step);
    }
    const stale = prev;
    const before = JSON.parse((await versionRow(path, "2.1.0")).artifacts)["docs.manifest"];
    const [b] = await createJob(db, DOCS_JOB, row.id, null);
    // The stale last step ends after the re-drive committed: it records nothing (the map is unchanged) and drops what it wrote.
    await docsJob.step(manual, stale, JSON.parse(stale.state));
    expect(JSON.parse((await versionRow(path, "2.1.0")).artifacts)["docs.manifest"]).toBe(before);
    await runByHand(row.id, b!.attempt);
    const after = JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>;
    expect(after["docs.manifest"]).toContain(`/docs/a${b!.attempt}/`);
    const recorded = new Set(Object.values(after));
    expect((await keysUnder(base)).filter((k) => !recorded.has(k))).toEqual([]);
    expect((await callJson(`/api/registry/packages/${path}/versions/2.1.0/nav`)).status).toBe(200);
  });
});

describe("a version deleted while its docs job is between steps", () => {
  it("the next step drops the attempt's work, aborting the multipart upload it had open", async () => {
    const path = "pulumi/reviewjobs/deletedmid";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("deletedmid"), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const base = (JSON.parse(row.artifacts) as Record<string, string>).schema!.replace(/[^/]*$/, "") + "docs/";
    const [a] = await createJob(db, DOCS_JOB, row.id, null);
    const job = await runByHand(row.id, a!.attempt, (step) => step >= 2);
    const prefix = (JSON.parse(job.state) as { prefix: string }).prefix;
    expect(prefix).toBe(`${base}a${a!.attempt}/`);
    // What writeParts leaves between steps of a large schema: an open upload of `pack`, its id under tmp.
    const upload = await E.ARTIFACTS.createMultipartUpload(`${prefix}pack`);
    await E.ARTIFACTS.put(`${prefix}tmp/${row.id}-${a!.attempt}/pack-upload`, upload.uploadId);
    await E.ARTIFACTS.resumeMultipartUpload(`${prefix}pack`, upload.uploadId).uploadPart(1, new Uint8Array(5 * 1024 * 1024));
    expect((await call(`/api/registry/packages/${path}/versions/2.1.0`, { method: "DELETE", token: acme.publisher })).status).toBe(204);
    const done = await runByHand(row.id, a!.attempt);
    expect(done.status).toBe("done");
    expect(await keysUnder(prefix)).toEqual([]);
    // The upload is gone, not merely unreferenced: R2 keeps (and bills) an open upload's parts.
    await expect(E.ARTIFACTS.resumeMultipartUpload(`${prefix}pack`, upload.uploadId).uploadPart(2, new Uint8Array(10))).rejects.toThrow();
  });
});

describe("renderings of the replaced docs", () => {
  it("a page rendered from the old docs while the re-derivation ran leaves nothing under the old prefix after the swap", async () => {
    const path = "pulumi/reviewjobs/rendered";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("rendered"), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const oldManifest = (JSON.parse(row.artifacts) as Record<string, string>)["docs.manifest"]!;
    const oldPrefix = oldManifest.slice(0, -"manifest.json".length);
    const [b] = await createJob(db, DOCS_JOB, row.id, null);
    await runByHand(row.id, b!.attempt, (step) => step >= 1);
    expect((await call(`/packages/${path}`, { headers: { Accept: "text/html" } })).status).toBe(200);
    const rendered = (await keysUnder(oldPrefix)).filter((k) => k.slice(oldPrefix.length).startsWith("rendered/"));
    expect(rendered.length).toBeGreaterThan(0);
    expect((await runByHand(row.id, b!.attempt)).status).toBe("done");
    const after = JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>;
    expect(after["docs.manifest"]).toContain(`/docs/a${b!.attempt}/`);
    for (const key of rendered) expect(await E.ARTIFACTS.head(key)).toBeNull();
  });
});

describe("a schema with a resource token twice", () => {
  // The scanner reports both entries and both are packed; the index step used to keep both lines and the
  // docs route answered the FIRST, where JSON.parse (and the CLI's Go decoder) keep the LAST.
  it("its docs describe the last definition, as JSON.parse reads the schema", async () => {
    const path = "pulumi/reviewjobs/dupres";
    const schema = '{"name":"dupres","version":"2.1.0","resources":{"dupres:a:B":{"description":"first one"},"dupres:a:B":{"description":"second one"}}}';
    expect((JSON.parse(schema) as { resources: Record<string, { description: string }> }).resources["dupres:a:B"]!.description).toBe("second one");
    await publishPackage(acme.publisher, path, "2.1.0", { schema });
    const d = await callJson(`/api/registry/packages/${path}/versions/2.1.0/docs/${encodeURIComponent("dupres:a:B")}`);
    expect(d.status).toBe(200);
    expect(JSON.stringify(d.body)).toContain("second one");
    expect(JSON.stringify(d.body)).not.toContain("first one");
  });
});

describe("the replaced docs after a re-derivation's swap", () => {
  it("outlive the swap until the job's last step, DOCS_SWEEP_SECONDS later: a reader holding the old artifact map still gets its answers", async () => {
    const path = "pulumi/reviewjobs/sweep";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("sweep"), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const oldArtifacts = JSON.parse(row.artifacts) as Record<string, string>;
    const oldKeys = Object.entries(oldArtifacts).filter(([k]) => k.startsWith("docs.")).map(([, key]) => key);
    const token = encodeURIComponent("sweep:s3/bucket:Bucket");
    const before = await (await call(`/api/registry/packages/${path}/versions/2.1.0/docs/${token}`)).text();
    const [b] = await createJob(db, DOCS_JOB, row.id, null);
    // Every step but the sweep (a step past the swap that waits DOCS_SWEEP_SECONDS: 30 s here, so its lease holds).
    const manual = { ...E, JOBS_QUEUE: undefined, DOCS_STEP_BYTES: "4096", DOCS_SWEEP_SECONDS: "30" } as unknown as Env;
    const handlers = new Map([[DOCS_JOB, docsJob]]);
    const job = await runByHand(row.id, b!.attempt, (_, j) => !!JSON.parse(j.state ?? "null")?.sweep, { DOCS_SWEEP_SECONDS: "30" });
    expect(job.status).toBe("pending");
    expect((JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>)["docs.manifest"]).toContain(`/docs/a${b!.attempt}/`);
    // Swapped: the old objects are all still there, and the sweep's message cannot claim the job before its time.
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: b!.attempt, step: job.step });
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
    expect(await (await call(`/api/registry/packages/${path}/versions/2.1.0/docs/${token}`)).text()).toBe(before);
    // Its time come (the lease given back, as the delayed message finds it), the last step deletes them and ends the job.
    await E.DB.prepare("UPDATE jobs SET lease_until = 0 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: b!.attempt, step: job.step });
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).toBeNull();
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("done");
    expect(await (await call(`/api/registry/packages/${path}/versions/2.1.0/docs/${token}`)).text()).toBe(before);
  });
});

// Review (review-upgrade): the sweep of the replaced docs, hostile cases.
describe("the sweep of replaced docs, when things go wrong", () => {
  const handlers = new Map([[DOCS_JOB, docsJob]]);
  const manual = { ...E, JOBS_QUEUE: undefined, DOCS_STEP_BYTES: "4096", DOCS_SWEEP_SECONDS: "30" } as unknown as Env;

  /** Publishes, then runs a re-derivation by hand up to (not through) its sweep step. */
  async function upToSweep(name: string, env: Env = manual) {
    const path = `pulumi/reviewjobs/${name}`;
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf(name), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const oldArtifacts = JSON.parse(row.artifacts) as Record<string, string>;
    const oldKeys = Object.entries(oldArtifacts).filter(([k]) => k.startsWith("docs.")).map(([, key]) => key);
    const base = oldArtifacts.schema!.replace(/[^/]*$/, "") + "docs/";
    const [b] = await createJob(db, DOCS_JOB, row.id, null);
    let job = (await findJob(db, DOCS_JOB, row.id))!;
    for (let i = 0; i < 200 && !JSON.parse(job.state ?? "null")?.sweep; i++) {
      await runJobMessage(env, handlers, { kind: DOCS_JOB, subject: row.id, attempt: b!.attempt, step: job.step });
      job = (await findJob(db, DOCS_JOB, row.id))!;
    }
    expect(job.status).toBe("pending");
    return { path, row, oldKeys, base, attempt: b!.attempt, job };
  }

  it("a sweep failing every try ends the job done (not failed, which would bar every later upgrade), and the next attempt deletes what it left", async () => {
    const { path, row, oldKeys, base, attempt, job } = await upToSweep("sweepfails");
    const failing = new Proxy(E.ARTIFACTS, {
      get(target, p) {
        if (p === "delete") return () => Promise.reject(new Error("R2 delete unavailable"));
        const v = Reflect.get(target, p) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const broken = { ...manual, ARTIFACTS: failing } as unknown as Env;
    for (let i = 0; i < 3; i++) {
      await E.DB.prepare("UPDATE jobs SET lease_until = 0 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
      await runJobMessage(broken, handlers, { kind: DOCS_JOB, subject: row.id, attempt, step: job.step });
    }
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("done");
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
    // A later upgrade (or re-drive) may start, and its first step deletes what the sweep left.
    expect(await rederiveAfterDone({ ...E, JOBS_QUEUE: undefined } as unknown as Env, row.id)).toBe(true);
    const next = (await findJob(db, DOCS_JOB, row.id))!;
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: next.attempt, step: 0 });
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).toBeNull();
    const recorded = new Set(Object.values(JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>));
    expect((await keysUnder(base)).filter((k) => !recorded.has(k) && !k.includes(`/docs/a${next.attempt}/`))).toEqual([]);
  });

  it("a last step cut off after its swap (the row not advanced) still sweeps the replaced docs when it is run again", async () => {
    const path = "pulumi/reviewjobs/cutoff";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("cutoff"), readme: docsReadme });
    const row = await versionRow(path, "2.1.0");
    const oldArtifacts = JSON.parse(row.artifacts) as Record<string, string>;
    const oldKeys = Object.entries(oldArtifacts).filter(([k]) => k.startsWith("docs.")).map(([, key]) => key);
    const base = oldArtifacts.schema!.replace(/[^/]*$/, "") + "docs/";
    const [b] = await createJob(db, DOCS_JOB, row.id, null);
    let job = (await findJob(db, DOCS_JOB, row.id))!;
    for (let i = 0; i < 200 && (JSON.parse(job.state) as { inner?: { phase?: string } } | null)?.inner?.phase !== "finish"; i++) {
      await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: b!.attempt, step: job.step });
      job = (await findJob(db, DOCS_JOB, row.id))!;
    }
    // The finish step runs and swaps, and is cut off before the runner stores its outcome.
    const lost = await docsJob.step(manual, job, JSON.parse(job.state));
    expect(lost).toMatchObject({ done: false });
    expect((JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>)["docs.manifest"]).toContain(`/docs/a${b!.attempt}/`);
    // Run again (the re-driver re-sends it): the replaced docs are still swept, after the delay.
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: b!.attempt, step: job.step });
    job = (await findJob(db, DOCS_JOB, row.id))!;
    expect(job.status).toBe("pending");
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
    await E.DB.prepare("UPDATE jobs SET lease_until = 0 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: b!.attempt, step: job.step });
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("done");
    const recorded = new Set(Object.values(JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>));
    expect((await keysUnder(base)).filter((k) => !recorded.has(k))).toEqual([]);
    expect((await callJson(`/api/registry/packages/${path}/versions/2.1.0/nav`)).status).toBe(200);
  });

  it("the re-driver leaves a waiting sweep alone while its lease holds", async () => {
    const { row, oldKeys, job } = await upToSweep("sweepredrive");
    // As if the stall time had passed (updated long ago) while the lease still holds.
    await E.DB.prepare("UPDATE jobs SET updated_at = 0 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
    await redriveStalled({ ...E, JOBS_QUEUE: undefined } as unknown as Env);
    expect((await findJob(db, DOCS_JOB, row.id))!).toMatchObject({ status: "pending", step: job.step, updatedAt: 0 });
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
  });

  // An operator's re-drive while a sweep waits: createJob reset the row's state to null, so the new attempt never
  // learnt of the pending sweep and its first step's dropLeftovers deleted the replaced docs at once, reopening
  // the 500 the sweep prevents. rederiveDocs now carries the waiting sweep into the new attempt's state.
  it("an operator's re-drive while the sweep waits leaves the replaced docs until their time, then sweeps them with its own", async () => {
    const { path, row, oldKeys, base } = await upToSweep("sweepsuperseded");
    const middle = Object.values(JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>).filter((k) => k.includes("/docs/a"));
    const c = await rederiveDocs({ ...E, JOBS_QUEUE: undefined } as unknown as Env, {} as Identity, row.id, true);
    expect(JSON.parse((await findJob(db, DOCS_JOB, row.id))!.state)).toMatchObject({ carried: { keys: expect.arrayContaining(oldKeys) } });
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: c, step: 0 });
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
    let job = (await findJob(db, DOCS_JOB, row.id))!;
    for (let i = 0; i < 200 && !JSON.parse(job.state ?? "null")?.sweep; i++) {
      await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: c, step: job.step });
      job = (await findJob(db, DOCS_JOB, row.id))!;
    }
    for (const key of [...oldKeys, ...middle]) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
    await E.DB.prepare("UPDATE jobs SET lease_until = 0 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt: c, step: job.step });
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("done");
    const recorded = new Set(Object.values(JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>));
    expect([...recorded].some((k) => k.includes(`/docs/a${c}/`))).toBe(true);
    expect((await keysUnder(base)).filter((k) => !recorded.has(k))).toEqual([]);
    expect((await callJson(`/api/registry/packages/${path}/versions/2.1.0/nav`)).status).toBe(200);
  });

  it("an attempt that carried a sweep and fails leaves none of the carried objects behind", async () => {
    const { row, oldKeys } = await upToSweep("sweepcarriedfails");
    const c = await rederiveDocs({ ...E, JOBS_QUEUE: undefined } as unknown as Env, {} as Identity, row.id, true);
    const job = (await findJob(db, DOCS_JOB, row.id))!;
    expect(job.attempt).toBe(c);
    await docsJob.failed(E, job, "broke");
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).toBeNull();
  });

  it("a version deleted while its sweep waits: the sweep still runs, and nothing stays under its docs/", async () => {
    const { path, row, oldKeys, base, attempt, job } = await upToSweep("sweepdeleted");
    expect((await call(`/api/registry/packages/${path}/versions/2.1.0`, { method: "DELETE", token: acme.publisher })).status).toBe(204);
    for (const key of oldKeys) expect(await E.ARTIFACTS.head(key), key).not.toBeNull();
    await E.DB.prepare("UPDATE jobs SET lease_until = 0 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt, step: job.step });
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("done");
    expect(await keysUnder(base)).toEqual([]);
  });

  it("a sweep cut off MAX_TRIES times fails its job, which still lets a later upgrade start (the docs were swapped in)", async () => {
    const { row, attempt, job } = await upToSweep("sweepcrash");
    await E.DB.prepare("UPDATE jobs SET lease_until = 0, tries = 3 WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
    await runJobMessage(manual, handlers, { kind: DOCS_JOB, subject: row.id, attempt, step: job.step });
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("failed");
    expect(await rederiveAfterDone({ ...E, JOBS_QUEUE: undefined } as unknown as Env, row.id)).toBe(true);
    expect((await findJob(db, DOCS_JOB, row.id))!).toMatchObject({ attempt: attempt + 1, status: "pending" });
    await E.DB.prepare("UPDATE jobs SET status = 'done' WHERE kind = ? AND subject = ?").bind(DOCS_JOB, row.id).run();
  });

  it("DOCS_SWEEP_SECONDS past a queue message's longest delay waits that longest delay (a longer send is refused)", async () => {
    const long = { ...manual, DOCS_SWEEP_SECONDS: "100000" } as unknown as Env;
    const t0 = Date.now();
    const { row } = await upToSweep("sweeplong", long);
    const lease = (await findJob(db, DOCS_JOB, row.id))!.leaseUntil;
    expect(lease).toBeGreaterThan(t0 + (MAX_SWEEP_SECONDS - 60) * 1000);
    expect(lease).toBeLessThanOrEqual(Date.now() + MAX_SWEEP_SECONDS * 1000);
  });
});

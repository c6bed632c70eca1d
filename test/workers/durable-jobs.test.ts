// The durable job runner (src/jobs/) on real D1, R2 and the real job queue, and the docs derivation on it:
// claims, leases, idempotent re-runs, failures, re-drives, docs status on the version, the docs routes and
// the package page while docs are pending or failed, and an operator's re-derivation swapping prefixes.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { database } from "../../src/db/client";
import { createJob, findJob, MAX_TRIES, redriveStalled, runJobMessage, type JobHandler } from "../../src/jobs/jobs";
import { docsJob, DOCS_JOB } from "../../src/api-docs/docs-job";
import { ADMIN, call, callJson, countObjects, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { docsSettled, publishPackage, docsSchemaNamed, versionRow } from "./publish-helpers";
import { docsReadme } from "./api-docs-fixture";

const E = env as unknown as Env;
const db = database(E.DB);
let acme: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("jobsorg");
});

/** A job kind of the tests: `steps` steps, each recorded in R2 under a name of its own (as a real step writes). */
function countingHandler(kind: string, steps: number, failAt?: { step: number; times: number }) {
  const calls: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  const handler: JobHandler = {
    kind,
    async step(e, job, state) {
      const at = (state as number | null) ?? 0;
      calls.push(at);
      if (failAt && at === failAt.step && failed < failAt.times) {
        failed++;
        throw new Error(`step ${at} broke`);
      }
      await e.ARTIFACTS.put(`jobs-test/${kind}/${job.subject}/step-${at}`, String(at));
      return at + 1 >= steps ? { done: true } : { done: false, state: at + 1 };
    },
    async failed(_e, _job, error) {
      failures.push(error);
    },
  };
  return { handler, calls, failures, handlers: new Map([[kind, handler]]) };
}

async function newJob(kind: string, subject: string) {
  const [row] = await createJob(db, kind, subject, null);
  return row!.attempt;
}

describe("the job runner", () => {
  it("runs a job step by step from its stored state; a duplicate or stale message claims nothing", async () => {
    const t = countingHandler("t-chain", 3);
    const attempt = await newJob("t-chain", "s1");
    for (const step of [0, 1, 2]) await runJobMessage(E, t.handlers, { kind: "t-chain", subject: "s1", attempt, step });
    expect(t.calls).toEqual([0, 1, 2]);
    // Delivered twice (a duplicate), or from an older attempt: nothing runs, nothing changes.
    await runJobMessage(E, t.handlers, { kind: "t-chain", subject: "s1", attempt, step: 2 });
    await runJobMessage(E, t.handlers, { kind: "t-chain", subject: "s1", attempt: attempt - 1, step: 0 });
    expect(t.calls).toEqual([0, 1, 2]);
    const job = await findJob(db, "t-chain", "s1");
    expect(job).toMatchObject({ status: "done", step: 3, runs: 3, tries: 0, leaseUntil: 0 });
    expect(await countObjects("jobs-test/t-chain/s1/")).toBe(3);
  });

  it("a step whose run was cut off (lease held, never advanced) is re-driven after its lease and re-run once: counted, not duplicated", async () => {
    const t = countingHandler("t-crash", 2);
    const attempt = await newJob("t-crash", "s1");
    await runJobMessage(E, t.handlers, { kind: "t-crash", subject: "s1", attempt, step: 0 });
    // Step 1 is claimed by a run that dies before it records anything (as after kill -9).
    const past = Date.now() - 60_000;
    await E.DB.prepare("UPDATE jobs SET lease_until = ?, runs = runs + 1, tries = 1, updated_at = ? WHERE kind = 't-crash' AND subject = 's1'").bind(past + 1, past).run();
    // While the lease is held nothing may take the step over.
    await E.DB.prepare("UPDATE jobs SET lease_until = ? WHERE kind = 't-crash'").bind(Date.now() + 60_000).run();
    expect(await redriveStalledOf("t-crash")).toBe(0);
    await runJobMessage(E, t.handlers, { kind: "t-crash", subject: "s1", attempt, step: 1 });
    expect(t.calls).toEqual([0]);
    // Once it ran out, the re-driver sends the step again and the next run completes it.
    await E.DB.prepare("UPDATE jobs SET lease_until = ? WHERE kind = 't-crash'").bind(past).run();
    expect(await redriveStalledOf("t-crash")).toBe(1);
    expect((await findJob(db, "t-crash", "s1"))!.updatedAt).toBeGreaterThan(past);
    await runJobMessage(E, t.handlers, { kind: "t-crash", subject: "s1", attempt, step: 1 });
    expect(t.calls).toEqual([0, 1]);
    const job = await findJob(db, "t-crash", "s1");
    // Three step runs for two steps: the re-run is visible, its objects are not doubled.
    expect(job).toMatchObject({ status: "done", step: 2, runs: 3 });
    expect(await countObjects("jobs-test/t-crash/s1/")).toBe(2);
  });

  it("a failing step is retried from the same state and, after MAX_TRIES, fails its job once, with the error recorded", async () => {
    const t = countingHandler("t-fail", 3, { step: 1, times: 99 });
    const attempt = await newJob("t-fail", "s1");
    await runJobMessage(E, t.handlers, { kind: "t-fail", subject: "s1", attempt, step: 0 });
    for (let i = 0; i < MAX_TRIES; i++) await runJobMessage(E, t.handlers, { kind: "t-fail", subject: "s1", attempt, step: 1 });
    expect(t.calls).toEqual([0, 1, 1, 1]);
    expect(t.failures).toEqual(["step 1 broke"]);
    expect(await findJob(db, "t-fail", "s1")).toMatchObject({ status: "failed", step: 1, error: "step 1 broke", leaseUntil: 0 });
    await runJobMessage(E, t.handlers, { kind: "t-fail", subject: "s1", attempt, step: 1 });
    expect(t.calls).toHaveLength(4);
  });

  it("a step that recovers on its second try completes the job", async () => {
    const t = countingHandler("t-flaky", 2, { step: 1, times: 1 });
    const attempt = await newJob("t-flaky", "s1");
    await runJobMessage(E, t.handlers, { kind: "t-flaky", subject: "s1", attempt, step: 0 });
    await runJobMessage(E, t.handlers, { kind: "t-flaky", subject: "s1", attempt, step: 1 });
    expect(await findJob(db, "t-flaky", "s1")).toMatchObject({ status: "pending", step: 1, tries: 1, error: "step 1 broke" });
    await runJobMessage(E, t.handlers, { kind: "t-flaky", subject: "s1", attempt, step: 1 });
    expect(await findJob(db, "t-flaky", "s1")).toMatchObject({ status: "done", step: 2, tries: 0, error: null });
    expect(t.failures).toEqual([]);
  });

  it("a step started MAX_TRIES times without ever finishing (a crash loop) fails its job", async () => {
    const t = countingHandler("t-loop", 2);
    const attempt = await newJob("t-loop", "s1");
    await E.DB.prepare("UPDATE jobs SET tries = ? WHERE kind = 't-loop'").bind(MAX_TRIES).run();
    await runJobMessage(E, t.handlers, { kind: "t-loop", subject: "s1", attempt, step: 0 });
    expect(t.calls).toEqual([]);
    expect(t.failures).toHaveLength(1);
    expect(t.failures[0]).toContain(`started ${MAX_TRIES} times`);
    expect((await findJob(db, "t-loop", "s1"))!.status).toBe("failed");
  });

  it("a new attempt supersedes the old one: its messages claim nothing", async () => {
    const t = countingHandler("t-attempt", 2);
    const first = await newJob("t-attempt", "s1");
    const second = await newJob("t-attempt", "s1");
    expect(second).toBe(first + 1);
    await runJobMessage(E, t.handlers, { kind: "t-attempt", subject: "s1", attempt: first, step: 0 });
    expect(t.calls).toEqual([]);
    await runJobMessage(E, t.handlers, { kind: "t-attempt", subject: "s1", attempt: second, step: 0 });
    expect(t.calls).toEqual([0]);
  });
});

/** Re-drives and answers how many jobs of one test kind it re-sent (other tests' jobs may be stalled too). */
async function redriveStalledOf(kind: string): Promise<number> {
  const before = await E.DB.prepare("SELECT updated_at AS u FROM jobs WHERE kind = ?").bind(kind).first<{ u: number }>();
  await redriveStalled(E);
  const after = await E.DB.prepare("SELECT updated_at AS u FROM jobs WHERE kind = ?").bind(kind).first<{ u: number }>();
  return after!.u !== before!.u ? 1 : 0;
}

const v = (path: string, rest: string) => `/api/registry/packages/${path}/versions/${rest}`;
const schemaOf = docsSchemaNamed;

/** Puts a published version back to "docs pending, job created, no message sent yet", deterministically. */
async function pendingAgain(path: string, version: string) {
  const row = await versionRow(path, version);
  const artifacts = JSON.parse(row.artifacts) as Record<string, string>;
  const docs = Object.entries(artifacts).filter(([k]) => k.startsWith("docs."));
  await E.ARTIFACTS.delete(docs.map(([, key]) => key));
  const kept = Object.fromEntries(Object.entries(artifacts).filter(([k]) => !k.startsWith("docs.")));
  await E.DB.prepare("UPDATE versions SET artifacts = ?, docs_status = 'pending' WHERE id = ?").bind(JSON.stringify(kept), row.id).run();
  await createJob(db, DOCS_JOB, row.id, null);
  return { id: row.id, schemaKey: artifacts.schema! };
}

describe("docs derived by a durable job", () => {
  it("complete commits the version with its docs job; the version reports pending, then ready", async () => {
    const path = "pulumi/jobsorg/fresh";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("fresh"), readme: docsReadme, waitForDocs: false });
    const row = await versionRow(path, "2.1.0");
    const job = await findJob(db, DOCS_JOB, row.id);
    expect(job).toMatchObject({ attempt: 1 });
    expect(["pending", "ready"]).toContain(row.docsStatus);
    expect(await docsSettled(acme.publisher, path, "2.1.0")).toBe("ready");
    // Several bounded steps (scan, kinds, pack, merges, index, nav, finish), each run once.
    const finished = (await findJob(db, DOCS_JOB, row.id))!;
    expect(finished.status).toBe("done");
    expect(finished.step).toBeGreaterThan(3);
    expect(finished.runs).toBe(finished.step);
    expect((await callJson(v(path, "2.1.0"))).body.docs).toEqual({ status: "ready" });
    // Nothing temporary outlives the derivation.
    expect(await countObjects(`packages/pulumi/jobsorg/fresh/2.1.0/`)).toBeGreaterThan(0);
    const tmp = await E.ARTIFACTS.list({ prefix: JSON.parse(row.artifacts).schema.replace(/schema$/, "docs/tmp/") });
    expect(tmp.objects).toHaveLength(0);
  });

  it("while pending: the version says so, every docs route is a 503 with Retry-After, the package page says the docs are being generated", async () => {
    const path = "pulumi/jobsorg/waiting";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("waiting"), readme: docsReadme });
    await pendingAgain(path, "2.1.0");
    expect((await callJson(v(path, "2.1.0"))).body.docs).toEqual({ status: "pending" });
    for (const route of ["readme", "installation", "nav", `docs/${encodeURIComponent("waiting:s3/bucket:Bucket")}`, "examples"]) {
      const r = await callJson(v(path, `2.1.0/${route}`));
      expectError(r, 503);
      expect(r.response.headers.get("Retry-After")).toBe("5");
      expect(r.body.message).toBe("the documentation of package version 'pulumi/jobsorg/waiting@2.1.0' is being generated; retry in 5 seconds");
    }
    const page = await call(`/packages/pulumi/jobsorg/waiting`, { headers: { Accept: "text/html" } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Documentation is being generated");
    // Raw downloads do not wait for docs.
    expect((await call(v(path, "2.1.0/raw/readme"))).status).toBe(200);
  });

  it("a derivation that fails is recorded: the version says failed, docs routes answer 422, the page says so, nothing of it is left in R2; the operator re-drives it", async () => {
    const path = "pulumi/jobsorg/broken";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("broken"), readme: docsReadme });
    const { id, schemaKey } = await pendingAgain(path, "2.1.0");
    // The schema's bytes are gone (the derivation's input is unreadable): every try fails.
    const schemaBytes = await (await E.ARTIFACTS.get(schemaKey))!.arrayBuffer();
    await E.ARTIFACTS.delete(schemaKey);
    const handlers = new Map([[DOCS_JOB, docsJob]]);
    const attempt = (await findJob(db, DOCS_JOB, id))!.attempt;
    for (let i = 0; i < MAX_TRIES; i++) await runJobMessage(E, handlers, { kind: DOCS_JOB, subject: id, attempt, step: 0 });
    expect(await findJob(db, DOCS_JOB, id)).toMatchObject({ status: "failed" });
    expect((await callJson(v(path, "2.1.0"))).body.docs).toEqual({ status: "failed" });
    const r = await callJson(v(path, "2.1.0/nav"));
    expectError(r, 422);
    expect(r.body.message).toContain("could not be derived from its schema");
    const html = await (await call(`/packages/pulumi/jobsorg/broken`, { headers: { Accept: "text/html" } })).text();
    expect(html).toContain("could not be generated");
    expect(await countObjects(schemaKey.replace(/schema$/, "docs/"))).toBe(0);
    // The operator sees why, restores nothing but re-drives once the input is back.
    const report = await callJson(`/api/admin/packages/${path}/versions/2.1.0/docs`, { token: ADMIN });
    expect(report.body).toMatchObject({ status: "failed", job: { status: "failed", attempt } });
    await E.ARTIFACTS.put(schemaKey, schemaBytes);
    const redo = await callJson(`/api/admin/packages/${path}/versions/2.1.0/docs`, { method: "POST", token: ADMIN });
    expect(redo.status).toBe(202);
    expect((await callJson(v(path, "2.1.0"), { token: acme.reader })).body.docs.status).toBe("pending");
    expect(await docsSettled(acme.publisher, path, "2.1.0")).toBe("ready");
    expect((await callJson(v(path, "2.1.0/nav"))).body.modulesTotal).toBe(4);
  });

  it("an operator's re-derivation of ready docs writes a fresh prefix and swaps it in: the old docs serve until then, the same answers after, the old objects gone", async () => {
    const path = "pulumi/jobsorg/swap";
    await publishPackage(acme.publisher, path, "2.1.0", { schema: schemaOf("swap"), readme: docsReadme });
    const token = encodeURIComponent("swap:s3/bucket:Bucket");
    const before = await (await call(v(path, `2.1.0/docs/${token}`))).text();
    const oldKeys = Object.entries(JSON.parse((await versionRow(path, "2.1.0")).artifacts) as Record<string, string>).filter(([k]) => k.startsWith("docs."));
    const redo = await callJson(`/api/admin/packages/${path}/versions/2.1.0/docs`, { method: "POST", token: ADMIN });
    expect(redo.status).toBe(202);
    // Ready docs stay ready (and served) while the new attempt runs.
    expect(redo.body.status).toBe("pending");
    expect((await callJson(v(path, "2.1.0"))).body.docs.status).toBe("ready");
    const deadline = Date.now() + 60_000;
    let row = await versionRow(path, "2.1.0");
    while (!JSON.parse(row.artifacts)["docs.manifest"].includes("/docs/a2/") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = await versionRow(path, "2.1.0");
    }
    expect(JSON.parse(row.artifacts)["docs.manifest"]).toContain("/docs/a2/manifest.json");
    expect(await (await call(v(path, `2.1.0/docs/${token}`))).text()).toBe(before);
    // The replaced objects go DOCS_SWEEP_SECONDS (1 s here) after the swap, by the job's last step.
    while ((await E.ARTIFACTS.head(oldKeys[0]![1])) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const [, key] of oldKeys) expect(await E.ARTIFACTS.head(key)).toBeNull();
    expect((await findJob(db, DOCS_JOB, row.id))!.status).toBe("done");
    expect((await findJob(db, DOCS_JOB, row.id))!.attempt).toBe(2);
  });

  it("the operator's docs route: 404 for no such version, 401/403 without the operator token", async () => {
    expectError(await callJson(`/api/admin/packages/pulumi/jobsorg/nosuch/versions/2.1.0/docs`, { token: ADMIN }), 404);
    expectError(await callJson(`/api/admin/packages/pulumi/jobsorg/fresh/versions/2.1.0/docs`, { method: "POST", token: acme.admin }), 403);
    expect((await callJson(`/api/admin/packages/pulumi/jobsorg/fresh/versions/2.1.0/docs`, { method: "POST" })).status).toBeGreaterThanOrEqual(401);
  });
});

// A docs derivation survives a crash: the server is killed (SIGKILL to wrangler and workerd) while the
// derivation is provably mid-way (some steps recorded done, the job still pending), restarted on the same
// state, and with no request but /healthz the docs complete, without a republish, each step done once
// more at most.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, setupOrg } from "./client";
import { docsReadme } from "../workers/api-docs-fixture";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { docsSchema } from "../../scripts/docs-schema.mjs";

type Server = { url: string; adminToken: string; state: string; stop(o?: { keepState?: boolean }): Promise<void>; crash(): Promise<void> };

/** Small steps, so a 3 MiB schema takes dozens of them; a short lease and stall, so a restart resumes within seconds. */
const VARS = { DOCS_STEP_BYTES: String(64 * 1024), JOB_LEASE_SECONDS: "3", JOB_STALL_SECONDS: "2", RATE_LIMITS: "off" };
const PATH = "pulumi/bb-crash/bigdocs";

let server: Server | undefined;
let tokens: { reader: string; publisher: string; admin: string };
/** The server's log lines (the first server's: the one complete ran on). */
const logLines: string[] = [];

beforeAll(async () => {
  server = await startDevServer({ name: "durable-docs", vars: VARS, log: (line: string) => logLines.push(line) });
  tokens = await setupOrg("bb-crash", server!);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

async function report(s: Server) {
  const r = await cli("GET", `${s.url}/api/admin/packages/${PATH}/versions/1.0.0/docs`, { token: s.adminToken });
  expect(r.status, r.text).toBe(200);
  return r.body as { status: string; job?: { attempt: number; status: string; stepsDone: number; stepRuns: number } };
}

describe("a docs derivation interrupted by kill -9", () => {
  it("resumes after a restart with only /healthz asked, and completes the docs without a republish", async () => {
    const s = server!;
    const { schema } = docsSchema("bigdocs", "1.0.0", 3 * 1024 * 1024);
    const start = await cli("POST", `${s.url}/api/registry/packages/${PATH}/versions`, { token: tokens.publisher, body: { version: "1.0.0" } });
    expect(start.status, start.text).toBe(202);
    for (const [slot, body] of [["schema", schema], ["index", docsReadme]] as const) {
      const put = await fetch(start.body.uploadURLs[slot], { method: "PUT", body });
      await put.arrayBuffer();
      expect(put.status).toBeLessThan(400);
    }
    const done = await cli("POST", `${s.url}/api/registry/packages/${PATH}/versions/1.0.0/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
    expect(done.status, done.text).toBe(201);
    // Complete's log line says where its time went: copying the uploads, inspecting them, the commit.
    // (Lines are parsed whole only: the server's output may arrive cut inside a line.)
    const parsed = (l: string) => {
      try {
        return JSON.parse(l.slice(l.indexOf("{"))) as { route?: string; durationMs: number; phasesMs?: Record<string, number> };
      } catch {
        return undefined;
      }
    };
    let completeLine: { durationMs: number; phasesMs?: Record<string, number> } | undefined;
    for (const until = Date.now() + 10_000; !completeLine && Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      completeLine = logLines.map(parsed).find((l) => l?.route === `/api/registry/packages/${PATH}/versions/1.0.0/complete`);
    }
    expect(completeLine, "complete's log line").toBeDefined();
    expect(Object.keys(completeLine!.phasesMs ?? {})).toEqual(["copy", "inspect", "commit"]);
    const phases = Object.values(completeLine!.phasesMs!);
    for (const ms of phases) expect(ms).toBeGreaterThanOrEqual(0);
    expect(phases.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(completeLine!.durationMs);

    // Wait for "some steps done, some not", then crash at once.
    let seen = await report(s);
    const deadline = Date.now() + 120_000;
    while (!(seen.job && seen.job.status === "pending" && seen.job.stepsDone >= 2) && Date.now() < deadline) {
      expect(seen.job?.status).not.toBe("done");
      await new Promise((r) => setTimeout(r, 20));
      seen = await report(s);
    }
    await s.crash();
    expect(seen.job!.status).toBe("pending");
    expect(seen.job!.stepsDone).toBeGreaterThanOrEqual(2);

    // Restart on the same state. Its readiness check and this loop ask /healthz only.
    server = await startDevServer({ name: "durable-docs", vars: VARS, state: s.state, adminToken: s.adminToken, signingSecret: (s as any).signingSecret, tokenKeys: (s as any).tokenKeys });
    const restarted = server!;
    const until = Date.now() + 180_000;
    let after = await report(restarted);
    while (after.job?.status === "pending" && Date.now() < until) {
      for (let i = 0; i < 10; i++) {
        expect((await fetch(`${restarted.url}/healthz`)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
      after = await report(restarted);
    }
    expect(after.status).toBe("ready");
    expect(after.job!.status).toBe("done");
    expect(after.job!.attempt).toBe(1);
    // Each step ran once, but the one cut off (if any) ran twice: re-runs are counted, never a whole re-derivation.
    expect(after.job!.stepRuns).toBeGreaterThanOrEqual(after.job!.stepsDone);
    expect(after.job!.stepRuns).toBeLessThanOrEqual(after.job!.stepsDone + 1);

    const version = await cli("GET", `${restarted.url}/api/registry/packages/${PATH}/versions/1.0.0`, { token: tokens.reader });
    expect(version.body.docs).toEqual({ status: "ready" });
    const nav = await cli("GET", `${restarted.url}/api/registry/packages/${PATH}/versions/1.0.0/nav?depth=full`, { token: tokens.reader });
    expect(nav.status, nav.text).toBe(200);
    const first = nav.body.modules[0].resources[0];
    const doc = await cli("GET", (nav.body.docsUrlTemplate as string).replace("{token}", encodeURIComponent(first.token)), { token: tokens.reader });
    expect(doc.status, doc.text).toBe(200);
    expect(doc.body.token).toBe(first.token);
  });
});

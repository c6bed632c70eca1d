import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { freePort } from "../../scripts/dev-server.mjs";

async function waitFor(url: string, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function adminTokenFromDevVars(): string {
  const m = /^ADMIN_TOKEN=(.+)$/m.exec(readFileSync(join(process.cwd(), ".dev.vars"), "utf8"));
  if (!m?.[1]) throw new Error("no ADMIN_TOKEN in .dev.vars");
  return m[1];
}

/** Runs `npm start [args]` until `body` is done; `body` also gets what it printed to the terminal once its banner is out. */
async function withNpmStart<T>(state: string, port: number, body: (url: string, printed: string) => Promise<T>, args: string[] = []): Promise<T> {
  const child = spawn("npm", ["start", ...(args.length ? ["--", ...args] : [])], { env: { ...process.env, PORT: String(port), EDGE_REGISTRY_STATE: state }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const printed: string[] = [];
  child.stdout!.on("data", (c: Buffer) => printed.push(c.toString()));
  child.stderr!.on("data", (c: Buffer) => printed.push(c.toString()));
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`, 90_000);
    // The banner follows the first /healthz answer start.mjs itself sees.
    for (let i = 0; i < 100 && !printed.join("").includes("Ctrl-C stops"); i++) await new Promise((r) => setTimeout(r, 100));
    return await body(`http://127.0.0.1:${port}`, printed.join(""));
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
  }
}

describe("npm start", () => {
  it("serves the gateway on $PORT in R2 upload mode with migrations applied and an admin token in .dev.vars, printing a summary and a banner (wrangler's output in a log file); a second start, --verbose, reuses both and shows wrangler's output", async () => {
    const state = mkdtempSync(join(tmpdir(), "edge-registry-start-"));
    const login = `start-${Date.now()}`;
    try {
      const port = await freePort();
      await withNpmStart(state, port, async (url, printed) => {
        // A few lines: the migrations summed up, then the banner; wrangler's own output is in the log file.
        const migrations = readdirSync(join(process.cwd(), "migrations")).filter((f) => f.endsWith(".sql")).length;
        expect(printed).toContain(`edge-registry: applied ${migrations} migrations (${migrations} in all)`);
        expect(printed).toContain(`edge-registry is ready on ${url}`);
        expect(printed).toContain(`ADMIN_TOKEN in ${join(process.cwd(), ".dev.vars")}`);
        expect(printed).toContain(`export REGISTRY_URL=${url}`);
        expect(printed).toContain("export ADMIN_TOKEN=$(sed -n 's/^ADMIN_TOKEN=//p' .dev.vars)");
        const logPath = join(process.cwd(), ".tmp", "npm-start.log");
        expect(printed).toContain(`Full logs: ${logPath} (or npm start -- --verbose)`);
        expect(printed.split("\n").filter((line) => line.trim() !== "").length).toBeLessThanOrEqual(12);
        expect(printed).not.toContain("┌");
        const log = readFileSync(logPath, "utf8");
        expect(log).toContain("0000_init.sql");
        expect(log).toMatch(/Ready on|Starting local server/);
        const admin = adminTokenFromDevVars();
        const org = await fetch(`${url}/api/admin/orgs`, { method: "POST", headers: { Authorization: `token ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ login }) });
        expect(org.status).toBe(201);
        const token: { token: string } = await (await fetch(`${url}/api/admin/orgs/${login}/tokens`, { method: "POST", headers: { Authorization: `token ${admin}` }, body: JSON.stringify({ role: "reader" }) })).json();
        expect((await fetch(`${url}/api/user`, { headers: { Authorization: `token ${token.token}` } })).status).toBe(200);

        // Uploads take the production path by default: R2 mode, through wrangler dev's local S3 API.
        const publisher: { token: string } = await (await fetch(`${url}/api/admin/orgs/${login}/tokens`, { method: "POST", headers: { Authorization: `token ${admin}` }, body: JSON.stringify({ role: "publisher" }) })).json();
        const start = await fetch(`${url}/api/registry/packages/private/${login}/pkg/versions`, { method: "POST", headers: { Authorization: `token ${publisher.token}` }, body: JSON.stringify({ version: "1.0.0" }) });
        const started: { uploadURLs: { schema: string } } = await start.json();
        expect(started.uploadURLs.schema.startsWith(`${url}/cdn-cgi/local/r2/s3/edge-registry-artifacts/staging/`)).toBe(true);
        const put = await fetch(started.uploadURLs.schema, { method: "PUT", body: "{}" });
        expect(put.status).toBe(200);
        await put.arrayBuffer();
      });
      const again = await freePort();
      await withNpmStart(state, again, async (url, printed) => {
        // --verbose: wrangler's output in the terminal too; the migrations are already applied.
        expect(printed).toContain("No migrations to apply");
        expect(printed).toContain(`database up to date (`);
        const orgs: { orgs: Array<{ login: string }> } = await (await fetch(`${url}/api/admin/orgs`, { headers: { Authorization: `token ${adminTokenFromDevVars()}` } })).json();
        expect(orgs.orgs.map((o: { login: string }) => o.login)).toContain(login);
      }, ["--verbose"]);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

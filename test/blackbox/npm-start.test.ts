import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

async function withNpmStart<T>(state: string, port: number, body: (url: string) => Promise<T>): Promise<T> {
  const child = spawn("npm", ["start"], { env: { ...process.env, PORT: String(port), EDGE_REGISTRY_STATE: state }, detached: true, stdio: "ignore" });
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`, 90_000);
    return await body(`http://127.0.0.1:${port}`);
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
  }
}

describe("npm start", () => {
  it("serves the gateway on $PORT in R2 upload mode with migrations applied and an admin token in .dev.vars; a second start reuses both", async () => {
    const state = mkdtempSync(join(tmpdir(), "edge-registry-start-"));
    const login = `start-${Date.now()}`;
    try {
      const port = await freePort();
      await withNpmStart(state, port, async (url) => {
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
      await withNpmStart(state, again, async (url) => {
        const orgs: { orgs: Array<{ login: string }> } = await (await fetch(`${url}/api/admin/orgs`, { headers: { Authorization: `token ${adminTokenFromDevVars()}` } })).json();
        expect(orgs.orgs.map((o: { login: string }) => o.login)).toContain(login);
      });
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

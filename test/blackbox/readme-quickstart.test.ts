// The README's quick start, run verbatim from a fresh clone: its fenced `sh` blocks between the
// quickstart markers, with only the port changed, must reach the published package's page.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { freePort } from "../../scripts/dev-server.mjs";

/** The `sh` blocks between `<!-- quickstart:begin -->` and `<!-- quickstart:end -->`, in order. */
export function quickStartBlocks(readme: string): string[] {
  const begin = readme.indexOf("<!-- quickstart:begin -->");
  const end = readme.indexOf("<!-- quickstart:end -->");
  if (begin < 0 || end < begin) throw new Error("README.md has no quickstart markers");
  return [...readme.slice(begin, end).matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

async function waitFor(url: string, ms: number, alive: () => boolean) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!alive()) throw new Error("the first block (npm install, npm start) exited");
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("README quick start", () => {
  it("run verbatim from a fresh clone (install, start, an org and its tokens, npm run publish) publishes the example package, whose page shows it to its org", { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "edge-registry-quickstart-"));
    const clone = join(dir, "edge-registry");
    // The committed tree, as a newcomer gets it; node_modules come from npm's local cache (no network when warm).
    const cloned = spawnSync("git", ["clone", "--quiet", process.cwd(), clone], { encoding: "utf8" });
    expect(cloned.status, cloned.stderr).toBe(0);
    const blocks = quickStartBlocks(readFileSync(join(clone, "README.md"), "utf8"));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks[0]).toMatch(/npm start\s*$/);

    const port = await freePort();
    // The only change to the README's text: its port.
    const withPort = (block: string) => block.replaceAll("127.0.0.1:8787", `127.0.0.1:${port}`);
    const env = { ...process.env, PORT: String(port), npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
    const serverLog: string[] = [];
    // The first block is the shell the README leaves running: npm install, then npm start.
    const server = spawn("bash", ["-euo", "pipefail", "-c", withPort(blocks[0]!)], { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout.on("data", (c: Buffer) => serverLog.push(c.toString()));
    server.stderr.on("data", (c: Buffer) => serverLog.push(c.toString()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(`${url}/healthz`, 420_000, () => server.exitCode === null).catch((error: Error) => {
        throw new Error(`${error.message}\n${serverLog.join("")}`);
      });
      // The quiet start: a migration summary and the banner (printed once /healthz answers), not wrangler's tables.
      for (let i = 0; i < 100 && !serverLog.join("").includes("export ADMIN_TOKEN="); i++) await new Promise((r) => setTimeout(r, 100));
      const printed = serverLog.join("");
      expect(printed).toMatch(/applied \d+ migrations/);
      expect(printed).not.toContain("┌");
      expect(printed).toContain(`export REGISTRY_URL=${url}`);

      // The second shell: every other block in order, in one bash; then the variables they exported.
      const script = [...blocks.slice(1).map(withPort), 'echo "QUICKSTART PUBLISHER_TOKEN=$PUBLISHER_TOKEN ORG_ADMIN_TOKEN=$ORG_ADMIN_TOKEN"'].join("\n");
      const run = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: clone, env, encoding: "utf8", timeout: 120_000 });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      const page = /^publish: page (\S+)$/m.exec(run.stdout)?.[1];
      expect(page).toBe(`${url}/packages/private/acme/uptime/0.3.0`);
      const vars = /^QUICKSTART PUBLISHER_TOKEN=(\S+) ORG_ADMIN_TOKEN=(\S+)$/m.exec(run.stdout);
      expect(vars, run.stdout).not.toBeNull();
      const [, publisherToken, orgAdminToken] = vars!;

      // Private to acme: a 404 to anyone else, the page once signed in with the token the README exported.
      expect((await fetch(page!, { headers: { Accept: "text/html" } })).status).toBe(404);
      const signIn = await fetch(`${url}/sign-in`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url, "Sec-Fetch-Site": "same-origin" },
        body: new URLSearchParams({ token: publisherToken!, next: new URL(page!).pathname }).toString(),
      });
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.get("Set-Cookie")!.split(";")[0]!;
      const html = await fetch(page!, { headers: { Cookie: cookie } });
      expect(html.status).toBe(200);
      const text = await html.text();
      expect(text).toContain("Uptime");
      expect(text).toContain("pulumi package add private/acme/uptime@0.3.0");
      // ORG_ADMIN_TOKEN is an admin token of acme: it reads the org's audit log, where the publish is.
      const audit = await fetch(`${url}/api/orgs/acme/registry/audit?action=package.publish.complete`, { headers: { Authorization: `token ${orgAdminToken}` } });
      expect(audit.status).toBe(200);
      expect(((await audit.json()) as { entries: unknown[] }).entries).toHaveLength(1);
    } finally {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once("exit", resolve));
        process.kill(-server.pid!, "SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Starts a real `wrangler dev` on a free loopback port with its own state directory, for the black-box
// suite and the benchmark; stops it by its own pid.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { localR2Vars } from "./local-r2.mjs";
import { newPluginSigningKey } from "./dev-vars.mjs";
import { offlineEnv, projectRoot, wranglerBin } from "./offline-env.mjs";

/** Every process below `pid`, from /proc (Linux). */
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a wrangler command on the local state directory `state`; throws with its output on failure. */
export function wranglerLocal(state, args) {
  const run = spawnSync(process.execPath, [wranglerBin, ...args, "--local", "--persist-to", state], {
    cwd: projectRoot,
    env: offlineEnv({ CI: "true" }),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/**
 * @param {{ name: string, uploadMode?: "r2" | "gateway", vars?: Record<string,string>, log?: (line: string) => void,
 *   state?: string, adminToken?: string, signingSecret?: string, tokenKeys?: string, testScheduled?: boolean }} options
 *   uploadMode `r2` (the default, as in production) presigns uploads for the S3 API wrangler dev serves
 *   for the local bucket; `gateway` uses the Worker's own verifying upload route.
 *   `state` reuses a state directory (kept by `stop({ keepState: true })`) instead of a fresh one.
 *   `testScheduled` passes `--test-scheduled`: `GET /__scheduled?cron=…` runs the cron handler.
 */
export async function startDevServer({ name, uploadMode = "r2", vars = {}, log = () => {}, state: reuse, adminToken: givenAdmin, signingSecret, tokenKeys: givenKeys, testScheduled = false }) {
  const port = await freePort();
  const state = reuse ?? join(projectRoot, ".tmp", "state", `${name}-${process.pid}-${port}`);
  if (!reuse) {
    rmSync(state, { recursive: true, force: true });
    mkdirSync(state, { recursive: true });
  }
  const env = offlineEnv({ CI: "true" });
  wranglerLocal(state, ["d1", "migrations", "apply", "DB"]);
  const adminToken = givenAdmin ?? `adm_${randomBytes(24).toString("base64url")}`;
  const secret = signingSecret ?? randomBytes(32).toString("base64url");
  const tokenKeys = givenKeys ?? `k1:${randomBytes(32).toString("base64url")}`;
  const modeVars = uploadMode === "r2" ? localR2Vars(port) : { UPLOAD_MODE: "gateway" };
  const allVars = { ADMIN_TOKEN: adminToken, SIGNING_SECRET: secret, TOKEN_KEYS: tokenKeys, PLUGIN_SIGNING_KEY: newPluginSigningKey(), ...modeVars, ...vars };
  const inspectorPort = await freePort();
  const args = [wranglerBin, "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--show-interactive-dev-session=false", "--inspector-port", String(inspectorPort)];
  if (testScheduled) args.push("--test-scheduled");
  for (const [k, v] of Object.entries(allVars)) args.push("--var", `${k}:${v}`);
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  const output = [];
  const collect = (chunk) => {
    const text = chunk.toString();
    output.push(text);
    for (const line of text.split("\n")) if (line) log(line);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output.join("")}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not answer within 60 s:\n${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  async function stop({ keepState = false } = {}) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!keepState) rmSync(state, { recursive: true, force: true });
  }
  /** A crash: SIGKILL to wrangler and every process under it (workerd included) at once, the state kept. */
  async function crash() {
    const tree = [child.pid, ...descendants(child.pid)];
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
    for (const pid of tree) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await exited;
    // workerd holds the state's SQLite files until it is really gone.
    for (const pid of tree) while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, inspectorPort, pid: child.pid, adminToken, signingSecret: secret, tokenKeys, state, uploadMode, stop, crash, output };
}

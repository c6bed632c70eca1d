// `npm start`: local secrets, local D1 migrations, then `wrangler dev` on 127.0.0.1:$PORT (default 8787).
// Prints a summary and a ready banner; wrangler's full output goes to a log file (and the terminal with --verbose).
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { devVarsPath, ensureDevVars } from "./dev-vars.mjs";
import { localR2Vars } from "./local-r2.mjs";
import { offlineEnv, projectRoot, wranglerBin } from "./offline-env.mjs";

const port = process.env.PORT ?? "8787";
const verbose = process.argv.includes("--verbose");
const url = `http://127.0.0.1:${port}`;
// Local state lives in .wrangler/state unless EDGE_REGISTRY_STATE names another directory.
const stateDir = process.env.EDGE_REGISTRY_STATE;
const persist = stateDir ? ["--persist-to", stateDir] : [];
const logPath = join(projectRoot, ".tmp", "npm-start.log");

mkdirSync(join(projectRoot, ".tmp"), { recursive: true });
let ready = false;
const log = createWriteStream(logPath, { flags: "w" });
/** Everything wrangler says goes to the log file; to the terminal with --verbose, and errors always. */
function record(text, stream) {
  log.write(text);
  if (verbose) stream.write(text);
  else for (const line of text.split("\n")) if (/\[ERROR\]|✘/.test(line)) process.stderr.write(`${line}\n`);
}

ensureDevVars();
const env = offlineEnv();

const migrate = spawnSync(process.execPath, [wranglerBin, "d1", "migrations", "apply", "DB", "--local", ...persist], {
  cwd: projectRoot,
  env: { ...env, CI: "true" }, // CI=true: apply without the interactive confirmation
  encoding: "utf8",
});
log.write(`$ wrangler d1 migrations apply DB --local\n${migrate.stdout}${migrate.stderr}\n`);
if (verbose) process.stdout.write(migrate.stdout + migrate.stderr);
if (migrate.status !== 0) {
  process.stderr.write(`edge-registry: applying the D1 migrations failed:\n${migrate.stdout}${migrate.stderr}`);
  process.exit(migrate.status ?? 1);
}
console.log(`edge-registry: ${migrationSummary(migrate.stdout)} (local D1 in ${relative(process.cwd(), stateDir ?? join(projectRoot, ".wrangler", "state")) || "."})`);

/** "applied 3 migrations" or "database up to date (10 migrations)", from wrangler's table output. */
function migrationSummary(output) {
  const total = readdirSync(join(projectRoot, "migrations")).filter((f) => f.endsWith(".sql")).length;
  const applied = /About to apply (\d+) migration/.exec(output)?.[1];
  if (applied) return `applied ${applied} migration${applied === "1" ? "" : "s"} (${total} in all)`;
  return `database up to date (${total} migrations)`;
}

// Uploads take the production path by default: presigned for the S3 API wrangler dev serves for the
// local bucket. UPLOAD_MODE=gateway npm start uses the Worker's own verifying upload route instead.
const gatewayMode = process.env.UPLOAD_MODE === "gateway";
const modeVars = gatewayMode ? { UPLOAD_MODE: "gateway" } : localR2Vars(port);
const varArgs = Object.entries(modeVars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);

console.log(`edge-registry: starting wrangler dev on ${url} …`);
const dev = spawn(process.execPath, [wranglerBin, "dev", "--ip", "127.0.0.1", "--port", port, "--show-interactive-dev-session=false", ...persist, ...varArgs], {
  cwd: projectRoot,
  env,
  stdio: ["inherit", "pipe", "pipe"],
});
dev.stdout.on("data", (chunk) => record(chunk.toString(), process.stdout));
dev.stderr.on("data", (chunk) => record(chunk.toString(), process.stderr));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => {
  if (!ready) {
    const tail = readFileSync(logPath, "utf8").split("\n").slice(-40).join("\n");
    process.stderr.write(`edge-registry: wrangler dev exited (${code}) before it served ${url}/healthz; the end of ${logPath}:\n${tail}\n`);
  }
  log.end(() => process.exit(code ?? 0));
});

const home = relative(process.cwd(), devVarsPath) || devVarsPath;
function banner() {
  return [
    "",
    `  edge-registry is ready on ${url}  (uploads: ${gatewayMode ? "the Worker's own route" : "R2 mode, wrangler's local S3 API"})`,
    "",
    `  The admin token is ADMIN_TOKEN in ${devVarsPath}. In another shell, from this directory:`,
    "",
    `    export REGISTRY_URL=${url}`,
    `    export ADMIN_TOKEN=$(sed -n 's/^ADMIN_TOKEN=//p' ${home})`,
    "",
    `  Full logs: ${logPath}${verbose ? "" : " (or npm start -- --verbose)"}. Ctrl-C stops.`,
    "",
  ].join("\n");
}
for (;;) {
  if (dev.exitCode !== null) break;
  try {
    if ((await fetch(`${url}/healthz`)).ok) {
      ready = true;
      console.log(banner());
      break;
    }
  } catch {
    // not listening yet
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}

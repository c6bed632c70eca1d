// `npm start`: local secrets, local D1 migrations, then `wrangler dev` on 127.0.0.1:$PORT (default 8787).
import { spawn, spawnSync } from "node:child_process";
import { devVarsPath, ensureDevVars } from "./dev-vars.mjs";
import { localR2Vars } from "./local-r2.mjs";
import { offlineEnv, projectRoot, wranglerBin } from "./offline-env.mjs";

const port = process.env.PORT ?? "8787";
// Local state lives in .wrangler/state unless EDGE_REGISTRY_STATE names another directory.
const persist = process.env.EDGE_REGISTRY_STATE ? ["--persist-to", process.env.EDGE_REGISTRY_STATE] : [];
ensureDevVars();
const env = offlineEnv();

const migrate = spawnSync(process.execPath, [wranglerBin, "d1", "migrations", "apply", "DB", "--local", ...persist], {
  cwd: projectRoot,
  env: { ...env, CI: "true" }, // CI=true: apply without the interactive confirmation
  stdio: "inherit",
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// Uploads take the production path by default: presigned for the S3 API wrangler dev serves for the
// local bucket. UPLOAD_MODE=gateway npm start uses the Worker's own verifying upload route instead.
const gatewayMode = process.env.UPLOAD_MODE === "gateway";
const modeVars = gatewayMode ? { UPLOAD_MODE: "gateway" } : localR2Vars(port);
const varArgs = Object.entries(modeVars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);

console.log(`\nedge-registry: serving on http://127.0.0.1:${port} (uploads: ${gatewayMode ? "the gateway's own route" : "R2 mode, wrangler's local S3 API"})`);
console.log(`edge-registry: the admin token is ADMIN_TOKEN in ${devVarsPath}\n`);

const dev = spawn(process.execPath, [wranglerBin, "dev", "--ip", "127.0.0.1", "--port", port, "--show-interactive-dev-session=false", ...persist, ...varArgs], {
  cwd: projectRoot,
  env,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));

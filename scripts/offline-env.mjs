// Environment that keeps wrangler from phoning out and keeps its files inside the project.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

export function offlineEnv(extra = {}) {
  const tmp = join(projectRoot, ".tmp");
  for (const dir of ["config", "logs", "tmp"]) mkdirSync(join(tmp, dir), { recursive: true });
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    XDG_CONFIG_HOME: join(tmp, "config"),
    WRANGLER_LOG_PATH: join(tmp, "logs"),
    TMPDIR: join(tmp, "tmp"),
    ...extra,
  };
}

/** The wrangler CLI, run by the Node that runs this script (npm scripts put the pinned Node 22 first on PATH). */
export const wranglerBin = join(projectRoot, "node_modules", "wrangler", "bin", "wrangler.js");

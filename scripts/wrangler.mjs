// `npm run wrangler -- <args>`: wrangler on the pinned Node, offline.
import { spawnSync } from "node:child_process";
import { offlineEnv, projectRoot, wranglerBin } from "./offline-env.mjs";

const result = spawnSync(process.execPath, [wranglerBin, ...process.argv.slice(2)], {
  cwd: projectRoot,
  env: offlineEnv(),
  stdio: "inherit",
});
process.exit(result.status ?? 1);

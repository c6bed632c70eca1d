// Another release of this project checked out beside it (a git worktree under .tmp/, sharing node_modules),
// so a benchmark can run it interleaved with this one (BENCH_AGAINST=<ref>), and tests can run its code.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "./offline-env.mjs";

/** Checks out `ref` (a commit, branch or tag of this repository); `remove()` deletes the checkout again. */
export function openReleaseTree(ref) {
  const sha = execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: projectRoot, encoding: "utf8" }).trim();
  const dir = join(projectRoot, ".tmp", "releases", `${sha.slice(0, 12)}-${process.pid}`);
  mkdirSync(join(projectRoot, ".tmp", "releases"), { recursive: true });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  execFileSync("git", ["worktree", "add", "--detach", dir, sha], { cwd: projectRoot, stdio: "pipe" });
  symlinkSync(join(projectRoot, "node_modules"), join(dir, "node_modules"));
  return {
    sha,
    dir,
    /** A module of that release, e.g. `scripts/dev-server.mjs`. */
    import: (path) => import(pathToFileURL(join(dir, path)).href),
    remove() {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: projectRoot, stdio: "pipe" });
    },
  };
}

// `npm run lint` refuses import cycles, type-only ones included: the checker it runs, on copies of src/ with a cycle introduced.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const checker = join(root, "scripts", "check-cycles.mjs");
const made: string[] = [];

/** A copy of the project's src/ in a fresh directory, to break on purpose. */
function copyOfSrc(): string {
  const dir = mkdtempSync(join(tmpdir(), "cycles-"));
  made.push(dir);
  cpSync(join(root, "src"), join(dir, "src"), { recursive: true });
  return dir;
}

function check(cwd: string) {
  const run = spawnSync(process.execPath, [checker], { cwd, encoding: "utf8", env: { ...process.env, NODE_PATH: join(root, "node_modules") } });
  return { status: run.status, output: run.stdout + run.stderr };
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("import cycle check", () => {
  it("is part of npm run lint", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.lint).toContain("node scripts/check-cycles.mjs");
  });

  it("passes on the project's source", () => {
    const result = check(root);
    expect(result.output).toMatch(/no import cycles in \d+ files/);
    expect(result.status).toBe(0);
  });

  it("fails on a type-only cycle introduced into the source", () => {
    const dir = copyOfSrc();
    // env.ts is imported by nearly everything; a type import back from it to the entry closes a loop.
    appendFileSync(join(dir, "src", "env.ts"), '\nimport type { routes as _routes } from "./index";\nexport type _Routes = typeof _routes;\n');
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/import cycle: src\/env\.ts → .*src\/index\.ts → .*src\/env\.ts|import cycle: src\/[^\n]*src\/env\.ts[^\n]*src\/index\.ts/);
  });

  it("fails on a value cycle and a re-export cycle", () => {
    const dir = copyOfSrc();
    writeFileSync(join(dir, "src", "cycle-a.ts"), 'import { b } from "./cycle-b";\nexport const a = () => b;\n');
    writeFileSync(join(dir, "src", "cycle-b.ts"), 'export { a as b } from "./cycle-a";\n');
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.output).toContain("src/cycle-a.ts → src/cycle-b.ts → src/cycle-a.ts");
  });

  it("fails on a module that imports itself", () => {
    const dir = copyOfSrc();
    writeFileSync(join(dir, "src", "self.ts"), 'import type { Self } from "./self";\nexport type Self = { next?: Self };\n');
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.output).toContain("src/self.ts → src/self.ts");
  });
});

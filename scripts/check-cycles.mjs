// Import cycles in the Worker's source, type-only imports counted: `npm run lint` fails on any.
// Usage: node scripts/check-cycles.mjs [dir ...]   (default: src). Exit 1 and one line per cycle when there are any.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const EXTENSIONS = [".ts", ".tsx", ".mts"];

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The file a relative specifier names, as the bundler resolves it; undefined for packages and missing files. */
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => join(base, "index" + ext))];
  if (/\.js$/.test(base)) candidates.push(...EXTENSIONS.map((ext) => base.replace(/\.js$/, ext)));
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

/**
 * Every module a file imports or re-exports: `import type` and `export type … from` included (TypeScript's
 * pre-processor lists them all, unlike lint rules that skip type imports), dynamic `import()` too.
 */
function importsOf(file) {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return [...new Set(info.importedFiles.map((f) => resolveSpecifier(file, f.fileName)).filter(Boolean))];
}

/** Tarjan's strongly connected components; every component of more than one file (or a self-import) holds a cycle. */
function cyclicComponents(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indices.get(next)));
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return components;
}

/** Every elementary cycle inside one component, each once (from its smallest file), at most `cap` of them. */
function elementaryCycles(graph, component, cap = 50) {
  const inside = new Set(component);
  const order = [...component].sort();
  const cycles = [];
  for (const [i, start] of order.entries()) {
    const allowed = new Set(order.slice(i));
    const path = [start];
    const onPath = new Set([start]);
    const walk = (node) => {
      for (const next of graph.get(node) ?? []) {
        if (cycles.length >= cap || !inside.has(next) || !allowed.has(next)) continue;
        if (next === start) cycles.push([...path, start]);
        else if (!onPath.has(next)) {
          path.push(next);
          onPath.add(next);
          walk(next);
          path.pop();
          onPath.delete(next);
        }
      }
    };
    walk(start);
  }
  return cycles;
}

const roots = process.argv.slice(2);
const dirs = (roots.length ? roots : ["src"]).map((d) => resolve(d));
const files = dirs.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const components = cyclicComponents(graph);
const shown = (file) => relative(process.cwd(), file);
const cycles = components.flatMap((component) => elementaryCycles(graph, component));
for (const cycle of cycles) console.error(`import cycle: ${cycle.map(shown).join(" → ")}`);
if (components.length) {
  console.error(`${cycles.length} import cycle(s) among ${components.reduce((n, c) => n + c.length, 0)} files, type-only imports included; move the shared types to a module both sides can import.`);
  process.exit(1);
}
console.log(`no import cycles in ${files.length} files`);

// Measures the docs derivation's own JS memory and R2 calls on large generated schemas: runs deriveDocs (bundled
// from src/api-docs/derive.ts) in Node against a file-backed bucket with R2's get/put/delete/multipart calls,
// sampling heap + array buffers. The schema is generated to a file by this process, then derived by a
// child limited to a 128 MB heap (--max-old-space-size=128): finishing at all shows it fits the Worker.
// Usage: node scripts/derive-memory.mjs <MiB> [<MiB> …]   (prints one JSON line of results)
// DERIVE_SPILL='{"runBytes":…}' overrides the spill limits (src/api-docs/spill.ts) for an experiment.
import { execFileSync } from "node:child_process";
import { build } from "esbuild";
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeDocsSchema } from "./docs-schema.mjs";
import { fileBucket } from "./file-bucket.mjs";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, ".tmp", "derive-bundle.mjs");

if (process.argv[2] === "--derive") {
  // The measured child: derive the schema in the given directory.
  const dir = process.argv[3];
  const { deriveDocs } = await import(pathToFileURL(out).href);
  const calls = {};
  const bucket = fileBucket(dir, calls);
  let temporary = 0;
  const limits = { ...JSON.parse(process.env.DERIVE_SPILL ?? "{}"), onTemporary: () => temporary++ };
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peak = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
  };
  // Live memory: what survives a full GC, sampled every second (the rest is garbage V8 collects when it must).
  let live = 0;
  const liveTimer = setInterval(() => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    live = Math.max(live, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
  }, 1000);
  const timer = setInterval(sample, 5);
  const t0 = performance.now();
  const keys = await deriveDocs(bucket, { schemaKey: "v/schema", readmeKey: "v/index" }, undefined, limits);
  const ms = performance.now() - t0;
  clearInterval(timer);
  clearInterval(liveTimer);
  sample();
  const pack = statSync(join(dir, encodeURIComponent(keys["docs.pack"]))).size;
  const left = readdirSync(dir).filter((f) => decodeURIComponent(f).includes("/docs/tmp/")).length;
  const r2Calls = Object.values(calls).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ ms, peakMiB: peak / 1024 / 1024, livePeakMiB: live / 1024 / 1024, packMiB: pack / 1024 / 1024, heapLimitMiB: 128, r2Calls, calls, temporaryObjects: temporary, temporaryLeft: left }));
} else {
  mkdirSync(dirname(out), { recursive: true });
  await build({ entryPoints: [join(root, "src/api-docs/derive.ts")], bundle: true, format: "esm", platform: "neutral", outfile: out, logLevel: "error" });
  const results = [];
  for (const mib of process.argv.slice(2).map(Number)) {
    const dir = mkdtempSync(join(tmpdir(), "derive-"));
    // Written piece by piece: a 400 MiB schema is more than one JS string may hold comfortably.
    const fd = openSync(join(dir, encodeURIComponent("v/schema")), "w");
    let pending = [];
    let pendingBytes = 0;
    const flush = () => {
      writeSync(fd, pending.join(""));
      pending = [];
      pendingBytes = 0;
    };
    const { bytes, resources } = writeDocsSchema("big", "1.0.0", mib * 1024 * 1024, (s) => {
      pending.push(s);
      pendingBytes += s.length;
      if (pendingBytes > 8 * 1024 * 1024) flush();
    });
    flush();
    closeSync(fd);
    writeFileSync(join(dir, encodeURIComponent("v/index")), "# big\n");
    try {
      const child = execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=128", new URL(import.meta.url).pathname, "--derive", dir], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
      results.push({ schemaMiB: bytes / 1024 / 1024, resources, ...JSON.parse(child.trim().split("\n").pop()) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify(results));
}

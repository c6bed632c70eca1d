// Measures the docs derivation's own JS memory on a large generated schema: runs deriveDocs (bundled
// from src/api-docs/derive.ts) in Node against a file-backed bucket with R2's get/put/multipart calls,
// sampling heap + array buffers. The schema is generated to a file by this process, then derived by a
// child limited to a 128 MB heap (--max-old-space-size=128): finishing at all shows it fits the Worker.
// Usage: node scripts/derive-memory.mjs <MiB> [<MiB> …]   (prints one JSON line of results)
import { execFileSync } from "node:child_process";
import { build } from "esbuild";
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { docsSchema } from "./docs-schema.mjs";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, ".tmp", "derive-bundle.mjs");
mkdirSync(dirname(out), { recursive: true });
await build({ entryPoints: [join(root, "src/api-docs/derive.ts")], bundle: true, format: "esm", platform: "neutral", outfile: out, logLevel: "error" });
const { deriveDocs } = await import(pathToFileURL(out).href);

/** The R2 calls deriveDocs makes, on files. */
function fileBucket(dir) {
  const path = (key) => join(dir, encodeURIComponent(key));
  const object = (key, range) => {
    const size = statSync(path(key)).size;
    const start = range?.offset ?? 0;
    const end = range ? start + range.length - 1 : size - 1;
    const body = () => Readable.toWeb(createReadStream(path(key), { start, end, highWaterMark: 64 * 1024 }));
    return { size, get body() { return body(); }, text: async () => readFileSync(path(key), "utf8").slice(0) };
  };
  return {
    async get(key, options) {
      try {
        statSync(path(key));
      } catch {
        return null;
      }
      return object(key, options?.range);
    },
    async put(key, value) {
      writeFileSync(path(key), typeof value === "string" ? value : Buffer.from(value));
    },
    async createMultipartUpload(key) {
      const parts = [];
      return {
        async uploadPart(n, bytes) {
          const file = path(`${key}.part${n}`);
          writeFileSync(file, Buffer.from(bytes));
          parts.push(file);
          return { partNumber: n, etag: String(n) };
        },
        async complete() {
          writeFileSync(path(key), "");
          for (const f of parts) appendFileSync(path(key), readFileSync(f));
          for (const f of parts) rmSync(f);
        },
        async abort() {},
      };
    },
  };
}

if (process.argv[2] === "--derive") {
  // The measured child: derive the schema in the given directory.
  const dir = process.argv[3];
  const bucket = fileBucket(dir);
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
  const keys = await deriveDocs(bucket, { schemaKey: "v/schema", readmeKey: "v/index" });
  const ms = performance.now() - t0;
  clearInterval(timer);
  clearInterval(liveTimer);
  sample();
  const pack = statSync(join(dir, encodeURIComponent(keys["docs.pack"]))).size;
  console.log(JSON.stringify({ ms, peakMiB: peak / 1024 / 1024, livePeakMiB: live / 1024 / 1024, packMiB: pack / 1024 / 1024, heapLimitMiB: 128 }));
} else {
  const results = [];
  for (const mib of process.argv.slice(2).map(Number)) {
    const dir = mkdtempSync(join(tmpdir(), "derive-"));
    const { schema, resources } = docsSchema("big", "1.0.0", mib * 1024 * 1024);
    writeFileSync(join(dir, encodeURIComponent("v/schema")), schema);
    writeFileSync(join(dir, encodeURIComponent("v/index")), "# big\n");
    const child = execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=128", new URL(import.meta.url).pathname, "--derive", dir], { encoding: "utf8" });
    results.push({ schemaMiB: schema.byteLength / 1024 / 1024, resources, ...JSON.parse(child.trim().split("\n").pop()) });
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results));
}

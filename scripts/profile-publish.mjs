// Measures the CPU of complete's metadata scan and of the docs derivation in Node, on generated schemas of both shapes,
// against a file-backed bucket (scripts/file-bucket.mjs). For profiling and rough numbers only: the bench through
// wrangler dev (npm run bench:publish) is the measurement of record.
// Usage: node [--cpu-prof] scripts/profile-publish.mjs <provider|dense> <MiB> <metadata|derive|steps> [--old]
//   metadata  extractSchemaMetadata over the schema streamed from the file
//   derive    deriveDocs (one call)
//   steps     deriveStep until done, one step at a time; prints the largest step's CPU
//   --old     the same, bundled from the commit before the scanner (PROFILE_OLD_COMMIT, default 348a398)
//   PROFILE_PHASE=<phase> (with steps) writes a V8 CPU profile of that phase's steps only to .tmp/<phase>.cpuprofile
//   PROFILE_HEAP=1 (with PROFILE_PHASE) a sampling heap profile of what the phase allocates instead: .tmp/<phase>.heapprofile
// Prints one JSON line: CPU seconds (user+system of this process during the call), s/MiB, wall ms, peak heap.
import { execFileSync } from "node:child_process";
import { build } from "esbuild";
import { existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Session } from "node:inspector/promises";
import { fileBucket } from "./file-bucket.mjs";
import { writeSchemaFile } from "./gen-schema.mjs";

const root = new URL("..", import.meta.url).pathname;
const [shape, mibArg, what] = process.argv.slice(2);
const old = process.argv.includes("--old");
const mib = Number(mibArg);
if (!["provider", "dense"].includes(shape) || !(mib > 0) || !["metadata", "derive", "steps"].includes(what)) {
  console.error("usage: node scripts/profile-publish.mjs <provider|dense> <MiB> <metadata|derive|steps> [--old]");
  process.exit(2);
}

async function bundle() {
  let src = join(root, "src");
  if (old) {
    const commit = process.env.PROFILE_OLD_COMMIT ?? "348a398";
    const dir = join(root, ".tmp", `old-${commit}`);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      execFileSync("sh", ["-c", `git -C ${root} archive ${commit} src | tar -x -C ${dir}`]);
    }
    src = join(dir, "src");
  }
  mkdirSync(join(root, ".tmp"), { recursive: true });
  const entry = join(root, ".tmp", `profile-entry-${old ? "old" : "new"}.ts`);
  const steps = existsSync(join(src, "api-docs/derive-steps.ts"));
  writeFileSync(
    entry,
    `export { extractSchemaMetadata } from ${JSON.stringify(join(src, "packages/schema-metadata.ts"))};\n` +
      `export { deriveDocs } from ${JSON.stringify(join(src, "api-docs/derive.ts"))};\n` +
      (steps ? `export { deriveStep, discardDerivation } from ${JSON.stringify(join(src, "api-docs/derive-steps.ts"))};\n` : ""),
  );
  const out = entry.replace(/\.ts$/, ".mjs");
  await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", outfile: out, logLevel: "error", sourcemap: "inline" });
  return import(pathToFileURL(out).href);
}

function schemaFile() {
  const dir = join(root, ".tmp", "schemas");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${shape}-${mib}.json`);
  if (!existsSync(file)) writeSchemaFile(shape, mib, file);
  return file;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const mod = await bundle();
const file = schemaFile();
const bytes = statSync(file).size;
const dir = mkdtempSync(join(tmpdir(), "profile-"));
const calls = {};
const moved = { read: 0, written: 0 };
const bucket = fileBucket(dir, calls, moved);
linkSync(file, join(dir, encodeURIComponent("v/schema")));
writeFileSync(join(dir, encodeURIComponent("v/index")), "# bench\n\nA generated provider.\n");
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
const result = { shape, schemaMiB: +(bytes / 1048576).toFixed(1), what, old };
const t0 = performance.now();
const c0 = cpu();
try {
  if (what === "metadata") {
    const object = await bucket.get("v/schema");
    result.metadata = await mod.extractSchemaMetadata(object.body, { source: "pulumi", publisher: "acme", name: "bench", version: "1.0.0" });
  } else if (what === "derive") {
    await mod.deriveDocs(bucket, { schemaKey: "v/schema", readmeKey: "v/index" });
  } else {
    if (!mod.deriveStep) throw new Error("this tree has no derive-steps.ts");
    const input = { schemaKey: "v/schema", readmeKey: "v/index", prefix: "v/docs/", workId: "w1" };
    let state = null;
    let steps = 0;
    let maxStep = 0;
    let maxState = 0;
    const kinds = {};
    const maxByPhase = {};
    const callsByPhase = {};
    const mibByPhase = {};
    const writtenByPhase = {};
    const totalCalls = () => Object.values(calls).reduce((n, c) => n + c, 0);
    const profilePhase = process.env.PROFILE_PHASE;
    const session = profilePhase ? new Session() : undefined;
    session?.connect();
    // PROFILE_HEAP=1: a sampling heap profile of what the phase allocates (garbage included) instead, .tmp/<phase>.heapprofile.
    const heapProfile = process.env.PROFILE_HEAP === "1";
    await session?.post(heapProfile ? "HeapProfiler.enable" : "Profiler.enable");
    let profiling = false;
    for (;;) {
      const phaseNow = state?.phase ?? "first";
      if (session && !profiling && phaseNow === profilePhase) {
        if (heapProfile) await session.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        else await session.post("Profiler.start");
        profiling = true;
      } else if (session && profiling && phaseNow !== profilePhase) {
        if (heapProfile) {
          const { profile } = await session.post("HeapProfiler.stopSampling");
          writeFileSync(join(root, ".tmp", `${profilePhase}.heapprofile`), JSON.stringify(profile));
        } else {
          const { profile } = await session.post("Profiler.stop");
          writeFileSync(join(root, ".tmp", `${profilePhase}.cpuprofile`), JSON.stringify(profile));
        }
        profiling = false;
      }
      const c0 = totalCalls();
      const m0 = moved.read + moved.written;
      const w0 = moved.written;
      const s0 = cpu();
      const r = await mod.deriveStep(bucket, input, state);
      const spent = cpu() - s0;
      steps++;
      if (spent > maxStep) {
        maxStep = spent;
        result.maxStepPhase = state?.phase ?? "first";
      }
      const phase = state?.phase ?? "first";
      kinds[phase] = +((kinds[phase] ?? 0) + spent).toFixed(3);
      maxByPhase[phase] = +Math.max(maxByPhase[phase] ?? 0, spent).toFixed(3);
      callsByPhase[phase] = (callsByPhase[phase] ?? 0) + totalCalls() - c0;
      mibByPhase[phase] = +((mibByPhase[phase] ?? 0) + (moved.read + moved.written - m0) / 1048576).toFixed(1);
      writtenByPhase[phase] = +((writtenByPhase[phase] ?? 0) + (moved.written - w0) / 1048576).toFixed(1);
      if (r.done) break;
      state = r.state;
      maxState = Math.max(maxState, JSON.stringify(state).length);
    }
    await mod.discardDerivation(bucket, input);
    // The docs objects the chain wrote (MiB), beside the schema's size.
    const listed = await bucket.list({ prefix: input.prefix, limit: 1000 });
    result.objectsMiB = Object.fromEntries(listed.objects.map((o) => [o.key.slice(input.prefix.length), +(o.size / 1048576).toFixed(2)]));
    Object.assign(result, { steps, maxStepCpuS: +maxStep.toFixed(3), maxStateBytes: maxState, cpuByPhase: kinds, maxStepCpuByPhase: maxByPhase, r2CallsByPhase: callsByPhase, r2MiBMovedByPhase: mibByPhase, r2MiBWrittenByPhase: writtenByPhase });
  }
} finally {
  clearInterval(timer);
}
const spent = cpu() - c0;
Object.assign(result, { cpuS: +spent.toFixed(3), cpuSPerMiB: +(spent / (bytes / 1048576)).toFixed(4), wallMs: Math.round(performance.now() - t0), peakHeapMiB: +(peak / 1048576).toFixed(1), r2Calls: calls, r2MiBRead: +(moved.read / 1048576).toFixed(1), r2MiBWritten: +(moved.written / 1048576).toFixed(1) });
console.log(JSON.stringify(result));
if (!process.env.PROFILE_KEEP) rmSync(dir, { recursive: true, force: true }); else console.error("kept", dir);

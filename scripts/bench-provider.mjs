// `npm run bench:provider`: provider-scale publishing through a real `wrangler dev`. For each schema shape
// (a real provider's: few fat resources, scripts/provider-schema.mjs; the dense one of scripts/docs-schema.mjs)
// and size (BENCH_PROVIDER_MB, default "25,100,300"), publishes a schema the way the CLI does (start, PUT to
// the presigned URL, complete) and prints: complete's latency, the time until the docs are readable, the
// server's CPU seconds (every process of the server: wrangler, workerd, its local D1 and R2) during
// complete and during the whole derivation, CPU s/MiB, the most CPU any single derivation step took (the
// tree's CPU between a step's `jobStep` start and end log lines; the chain runs one step at a time), the
// number of steps and each one's CPU, the Worker isolate's own CPU (isolateCpu below: what Cloudflare counts,
// without the local D1 and R2) for complete, the whole publish, per MiB and the largest step, workerd's peak
// resident memory over the baseline, the Worker isolate's V8 heap (isolateHeap below: peak sampled, and at the
// end); beside each, this machine's
// speed at that moment (Node's JSON round trip, s/MiB) and the publish's CPU over it, comparable across runs. Docs reads of the largest package
// are timed against /healthz. Prints numbers; asserts nothing.
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { descendants, startDevServer } from "./dev-server.mjs";
import { writeDocsSchema } from "./docs-schema.mjs";
import { writeProviderSchema } from "./provider-schema.mjs";
import { projectRoot } from "./offline-env.mjs";

const MiB = 1024 * 1024;
const SIZES = (process.env.BENCH_PROVIDER_MB ?? "25,100,300").split(",").map(Number);
const SHAPES = (process.env.BENCH_PROVIDER_SHAPES ?? "provider,dense").split(",");
const READS = Number(process.env.BENCH_PROVIDER_READS ?? 100);
const TICKS = 100; // USER_HZ on Linux

/** utime + stime of every process in the server's tree, in seconds (children that exited are in cutime/cstime of their parent). */
function treeCpu(root) {
  let ticks = 0;
  for (const pid of [root, ...descendants(root)]) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // exited
    }
  }
  return ticks / TICKS;
}

/** CPU seconds of each process of the tree, by its command's name (workerd, node, …). */
function cpuByName(root) {
  const out = {};
  for (const pid of [root, ...descendants(root)]) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
    } catch {
      // exited
    }
  }
  return out;
}

function workerdRss(root) {
  let bytes = 0;
  for (const pid of descendants(root)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) bytes += Number(m[1]) * 1024;
    } catch {
      // exited
    }
  }
  return bytes;
}

const steps = [];
let stepStart;
/** Complete's log line (its phases: copy, inspect, commit), the last one seen. */
let completeLine;
const server = await startDevServer({
  name: "bench-provider",
  vars: { RATE_LIMITS: "off" },
  log(line) {
    if (line.includes('"route":"/api/registry/packages/pulumi/bench/') && line.includes('/complete"')) {
      try {
        completeLine = JSON.parse(line.slice(line.indexOf("{")));
      } catch {
        // not the request's line
      }
    }
    const at = line.indexOf('{"jobStep"');
    if (at < 0) return;
    let event;
    try {
      event = JSON.parse(line.slice(at)).jobStep;
    } catch {
      return;
    }
    const cpu = treeCpu(server.pid);
    const when = monotonicUs();
    if (event.phase === "start") stepStart = { cpu, at: when };
    else if (stepStart !== undefined) {
      steps.push({ subject: event.subject, step: event.step, cpu: cpu - stepStart.cpu, from: stepStart.at, to: when });
      stepStart = undefined;
    }
  },
});

/** A session on the Worker isolate's inspector (wrangler's inspector proxy). */
async function openInspector() {
  const targets = await (await fetch(`http://127.0.0.1:${server.inspectorPort}/json`)).json();
  // Node's WebSocket (undici) sends a User-Agent, so wrangler's inspector proxy wants an allowed Origin as well.
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    // Messages the proxy sends of its own (ids it chose, events) have no waiter.
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  };
  // A method workerd does not serve is never answered (HeapProfiler.collectGarbage, for one): give up after `wait` ms.
  const call = (method, params, wait = 5000) =>
    new Promise((resolve) => {
      const i = ++id;
      const timeout = setTimeout(() => (pending.delete(i), resolve(undefined)), wait);
      pending.set(i, (m) => (clearTimeout(timeout), resolve(m.result)));
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  return { call, close: () => ws.close() };
}

/**
 * The Worker isolate's V8 heap (Runtime.getHeapUsage): what Cloudflare's 128 MB
 * isolate limit applies to, which the process tree's RSS (workerd with its local D1 and R2, allocator arenas)
 * does not show. Sampled every 100 ms while a publish runs; an answer comes when V8 serves the inspector, so a
 * peak inside one long synchronous stretch may be missed — `heapSamples` says how many answers there were — and
 * used size counts garbage not yet collected (V8 collects sooner under a 128 MB limit; workerd's inspector does
 * not serve HeapProfiler.collectGarbage, so live size cannot be asked for). `endHeapMiB`: used once the docs are ready.
 */
function isolateHeap(inspector) {
  const used = async () => (await inspector.call("Runtime.getHeapUsage"))?.usedSize;
  let peak = 0;
  let peakAt = 0;
  let samples = 0;
  let busy = false;
  let timer;
  return {
    start() {
      peak = 0;
      samples = 0;
      timer = setInterval(async () => {
        if (busy) return;
        busy = true;
        const size = await used();
        busy = false;
        if (typeof size === "number") {
          if (size > peak) [peak, peakAt] = [size, monotonicUs()];
          samples++;
        }
      }, 100);
    },
    /** The peak of the samples (garbage not yet collected included) and the heap used once the docs are ready. */
    async stop() {
      clearInterval(timer);
      const end = await used();
      return { peakHeapMiB: +(peak / MiB).toFixed(1), peakAt, heapSamples: samples, endHeapMiB: +((end ?? 0) / MiB).toFixed(1) };
    },
  };
}

/**
 * The Worker isolate's own CPU, from V8's sampling profiler (Profiler.start/stop over the inspector, a sample every
 * millisecond): the CPU Cloudflare counts against a request's limit, without the local D1 and R2 (in workerd's
 * process, other isolates) or wrangler, which the process tree's CPU includes. V8 samples only while the isolate
 * runs, so each sample that is not `(idle)` stands for the time since the one before it; a gap of 5 ms or more
 * (the isolate was not running in between) is not counted. That is time on the isolate's thread while it ran,
 * so a thread descheduled on this busy machine counts as running: an upper bound of its CPU. The profile's clock
 * is CLOCK_MONOTONIC, as Node's process.hrtime, so samples are split between complete and the derivation, and among
 * the steps by the times their log lines arrived (a few ms late, at both ends). Sampling costs the isolate a few
 * percent.
 */
function isolateCpu(inspector) {
  return {
    async start() {
      await inspector.call("Profiler.enable");
      await inspector.call("Profiler.setSamplingInterval", { interval: 1000 });
      await inspector.call("Profiler.start");
    },
    /** [time, span] of each sample the isolate ran, in µs of CLOCK_MONOTONIC. */
    async stop() {
      const result = await inspector.call("Profiler.stop", undefined, 120_000);
      if (!result?.profile) return [];
      // BENCH_PROVIDER_PROFILE=<file>: the last publish's profile, for DevTools or a reader of .cpuprofile files.
      if (process.env.BENCH_PROVIDER_PROFILE) writeFileSync(process.env.BENCH_PROVIDER_PROFILE, JSON.stringify(result.profile));
      const { nodes, samples, timeDeltas, startTime } = result.profile;
      const idle = new Set(nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
      const ran = [];
      let at = startTime;
      for (let i = 0; i < samples.length; i++) {
        at += timeDeltas[i];
        if (!idle.has(samples[i]) && timeDeltas[i] > 0 && timeDeltas[i] < 5000) ran.push([at, timeDeltas[i]]);
      }
      return ran;
    },
  };
}
/** Seconds of the samples between two CLOCK_MONOTONIC times (µs). */
const ranBetween = (ran, from, to) => ran.reduce((sum, [at, span]) => (at > from && at <= to ? sum + span : sum), 0) / 1e6;
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function api(method, path, token, body) {
  const r = await fetch(server.url + path, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/vnd.pulumi+9", ...(token ? { Authorization: `token ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

await api("POST", "/api/admin/orgs", server.adminToken, { login: "bench" });
const token = (await api("POST", "/api/admin/orgs/bench/tokens", server.adminToken, { role: "publisher" })).token;
const tmp = join(projectRoot, ".tmp", "bench-provider");
mkdirSync(tmp, { recursive: true });

function generate(shape, name, megabytes) {
  const file = join(tmp, `${name}.json`);
  const fd = openSync(file, "w");
  const write = (s) => writeSync(fd, s);
  // The generators may overshoot their target by an entry: aim a little under, so 300 stays within MAX_SCHEMA_BYTES.
  const target = megabytes * MiB - 64 * 1024;
  const info = shape === "provider" ? writeProviderSchema(name, "1.0.0", target, write) : writeDocsSchema(name, "1.0.0", target, write);
  closeSync(fd);
  return { file, bytes: statSync(file).size, resources: info.resources };
}

/**
 * Asks /healthz every `everyMs` until stopped, one request at a time: how long another request of the isolate waits
 * while the chain runs (a step's work that never gives the event loop a turn holds every other request for its length).
 */
function healthzProbe(everyMs = 200) {
  const times = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      await (await fetch(`${server.url}/healthz`)).arrayBuffer();
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      const sorted = [...times].sort((a, b) => a - b);
      const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      return { healthzDuringChainP50Ms: +at(0.5).toFixed(1), healthzDuringChainMaxMs: +(sorted[sorted.length - 1] ?? 0).toFixed(1), healthzDuringChainN: sorted.length };
    },
  };
}

async function publishOne(shape, megabytes) {
  const name = `${shape}${megabytes}`;
  const { file, bytes, resources } = generate(shape, name, megabytes);
  const path = `/api/registry/packages/pulumi/bench/${name}`;
  const start = await api("POST", `${path}/versions`, token, { version: "1.0.0" });
  const put = await fetch(start.uploadURLs.schema, { method: "PUT", body: createReadStream(file), duplex: "half", headers: { "Content-Length": String(bytes) } });
  await put.arrayBuffer();
  if (put.status >= 400) throw new Error(`upload: ${put.status}`);
  await (await fetch(start.uploadURLs.index, { method: "PUT", body: `# ${name}\n` })).arrayBuffer();
  rmSync(file);
  const baseline = workerdRss(server.pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, workerdRss(server.pid))), 250);
  heap.start();
  await profiler.start();
  steps.length = 0;
  completeLine = undefined;
  const cpu0 = treeCpu(server.pid);
  const byName0 = cpuByName(server.pid);
  const t0 = performance.now();
  await api("POST", `${path}/versions/1.0.0/complete`, token, { operationID: start.operationID });
  const completeMs = performance.now() - t0;
  const completeAt = monotonicUs();
  const cpu1 = treeCpu(server.pid);
  const probe = healthzProbe();
  let status = "pending";
  while (status === "pending") {
    await new Promise((r) => setTimeout(r, 250));
    status = (await api("GET", `${path}/versions/1.0.0`, token)).docs.status;
  }
  const readyMs = performance.now() - t0;
  const healthzDuringChain = await probe.stop();
  const cpu2 = treeCpu(server.pid);
  const byName2 = cpuByName(server.pid);
  clearInterval(sampler);
  const { peakAt, ...heapPeak } = await heap.stop();
  // When the heap peaked: during complete, during a step of the chain (its number, from 0), or after either (the
  // samples fall mostly between turns, where garbage not yet collected is counted).
  const peakStep = steps.findIndex((s) => s.from <= peakAt && peakAt <= s.to);
  const before = steps.findLastIndex((s) => s.to < peakAt);
  const peakHeapDuring =
    peakAt <= completeAt ? "complete" : peakStep >= 0 ? `step ${peakStep}` : before >= 0 ? `after step ${before}` : "after complete";
  const ran = await profiler.stop();
  const mib = bytes / MiB;
  const maxStep = steps.reduce((m, s) => Math.max(m, s.cpu), 0);
  const isolateTotal = ranBetween(ran, 0, Infinity);
  const stepIsolate = steps.map((s) => ranBetween(ran, s.from, s.to));
  return {
    shape,
    MiB: +mib.toFixed(1),
    resources,
    status,
    completeS: +(completeMs / 1000).toFixed(2),
    docsReadyAfterCompleteS: +((readyMs - completeMs) / 1000).toFixed(1),
    completeCpuS: +(cpu1 - cpu0).toFixed(2),
    // Complete's own account of its time (its log line): copying the upload to its immutable key, inspecting the
    // copy (the schema's scan), the commit; the rest of completeS is the request's way in and out.
    completeCopyS: completeLine?.phasesMs ? +(completeLine.phasesMs.copy / 1000).toFixed(2) : null,
    completeInspectS: completeLine?.phasesMs ? +(completeLine.phasesMs.inspect / 1000).toFixed(2) : null,
    completeCommitS: completeLine?.phasesMs ? +(completeLine.phasesMs.commit / 1000).toFixed(2) : null,
    totalCpuS: +(cpu2 - cpu0).toFixed(1),
    cpuSPerMiB: +((cpu2 - cpu0) / mib).toFixed(3),
    steps: steps.length,
    maxStepCpuS: +maxStep.toFixed(2),
    // The Worker isolate's own CPU (isolateCpu above): complete's, the whole publish's, per MiB, the largest step's.
    isolateCompleteCpuS: +ranBetween(ran, 0, completeAt).toFixed(2),
    isolateCpuS: +isolateTotal.toFixed(1),
    isolateCpuSPerMiB: +(isolateTotal / mib).toFixed(3),
    maxStepIsolateCpuS: +Math.max(0, ...stepIsolate).toFixed(2),
    // Each step's CPU in chain order (scan…, kinds, pack…, premerge…/table, index…, nav, finish): where it goes.
    stepCpuS: steps.map((s) => +s.cpu.toFixed(2)),
    stepIsolateCpuS: stepIsolate.map((c) => +c.toFixed(2)),
    cpuSByProcess: Object.fromEntries(Object.entries(byName2).map(([k, v]) => [k, +(v - (byName0[k] ?? 0)).toFixed(2)])),
    peakRssOverBaselineMiB: +((peak - baseline) / MiB).toFixed(0),
    ...healthzDuringChain,
    ...heapPeak,
    peakHeapDuring,
    path,
  };
}

async function p50(url, n, headers = {}) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * This machine's speed at the moment, for reading the CPU figures across runs (they moved 2.6× between days on the
 * shared 2-core machine, the code unchanged): Node's CPU s/MiB for JSON.parse then JSON.stringify of a 16 MiB dense
 * schema, the best of three, measured beside each publish. `cpuOverJson` is the publish's CPU s/MiB over it.
 */
const calibrationText = (() => {
  const parts = [];
  writeDocsSchema("calibration", "1.0.0", 16 * MiB, (s) => parts.push(s));
  return parts.join("");
})();
function jsonCpuSPerMiB() {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const u0 = process.cpuUsage();
    JSON.stringify(JSON.parse(calibrationText));
    const u = process.cpuUsage(u0);
    best = Math.min(best, (u.user + u.system) / 1e6 / (Buffer.byteLength(calibrationText) / MiB));
  }
  return best;
}

const rows = [];
let inspector;
let heap;
let profiler;
try {
  inspector = await openInspector();
  heap = isolateHeap(inspector);
  profiler = isolateCpu(inspector);
  for (const megabytes of SIZES) {
    for (const shape of SHAPES) {
      const before = jsonCpuSPerMiB();
      const row = await publishOne(shape, megabytes);
      const json = (before + jsonCpuSPerMiB()) / 2;
      Object.assign(row, { jsonCpuSPerMiB: +json.toFixed(4), cpuOverJson: +(row.cpuSPerMiB / json).toFixed(1) });
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  const largest = rows.filter((r) => r.status === "ready").sort((a, b) => b.MiB - a.MiB)[0];
  if (largest) {
    const auth = { Authorization: `token ${token}` };
    const nav = await api("GET", `${largest.path}/versions/1.0.0/nav?depth=full`, token);
    const first = nav.modules.find((m) => m.resources.length).resources[0].token;
    const healthz = await p50(`${server.url}/healthz`, READS);
    const navP50 = await p50(`${server.url}${largest.path}/versions/1.0.0/nav`, READS, auth);
    const docP50 = await p50(`${server.url}${largest.path}/versions/1.0.0/docs/${encodeURIComponent(first)}`, READS, auth);
    console.log(JSON.stringify({ docsReadsOf: `${largest.shape} ${largest.MiB} MiB`, healthzMs: +healthz.toFixed(2), navRatio: +(navP50 / healthz).toFixed(2), docsRatio: +(docP50 / healthz).toFixed(2) }));
  }
} finally {
  inspector?.close();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
console.table(rows.map(({ path: _path, stepCpuS: _steps, stepIsolateCpuS: _isolateSteps, cpuSByProcess: _byProcess, ...r }) => r));

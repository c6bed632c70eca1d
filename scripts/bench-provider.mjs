// `npm run bench:provider`: provider-scale publishing through a real `wrangler dev`. For each schema shape
// (a real provider's: few fat resources, scripts/provider-schema.mjs; the dense one of scripts/docs-schema.mjs)
// and size (BENCH_PROVIDER_MB, default "25,100,300"), publishes a schema the way the CLI does (start, PUT to
// the presigned URL, complete) and prints: complete's latency, the time until the docs are readable, the
// server's CPU seconds (every process of the server: wrangler, workerd, its local D1 and R2) during
// complete and during the whole derivation, CPU s/MiB, the most CPU any single derivation step took (the
// tree's CPU between a step's `jobStep` start and end log lines; the chain runs one step at a time), the
// number of steps and each one's CPU, workerd's peak resident memory over the baseline, the Worker isolate's V8 heap
// (isolateHeap below: peak sampled, and at the end); beside each, this machine's
// speed at that moment (Node's JSON round trip, s/MiB) and the publish's CPU over it, comparable across runs. Docs reads of the largest package
// are timed against /healthz. Prints numbers; asserts nothing.
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
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
const server = await startDevServer({
  name: "bench-provider",
  vars: { RATE_LIMITS: "off" },
  log(line) {
    const at = line.indexOf('{"jobStep"');
    if (at < 0) return;
    let event;
    try {
      event = JSON.parse(line.slice(at)).jobStep;
    } catch {
      return;
    }
    const cpu = treeCpu(server.pid);
    if (event.phase === "start") stepStart = cpu;
    else if (stepStart !== undefined) {
      steps.push({ subject: event.subject, step: event.step, cpu: cpu - stepStart });
      stepStart = undefined;
    }
  },
});

/**
 * The Worker isolate's V8 heap, through wrangler's inspector (Runtime.getHeapUsage): what Cloudflare's 128 MB
 * isolate limit applies to, which the process tree's RSS (workerd with its local D1 and R2, allocator arenas)
 * does not show. Sampled every 100 ms while a publish runs; an answer comes when V8 serves the inspector, so a
 * peak inside one long synchronous stretch may be missed — `heapSamples` says how many answers there were — and
 * used size counts garbage not yet collected (V8 collects sooner under a 128 MB limit; workerd's inspector does
 * not serve HeapProfiler.collectGarbage, so live size cannot be asked for). `endHeapMiB`: used once the docs are ready.
 */
async function isolateHeap() {
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
  // A method workerd does not serve is never answered (HeapProfiler.collectGarbage, for one): give up after 5 s.
  const call = (method) =>
    new Promise((resolve) => {
      const i = ++id;
      const timeout = setTimeout(() => (pending.delete(i), resolve(undefined)), 5000);
      pending.set(i, (m) => (clearTimeout(timeout), resolve(m.result)));
      ws.send(JSON.stringify({ id: i, method }));
    });
  const used = async () => (await call("Runtime.getHeapUsage"))?.usedSize;
  let peak = 0;
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
          peak = Math.max(peak, size);
          samples++;
        }
      }, 100);
    },
    /** The peak of the samples (garbage not yet collected included) and the heap used once the docs are ready. */
    async stop() {
      clearInterval(timer);
      const end = await used();
      return { peakHeapMiB: +(peak / MiB).toFixed(1), heapSamples: samples, endHeapMiB: +((end ?? 0) / MiB).toFixed(1) };
    },
    close: () => ws.close(),
  };
}

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
  steps.length = 0;
  const cpu0 = treeCpu(server.pid);
  const byName0 = cpuByName(server.pid);
  const t0 = performance.now();
  await api("POST", `${path}/versions/1.0.0/complete`, token, { operationID: start.operationID });
  const completeMs = performance.now() - t0;
  const cpu1 = treeCpu(server.pid);
  let status = "pending";
  while (status === "pending") {
    await new Promise((r) => setTimeout(r, 250));
    status = (await api("GET", `${path}/versions/1.0.0`, token)).docs.status;
  }
  const readyMs = performance.now() - t0;
  const cpu2 = treeCpu(server.pid);
  const byName2 = cpuByName(server.pid);
  clearInterval(sampler);
  const heapPeak = await heap.stop();
  const mib = bytes / MiB;
  const maxStep = steps.reduce((m, s) => Math.max(m, s.cpu), 0);
  return {
    shape,
    MiB: +mib.toFixed(1),
    resources,
    status,
    completeS: +(completeMs / 1000).toFixed(2),
    docsReadyAfterCompleteS: +((readyMs - completeMs) / 1000).toFixed(1),
    completeCpuS: +(cpu1 - cpu0).toFixed(2),
    totalCpuS: +(cpu2 - cpu0).toFixed(1),
    cpuSPerMiB: +((cpu2 - cpu0) / mib).toFixed(3),
    steps: steps.length,
    maxStepCpuS: +maxStep.toFixed(2),
    // Each step's CPU in chain order (scan…, kinds, pack…, premerge…/table, index…, nav, finish): where it goes.
    stepCpuS: steps.map((s) => +s.cpu.toFixed(2)),
    cpuSByProcess: Object.fromEntries(Object.entries(byName2).map(([k, v]) => [k, +(v - (byName0[k] ?? 0)).toFixed(2)])),
    peakRssOverBaselineMiB: +((peak - baseline) / MiB).toFixed(0),
    ...heapPeak,
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
let heap;
try {
  heap = await isolateHeap();
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
  heap?.close();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
console.table(rows.map(({ path: _path, stepCpuS: _steps, cpuSByProcess: _byProcess, ...r }) => r));

// `npm run bench`: publishes N packages through a real `wrangler dev`, lists them, and publishes one
// large schema while sampling the workerd process's memory. Prints numbers; asserts nothing.
// Environment: BENCH_PACKAGES (default 200), BENCH_CONCURRENCY (8), BENCH_LISTS (200), BENCH_SCHEMA_MB (50).
import { readFileSync, readdirSync } from "node:fs";
import { startDevServer } from "./dev-server.mjs";
import { benchPages } from "./bench-pages.mjs";

const N = Number(process.env.BENCH_PACKAGES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const LISTS = Number(process.env.BENCH_LISTS ?? 200);
const SCHEMA_MB = Number(process.env.BENCH_SCHEMA_MB ?? 50);

const server = await startDevServer({ name: "bench" });
const json = { "Content-Type": "application/json", Accept: "application/vnd.pulumi+9" };

async function api(method, path, token, body) {
  const r = await fetch(server.url + path, {
    method,
    headers: { ...json, ...(token ? { Authorization: `token ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function publish(token, name, version, schema, readme = `# ${name}\n`) {
  const start = await api("POST", `/api/registry/packages/pulumi/bench/${name}/versions`, token, { version });
  for (const [slot, body] of [["schema", schema], ["index", readme]]) {
    const r = await fetch(start.uploadURLs[slot], { method: "PUT", body });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`upload ${slot}: ${r.status}`);
  }
  await api("POST", `/api/registry/packages/pulumi/bench/${name}/versions/${version}/complete`, token, { operationID: start.operationID });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** workerd processes under the wrangler dev process. */
function workerdPids(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // process went away
    }
  }
  const out = [];
  const walk = (pid) => {
    for (const child of children.get(pid) ?? []) {
      try {
        if (readFileSync(`/proc/${child}/cmdline`, "utf8").includes("workerd")) out.push(child);
      } catch {
        // gone
      }
      walk(child);
    }
  };
  walk(root);
  return out;
}

function rssBytes(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

function largeSchema(name, version, bytes) {
  const parts = [`{"name":"${name}","version":"${version}","displayName":"Large","resources":{`];
  let size = parts[0].length;
  for (let i = 0; size < bytes - 100; i++) {
    const s = `${i ? "," : ""}"${name}:index/r${i}:R${i}":{"description":"resource ${i} with a little text","properties":{"id":{"type":"string"},"n":{"type":"integer"}}}`;
    parts.push(s);
    size += s.length;
  }
  parts.push(`},"description":"large"}`);
  return Buffer.from(parts.join(""));
}

try {
  await api("POST", "/api/admin/orgs", server.adminToken, { login: "bench" });
  const { token } = await api("POST", "/api/admin/orgs/bench/tokens", server.adminToken, { role: "publisher" });
  const schema = (name) => JSON.stringify({ name, version: "1.0.0", displayName: name, keywords: ["kind/native"] });

  // Publishes: start + 2 uploads + complete each, CONCURRENCY at a time.
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const name = `pkg-${String(i).padStart(5, "0")}`;
        await publish(token, name, "1.0.0", schema(name));
      }
    }),
  );
  const publishSeconds = (performance.now() - t0) / 1000;

  // Lists: a full walk at limit=100, then repeated first pages. Anonymous reads go through the edge
  // cache (hits once warm); authenticated reads always query D1 (and count usage): reported apart.
  const walk = [];
  const anonymous = [];
  const authenticated = [];
  let walked = 0;
  let continuation;
  do {
    const s = performance.now();
    const page = await api("GET", `/api/registry/packages?publisher=bench&limit=100${continuation ? `&continuationToken=${continuation}` : ""}`, token);
    walk.push(performance.now() - s);
    walked += page.packages.length;
    continuation = page.continuationToken;
  } while (continuation);
  for (let i = 0; i < LISTS; i++) {
    const sort = i % 2 ? "createdAt" : "name";
    let s = performance.now();
    await api("GET", `/api/registry/packages?limit=100&sort=${sort}`);
    anonymous.push(performance.now() - s);
    s = performance.now();
    await api("GET", `/api/registry/packages?limit=100&sort=${sort}`, token);
    authenticated.push(performance.now() - s);
  }
  for (const list of [walk, anonymous, authenticated]) list.sort((a, b) => a - b);
  const pct = (list) => `p50 ${percentile(list, 50).toFixed(1)} ms, p99 ${percentile(list, 99).toFixed(1)} ms`;

  // One large schema, with the workerd process's resident memory sampled throughout the complete.
  const big = largeSchema("large", "1.0.0", SCHEMA_MB * 1024 * 1024);
  const pids = workerdPids(server.pid);
  const start = await api("POST", "/api/registry/packages/pulumi/bench/large/versions", token, { version: "1.0.0" });
  for (const [slot, body] of [["schema", big], ["index", "# large\n"]]) {
    const r = await fetch(start.uploadURLs[slot], { method: "PUT", body });
    await r.arrayBuffer();
  }
  const baseline = rssBytes(pids);
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pids));
  }, 20);
  const c0 = performance.now();
  await api("POST", "/api/registry/packages/pulumi/bench/large/versions/1.0.0/complete", token, { operationID: start.operationID });
  const completeMs = performance.now() - c0;
  clearInterval(sampler);
  const meta = await api("GET", "/api/registry/packages/pulumi/bench/large/versions/latest");
  const pageReport = await benchPages(server, token, publish);

  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(`\nedge-registry bench (wrangler dev, local D1/R2/DO, ${new Date().toISOString()})`);
  console.log(`publishes:   ${N} packages, concurrency ${CONCURRENCY}: ${(N / publishSeconds).toFixed(1)} publishes/s (${publishSeconds.toFixed(1)} s)`);
  console.log(`list walk:   ${walk.length} pages of 100 (${walked} items, authenticated): ${pct(walk)}`);
  console.log(`list, anonymous (edge cache): ${anonymous.length} × limit=100: ${pct(anonymous)}`);
  console.log(`list, authenticated (D1 + usageStats): ${authenticated.length} × limit=100: ${pct(authenticated)}`);
  console.log(pageReport);
  console.log(`large schema: ${mb(big.byteLength)} MiB, complete ${completeMs.toFixed(0)} ms, workerd RSS ${mb(baseline)} → peak ${mb(peak)} MiB (+${mb(peak - baseline)} MiB); title=${meta.title}`);
} finally {
  await server.stop();
}

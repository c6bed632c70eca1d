// `npm run bench:publish` (also the second half of `npm run bench`): publishes N packages through a real `wrangler dev`, lists them, and publishes one
// large schema while sampling the workerd process's memory. Prints numbers; asserts nothing.
// Then docs: complete of a provider-shaped schema with its docs derived (at BENCH_SCHEMA_MB and a quarter
// of it, to show time linear and memory flat), and p50 of nav and docs/{token} against /healthz.
// Last, scripts/derive-memory.mjs derives a quarter, one and four times BENCH_SCHEMA_MB (or the sizes in
// BENCH_DERIVE_MB, comma-separated) under a 128 MB heap limit and reports the derivation's own memory and
// R2 calls, to show memory flat in the schema's size (set BENCH_DERIVE_MEMORY=0 to skip; 400 MiB takes minutes).
// Environment: BENCH_PACKAGES (default 200), BENCH_CONCURRENCY (8), BENCH_LISTS (200), BENCH_SCHEMA_MB (100), BENCH_DOCS_READS (200).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { docsSchema } from "./docs-schema.mjs";
import { descendants, startDevServer } from "./dev-server.mjs";
import { benchPages } from "./bench-pages.mjs";

const N = Number(process.env.BENCH_PACKAGES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const LISTS = Number(process.env.BENCH_LISTS ?? 200);
const SCHEMA_MB = Number(process.env.BENCH_SCHEMA_MB ?? 100);
const DOCS_READS = Number(process.env.BENCH_DOCS_READS ?? 200);

// Limits off: this measures the gateway, not the limiter (one token publishes hundreds of packages).
const server = await startDevServer({ name: "bench", vars: { RATE_LIMITS: "off" } });
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

/** A publish whose docs (derived after complete by the docs job) are readable when it returns: for pages. */
async function publishWithDocs(token, name, version, schema, readme) {
  await publish(token, name, version, schema, readme);
  while ((await api("GET", `/api/registry/packages/pulumi/bench/${name}/versions/${version}`, token)).docs.status === "pending") await new Promise((r) => setTimeout(r, 100));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** workerd processes under the wrangler dev process. */
function workerdPids(root) {
  return descendants(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd");
    } catch {
      return false; // gone
    }
  });
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

  // Large provider schemas, with the workerd process's resident memory sampled throughout each complete.
  const pids = workerdPids(server.pid);
  async function completeLarge(name, megabytes) {
    const big = docsSchema(name, "1.0.0", megabytes * 1024 * 1024);
    const start = await api("POST", `/api/registry/packages/pulumi/bench/${name}/versions`, token, { version: "1.0.0" });
    for (const [slot, body] of [["schema", big.schema], ["index", `# ${name}\n`]]) {
      const r = await fetch(start.uploadURLs[slot], { method: "PUT", body });
      await r.arrayBuffer();
    }
    const baseline = rssBytes(pids);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pids));
    }, 20);
    const c0 = performance.now();
    await api("POST", `/api/registry/packages/pulumi/bench/${name}/versions/1.0.0/complete`, token, { operationID: start.operationID });
    const completeMs = performance.now() - c0;
    // The docs are derived after complete, by the docs job: memory is sampled until they are readable.
    while ((await api("GET", `/api/registry/packages/pulumi/bench/${name}/versions/1.0.0`, token)).docs.status === "pending") await new Promise((r) => setTimeout(r, 100));
    const docsMs = performance.now() - c0;
    clearInterval(sampler);
    return { bytes: big.schema.byteLength, resources: big.resources, firstToken: big.firstToken, completeMs, docsMs, baseline, peak };
  }
  const quarter = await completeLarge("large-quarter", SCHEMA_MB / 4);
  const large = await completeLarge("large", SCHEMA_MB);
  const meta = await api("GET", "/api/registry/packages/pulumi/bench/large/versions/latest");
  const pageReport = await benchPages(server, token, publishWithDocs);

  // Docs reads of the large package against the floor (/healthz), interleaved in one loop.
  const docsBase = "/api/registry/packages/pulumi/bench/large/versions/1.0.0";
  const token1 = encodeURIComponent(large.firstToken);
  const reads = { healthz: [], navAnon: [], navToken: [], docsAnon: [], docsToken: [] };
  async function timed(list, path, auth) {
    const s = performance.now();
    const r = await fetch(server.url + path, { headers: auth ? { Authorization: `token ${auth}` } : {} });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
    list.push(performance.now() - s);
  }
  for (let i = 0; i < DOCS_READS; i++) {
    await timed(reads.healthz, "/healthz");
    await timed(reads.navAnon, `${docsBase}/nav`);
    await timed(reads.navToken, `${docsBase}/nav`, token);
    await timed(reads.docsAnon, `${docsBase}/docs/${token1}?lang=python`);
    await timed(reads.docsToken, `${docsBase}/docs/${token1}?lang=python`, token);
  }
  for (const list of Object.values(reads)) list.sort((a, b) => a - b);
  const floor = percentile(reads.healthz, 50);
  const ratio = (list) => `p50 ${percentile(list, 50).toFixed(1)} ms (${(percentile(list, 50) / floor).toFixed(2)}× /healthz)`;

  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(`\nedge-registry bench (wrangler dev, local D1/R2/DO, ${new Date().toISOString()})`);
  console.log(`publishes:   ${N} packages, concurrency ${CONCURRENCY}: ${(N / publishSeconds).toFixed(1)} publishes/s (${publishSeconds.toFixed(1)} s)`);
  console.log(`list walk:   ${walk.length} pages of 100 (${walked} items, authenticated): ${pct(walk)}`);
  console.log(`list, anonymous (edge cache): ${anonymous.length} × limit=100: ${pct(anonymous)}`);
  console.log(`list, authenticated (D1 + usageStats): ${authenticated.length} × limit=100: ${pct(authenticated)}`);
  const line = (r) =>
    `${mb(r.bytes)} MiB (${r.resources} resources), complete ${r.completeMs.toFixed(0)} ms, docs readable after ${r.docsMs.toFixed(0)} ms (${(r.docsMs / (r.bytes / 1024 / 1024)).toFixed(0)} ms/MiB), workerd RSS ${mb(r.baseline)} → peak ${mb(r.peak)} MiB (+${mb(r.peak - r.baseline)} MiB)`;
  console.log(`large schema: ${line(quarter)}`);
  console.log(`large schema: ${line(large)}; title=${meta.title}`);
  console.log(`docs reads (${DOCS_READS} each, 1 of ${large.resources} tokens): /healthz p50 ${floor.toFixed(1)} ms`);
  console.log(`  nav, anonymous (edge cache):        ${ratio(reads.navAnon)}`);
  console.log(`  nav, with a token (uncached):       ${ratio(reads.navToken)}`);
  console.log(`  docs/{token}, anonymous (edge):     ${ratio(reads.docsAnon)}`);
  console.log(`  docs/{token}, with a token (uncached): ${ratio(reads.docsToken)}`);
  console.log(pageReport);
} finally {
  await server.stop();
}

if (process.env.BENCH_DERIVE_MEMORY !== "0") {
  const script = new URL("./derive-memory.mjs", import.meta.url).pathname;
  const sizes = (process.env.BENCH_DERIVE_MB ?? [SCHEMA_MB / 4, SCHEMA_MB, SCHEMA_MB * 4].join(",")).split(",");
  const results = JSON.parse(execFileSync(process.execPath, [script, ...sizes], { encoding: "utf8" }).trim().split("\n").pop());
  for (const r of results) {
    console.log(
      `docs derivation alone (Node, --max-old-space-size=128): ${r.schemaMiB.toFixed(1)} MiB schema, ${r.resources} resources: ${(r.ms / 1000).toFixed(1)} s, heap+buffers peak +${r.peakMiB.toFixed(1)} MiB (live after GC +${r.livePeakMiB.toFixed(1)} MiB), pack ${r.packMiB.toFixed(0)} MiB, ${r.r2Calls} R2 calls (${r.temporaryObjects} temporary objects, ${r.temporaryLeft} left)`,
    );
  }
}

// `npm run bench`: listing latency at 1,000 and at 100,000 packages, measured in one interleaved run
// against two real `wrangler dev` servers (local D1). Each catalog is seeded straight into D1
// (scripts/seed-catalog.mjs) after one real publish whose version values the seed copies. Prints p50/p90
// per scenario, the ratio to the floor (GET /healthz) and between the two catalogs, and D1 queries per
// request (from X-D1-Queries, which EXPOSE_D1_STATS=true turns on). Asserts nothing.
// Environment: BENCH_SMALL (1000), BENCH_LARGE (100000), BENCH_ROUNDS (60); BENCH_AGAINST=<git ref> also
// runs that release (checked out under .tmp/releases) on the same two catalogs, interleaved request by
// request with this one, and prints this release's p50 as a ratio to that one's.
// The publish-throughput and large-schema numbers are `npm run bench:publish`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as devServer from "./dev-server.mjs";
import { projectRoot } from "./offline-env.mjs";
import { openReleaseTree } from "./release-tree.mjs";
import * as seedCatalog from "./seed-catalog.mjs";

const SIZES = [Number(process.env.BENCH_SMALL ?? 1000), Number(process.env.BENCH_LARGE ?? 100_000)];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
// Limits off: this measures the gateway, not the limiter.
const vars = { EXPOSE_D1_STATS: "true", RATE_LIMITS: "off" };
const headers = { "Content-Type": "application/json", Accept: "application/vnd.pulumi+9" };

async function api(server, method, path, token, body) {
  const r = await fetch(server.url + path, {
    method,
    headers: { ...headers, ...(token ? { Authorization: `token ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * A server whose D1 holds `count` seeded packages, plus the tokens the scenarios use; `release` is whose
 * dev-server and seed modules run it (this checkout's by default).
 */
async function seededServer(count, release = { devServer, seedCatalog, label: "this" }) {
  const { startDevServer, wranglerLocal } = release.devServer;
  const { seedCatalogSql } = release.seedCatalog;
  const name = `bench-${release.label}-${count}`;
  const first = await startDevServer({ name, vars });
  const { adminToken, signingSecret, tokenKeys, state } = first;
  let server;
  try {
    await api(first, "POST", "/api/admin/orgs", adminToken, { login: "bench" });
    const { token } = await api(first, "POST", "/api/admin/orgs/bench/tokens", adminToken, { role: "publisher" });
    const start = await api(first, "POST", "/api/registry/packages/pulumi/bench/seed-template/versions", token, { version: "1.0.0" });
    const schema = JSON.stringify({ name: "seed-template", version: "1.0.0", displayName: "seed", keywords: ["kind/native"] });
    for (const [slot, body] of [["schema", schema], ["index", "# seed\n"]]) {
      const r = await fetch(start.uploadURLs[slot], { method: "PUT", body });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`upload ${slot}: ${r.status}`);
    }
    await api(first, "POST", "/api/registry/packages/pulumi/bench/seed-template/versions/1.0.0/complete", token, { operationID: start.operationID });
  } finally {
    await first.stop({ keepState: true });
  }
  const file = join(projectRoot, ".tmp", `seed-${count}-${process.pid}.sql`);
  writeFileSync(file, seedCatalogSql({ count, template: "seed-template" }).join(";\n") + ";\n");
  const t0 = performance.now();
  wranglerLocal(state, ["d1", "execute", "DB", "--file", file]);
  const seedSeconds = (performance.now() - t0) / 1000;
  server = await startDevServer({ name, vars, state, adminToken, signingSecret, tokenKeys });
  const reader = (await api(server, "POST", "/api/admin/orgs/bench/tokens", adminToken, { role: "reader" })).token;
  const tiny = (await api(server, "POST", "/api/admin/orgs/tiny/tokens", adminToken, { role: "reader" })).token;
  // A continuation token half-way through the catalog (pages of 500; the token does not depend on limit).
  let deep;
  for (let i = 0; i < Math.floor((count / 2) / 500) || i < 1; i++) {
    deep = (await api(server, "GET", `/api/registry/packages?limit=500${deep ? `&continuationToken=${deep}` : ""}`, reader)).continuationToken;
  }
  return { server, count, seedSeconds, reader, tiny, deep, release: release.label };
}

const L = "/api/registry/packages";
/** [label, path, who]: who is "anon" (edge cache), "reader" (a token: never cached), or "tiny" (the org with usage). */
const scenarios = (s) => [
  ["floor: GET /healthz", "/healthz", "anon"],
  ["cached list (anonymous)", `${L}?limit=100`, "anon"],
  ["uncached list (token)", `${L}?limit=100`, "reader"],
  // The same with a one-entry page: the cost of the cache itself, without a 60 KB body.
  ["cached list, limit=1 (anonymous)", `${L}?limit=1`, "anon"],
  ["uncached list, limit=1 (token)", `${L}?limit=1`, "reader"],
  ["deep page (50% in)", `${L}?limit=100&continuationToken=${s.deep}`, "reader"],
  ["publisher=pub-3 (10%)", `${L}?publisher=pub-3`, "reader"],
  ["publisher=tiny (2 match)", `${L}?publisher=tiny`, "reader"],
  ["orgLogin=pub-4 (10%)", `${L}?orgLogin=pub-4`, "reader"],
  ["name=tiny-alpha", `${L}?name=tiny-alpha`, "reader"],
  ["visibility=public", `${L}?visibility=public`, "reader"],
  ["visibility=private (2 match)", `${L}?visibility=private`, "reader"],
  ["packageType=native (50%)", `${L}?packageType=native`, "reader"],
  ["packageType=bridged (2 match)", `${L}?packageType=bridged`, "reader"],
  ["search=zanzibar (2 match)", `${L}?search=zanzibar`, "reader"],
  ["search=kubernetes (33%)", `${L}?search=kubernetes`, "reader"],
  ["search=orbital (2%)", `${L}?search=orbital`, "reader"],
  ["search=kubernetes&sort=createdAt", `${L}?search=kubernetes&sort=createdAt`, "reader"],
  // limit=20: at 1,000 packages pub-3 has 33 matches, so both catalogs return a full page.
  ["search=kubernetes&publisher=pub-3", `${L}?search=kubernetes&publisher=pub-3&limit=20`, "reader"],
  ["usage=used (2 match)", `${L}?usage=used`, "tiny"],
  ["usage=unused", `${L}?usage=unused`, "tiny"],
  // limit=50: at 1,000 packages pub-3 has 50 native ones, so both catalogs return a full page.
  ["publisher=pub-3&packageType=native", `${L}?publisher=pub-3&packageType=native&limit=50`, "reader"],
  ["sort=name", `${L}?sort=name`, "reader"],
  ["sort=publisher", `${L}?sort=publisher`, "reader"],
  ["sort=createdAt", `${L}?sort=createdAt`, "reader"],
  ["sort=createdAt&publisher=pub-3", `${L}?sort=createdAt&publisher=pub-3`, "reader"],
  ["sort=usageTotal", `${L}?sort=usageTotal`, "tiny"],
  ["get version", `${L}/pulumi/pub-3/pkg-000123/versions/1.0.0`, "reader"],
  ["get latest", `${L}/pulumi/pub-3/pkg-000123/versions/latest`, "reader"],
  ["get latest (anonymous, cached)", `${L}/pulumi/pub-3/pkg-000123/versions/latest`, "anon"],
];

async function timed(s, path, who) {
  const token = who === "reader" ? s.reader : who === "tiny" ? s.tiny : undefined;
  const t = performance.now();
  const r = await fetch(s.server.url + path, { headers: { ...headers, ...(token ? { Authorization: `token ${token}` } : {}) } });
  await r.arrayBuffer();
  const ms = performance.now() - t;
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  return { ms, queries: Number(r.headers.get("X-D1-Queries") ?? NaN), trips: Number(r.headers.get("X-D1-Round-Trips") ?? NaN) };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Per scenario: p50, p90, mean D1 queries and the most round trips, over the samples of one server. */
function summarize(perServer) {
  return perServer.map(({ ms, queries, trips }) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return { p50: pct(sorted, 50), p90: pct(sorted, 90), queries: mean(queries), trips: Math.max(...trips) };
  });
}

function printTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

const servers = [];
const against = process.env.BENCH_AGAINST ? openReleaseTree(process.env.BENCH_AGAINST) : undefined;
try {
  for (const size of SIZES) servers.push(await seededServer(size));
  if (against) {
    const release = { devServer: await against.import("scripts/dev-server.mjs"), seedCatalog: await against.import("scripts/seed-catalog.mjs"), label: against.sha.slice(0, 7) };
    for (const size of SIZES) servers.push(await seededServer(size, release));
  }
  const labels = scenarios(servers[0]).map(([label]) => label);
  const samples = servers.map(() => labels.map(() => ({ ms: [], queries: [], trips: [] })));
  // Warm-up, then interleaved rounds: every scenario on every server in turn.
  for (const [i, s] of servers.entries()) for (const [, path, who] of scenarios(s)) await timed(s, path, who).catch((e) => console.error(i, e.message));
  for (let round = 0; round < ROUNDS; round++) {
    for (let n = 0; n < labels.length; n++) {
      for (const [i, s] of servers.entries()) {
        const [, path, who] = scenarios(s)[n];
        const { ms, queries, trips } = await timed(s, path, who);
        samples[i][n].ms.push(ms);
        samples[i][n].queries.push(queries);
        samples[i][n].trips.push(trips);
      }
    }
  }
  const stats = samples.map(summarize);
  const [small, large] = stats;
  const f = (n, d = 1) => n.toFixed(d);
  console.log(`\nedge-registry listing bench (wrangler dev, local D1, ${new Date().toISOString()}), ${ROUNDS} interleaved rounds`);
  for (const s of servers) console.log(`${s.release}: seeded ${s.count.toLocaleString("en")} packages straight into D1 in ${f(s.seedSeconds)} s`);
  printTable(
    ["scenario", `${SIZES[0]} p50`, "p90", "×floor", `${SIZES[1]} p50`, "p90", "×floor", `${SIZES[1]}/${SIZES[0]}`, "D1 q/req", "max trips"],
    labels.map((label, n) => [
      label,
      f(small[n].p50),
      f(small[n].p90),
      f(small[n].p50 / small[0].p50, 2),
      f(large[n].p50),
      f(large[n].p90),
      f(large[n].p50 / large[0].p50, 2),
      f(large[n].p50 / small[n].p50, 2),
      f(large[n].queries, 2),
      String(large[n].trips),
    ]),
  );
  console.log("latencies in ms; ×floor = p50 / the floor's p50 on the same catalog; D1 q/req = mean D1 statements a response waited for (large catalog); max trips = most sequential D1 round trips seen");
  if (against) {
    const [theirSmall, theirLarge] = stats.slice(2);
    const ref = servers[2].release;
    console.log(`\nthis checkout against ${ref} (${process.env.BENCH_AGAINST}), interleaved request by request on the same catalogs`);
    printTable(
      ["scenario", `${SIZES[0]} this/${ref}`, `${SIZES[1]} this/${ref}`, `${ref} ${SIZES[1]} ×floor`, `${ref} D1 q/req`],
      labels.map((label, n) => [label, f(small[n].p50 / theirSmall[n].p50, 2), f(large[n].p50 / theirLarge[n].p50, 2), f(theirLarge[n].p50 / theirLarge[0].p50, 2), f(theirLarge[n].queries, 2)]),
    );
    const ratios = labels.flatMap((_, n) => (n === 0 ? [] : [small[n].p50 / theirSmall[n].p50, large[n].p50 / theirLarge[n].p50]));
    const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
    console.log(`geometric mean of this/${ref} p50 over every scenario and catalog: ${f(geo, 3)} (1.000 = the same speed)`);
  }
} finally {
  for (const s of servers) await s.server.stop();
  against?.remove();
}

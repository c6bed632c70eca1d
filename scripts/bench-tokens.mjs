// What made-up tokens cost (`npm run bench:tokens`, and at the end of `npm run bench:pages`): D1 queries
// and storage calls for 1,000 API reads each with a made-up token, against the same reads without one.
// Goal (docs/tokens.md): 0 for tokens of the current, MAC-carrying shape.
import { randomBytes } from "node:crypto";

const REQUESTS = Number(process.env.BENCH_TOKEN_REQUESTS ?? 1000);
const CONCURRENCY = 8;

/** Sends `REQUESTS` GETs of `path`, each with the token `tokenFor(i)`; sums the server's D1 and storage counters. */
async function measure(server, path, tokenFor, address) {
  const totals = { requests: 0, d1Queries: 0, storageCalls: 0, statuses: {} };
  let next = 0;
  async function worker() {
    for (let i = next++; i < REQUESTS; i = next++) {
      const token = tokenFor(i);
      // Each row from its own address (wrangler dev takes CF-Connecting-IP as given), so budgets do not carry over.
      const r = await fetch(server.url + path, { headers: { "CF-Connecting-IP": address, ...(token ? { Authorization: `token ${token}` } : {}) } });
      await r.arrayBuffer();
      totals.requests++;
      totals.d1Queries += Number(r.headers.get("X-D1-Queries") ?? NaN);
      totals.storageCalls += Number(r.headers.get("X-Storage-Calls") ?? NaN);
      totals.statuses[r.status] = (totals.statuses[r.status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return totals;
}

const random = (n) => randomBytes(n).toString("base64url");

/** The table: one row per kind of made-up token, and the token-less baseline. Needs EXPOSE_D1_STATS=true. */
export async function benchMadeUpTokens(server) {
  const path = "/api/registry/packages";
  const rows = [
    ["made-up, current shape (MAC fails)", () => `erg_k1.${randomBytes(12).toString("hex")}.${random(32)}.${random(16)}`],
    ["made-up, any string", () => `erg_${random(20)}.guess`],
    ["made-up, pre-MAC shape (looked up)", () => `erg_${random(32)}`],
    ["no token (anonymous, edge-cached)", () => undefined],
  ];
  const lines = [`Made-up tokens: ${REQUESTS} × GET ${path} from one address per row (rate limits ${server.rateLimits ?? "as configured"})`, ""];
  lines.push("| tokens | D1 queries | storage calls | statuses |", "|---|---:|---:|---|");
  for (const [n, [label, tokenFor]] of rows.entries()) {
    const t = await measure(server, path, tokenFor, `198.51.100.${n + 1}`);
    lines.push(`| ${label} | ${t.d1Queries} | ${t.storageCalls} | ${Object.entries(t.statuses).map(([s, n]) => `${n}× ${s}`).join(", ")} |`);
  }
  return lines.join("\n");
}

/** Alone: a fresh `wrangler dev` with the production rate limits (made-up tokens then meet the sign-in limiter). */
async function main() {
  const { startDevServer } = await import("./dev-server.mjs");
  const server = await startDevServer({ name: "bench-tokens", vars: { EXPOSE_D1_STATS: "true" } });
  try {
    server.rateLimits = "on, as in wrangler.toml";
    console.log(await benchMadeUpTokens(server));
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) await main();

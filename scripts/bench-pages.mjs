// Page latency for `npm run bench` (and alone: `npm run bench:pages`): the home page, a package page and
// a docs page, anonymous (served from the edge cache once warm), anonymous on a cache miss, and signed in
// (rendered every time), as p50 and as ratios to /healthz,
// measured interleaved in one run so that machine noise hits every series alike. Alone, it ends with
// what made-up tokens cost (scripts/bench-tokens.mjs).
const ROUNDS = Number(process.env.BENCH_PAGE_ROUNDS ?? 200);

const docsSchema = (name, version) =>
  JSON.stringify({
    name,
    version,
    displayName: "Bench Cloud",
    description: "A provider for the page benchmark.",
    keywords: ["category/cloud", "kind/native"],
    resources: Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [
        `${name}:storage:Bucket${i}`,
        {
          description: `Bucket number ${i}.`,
          inputProperties: { name: { type: "string", description: "The name." }, website: { $ref: `#/types/${name}:storage/Website:Website` }, tags: { type: "object", additionalProperties: { type: "string" } } },
          properties: { arn: { type: "string" } },
        },
      ]),
    ),
    types: { [`${name}:storage/Website:Website`]: { type: "object", properties: { index: { type: "string" } } } },
  });

function p50(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(url, headers) {
  const s = performance.now();
  const r = await fetch(url, { headers });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return performance.now() - s;
}

/** @param {{ url: string }} server @param {string} token a publisher token of org `bench` */
export async function benchPages(server, token, publish, { roundTrips = false } = {}) {
  await publish(token, "pages-cloud", "1.0.0", docsSchema("pages-cloud", "1.0.0"), "# Bench Cloud\n\nA README with `code` and **bold**.\n");
  const form = `token=${encodeURIComponent(token)}&next=%2F`;
  const signIn = await fetch(`${server.url}/sign-in`, {
    method: "POST",
    redirect: "manual",
    body: form,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
  });
  const cookie = (signIn.headers.get("Set-Cookie") ?? "").split(";")[0];
  if (signIn.status !== 303 || !cookie) throw new Error(`sign-in failed: ${signIn.status}`);

  const pages = {
    home: "/",
    package: "/packages/pulumi/bench/pages-cloud",
    docs: "/packages/pulumi/bench/pages-cloud/1.0.0/api/storage/Bucket7?lang=python",
  };
  const series = { healthz: [] };
  for (const name of Object.keys(pages)) {
    series[`${name} anonymous`] = [];
    series[`${name} signed in`] = [];
    series[`${name} anonymous miss`] = [];
  }
  // A query parameter no page reads makes a new cache key: a miss, rendered like a signed-in page but anonymously.
  const miss = (path) => `${path}${path.includes("?") ? "&" : "?"}miss=${Math.random()}`;
  const html = { Accept: "text/html" };
  // Warm the edge cache and the isolate.
  for (const path of Object.values(pages)) for (let i = 0; i < 3; i++) await timed(server.url + path, html);
  for (let i = 0; i < ROUNDS; i++) {
    series.healthz.push(await timed(`${server.url}/healthz`, {}));
    for (const [name, path] of Object.entries(pages)) {
      series[`${name} anonymous`].push(await timed(server.url + path, html));
      series[`${name} signed in`].push(await timed(server.url + path, { ...html, Cookie: cookie }));
      series[`${name} anonymous miss`].push(await timed(server.url + miss(path), html));
    }
  }
  const floor = p50(series.healthz);
  const lines = [`pages (${ROUNDS} rounds, interleaved; floor = /healthz p50 ${floor.toFixed(2)} ms):`];
  if (roundTrips) {
    // Needs EXPOSE_D1_STATS=true: what each page costs in D1 when it is rendered (a cache miss, or signed in).
    for (const [name, path] of Object.entries(pages)) {
      const trips = async (headers) => {
        const r = await fetch(server.url + miss(path), { headers });
        await r.arrayBuffer();
        return `${r.headers.get("X-D1-Round-Trips")} trips / ${r.headers.get("X-D1-Queries")} queries`;
      };
      lines.push(`  D1 ${name.padEnd(8)} anonymous miss: ${await trips(html)}; signed in: ${await trips({ ...html, Cookie: cookie })}`);
    }
  }
  for (const [name, samples] of Object.entries(series)) {
    if (name === "healthz") continue;
    const m = p50(samples);
    lines.push(`  ${name.padEnd(20)} p50 ${m.toFixed(2).padStart(7)} ms  ${(m / floor).toFixed(2)}× the floor`);
  }
  return lines.join("\n");
}

/**
 * Run alone (`npm run bench:pages`): a fresh `wrangler dev` with EXPOSE_D1_STATS on, just this benchmark,
 * plus the D1 round trips each page makes (anonymous on a cache miss, and signed in).
 */
async function main() {
  const { startDevServer } = await import("./dev-server.mjs");
  const { benchMadeUpTokens } = await import("./bench-tokens.mjs");
  const server = await startDevServer({ name: "bench-pages", vars: { RATE_LIMITS: "off", EXPOSE_D1_STATS: "true" } });
  try {
    const call = async (method, path, token, body) => {
      const r = await fetch(server.url + path, {
        method,
        headers: { "Content-Type": "application/json", Accept: "application/vnd.pulumi+9", ...(token ? { Authorization: `token ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    await call("POST", "/api/admin/orgs", server.adminToken, { login: "bench" });
    const { token } = await call("POST", "/api/admin/orgs/bench/tokens", server.adminToken, { role: "publisher" });
    const publish = async (token, name, version, schema, readme) => {
      const path = `/api/registry/packages/pulumi/bench/${name}/versions`;
      const start = await call("POST", path, token, { version });
      for (const [slot, body] of [["schema", schema], ["index", readme]]) {
        const r = await fetch(start.uploadURLs[slot], { method: "PUT", body });
        await r.arrayBuffer();
      }
      await call("POST", `${path}/${version}/complete`, token, { operationID: start.operationID });
    };
    console.log(await benchPages(server, token, publish, { roundTrips: true }));
    server.rateLimits = "off";
    console.log("\n" + (await benchMadeUpTokens(server)));
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) await main();

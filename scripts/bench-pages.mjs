// Page latency for `npm run bench` (and alone: `npm run bench:pages`): the home page, a package page and
// a docs page, anonymous (served from the edge cache once warm), anonymous on a cache miss, and signed in
// (rendered every time), as p50 and as ratios to /healthz,
// measured interleaved in one run so that machine noise hits every series alike. Alone, it ends with
// what made-up tokens cost (scripts/bench-tokens.mjs).
import { pathologicalMarkdown } from "./pathological-markdown.mjs";

const ROUNDS = Number(process.env.BENCH_PAGE_ROUNDS ?? 200);
/** The big package's resources (issue 21: 80,000), in modules of 200. */
const BIG_RESOURCES = Number(process.env.BENCH_BIG_RESOURCES ?? 80_000);
/** The pathological README: just under the 5 MiB upload limit of a package's README. */
const README_CHARS = 5 * 1024 * 1024 - 64;

/** A schema of `resources` small resources in modules of 200 (the cheapest bytes per member, so 80,000 fit in ~6 MB). */
const bigSchema = (name, resources) => {
  const parts = [`{"name":"${name}","version":"1.0.0","displayName":"Bench Big","resources":{`];
  for (let i = 0; i < resources; i++) parts.push(`${i ? "," : ""}"${name}:m${Math.floor(i / 200)}:R${i}":{"description":"Resource ${i}.","inputProperties":{"size":{"type":"integer"}},"properties":{"id":{"type":"string"}}}`);
  parts.push("}}");
  return parts.join("");
};

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

const pages = {
  home: "/",
  package: "/packages/pulumi/bench/pages-cloud",
  docs: "/packages/pulumi/bench/pages-cloud/1.0.0/api/storage/Bucket7?lang=python",
  "5MiB README": "/packages/pulumi/bench/pages-readme",
  "80k API index": "/packages/pulumi/bench/pages-big/1.0.0/api?lang=python",
  "80k member": `/packages/pulumi/bench/pages-big/1.0.0/api/m${Math.floor((BIG_RESOURCES - 1) / 200)}/R${BIG_RESOURCES - 1}?lang=python`,
  // Two characters: scanned in nav.json's first modules (too short for the search index).
  "80k filter": "/packages/pulumi/bench/pages-big/1.0.0/api?lang=python&q=R7",
  // Through the search index: ten members of the last module.
  "80k filter indexed": `/packages/pulumi/bench/pages-big/1.0.0/api?lang=python&q=m${Math.floor((BIG_RESOURCES - 1) / 200)}:R${Math.floor((BIG_RESOURCES - 1) / 10)}`,
};
const html = { Accept: "text/html" };
/**
 * An anonymous request that misses the edge cache: pages are keyed only by the parameters they read, so a
 * junk parameter no longer misses; a catalog write (featuring the package on and off, untimed) moves the
 * location's cache generation instead, and the next page is rendered and stored.
 */
async function missed(target, path, headers) {
  const { server } = target;
  target.featured = !target.featured;
  const r = await fetch(`${server.url}/api/admin/packages/pulumi/bench/pages-cloud/featured`, {
    method: "PUT",
    headers: { Authorization: `token ${server.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ featured: target.featured }),
  });
  await r.arrayBuffer();
  if (r.status !== 204) throw new Error(`featured: ${r.status}`);
  return timed(server.url + path, headers);
}

/** Publishes the bench package on `server` and signs in: what the page series need of one server. */
async function preparePages(server, token, publish) {
  await publish(token, "pages-cloud", "1.0.0", docsSchema("pages-cloud", "1.0.0"), "# Bench Cloud\n\nA README with `code` and **bold**.\n");
  await publish(token, "pages-readme", "1.0.0", docsSchema("pages-readme", "1.0.0"), pathologicalMarkdown(README_CHARS));
  await publish(token, "pages-big", "1.0.0", bigSchema("pages-big", BIG_RESOURCES), "# Bench Big\n");
  const form = `token=${encodeURIComponent(token)}&next=%2F`;
  const signIn = await fetch(`${server.url}/sign-in`, {
    method: "POST",
    redirect: "manual",
    body: form,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
  });
  const cookie = (signIn.headers.get("Set-Cookie") ?? "").split(";")[0];
  if (signIn.status !== 303 || !cookie) throw new Error(`sign-in failed: ${signIn.status}`);
  // The first render of each page (signed in: never from the edge cache), which stores the README's rendering; then warm the edge cache and the isolate.
  const first = {};
  for (const [name, path] of Object.entries(pages)) first[name] = await timed(server.url + path, { ...html, Cookie: cookie });
  for (const path of Object.values(pages)) for (let i = 0; i < 3; i++) await timed(server.url + path, html);
  return { server, cookie, first };
}

/** Every series on every prepared server, interleaved round by round; p50 per series and server. */
async function measurePages(targets) {
  const series = targets.map(() => {
    const one = { healthz: [] };
    for (const name of Object.keys(pages)) {
      one[`${name} anonymous`] = [];
      one[`${name} signed in`] = [];
      one[`${name} anonymous miss`] = [];
    }
    return one;
  });
  for (let i = 0; i < ROUNDS; i++) {
    for (const [t, { server, cookie }] of targets.entries()) {
      series[t].healthz.push(await timed(`${server.url}/healthz`, {}));
      for (const [name, path] of Object.entries(pages)) {
        series[t][`${name} anonymous`].push(await timed(server.url + path, html));
        series[t][`${name} signed in`].push(await timed(server.url + path, { ...html, Cookie: cookie }));
      }
      // Misses last: each one's write makes every page's entry stale, so the round ends by storing them again.
      for (const [name, path] of Object.entries(pages)) series[t][`${name} anonymous miss`].push(await missed(targets[t], path, html));
      for (const path of Object.values(pages)) await timed(server.url + path, html);
    }
  }
  return series.map((one) => Object.fromEntries(Object.entries(one).map(([name, samples]) => [name, p50(samples)])));
}

/** What each page costs in D1 when it is rendered (a cache miss, or signed in); needs EXPOSE_D1_STATS=true. */
async function roundTripLines(target) {
  const { server, cookie } = target;
  const lines = [];
  for (const [name, path] of Object.entries(pages)) {
    const trips = async (headers) => {
      await missed(target, "/healthz", {});
      const r = await fetch(server.url + path, { headers });
      const body = await r.arrayBuffer();
      const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
      return `${r.headers.get("X-D1-Round-Trips")} trips / ${r.headers.get("X-D1-Queries")} queries, ${r.headers.get("X-Storage-Calls")} storage calls, R2 ${kib(Number(r.headers.get("X-R2-Bytes-Read")))} read, ${kib(body.byteLength)} out`;
    };
    lines.push(`  ${name.padEnd(14)} anonymous miss: ${await trips(html)}; signed in: ${await trips({ ...html, Cookie: cookie })}`);
  }
  return lines;
}

/** The first render of each page (signed in), timed before the warm-up: for the README, the one render that stores its HTML. */
function firstRenderLines(target, floor) {
  return [`first renders (signed in, once; the README's stores its rendering):`, ...Object.entries(target.first).map(([name, ms]) => `  ${name.padEnd(20)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / floor).toFixed(1)}× the floor`)];
}

function reportLines(medians) {
  const floor = medians.healthz;
  return Object.entries(medians)
    .filter(([name]) => name !== "healthz")
    .map(([name, m]) => `  ${name.padEnd(20)} p50 ${m.toFixed(2).padStart(7)} ms  ${(m / floor).toFixed(2)}× the floor`);
}

/** @param {{ url: string }} server @param {string} token a publisher token of org `bench` */
export async function benchPages(server, token, publish, { roundTrips = false } = {}) {
  const target = await preparePages(server, token, publish);
  const [medians] = await measurePages([target]);
  const lines = [`pages (${ROUNDS} rounds, interleaved; floor = /healthz p50 ${medians.healthz.toFixed(2)} ms):`];
  if (roundTrips) lines.push(...(await roundTripLines(target)));
  return [...lines, ...reportLines(medians)].join("\n");
}

/**
 * Run alone (`npm run bench:pages`): a fresh `wrangler dev` with EXPOSE_D1_STATS on, just this benchmark,
 * plus the D1 round trips each page makes (anonymous on a cache miss, and signed in).
 */
/** A fresh `wrangler dev` of `devServer`'s release with org `bench`, its publisher token and a publish function. */
async function benchServer(devServer, name) {
  const server = await devServer.startDevServer({ name, vars: { RATE_LIMITS: "off", EXPOSE_D1_STATS: "true" } });
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
    // Docs come from a job after complete (a release before that derived them inside it and says nothing).
    while ((await call("GET", `${path}/${version}`, token)).docs?.status === "pending") await new Promise((r) => setTimeout(r, 100));
  };
  return { server, token, publish };
}

/**
 * Run alone (`npm run bench:pages`): a fresh `wrangler dev` with EXPOSE_D1_STATS on, just this benchmark,
 * plus the D1 round trips each page makes (anonymous on a cache miss, and signed in). BENCH_AGAINST=<git ref>
 * also runs that release (checked out under .tmp/releases), interleaved round by round with this one.
 */
async function main() {
  const devServer = await import("./dev-server.mjs");
  const { openReleaseTree } = await import("./release-tree.mjs");
  const against = process.env.BENCH_AGAINST ? openReleaseTree(process.env.BENCH_AGAINST) : undefined;
  const { benchMadeUpTokens } = await import("./bench-tokens.mjs");
  const started = [];
  try {
    started.push(await benchServer(devServer, "bench-pages"));
    if (against) started.push(await benchServer(await against.import("scripts/dev-server.mjs"), "bench-pages-against"));
    const targets = [];
    for (const { server, token, publish } of started) targets.push(await preparePages(server, token, publish));
    const medians = await measurePages(targets);
    console.log(`pages (${ROUNDS} rounds, interleaved; floor = /healthz p50 ${medians[0].healthz.toFixed(2)} ms):`);
    console.log([...(await roundTripLines(targets[0])), ...reportLines(medians[0]), ...firstRenderLines(targets[0], medians[0].healthz)].join("\n"));
    if (against) {
      const ref = against.sha.slice(0, 7);
      console.log(`\n${ref} (${process.env.BENCH_AGAINST}) in the same rounds (floor ${medians[1].healthz.toFixed(2)} ms):`);
      console.log([...(await roundTripLines(targets[1])), ...reportLines(medians[1])].join("\n"));
      console.log(`\nthis/${ref} p50 per series:`);
      const ratios = [];
      for (const name of Object.keys(medians[0])) {
        const r = medians[0][name] / medians[1][name];
        if (name !== "healthz") ratios.push(r);
        console.log(`  ${name.padEnd(20)} ${r.toFixed(2)}`);
      }
      const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
      console.log(`geometric mean of this/${ref} p50 over every page series: ${geo.toFixed(3)} (1.000 = the same speed)`);
    }
    const { server } = started[0];
    server.rateLimits = "off";
    console.log("\n" + (await benchMadeUpTokens(server)));
  } finally {
    for (const { server } of started) await server.stop();
    against?.remove();
  }
}

if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) await main();

// Page latency for `npm run bench`: the home page, a package page and a docs page, anonymous (served
// from the edge cache once warm) and signed in (rendered every time), as p50 and as ratios to /healthz,
// measured interleaved in one run so that machine noise hits every series alike.
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
export async function benchPages(server, token, publish) {
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
  }
  const html = { Accept: "text/html" };
  // Warm the edge cache and the isolate.
  for (const path of Object.values(pages)) for (let i = 0; i < 3; i++) await timed(server.url + path, html);
  for (let i = 0; i < ROUNDS; i++) {
    series.healthz.push(await timed(`${server.url}/healthz`, {}));
    for (const [name, path] of Object.entries(pages)) {
      series[`${name} anonymous`].push(await timed(server.url + path, html));
      series[`${name} signed in`].push(await timed(server.url + path, { ...html, Cookie: cookie }));
    }
  }
  const floor = p50(series.healthz);
  const lines = [`pages (${ROUNDS} rounds, interleaved; floor = /healthz p50 ${floor.toFixed(2)} ms):`];
  for (const [name, samples] of Object.entries(series)) {
    if (name === "healthz") continue;
    const m = p50(samples);
    lines.push(`  ${name.padEnd(20)} p50 ${m.toFixed(2).padStart(7)} ms  ${(m / floor).toFixed(2)}× the floor`);
  }
  return lines.join("\n");
}

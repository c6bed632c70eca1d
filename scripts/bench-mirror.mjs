// `npm run bench:mirror` (also part of `npm run bench`): a registry mirroring another instance of itself
// (two real `wrangler dev` servers). Measures, as ratios to the mirror's own `GET /healthz` in the same run:
// the first read of a version the mirror lacks (pull-through: the upstream's answer, schema, README and the
// publish), a read of that mirrored version afterwards, and a read of a version published on the mirror
// itself (a mirrored read should cost what a local read costs). Reads carry a token, so the edge cache
// answers none of them. Prints numbers; asserts nothing.
import { startDevServer } from "./dev-server.mjs";

const N = Number(process.env.BENCH_MIRROR_PACKAGES ?? 20);
const ROUNDS = Number(process.env.BENCH_MIRROR_ROUNDS ?? 200);

function schemaOf(name, version) {
  const resources = {};
  for (let i = 0; i < 40; i++) resources[`${name}:index:Thing${i}`] = { description: `Thing ${i}.`, properties: { size: { type: "integer" } }, inputProperties: { size: { type: "integer" } } };
  return JSON.stringify({ name, version, description: `bench ${name}`, keywords: ["category/cloud", "kind/native"], resources });
}

async function api(server, method, path, token, body) {
  const r = await fetch(server.url + path, { method, headers: { "Content-Type": "application/json", ...(token ? { Authorization: `token ${token}` } : {}) }, body: body && JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function org(server, login) {
  await api(server, "POST", "/api/admin/orgs", server.adminToken, { login });
  return (await api(server, "POST", `/api/admin/orgs/${login}/tokens`, server.adminToken, { role: "publisher" })).token;
}

async function publish(server, token, path, version) {
  const name = path.split("/")[2];
  const start = await api(server, "POST", `/api/registry/packages/${path}/versions`, token, { version });
  for (const [slot, body] of [["schema", schemaOf(name, version)], ["index", `# ${name}\n`]]) await (await fetch(start.uploadURLs[slot], { method: "PUT", body })).arrayBuffer();
  await api(server, "POST", `/api/registry/packages/${path}/versions/${version}/complete`, token, { operationID: start.operationID });
}

async function time(work) {
  const t = performance.now();
  await work();
  return performance.now() - t;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function get(server, path, token) {
  const r = await fetch(server.url + path, { headers: token ? { Authorization: `token ${token}` } : {} });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
}

const upstream = await startDevServer({ name: "bench-mirror-up", vars: { RATE_LIMITS: "off" } });
let mirror;
try {
  const upToken = await org(upstream, "pulumi");
  for (let i = 0; i < N; i++) await publish(upstream, upToken, `pulumi/pulumi/bench${i}`, "1.0.0");
  const upstreams = [{ id: "up", url: `${upstream.url}/api/registry`, serves: ["pulumi/pulumi/*"], requestsPerMinute: 100000 }];
  mirror = await startDevServer({ name: "bench-mirror", vars: { RATE_LIMITS: "off", MIRROR_ALLOW_LOCAL_HTTP: "true", MIRROR_UPSTREAMS: JSON.stringify(upstreams) } });
  const token = await org(mirror, "local");
  await publish(mirror, token, "private/local/localpkg", "1.0.0");
  for (let i = 0; i < 20; i++) await get(mirror, "/healthz");

  const health = [];
  const first = [];
  for (let i = 0; i < N; i++) {
    health.push(await time(() => get(mirror, "/healthz")));
    first.push(await time(() => get(mirror, `/api/registry/packages/pulumi/pulumi/bench${i}/versions/1.0.0`, token)));
  }
  const mirrored = [];
  const local = [];
  for (let r = 0; r < ROUNDS; r++) {
    health.push(await time(() => get(mirror, "/healthz")));
    mirrored.push(await time(() => get(mirror, `/api/registry/packages/pulumi/pulumi/bench${r % N}/versions/1.0.0`, token)));
    local.push(await time(() => get(mirror, "/api/registry/packages/private/local/localpkg/versions/1.0.0", token)));
  }
  const floor = median(health);
  const ratio = (xs) => (median(xs) / floor).toFixed(2);
  console.log(`mirror bench: ${N} packages (${(schemaOf("bench0", "1.0.0").length / 1024).toFixed(0)} KiB schemas), ${ROUNDS} rounds; GET /healthz median ${floor.toFixed(1)} ms`);
  console.log(`  first pull-through read (upstream answer + schema + README + publish): ${ratio(first)}x healthz (median ${median(first).toFixed(1)} ms)`);
  console.log(`  mirrored read afterwards:                                            ${ratio(mirrored)}x healthz (median ${median(mirrored).toFixed(1)} ms)`);
  console.log(`  local read (published on the mirror):                                ${ratio(local)}x healthz (median ${median(local).toFixed(1)} ms)`);
} finally {
  await mirror?.stop();
  await upstream.stop();
}

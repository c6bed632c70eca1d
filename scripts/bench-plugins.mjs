// `npm run bench:plugins` (also the last part of `npm run bench`): a provider plugin archive of BENCH_PLUGIN_MB
// (default 100 MiB, incompressible) attached through a real `wrangler dev` in R2 upload mode and downloaded
// through the registry, each as a ratio to the local R2 simulator's own speed for the same bytes (a PUT to
// it, a GET from it), with workerd's memory while the registry hashes and checks it. Prints numbers; asserts nothing.
import { readFileSync, readdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { gzipSync, constants } from "node:zlib";
import { AwsClient } from "aws4fetch";
import { startDevServer } from "./dev-server.mjs";
import { localR2Vars } from "./local-r2.mjs";

const MB = Number(process.env.BENCH_PLUGIN_MB ?? 100);
const server = await startDevServer({ name: "bench-plugins", vars: { RATE_LIMITS: "off" } });

function tarOf(name, data) {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000755\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
  header.write("14000000000\0", 136);
  header.write("0", 156);
  header.write("ustar\u000000", 257);
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512), Buffer.alloc(1024)]);
}

async function api(method, path, token, body) {
  const r = await fetch(server.url + path, { method, headers: { "Content-Type": "application/json", ...(token ? { Authorization: `token ${token}` } : {}) }, body: body && JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function workerdRss(root) {
  const kids = new Map();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone
    }
  }
  let total = 0;
  const walk = (pid) => {
    for (const c of kids.get(pid) ?? []) {
      try {
        if (readFileSync(`/proc/${c}/cmdline`, "utf8").includes("workerd")) total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${c}/status`, "utf8"))[1]) * 1024;
      } catch {
        // gone
      }
      walk(c);
    }
  };
  walk(root);
  return total;
}

async function timed(work) {
  const t = performance.now();
  const value = await work();
  return { ms: performance.now() - t, value };
}

try {
  await api("POST", "/api/admin/orgs", server.adminToken, { login: "benchp" });
  const { token } = await api("POST", "/api/admin/orgs/benchp/tokens", server.adminToken, { role: "publisher" });
  const start = await api("POST", "/api/registry/packages/pulumi/benchp/bigplug/versions", token, { version: "1.0.0" });
  for (const [slot, body] of [["schema", JSON.stringify({ name: "bigplug", version: "1.0.0" })], ["index", "# big\n"]]) await (await fetch(start.uploadURLs[slot], { method: "PUT", body })).arrayBuffer();
  await api("POST", "/api/registry/packages/pulumi/benchp/bigplug/versions/1.0.0/complete", token, { operationID: start.operationID });

  const archive = gzipSync(tarOf("pulumi-resource-bigplug", randomBytes(MB * 1024 * 1024)), { level: constants.Z_BEST_SPEED });
  const mib = archive.length / 2 ** 20;
  const r2 = localR2Vars(server.port);
  const s3 = new AwsClient({ accessKeyId: r2.R2_ACCESS_KEY_ID, secretAccessKey: r2.R2_SECRET_ACCESS_KEY, service: "s3", region: "auto" });
  const rawKey = `bench/raw-${Date.now()}.tar.gz`;
  const rawUrl = `${r2.R2_S3_ENDPOINT}/${r2.R2_BUCKET_NAME}/${rawKey}`;
  // The simulator's own speed for these bytes: a PUT and a GET straight to its S3 API.
  const putBefore = workerdRss(server.pid);
  let putPeak = putBefore;
  const putSampler = setInterval(() => (putPeak = Math.max(putPeak, workerdRss(server.pid))), 50);
  const rawPut = await timed(async () => (await s3.fetch(rawUrl, { method: "PUT", body: archive })).arrayBuffer());
  clearInterval(putSampler);
  const rawGet = await timed(async () => (await s3.fetch(rawUrl)).arrayBuffer());

  const attach = await api("POST", "/api/registry/packages/pulumi/benchp/bigplug/versions/1.0.0/plugins", token, { platforms: ["linux-amd64"] });
  const upload = await timed(async () => (await fetch(attach.uploadURLs["linux-amd64"], { method: "PUT", body: archive })).arrayBuffer());
  const before = workerdRss(server.pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, workerdRss(server.pid))), 50);
  const complete = await timed(() => api("POST", "/api/registry/packages/pulumi/benchp/bigplug/versions/1.0.0/plugins/complete", token, { operationID: attach.operationID }));
  clearInterval(sampler);
  const file = "pulumi-resource-bigplug-v1.0.0-linux-amd64.tar.gz";
  const download = await timed(async () => {
    const r = await fetch(`${server.url}/api/registry/packages/pulumi/benchp/bigplug/versions/1.0.0/plugins/${file}`);
    return (await r.arrayBuffer()).byteLength;
  });
  if (download.value !== archive.length) throw new Error(`downloaded ${download.value} bytes of ${archive.length}`);
  const healthz = [];
  for (let i = 0; i < 50; i++) healthz.push((await timed(async () => (await fetch(`${server.url}/healthz`)).arrayBuffer())).ms);
  healthz.sort((a, b) => a - b);
  const rate = (ms) => `${(mib / (ms / 1000)).toFixed(0)} MiB/s`;
  console.log(`plugin archive ${mib.toFixed(1)} MiB (incompressible)`);
  console.log(`R2 simulator: PUT ${rawPut.ms.toFixed(0)} ms (${rate(rawPut.ms)}), GET ${rawGet.ms.toFixed(0)} ms (${rate(rawGet.ms)})`);
  console.log(`upload to the presigned URL: ${upload.ms.toFixed(0)} ms`);
  console.log(`attach complete (copy + SHA-256 + gzip-tar walk + commit): ${complete.ms.toFixed(0)} ms (${rate(complete.ms)}) = ${(complete.ms / rawPut.ms).toFixed(2)}× the simulator's PUT`);
  console.log(`download through the registry: ${download.ms.toFixed(0)} ms (${rate(download.ms)}) = ${(download.ms / rawGet.ms).toFixed(2)}× the simulator's GET`);
  console.log(`workerd RSS (the Worker and the R2 simulator): peak +${((putPeak - putBefore) / 2 ** 20).toFixed(0)} MiB during the simulator's own PUT, +${((peak - before) / 2 ** 20).toFixed(0)} MiB during complete (from ${(before / 2 ** 20).toFixed(0)} MiB)`);
  console.log(`GET /healthz p50 ${healthz[25].toFixed(1)} ms; download = ${(download.ms / healthz[25]).toFixed(0)}× /healthz`);
} finally {
  await server.stop();
}

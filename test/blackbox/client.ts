// A raw-HTTP client that speaks like the Pulumi CLI: vnd.pulumi+9 Accept, JSON Content-Type even on GET/DELETE.
import { inject } from "vitest";

export const gateway = () => inject("gatewayUrl");
export const adminToken = () => inject("adminToken");

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export async function cli(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = {
    Accept: "application/vnd.pulumi+9",
    "Content-Type": "application/json",
    "Accept-Encoding": "gzip",
    "User-Agent": "pulumi-cli/1 (v3.231.0; linux; cmd=package)",
    ...options.headers,
  };
  if (options.token) headers.Authorization = `token ${options.token}`;
  const url = path.startsWith("http") ? path : gateway() + path;
  const response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** An org with a token of each role, on the main server or (given its URL and admin token) another. */
export async function setupOrg(login: string, server: { url: string; adminToken: string } = { url: gateway(), adminToken: adminToken() }) {
  const org = await cli("POST", `${server.url}/api/admin/orgs`, { token: server.adminToken, body: { login } });
  if (org.status !== 201) throw new Error(`org ${login}: ${org.status} ${org.text}`);
  const tokens: Record<string, string> = {};
  for (const role of ["reader", "publisher", "admin"]) {
    const r = await cli("POST", `${server.url}/api/admin/orgs/${login}/tokens`, { token: server.adminToken, body: { role } });
    if (r.status !== 201) throw new Error(`token ${login}/${role}: ${r.status} ${r.text}`);
    tokens[role] = r.body.token;
  }
  return tokens as { reader: string; publisher: string; admin: string };
}

/** A PUT exactly as the Pulumi CLI sends it: no Authorization, no Content-Type, a Content-Length. */
export async function upload(url: string, body: string | Buffer, requiredHeaders: Record<string, string> = {}) {
  const response = await fetch(url, { method: "PUT", body, headers: { ...requiredHeaders } });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Waits until a package version's docs, derived after complete by a durable job, are no longer pending;
 * answers their status. `server` defaults to the suite's gateway.
 */
export async function docsReady(token: string, path: string, version: string, server = gateway(), timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await cli("GET", `${server}/api/registry/packages/${path}/versions/${encodeURIComponent(version)}`, { token });
    const status = r.body?.docs?.status;
    if (r.status === 200 && status !== "pending") return status;
    if (Date.now() > deadline) throw new Error(`docs of ${path}@${version} still ${status ?? r.status}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** start → upload schema and README → complete, as `pulumi package publish` does; returns the complete reply. */
export async function publishOverHttp(token: string, prefix: string, path: string, version: string, schema: string | Buffer, readme = "# readme\n") {
  const start = await cli("POST", `${prefix}/packages/${path}/versions`, { token, body: { version } });
  if (start.status !== 202) throw new Error(`start ${path}@${version}: ${start.status} ${start.text}`);
  if (start.headers.get("content-type") !== "application/json") throw new Error("start answered without application/json");
  const required = start.body.requiredHeaders ?? {};
  for (const [slot, bytes] of [["schema", schema], ["index", readme]] as const) {
    const status = await upload(start.body.uploadURLs[slot], bytes, required);
    if (status >= 400) throw new Error(`upload of ${slot}: ${status}`);
  }
  const done = await cli("POST", `${prefix}/packages/${path}/versions/${version}/complete`, { token, body: { operationID: start.body.operationID } });
  if (done.status === 201) await docsReady(token, path, version, prefix.startsWith("http") ? new URL(prefix).origin : gateway());
  return done;
}

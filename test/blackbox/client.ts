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

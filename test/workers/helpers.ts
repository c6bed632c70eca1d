// Drives the worker in-process (real bindings) the way a client would, plus fixtures for orgs and tokens.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Env } from "../../src/env";
import worker from "../../src/index";

export const ADMIN = "test-admin-token-0123456789";
export const BASE = "http://gateway.test";

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  /** "manual" to see a redirect instead of following it. */
  redirect?: "follow" | "manual";
}

export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `token ${options.token}`);
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers.set("Content-Type", "application/json");
  }
  const url = path.startsWith("http") ? path : BASE + path;
  return exports.default.fetch(new Request(url, { method: options.method ?? "GET", headers, body, redirect: options.redirect }));
}

/** The worker under another configuration (the same bindings), as a deployment with other vars or secrets would run. */
export async function callWithEnv<T = any>(vars: Record<string, string | undefined>, path: string, options: CallOptions = {}): Promise<{ status: number; body: T; response: Response }> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `token ${options.token}`);
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers.set("Content-Type", "application/json");
  }
  const ctx = createExecutionContext();
  const request = new Request(BASE + path, { method: options.method ?? "GET", headers, body, redirect: options.redirect });
  const response = await worker.fetch(request as never, { ...(env as unknown as Env), ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  const isJson = (response.headers.get("Content-Type") ?? "").startsWith("application/json");
  return { status: response.status, body: text ? (isJson ? JSON.parse(text) : text) : undefined, response } as { status: number; body: T; response: Response };
}

export async function callJson<T = any>(path: string, options: CallOptions = {}): Promise<{ status: number; body: T; response: Response }> {
  const response = await call(path, options);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, response };
}

export async function createOrg(login: string, displayName?: string) {
  const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login, displayName } });
  if (r.status !== 201) throw new Error(`createOrg ${login}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function createToken(org: string, role: "reader" | "publisher" | "admin", extra: Record<string, unknown> = {}) {
  const r = await callJson(`/api/admin/orgs/${org}/tokens`, { method: "POST", token: ADMIN, body: { role, ...extra } });
  if (r.status !== 201) throw new Error(`createToken ${org}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; token: string };
}

export type OrgTokens = Record<"reader" | "publisher" | "admin", string>;

/** An org with one token of each role. */
export async function orgWithTokens(login: string, displayName?: string): Promise<OrgTokens> {
  await createOrg(login, displayName);
  return {
    reader: (await createToken(login, "reader")).token,
    publisher: (await createToken(login, "publisher")).token,
    admin: (await createToken(login, "admin")).token,
  };
}

export async function countRows(table: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Row counts of every table (the FTS index's own tables included) and the R2 object count: what a
 * refused request must leave exactly as it found. Compare two snapshots with toEqual.
 */
export async function writeSnapshot(): Promise<{ rows: Record<string, number>; objects: number }> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name").all<{ name: string }>();
  const rows: Record<string, number> = {};
  for (const { name } of tables.results) rows[name] = await countRows(`"${name.replace(/"/g, '""')}"`);
  return { rows, objects: await countObjects() };
}

export async function countObjects(prefix = ""): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await env.ARTIFACTS.list({ prefix, cursor });
    n += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return n;
}

export function expectError(r: { status: number; body: any }, status: number) {
  if (r.status !== status || r.body?.code !== status || typeof r.body?.message !== "string" || !r.body.message) {
    throw new Error(`expected a ${status} {code,message} error, got ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** Signs in through the web form, as a browser on this origin would; answers the session cookie (`name=value`). */
export async function signIn(token: string): Promise<string> {
  const r = await call("/sign-in", {
    redirect: "manual",
    method: "POST",
    rawBody: new URLSearchParams({ token, next: "/" }).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, "Sec-Fetch-Site": "same-origin" },
  });
  if (r.status !== 303) throw new Error(`sign-in: ${r.status}`);
  return r.headers.get("Set-Cookie")!.split(";")[0]!;
}

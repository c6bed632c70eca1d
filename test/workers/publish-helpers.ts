// Publishing the way the Pulumi CLI does: start, PUT each artifact to its presigned URL, complete.
import { env } from "cloudflare:workers";
import { call, callJson } from "./helpers";
import { docsSchema } from "./api-docs-fixture";

export const PREFIXES = ["/api/preview/registry", "/api/registry"] as const;

export function schemaFor(name: string, version: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ name, version, displayName: `${name} title`, description: `The ${name} package`, keywords: ["category/database", "kind/native"], ...extra });
}

export async function put(url: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return call(url, { method: "PUT", rawBody: bytes, headers: { "Content-Length": String(bytes.byteLength), ...headers } });
}

export async function startPublish(token: string, path: string, version: string, prefix = "/api/registry", extra: Record<string, unknown> = {}) {
  return callJson(`${prefix}/packages/${path}/versions`, { method: "POST", token, body: { version, ...extra } });
}

export async function completePublish(token: string, path: string, version: string, operationID: string, prefix = "/api/registry") {
  return callJson(`${prefix}/packages/${path}/versions/${encodeURIComponent(version)}/complete`, { method: "POST", token, body: { operationID } });
}

export interface PublishOptions {
  schema?: string;
  readme?: string;
  installation?: string;
  prefix?: string;
  publishedAt?: string;
  /** Complete answers before the docs are derived; by default this waits for them (false: answer at once). */
  waitForDocs?: boolean;
}

/** Publishes `source/publisher/name@version`; returns the complete response. */
export async function publishPackage(token: string, path: string, version: string, options: PublishOptions = {}) {
  const [, , name] = path.split("/");
  const started = await startPublish(token, path, version, options.prefix, options.publishedAt ? { publishedAt: options.publishedAt } : {});
  if (started.status !== 202) throw new Error(`start ${path}@${version}: ${started.status} ${JSON.stringify(started.body)}`);
  const urls = started.body.uploadURLs;
  const r1 = await put(urls.schema, options.schema ?? schemaFor(name!, version));
  const r2 = await put(urls.index, options.readme ?? `# ${name}\n`);
  if (r1.status !== 200 || r2.status !== 200) throw new Error(`upload failed: ${r1.status} ${r2.status}`);
  if (options.installation !== undefined) await put(urls.installationConfiguration, options.installation);
  const done = await completePublish(token, path, version, started.body.operationID, options.prefix);
  if (done.status !== 201) throw new Error(`complete ${path}@${version}: ${done.status} ${JSON.stringify(done.body)}`);
  if (options.waitForDocs !== false) await docsSettled(token, path, version, options.prefix);
  return done;
}

/**
 * Waits until the version's docs, derived after complete by the durable job runner through the real
 * queue, are no longer pending; answers the status they ended in.
 */
export async function docsSettled(token: string, path: string, version: string, prefix = "/api/registry", timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await callJson(`${prefix}/packages/${path}/versions/${encodeURIComponent(version)}`, { token });
    const status = r.body?.docs?.status;
    if (r.status === 200 && status !== "pending") return status;
    if (Date.now() > deadline) throw new Error(`docs of ${path}@${version} still ${status ?? r.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The docs fixture's schema renamed to `name` (its tokens too). */
export const docsSchemaNamed = (name: string) => JSON.stringify({ ...docsSchema, name }).replaceAll("acmecloud:", `${name}:`);

/** A published version's row as D1 holds it: id, artifact map (JSON) and docs status. */
export async function versionRow(path: string, version: string) {
  const [source, publisher, name] = path.split("/");
  return (await env.DB.prepare(
    "SELECT v.id, v.artifacts, v.docs_status AS docsStatus FROM versions v JOIN items i ON i.id = v.item_id WHERE i.source = ? AND i.publisher = ? AND i.name = ? AND v.version = ?",
  )
    .bind(source, publisher, name, version)
    .first<{ id: string; artifacts: string; docsStatus: string | null }>())!;
}

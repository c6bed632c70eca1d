// `npm run publish -- <dir> [--token T] [--url U] [--publisher P] [--source S] [--name N] [--version V] [--dry-run]`:
// publishes a package or template directory to the registry over its HTTP API (start → uploads → complete),
// without the Pulumi CLI, and prints the page URL.
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BundleError, readBundle } from "./publish-bundle.mjs";

const USAGE = `usage: npm run publish -- <dir> [options]

  <dir>             a package directory (schema.json, README.md, optional installation.md)
                    or a template directory (Pulumi.yaml with a template: section, its files)
  --token T         an org token with the publisher or admin role (default: $PUBLISHER_TOKEN)
  --url U           the registry (default: $REGISTRY_URL, else http://127.0.0.1:8787)
  --publisher P     publish under this publisher (default: the token's org)
  --source S        package source: private (default), pulumi or opentofu; templates are always private
  --name N          template name (default: the directory's name); for packages the schema's name
  --version V       template version (required); for packages the schema's version
  --dry-run         check the directory and print what would be published; send nothing`;

/** An answer of the registry that stops the publish: exit code 1 with its message. */
class RegistryError extends Error {}

function fail(message, code = 1) {
  console.error(`publish: ${message}`);
  process.exit(code);
}

async function call(url, init, what) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new RegistryError(`cannot reach ${new URL(url).origin} (${error.cause?.code ?? error.cause?.errors?.[0]?.code ?? error.message}): is the registry running (npm start)?`);
  }
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = body?.message ?? text.slice(0, 300);
    throw new RegistryError(`${what}: HTTP ${response.status}: ${message}`);
  }
  return { response, body };
}

/** A package's docs are derived after complete: wait (up to two minutes) so that its page shows them. */
async function waitForDocs(url, auth) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { body } = await call(url, { headers: auth }, "reading the published version");
    const status = body?.docs?.status;
    if (status === "ready") return console.log("publish: documentation ready");
    if (status === "failed") return console.log("publish: its documentation could not be generated from the schema (the operator can re-drive it)");
    if (Date.now() > deadline) return console.log("publish: documentation still being generated; its page shows it once ready");
    await new Promise((r) => setTimeout(r, 250));
  }
}

function summarize(bundle) {
  const sizes = Object.entries(bundle.slots).map(([slot, bytes]) => `${slot} ${bytes.length} B`);
  return `${bundle.kind} ${bundle.name}@${bundle.version} (${sizes.join(", ")})`;
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        token: { type: "string" },
        url: { type: "string" },
        publisher: { type: "string" },
        source: { type: "string" },
        name: { type: "string" },
        version: { type: "string" },
        "dry-run": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail(`${error.message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) fail(`give exactly one directory\n${USAGE}`, 2);

  // npm runs scripts from the package root; a directory is meant relative to where npm was run.
  const dir = relative(process.cwd(), resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0])) || ".";
  const bundle = readBundle(dir, { name: values.name, version: values.version });
  if (values["dry-run"]) {
    console.log(`publish: ${summarize(bundle)}: every slot rule checked locally; nothing sent (--dry-run)`);
    return;
  }

  const base = (values.url || process.env.REGISTRY_URL || "http://127.0.0.1:8787").replace(/\/+$/, "");
  const token = values.token || process.env.PUBLISHER_TOKEN;
  if (!token) fail("no token: pass --token or set PUBLISHER_TOKEN to an org token with the publisher or admin role", 2);
  const auth = { Authorization: `token ${token}` };
  const json = { ...auth, "Content-Type": "application/json" };

  const source = bundle.kind === "template" ? "private" : (values.source ?? "private");
  if (bundle.kind === "template" && values.source !== undefined && values.source !== "private") {
    fail("templates are published to source 'private' only", 2);
  }
  let publisher = values.publisher;
  if (publisher === undefined) {
    const { body } = await call(`${base}/api/user`, { headers: auth }, "reading the token's org (GET /api/user)");
    publisher = body.githubLogin;
  }
  const path = `${base}/api/registry/${bundle.collection}/${source}/${encodeURIComponent(publisher)}/${encodeURIComponent(bundle.name)}`;
  console.log(`publish: ${summarize(bundle)} as ${source}/${publisher} to ${base}`);

  const { body: started } = await call(`${path}/versions`, { method: "POST", headers: json, body: JSON.stringify({ version: bundle.version }) }, "start");
  const required = started.requiredHeaders ?? {};
  for (const [slot, bytes] of Object.entries(bundle.slots)) {
    const url = started.uploadURLs?.[slot];
    if (!url) throw new RegistryError(`start answered no upload URL for the '${slot}' slot`);
    // No Authorization: the URL itself is the credential. Templates are sent as gzip, as the Pulumi CLI does.
    const headers = bundle.kind === "template" ? { "Content-Type": "application/gzip" } : { ...required };
    await call(url, { method: "PUT", headers, body: bytes }, `uploading ${slot}`);
  }
  const version = encodeURIComponent(bundle.version);
  await call(`${path}/versions/${version}/complete`, { method: "POST", headers: json, body: JSON.stringify({ operationID: started.operationID }) }, "complete");

  const page =
    bundle.kind === "package"
      ? `${base}/packages/${source}/${encodeURIComponent(publisher)}/${encodeURIComponent(bundle.name)}/${version}`
      : `${base}/templates/${source}/${encodeURIComponent(publisher)}/${encodeURIComponent(bundle.name)}/versions/${version}`;
  console.log(`publish: published ${source}/${publisher}/${bundle.name}@${bundle.version}`);
  if (bundle.kind === "package") await waitForDocs(`${path}/versions/${version}`, auth);
  console.log(`publish: page ${page}`);
  // A private item's page is a 404 to anyone not signed in to its org: the sign-in form comes back to the page.
  if (source === "private") console.log(`publish: it is private: open ${base}/sign-in?next=${encodeURIComponent(new URL(page).pathname)} and paste an org token to see it`);
}

main().catch((error) => {
  if (error instanceof BundleError || error instanceof RegistryError) fail(error.message);
  throw error;
});

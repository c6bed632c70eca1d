// Starts a real `wrangler dev` and publishes what the browser tests look at, through the public API.
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";
import { EVIL, seedSchema } from "./fixtures";
import { docsInstallation, docsReadme, docsSchema } from "../workers/api-docs-fixture";

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
    orgToken: string;
    revocableTokenId: string;
    adminToken: string;
  }
}

async function api(base: string, method: string, path: string, token: string | undefined, body?: unknown) {
  const r = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `token ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function upload(url: string, body: string | Uint8Array) {
  const r = await fetch(url, { method: "PUT", body: typeof body === "string" ? body : new Blob([new Uint8Array(body)]) });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`upload: ${r.status}`);
}

async function publishPackage(base: string, token: string, path: string, version: string, files: { schema: string; readme: string; installation?: string }) {
  const start = await api(base, "POST", `/api/registry/packages/${path}/versions`, token, { version });
  await upload(start.uploadURLs.schema, files.schema);
  await upload(start.uploadURLs.index, files.readme);
  if (files.installation) await upload(start.uploadURLs.installationConfiguration, files.installation);
  await api(base, "POST", `/api/registry/packages/${path}/versions/${version}/complete`, token, { operationID: start.operationID });
  // The pages show docs, derived after complete by a durable job: wait for them.
  const deadline = Date.now() + 90_000;
  while ((await api(base, "GET", `/api/registry/packages/${path}/versions/${version}`, token)).docs.status === "pending") {
    if (Date.now() > deadline) throw new Error(`docs of ${path}@${version} still pending`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function archive(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "web-tpl-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const out = `${dir}.tar.gz`;
  execFileSync("tar", ["-czf", out, "-C", dir, ...Object.keys(files)]);
  return readFileSync(out);
}

async function publishTemplate(base: string, token: string, path: string, version: string, files: Record<string, string>) {
  const start = await api(base, "POST", `/api/registry/templates/${path}/versions`, token, { version });
  await upload(start.uploadURLs.archive, archive(files));
  await api(base, "POST", `/api/registry/templates/${path}/versions/${version}/complete`, token, { operationID: start.operationID });
}

export default async function setup(project: TestProject) {
  const logPath = join(process.cwd(), ".tmp", "browser-server.log");
  mkdirSync(dirname(logPath), { recursive: true });
  writeFileSync(logPath, "");
  const server = await startDevServer({ name: "browser", log: (line: string) => appendFileSync(logPath, line + "\n") });
  const base: string = server.url;
  const admin: string = server.adminToken;
  try {
    await api(base, "POST", "/api/admin/orgs", admin, { login: "acme", displayName: "Acme Corp" });
    const { token } = await api(base, "POST", "/api/admin/orgs/acme/tokens", admin, { role: "publisher" });
    const revocable = await api(base, "POST", "/api/admin/orgs/acme/tokens", admin, { role: "reader" });

    const widgetsReadme = "# Widgets\n\nWidgets for every cloud.\n\n## Usage\n\n```typescript\nnew widgets.Widget(\"w\");\n```\n";
    for (const version of ["1.0.0", "1.1.0", "2.0.0-beta.1"]) {
      await publishPackage(base, token, "pulumi/acme/widgets", version, {
        schema: seedSchema("widgets", version),
        readme: widgetsReadme.replace("Widgets for every cloud.", `Widgets for every cloud. This is ${version}.`),
        installation: "## Install\n\nRun `pulumi package add pulumi/acme/widgets`.\n",
      });
    }
    await api(base, "PUT", "/api/admin/packages/pulumi/acme/widgets/featured", admin, { featured: true });
    await publishPackage(base, token, "pulumi/acme/gadgets", "0.3.0", { schema: seedSchema("gadgets", "0.3.0"), readme: "# Gadgets\n\nSmall things.\n" });
    // A deprecated package whose replacement is another package here.
    await publishPackage(base, token, "pulumi/acme/gizmos", "0.1.0", { schema: seedSchema("gizmos", "0.1.0"), readme: "# Gizmos\n" });
    await api(base, "PUT", "/api/registry/packages/pulumi/acme/gizmos/deprecation", token, { message: "Gizmos became gadgets.", replacement: "pulumi/acme/gadgets" });
    // For the list page's package type and category filters.
    await publishPackage(base, token, "pulumi/acme/monitor", "1.0.0", { schema: seedSchema("monitor", "1.0.0", ["category/monitoring", "kind/component"]), readme: "# Monitor\n" });
    await publishPackage(base, token, "pulumi/acme/metrics", "1.0.0", { schema: seedSchema("metrics", "1.0.0", ["category/monitoring", "kind/native"]), readme: "# Metrics\n" });
    await publishPackage(base, token, "pulumi/acme/acmecloud", "2.1.0", { schema: JSON.stringify(docsSchema), readme: docsReadme, installation: docsInstallation });
    await publishPackage(base, token, "private/acme/acmecloud-internal", "2.1.0", {
      schema: JSON.stringify({ ...docsSchema, name: "acmecloud-internal", displayName: "Acme Cloud (internal)" }),
      readme: "# Acme Cloud (internal)\n\nThe internal build.\n",
    });
    await api(base, "POST", "/api/admin/orgs", admin, { login: "kubernetes" });
    const k8s = await api(base, "POST", "/api/admin/orgs/kubernetes/tokens", admin, { role: "publisher" });
    await publishPackage(base, k8s.token, "pulumi/kubernetes/kubernetes", "4.0.0", {
      schema: JSON.stringify({
        name: "kubernetes",
        version: "4.0.0",
        displayName: "Kubernetes",
        resources: { "kubernetes:core/v1:Pod": { description: "A pod.", inputProperties: { spec: { $ref: "#/types/kubernetes:core/v1:PodSpec" } }, properties: {} } },
        types: { "kubernetes:core/v1:PodSpec": { type: "object", description: "The specification of a pod.", properties: { image: { type: "string", description: "The container image." } } } },
      }),
      readme: "# Kubernetes\n",
    });
    await publishPackage(base, token, "private/acme/vault", "1.0.0", { schema: seedSchema("vault", "1.0.0"), readme: "# Vault\n\nAcme's private vault component.\n" });
    await publishPackage(base, token, "pulumi/acme/evil", "1.0.0", {
      schema: JSON.stringify({ name: "evil", version: "1.0.0", displayName: EVIL.title, description: EVIL.description, logoUrl: "javascript:window.__pwned='logo'", keywords: ["category/cloud"] }),
      readme: EVIL.markdown,
      installation: EVIL.markdown,
    });

    await publishTemplate(base, token, "private/acme/web-app", "1.0.0", {
      "Pulumi.yaml": EVIL.pulumiYaml,
      "README.md": EVIL.markdown,
      "index.ts": "export {};\n",
      "package.json": "{}\n",
    });
    // A template with several versions: a pre-release, a deprecated one, each with its own README and config.
    for (const version of ["1.0.0", "1.1.0", "2.0.0-rc.1"]) {
      await publishTemplate(base, token, "private/acme/service", version, {
        "Pulumi.yaml": `name: service\nruntime: nodejs\ndescription: A service\ntemplate:\n  displayName: Service\n  description: A containerized service\n  metadata:\n    release: r${version}\n  config:\n    replicas:\n      description: How many replicas\n      default: "${version === "1.0.0" ? 1 : 3}"\n`,
        "README.md": `# Service ${version}\n\nThis is the ${version} template.\n`,
        "index.ts": "export {};\n",
        // A file in a folder, 2 KiB: the file list shows its path and size.
        ...(version === "1.1.0" ? { "src/handler.ts": `// ${"x".repeat(2045)}\n` } : {}),
      });
    }
    await api(base, "PUT", "/api/registry/templates/private/acme/service/versions/1.0.0/deprecation", token, { message: "use 1.1.0" });
    await api(base, "POST", "/api/admin/templates", admin, {
      source: "github",
      publisher: "acme",
      name: "templates/static-site",
      repoSlug: "acme/templates",
      downloadURL: "https://github.com/acme/templates/archive/main.tar.gz",
      displayName: "Static website",
      description: "A static website on object storage with a CDN.",
      language: "typescript",
      metadata: { cloud: "aws", note: EVIL.metadata },
    });
    project.provide("webUrl", base);
    project.provide("orgToken", token);
    project.provide("revocableTokenId", revocable.id);
    project.provide("adminToken", admin);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return async () => {
    await server.stop();
  };
}

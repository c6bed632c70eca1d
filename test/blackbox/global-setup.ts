import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    adminToken: string;
  }
}

export default async function setup(project: TestProject) {
  // The server's output goes to a file, for diagnosing a failure without cluttering the run.
  const logPath = join(process.cwd(), ".tmp", "blackbox-server.log");
  mkdirSync(dirname(logPath), { recursive: true });
  writeFileSync(logPath, "");
  const server = await startDevServer({
    name: "blackbox",
    // Webhooks may target the suite's own receivers on 127.0.0.1; retries start at 1 s so a dead-letter walk fits a test.
    vars: { WEBHOOK_ALLOW_LOCAL_HTTP: "true", WEBHOOK_RETRY_BASE_SECONDS: "1" },
    log: (line: string) => appendFileSync(logPath, line + "\n"),
  });
  project.provide("gatewayUrl", server.url);
  project.provide("adminToken", server.adminToken);
  return async () => {
    await server.stop();
  };
}

import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error -- plain ESM script shared with the benchmark; no type declarations.
import { startDevServer } from "../../scripts/dev-server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** The main server: R2 upload mode, through wrangler dev's local S3 API (as in production). */
    gatewayUrl: string;
    adminToken: string;
    /** A second server in gateway upload mode (UPLOAD_MODE=gateway): uploads go to the Worker's own route. */
    gatewayModeUrl: string;
    gatewayModeAdminToken: string;
  }
}

export default async function setup(project: TestProject) {
  // The servers' output goes to files, for diagnosing a failure without cluttering the run.
  const logFor = (name: string) => {
    const path = join(process.cwd(), ".tmp", `blackbox-${name}.log`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "");
    return (line: string) => appendFileSync(path, line + "\n");
  };
  // Webhooks may target the suite's own receivers on 127.0.0.1; retries start at 1 s so a dead-letter walk fits a test.
  const webhookVars = { WEBHOOK_ALLOW_LOCAL_HTTP: "true", WEBHOOK_RETRY_BASE_SECONDS: "1" };
  const [server, gatewayMode] = await Promise.all([
    startDevServer({ name: "blackbox", uploadMode: "r2", vars: webhookVars, log: logFor("server") }),
    startDevServer({ name: "blackbox-gateway-mode", uploadMode: "gateway", log: logFor("gateway-mode") }),
  ]);
  project.provide("gatewayUrl", server.url);
  project.provide("adminToken", server.adminToken);
  project.provide("gatewayModeUrl", gatewayMode.url);
  project.provide("gatewayModeAdminToken", gatewayMode.adminToken);
  return async () => {
    await Promise.all([server.stop(), gatewayMode.stop()]);
  };
}

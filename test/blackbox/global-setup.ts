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
  const server = await startDevServer({ name: "blackbox" });
  project.provide("gatewayUrl", server.url);
  project.provide("adminToken", server.adminToken);
  return async () => {
    await server.stop();
  };
}

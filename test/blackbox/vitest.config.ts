// Black-box suite: a real `wrangler dev` started by the global setup, driven over HTTP from Node.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // test/tooling checks the project's own tooling (the lint cycle check); it needs Node, not the server.
    include: ["test/blackbox/**/*.test.ts", "test/tooling/**/*.test.ts"],
    globalSetup: ["./test/blackbox/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});

// Tests inside workerd with the real D1, R2 and Durable Object bindings from wrangler.toml.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          ADMIN_TOKEN: "test-admin-token-0123456789",
          SIGNING_SECRET: "test-signing-secret-0123456789abcdef",
        },
      },
    }),
  ],
  test: {
    include: ["test/workers/**/*.test.ts", "test/unit/**/*.test.ts", "test/unit/**/*.test.tsx"],
    setupFiles: ["./test/workers/apply-migrations.ts"],
    silent: "passed-only",
    // Publish-heavy tests (ten or more publishes, each deriving docs) need more than the default
    // 5 s when the machine is shared.
    testTimeout: 20_000,
  },
});

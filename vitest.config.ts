// Tests inside workerd with the real D1, R2, Durable Object and rate limiting bindings from wrangler.toml.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));

const bindings = {
  TEST_MIGRATIONS: migrations,
  ADMIN_TOKEN: "test-admin-token-0123456789",
  SIGNING_SECRET: "test-signing-secret-0123456789abcdef",
  // Org token MAC keys: `t2` mints, `t1` still verifies (test/workers/token-keys.test.ts rotates them).
  TOKEN_KEYS: "t2:test-token-key-two-0123456789,t1:test-token-key-one-0123456789",
  // Webhook tests deliver to a receiver on 127.0.0.1 (test/workers/webhook-receiver.ts).
  WEBHOOK_ALLOW_LOCAL_HTTP: "true",
  // Every response reports its D1 queries and round trips (X-D1-Queries, X-D1-Round-Trips).
  EXPOSE_D1_STATS: "true",
  // Signs each version's plugin SHA256SUMS (test/workers/plugin-signing.test.ts verifies with its public key).
  // Replaced docs' objects go 1 s after a re-derivation's swap (60 s by default: docs-job.ts).
  DOCS_SWEEP_SECONDS: "1",
  PLUGIN_SIGNING_KEY: "0ABCD319B21F4C51:P1f6LfBEl9ZpGHyuHOk1xdKNHMDZL128HY0cm1XWH98:ux5wivVk9kqSTwdUtoFyI4VulEvcbfqUIP2eVJAiQFU",
};

/** The rate-limit tests run against low limits with the short window, so a burst and a wait take seconds. */
const RATE_LIMIT_TESTS = "test/workers/rate-limits.test.ts";
const lowLimits = (limit: number, namespace_id: string) => ({ namespace_id, simple: { limit, period: 10 as const } });

export default defineConfig({
  test: {
    silent: "passed-only",
    // Some tests publish dozens of packages; on a shared 2-core machine 5 s is not always enough.
    testTimeout: 20_000,
    // Setup hooks publish several packages, each waiting for its docs job (a queue round trip and the derivation).
    hookTimeout: 60_000,
    projects: [
      {
        // The limiters stay in the request path, with limits these tests never reach (they publish a lot per token).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings,
              ratelimits: {
                API_RATE_LIMITER: { namespace_id: "43001", simple: { limit: 1_000_000, period: 60 } },
                PUBLISH_RATE_LIMITER: { namespace_id: "43002", simple: { limit: 1_000_000, period: 60 } },
                SIGN_IN_RATE_LIMITER: { namespace_id: "43003", simple: { limit: 1_000_000, period: 60 } },
                MIRROR_MISS_RATE_LIMITER: { namespace_id: "43004", simple: { limit: 1_000_000, period: 60 } },
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts", "test/unit/**/*.test.ts", "test/unit/**/*.test.tsx"],
          exclude: [RATE_LIMIT_TESTS],
          setupFiles: ["./test/workers/apply-migrations.ts"],
          globalSetup: ["./test/workers/webhook-receiver.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { ...bindings, RATE_LIMIT_PERIOD_SECONDS: "10" },
              ratelimits: {
                API_RATE_LIMITER: lowLimits(8, "42001"),
                PUBLISH_RATE_LIMITER: lowLimits(3, "42002"),
                SIGN_IN_RATE_LIMITER: lowLimits(2, "42003"),
                MIRROR_MISS_RATE_LIMITER: lowLimits(3, "42004"),
              },
            },
          }),
        ],
        test: {
          name: "rate-limits",
          include: [RATE_LIMIT_TESTS],
          setupFiles: ["./test/workers/apply-migrations.ts"],
        },
      },
    ],
  },
});

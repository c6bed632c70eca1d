// Browser suite: a real headless Chromium (Debian's `chromium`) driven by playwright-core against a real
// `wrangler dev`. Without a Chromium it says so plainly and runs nothing.
import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const present = existsSync(chromiumPath);
if (!present) {
  console.log(`\n*** browser suite SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH) ***\n`);
}

export default defineConfig({
  test: {
    include: present ? ["test/browser/**/*.test.ts"] : [],
    passWithNoTests: true,
    globalSetup: present ? ["./test/browser/global-setup.ts"] : [],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});

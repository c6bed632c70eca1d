// The rate limiting binding under a real `wrangler dev`, with the limits from wrangler.toml: the publish
// limiter refuses the start over its limit per token, and other tokens keep their own budget.
import { describe, expect, it } from "vitest";
import { cli, setupOrg } from "./client";

const PUBLISH_LIMIT = 60; // PUBLISH_RATE_LIMITER in wrangler.toml

describe("rate limits under wrangler dev", () => {
  it("a burst of publish starts over the limit gets 429 with Retry-After; another token is unaffected", async () => {
    const tokens = await setupOrg("bb-limits");
    const other = await setupOrg("bb-limits-other");
    // The local limiter's windows are aligned to the minute: keep the burst inside one.
    const into = Date.now() % 60_000;
    if (into > 40_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
    const start = (token: string, name: string, version: string) =>
      cli("POST", `/api/registry/packages/private/${name === "other" ? "bb-limits-other" : "bb-limits"}/${name}/versions`, { token, body: { version } });
    for (let i = 0; i < PUBLISH_LIMIT; i++) {
      const r = await start(tokens.publisher, "burst", `1.0.${i}`);
      expect(r.status, r.text).toBe(202);
    }
    const over = await start(tokens.publisher, "burst", "2.0.0");
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ code: 429, message: expect.stringContaining("rate limit") });
    expect(over.headers.get("retry-after")).toBe("60");
    // The token may still read (the API limit is separate and higher); another org's token may publish.
    expect((await cli("GET", "/api/user", { token: tokens.publisher })).status).toBe(200);
    expect((await start(other.publisher, "other", "1.0.0")).status).toBe(202);
  });
});

import { describe, it } from "vitest";
import { env } from "cloudflare:workers";
import { callJson, expectError } from "./helpers";

describe("admin API without ADMIN_TOKEN", () => {
  it("answers 404 on every admin route", async () => {
    const saved = env.ADMIN_TOKEN;
    (env as { ADMIN_TOKEN?: string }).ADMIN_TOKEN = undefined;
    try {
      expectError(await callJson("/api/admin/orgs", { token: "anything" }), 404);
      expectError(await callJson("/api/admin/orgs", { method: "POST", token: "anything", body: { login: "x" } }), 404);
      expectError(await callJson("/api/admin/orgs/x/tokens", { token: "anything" }), 404);
      expectError(await callJson("/api/admin/orgs/x/tokens/y", { method: "DELETE", token: "anything" }), 404);
    } finally {
      (env as { ADMIN_TOKEN?: string }).ADMIN_TOKEN = saved;
    }
  });
});

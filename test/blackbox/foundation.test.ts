import { describe, expect, it } from "vitest";
import { adminToken, cli, setupOrg } from "./client";

describe("foundation over HTTP against wrangler dev", () => {
  it("serves /healthz", async () => {
    const r = await cli("GET", "/healthz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok" });
    expect(r.headers.get("x-pulumi-request-id")).toBeTruthy();
  });

  it("admin API creates an org and a token of each role; /api/user answers; a revoked token gets 401", async () => {
    const tokens = await setupOrg("bb-foundation");
    for (const token of Object.values(tokens)) {
      const user = await cli("GET", "/api/user", { token });
      expect(user.status).toBe(200);
      expect(user.body.githubLogin).toBe("bb-foundation");
    }
    const list = await cli("GET", "/api/admin/orgs/bb-foundation/tokens", { token: adminToken() });
    const readerId = list.body.tokens.find((t: any) => t.role === "reader").id;
    const del = await cli("DELETE", `/api/admin/orgs/bb-foundation/tokens/${readerId}`, { token: adminToken() });
    expect(del.status).toBe(204);
    const after = await cli("GET", "/api/user", { token: tokens.reader });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ code: 401, message: expect.any(String) });
  });

  it("a wrong admin token is a 401 {code,message}", async () => {
    const r = await cli("GET", "/api/admin/orgs", { token: "nope" });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe(401);
  });
});

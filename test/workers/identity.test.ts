import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, countRows, createOrg, createToken, expectError } from "./helpers";

describe("admin API: organizations", () => {
  it("creates an org and lists it", async () => {
    const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login: "acme", displayName: "Acme Corp" } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ login: "acme", displayName: "Acme Corp" });
    expect(new Date(r.body.createdAt).toISOString()).toBe(r.body.createdAt);
    const list = await callJson("/api/admin/orgs", { token: ADMIN });
    expect(list.status).toBe(200);
    expect(list.body.orgs.map((o: any) => o.login)).toContain("acme");
  });

  it("displayName defaults to the login", async () => {
    const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login: "plain-org" } });
    expect(r.body.displayName).toBe("plain-org");
  });

  it("a duplicate login is a 409 and leaves one row", async () => {
    await createOrg("dupe");
    const before = await countRows("orgs");
    const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login: "dupe" } });
    expectError(r, 409);
    expect(await countRows("orgs")).toBe(before);
  });

  it.each(["-starts-with-dash", "has/slash", "has space", "", "a".repeat(101), "..", "nul\u0000"])(
    "an invalid login %j is a 400 and writes nothing",
    async (login) => {
      const before = await countRows("orgs");
      const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login } });
      expectError(r, 400);
      expect(await countRows("orgs")).toBe(before);
    },
  );

  it("a missing admin token is a 401", async () => {
    expectError(await callJson("/api/admin/orgs"), 401);
  });

  it("a wrong admin token is a 401 and writes nothing", async () => {
    const before = await countRows("orgs");
    const r = await callJson("/api/admin/orgs", { method: "POST", token: "wrong-token", body: { login: "sneaky" } });
    expectError(r, 401);
    expect(await countRows("orgs")).toBe(before);
  });

  it("an org token (even admin role) may not create orgs: 403", async () => {
    await createOrg("tokenorg");
    const { token } = await createToken("tokenorg", "admin");
    const r = await callJson("/api/admin/orgs", { method: "POST", token, body: { login: "other" } });
    expectError(r, 403);
  });
});

describe("admin API: tokens", () => {
  beforeAll(async () => {
    await createOrg("tok");
    await createOrg("tok2");
  });

  it.each(["reader", "publisher", "admin"] as const)("creates a %s token, returned once with a recognisable prefix", async (role) => {
    const r = await callJson("/api/admin/orgs/tok/tokens", { method: "POST", token: ADMIN, body: { role, description: `ci ${role}` } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ org: "tok", role, description: `ci ${role}` });
    expect(r.body.token).toMatch(/^erg_t2\.[0-9a-f]{24}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/);
    expect(r.body.id).toMatch(/^tok_/);
  });

  it("stores only a SHA-256 hash of the token", async () => {
    const { id, token } = await createToken("tok", "reader");
    const row = await env.DB.prepare("SELECT * FROM tokens WHERE id = ?").bind(id).first<Record<string, unknown>>();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(row?.token_hash).toBe(hex);
    expect(Object.values(row ?? {})).not.toContain(token);
  });

  it("lists tokens without the secret or its hash", async () => {
    const { token } = await createToken("tok", "publisher");
    const r = await callJson("/api/admin/orgs/tok/tokens", { token: ADMIN });
    expect(r.status).toBe(200);
    expect(r.body.tokens.length).toBeGreaterThan(0);
    const text = JSON.stringify(r.body);
    expect(text).not.toContain(token);
    expect(text).not.toMatch(/hash/i);
    for (const t of r.body.tokens) expect(Object.keys(t)).not.toContain("token");
  });

  it("an unknown org is a 404 and writes nothing", async () => {
    const before = await countRows("tokens");
    expectError(await callJson("/api/admin/orgs/ghost/tokens", { method: "POST", token: ADMIN, body: { role: "reader" } }), 404);
    expect(await countRows("tokens")).toBe(before);
  });

  it("an unknown role is a 400 and writes nothing", async () => {
    const before = await countRows("tokens");
    expectError(await callJson("/api/admin/orgs/tok/tokens", { method: "POST", token: ADMIN, body: { role: "owner" } }), 400);
    expect(await countRows("tokens")).toBe(before);
  });

  it.each(["tomorrow", "2020-01-01T00:00:00Z", 12])("a bad expiresAt %j is a 400 and writes nothing", async (expiresAt) => {
    const before = await countRows("tokens");
    expectError(await callJson("/api/admin/orgs/tok/tokens", { method: "POST", token: ADMIN, body: { role: "reader", expiresAt } }), 400);
    expect(await countRows("tokens")).toBe(before);
  });

  it("an org admin token manages its own org's tokens but not another org's", async () => {
    const { token: orgAdmin } = await createToken("tok", "admin");
    const own = await callJson("/api/admin/orgs/tok/tokens", { method: "POST", token: orgAdmin, body: { role: "reader" } });
    expect(own.status).toBe(201);
    expect((await callJson("/api/admin/orgs/tok/tokens", { token: orgAdmin })).status).toBe(200);
    const before = await countRows("tokens");
    expectError(await callJson("/api/admin/orgs/tok2/tokens", { method: "POST", token: orgAdmin, body: { role: "admin" } }), 403);
    expect(await countRows("tokens")).toBe(before);
  });

  it("a publisher token may not manage tokens: 403", async () => {
    const { token } = await createToken("tok", "publisher");
    expectError(await callJson("/api/admin/orgs/tok/tokens", { method: "POST", token, body: { role: "admin" } }), 403);
  });

  it("a revoked token is rejected from the next request on", async () => {
    const { id, token } = await createToken("tok", "reader");
    expect((await callJson("/api/user", { token })).status).toBe(200);
    const del = await call(`/api/admin/orgs/tok/tokens/${id}`, { method: "DELETE", token: ADMIN });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    expectError(await callJson("/api/user", { token }), 401);
    expectError(await callJson("/api/registry/packages", { token }), 401);
    const list = await callJson("/api/admin/orgs/tok/tokens", { token: ADMIN });
    expect(list.body.tokens.map((t: any) => t.id)).not.toContain(id);
  });

  it("revoking an unknown token is a 404", async () => {
    expectError(await callJson("/api/admin/orgs/tok/tokens/tok_nope", { method: "DELETE", token: ADMIN }), 404);
  });

  it("an expired token is a 401", async () => {
    const { id, token } = await createToken("tok", "reader", { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await callJson("/api/user", { token })).status).toBe(200);
    await env.DB.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), id).run();
    expectError(await callJson("/api/user", { token }), 401);
  });

  it("records lastUsedAt when a token is used", async () => {
    const { id, token } = await createToken("tok", "reader");
    await callJson("/api/user", { token });
    // The update runs in waitUntil; poll briefly.
    let lastUsed: string | null = null;
    for (let i = 0; i < 50 && !lastUsed; i++) {
      lastUsed = (await env.DB.prepare("SELECT last_used_at FROM tokens WHERE id = ?").bind(id).first<{ last_used_at: string | null }>())?.last_used_at ?? null;
      if (!lastUsed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(lastUsed).not.toBeNull();
    const list = await callJson("/api/admin/orgs/tok/tokens", { token: ADMIN });
    expect(list.body.tokens.find((t: any) => t.id === id).lastUsedAt).toBe(lastUsed);
  });
});

describe("authentication", () => {
  it("an unknown token is a 401 on every route, reads included", async () => {
    for (const path of ["/api/user", "/api/capabilities", "/api/registry/packages", "/api/preview/registry/templates"]) {
      expectError(await callJson(path, { token: "erg_unknown" }), 401);
    }
  });

  it("Bearer works as well as token", async () => {
    await createOrg("bearer");
    const { token } = await createToken("bearer", "reader");
    const r = await callJson("/api/user", { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
  });

  it("a malformed Authorization header is a 401", async () => {
    expectError(await callJson("/api/user", { headers: { Authorization: "Basic Zm9vOmJhcg==" } }), 401);
  });
});

describe("Pulumi CLI bootstrap", () => {
  it("GET /api/user describes the token's org", async () => {
    await createOrg("cli-org", "CLI Org");
    const { token } = await createToken("cli-org", "reader");
    const r = await callJson("/api/user", { token });
    expect(r.body).toEqual({ name: "cli-org", githubLogin: "cli-org", organizations: [{ githubLogin: "cli-org", name: "CLI Org" }] });
    expect((await callJson("/api/user/organizations/default", { token })).body).toEqual({ GitHubLogin: "cli-org" });
    expect((await callJson("/api/capabilities", { token })).body).toEqual({ capabilities: [] });
  });

  it.each(["/api/user", "/api/user/organizations/default", "/api/capabilities"])("%s is 401 without a token", async (path) => {
    expectError(await callJson(path), 401);
  });
});

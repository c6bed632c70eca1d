// Rate limits through the real rate limiting binding, configured low (vitest.config.ts): API 8, publish
// starts 3, sign-in 2, mirror misses 3 per 10-second window.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/http/api-error";
import { generateToken, hashToken } from "../../src/identity/tokens";
import { tokenKeys } from "../../src/env";
import { clientAddressKey, enforceRateLimit } from "../../src/rate-limits/rate-limit";
import { callJson, callWithEnv, countRows, expectError } from "./helpers";

const WINDOW_MS = 10_000;
const API_LIMIT = 8;

/**
 * Set-up goes straight to D1: through the API it would spend the very budget under test. The
 * tokens are real (hashed) tokens that the gateway authenticates as usual.
 */
async function orgToken(login: string, role = "publisher"): Promise<string> {
  const now = new Date().toISOString();
  await env.DB.prepare("INSERT OR IGNORE INTO orgs (login, display_name, created_at) VALUES (?, ?, ?)").bind(login, login, now).run();
  const { id, secret } = await generateToken(tokenKeys(env));
  await env.DB.prepare("INSERT INTO tokens (id, org_login, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)").bind(id, login, role, await hashToken(secret), now).run();
  return secret;
}

/** The local binding's windows are aligned to the clock: start a burst early in one, so it stays inside it. */
async function earlyInWindow(): Promise<void> {
  const into = Date.now() % WINDOW_MS;
  if (into > WINDOW_MS / 2) await new Promise((r) => setTimeout(r, WINDOW_MS - into + 50));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("rate limits", () => {
  let a: string;
  let b: string;

  beforeAll(async () => {
    a = await orgToken("limited");
    b = await orgToken("limited");
  });

  it("a burst over the limit gets 429 with Retry-After and {code,message}; other tokens and clients are unaffected; after the window it succeeds", async () => {
    await earlyInWindow();
    for (let i = 0; i < API_LIMIT; i++) expect((await callJson("/api/user", { token: a })).status).toBe(200);
    const over = await callJson("/api/user", { token: a });
    expectError(over, 429);
    expect(over.body).toEqual({ code: 429, message: expect.stringContaining("rate limit") });
    const retryAfter = Number(over.response.headers.get("Retry-After"));
    expect(retryAfter).toBe(10);

    // Another token of the same org, and an anonymous client, have budgets of their own.
    expect((await callJson("/api/user", { token: b })).status).toBe(200);
    expect((await callJson("/api/registry/packages")).status).toBe(200);

    await sleep(retryAfter * 1000);
    expect((await callJson("/api/user", { token: a })).status).toBe(200);
  }, 30_000);

  it("a write over the limit is a 429 that writes nothing", async () => {
    const c = await orgToken("limited");
    await earlyInWindow();
    const usage = (stack: string) =>
      callJson(`/api/orgs/limited/registry/usage/web/${stack}`, { method: "PUT", token: c, body: { packages: [{ source: "pulumi", publisher: "x", name: "y" }] } });
    for (let i = 0; i < API_LIMIT; i++) expect((await usage(`s${i}`)).status).toBe(204);
    const rows = await countRows("stack_usage");
    const over = await usage("one-too-many");
    expectError(over, 429);
    expect(over.response.headers.get("Retry-After")).toBe("10");
    expect(await countRows("stack_usage")).toBe(rows);
  });

  it("publish starts have a stricter limit than reads; the start over it records no operation", async () => {
    const d = await orgToken("starter");
    await earlyInWindow();
    const start = (version: string) => callJson("/api/registry/packages/pulumi/starter/thing/versions", { method: "POST", token: d, body: { version } });
    for (const v of ["1.0.0", "1.0.1", "1.0.2"]) expect((await start(v)).status).toBe(202);
    const over = await start("1.0.3");
    expectError(over, 429);
    expect(over.response.headers.get("Retry-After")).toBe("10");
    // Reads on the same token still have budget left.
    expect((await callJson("/api/user", { token: d })).status).toBe(200);
    const ns = env.PUBLISH_COORDINATOR;
    const ops = await runInDurableObject(ns.get(ns.idFromName("package/pulumi/starter/thing")), async (_, state) => {
      const stored = await state.storage.list<{ version: string }>({ prefix: "op:" });
      return [...stored.values()].map((op) => op.version).sort();
    });
    expect(ops).toEqual(["1.0.0", "1.0.1", "1.0.2"]);
  });

  it("anonymous calls are limited per client address", async () => {
    await earlyInWindow();
    const from = (ip: string) => callJson("/api/registry/packages", { headers: { "CF-Connecting-IP": ip } });
    for (let i = 0; i < API_LIMIT; i++) expect((await from("203.0.113.7")).status).toBe(200);
    expectError(await from("203.0.113.7"), 429);
    expect((await from("203.0.113.8")).status).toBe(200);
  });

  it("the sign-in limiter is per client address and stricter still", async () => {
    await earlyInWindow();
    const attempt = (ip: string) => enforceRateLimit(env, "signIn", clientAddressKey(new Request("http://x/sign-in", { method: "POST", headers: { "CF-Connecting-IP": ip } })));
    await attempt("198.51.100.1");
    await attempt("198.51.100.1");
    const refused = await attempt("198.51.100.1").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).headers).toEqual({ "Retry-After": "10" });
    await attempt("198.51.100.2");
  });

  it("refused tokens count against the sign-in limit of the client address: guessing is a 429 after two misses", async () => {
    await earlyInWindow();
    const guess = (ip: string, path = "/api/user") => callJson(path, { token: `erg_guess${Math.random()}`, headers: { "CF-Connecting-IP": ip } });
    expectError(await guess("192.0.2.50"), 401);
    expectError(await guess("192.0.2.50", "/api/admin/orgs"), 401);
    const over = await guess("192.0.2.50");
    expectError(over, 429);
    expect(over.response.headers.get("Retry-After")).toBe("10");
    expectError(await guess("192.0.2.50", "/api/admin/orgs"), 429);
    // Another address still gets its plain 401; a valid token from the limited address still works.
    expectError(await guess("192.0.2.51"), 401);
    const valid = await orgToken("limited");
    expect((await callJson("/api/user", { token: valid, headers: { "CF-Connecting-IP": "192.0.2.50" } })).status).toBe(200);
  });

  it("refused tokens on catalog reads (which batch the token lookup) count against the sign-in limit too", async () => {
    await earlyInWindow();
    const guess = (path: string) => callJson(path, { token: `erg_guess${Math.random()}`, headers: { "CF-Connecting-IP": "192.0.2.60" } });
    expectError(await guess("/api/registry/packages"), 401);
    expectError(await guess("/api/registry/packages/pulumi/x/y/versions/latest"), 401);
    expectError(await guess("/api/registry/packages"), 429);
  });

  it("made-up tokens cost no storage, and once an address's sign-in budget is spent its pre-MAC-shaped tokens are not even looked up", async () => {
    await earlyInWindow();
    const from = (token: string) => callJson("/api/registry/packages", { token, headers: { "CF-Connecting-IP": "192.0.2.70" } });
    const costs = (r: { response: Response }) => [r.response.headers.get("X-D1-Queries"), r.response.headers.get("X-Storage-Calls")];
    const first = await from(`erg_t2.${"1".repeat(24)}.${"A".repeat(43)}.${"B".repeat(22)}`);
    expectError(first, 401);
    expect(costs(first)).toEqual(["0", "0"]);
    // A pre-MAC-shaped guess is judged by its lookup while the address has budget…
    const looked = await from(`erg_${"z".repeat(43)}`);
    expectError(looked, 401);
    expect(costs(looked)[0]).not.toBe("0");
    const over = await from("erg_made.up");
    expectError(over, 429);
    expect(costs(over)).toEqual(["0", "0"]);
    // …and not at all once it is spent.
    const refused = await from(`erg_${"y".repeat(43)}`);
    expectError(refused, 429);
    expect(costs(refused)).toEqual(["0", "0"]);
  });

  it("RATE_LIMITS=off counts nothing", async () => {
    const off = { ...env, RATE_LIMITS: "off" };
    for (let i = 0; i < 5; i++) await enforceRateLimit(off, "signIn", "ip:192.0.2.1");
  });
});

describe("a mirror's upstream misses", () => {
  // An upstream that is down (every answer a 500): each miss that reaches it is a 502 and one request upstream.
  const mirror = { MIRROR_UPSTREAMS: JSON.stringify([{ id: "down", url: "https://upstream.example/api/registry", serves: ["pulumi/*/*"], requestsPerMinute: 1000 }]) };
  let asked: string[] = [];
  afterEach(() => vi.restoreAllMocks());

  it("are counted per caller: one client cannot spend the upstream's budget for everyone, and a repeated failure is answered from memory", async () => {
    asked = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      asked.push(String(input instanceof Request ? input.url : input));
      return new Response("upstream broke", { status: 500 });
    });
    const miss = (ip: string, version: string) => callWithEnv(mirror, `/api/registry/packages/pulumi/pulumi/absent/versions/${version}`, { headers: { "CF-Connecting-IP": ip } });
    await earlyInWindow();
    for (const version of ["1.0.0", "1.0.1", "1.0.2"]) {
      const r = await miss("198.51.100.1", version);
      expect(r.status, JSON.stringify(r.body)).toBe(502);
    }
    expect(asked).toHaveLength(3);
    // The fourth distinct miss of that client is refused before anything is asked upstream.
    const over = await miss("198.51.100.1", "1.0.3");
    expectError(over, 429);
    expect(over.response.headers.get("Retry-After")).toBe("10");
    expect(asked).toHaveLength(3);
    // Another client has its own budget; the version that just failed is answered from memory, not asked again.
    const repeated = await miss("198.51.100.2", "1.0.0");
    expectError(repeated, 502);
    expect(repeated.body.message).toMatch(/answered 500.*remembered: the mirror asks upstream 'down' again after \d+ seconds/);
    expect(Number(repeated.response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(asked).toHaveLength(3);
    const fresh = await miss("198.51.100.2", "1.0.4");
    expectError(fresh, 502);
    expect(asked).toHaveLength(4);
    // Nothing was stored by any of it.
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM items WHERE name = 'absent'").first("n")).toBe(0);
  }, 30_000);
});

// Org tokens carry a MAC under TOKEN_KEYS: a made-up token is refused before any storage binding is
// touched, tokens from before the MAC keep working, and keys rotate without revoking tokens.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { generateToken, hashToken, parseTokenKeys, screenToken } from "../../src/identity/tokens";
import { rateLimitKey } from "../../src/rate-limits/rate-limit";
import { ADMIN, BASE, call, callJson, callWithEnv, createOrg, createToken, expectError, writeSnapshot } from "./helpers";

const T1 = "t1:test-token-key-one-0123456789";
const T2 = "t2:test-token-key-two-0123456789";

const callWith = (vars: Record<string, string | undefined>, path: string, options: { method?: string; token?: string; body?: unknown } = {}) => callWithEnv(vars, path, options);

let publisher: string;
let admin: string;

beforeAll(async () => {
  await createOrg("keys");
  publisher = (await createToken("keys", "publisher")).token;
  admin = (await createToken("keys", "admin")).token;
});

/** Every API surface a token opens: reads (batched lookups), the caller, admin, publish, usage, webhooks, audit. */
const ROUTES: Array<[string, string, unknown?]> = [
  ["GET", "/api/registry/packages"],
  ["GET", "/api/registry/packages/pulumi/keys/thing/versions/latest"],
  ["GET", "/api/user"],
  ["GET", "/api/admin/orgs"],
  ["POST", "/api/admin/orgs/keys/tokens", { role: "admin" }],
  ["DELETE", "/api/admin/orgs/keys/tokens/tok_000000000000000000000000"],
  ["POST", "/api/registry/packages/pulumi/keys/thing/versions", { version: "1.0.0" }],
  ["GET", "/api/orgs/keys/registry/webhooks"],
  ["GET", "/api/orgs/keys/registry/audit"],
];

function tamper(token: string, at: "mac" | "random" | "id"): string {
  const [head, id, random, mac] = token.split(".") as [string, string, string, string];
  const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
  if (at === "mac") return [head, id, random, flip(mac)].join(".");
  if (at === "random") return [head, id, flip(random), mac].join(".");
  return [head, (id[0] === "a" ? "b" : "a") + id.slice(1), random, mac].join(".");
}

describe("a made-up token costs no storage access", () => {
  it("refused with a 401 on every API route before D1, R2, the Durable Object or the queue is touched", async () => {
    const otherKey = (await generateToken(parseTokenKeys("zz:a-key-this-registry-never-had"))).secret;
    const madeUp = [
      "erg_not-a-real-token",
      "garbage",
      tamper(publisher, "mac"),
      tamper(publisher, "random"),
      tamper(publisher, "id"),
      otherKey,
      `erg_t2.${"0".repeat(24)}.${"A".repeat(43)}.${"A".repeat(22)}`,
    ];
    const before = await writeSnapshot();
    for (const token of madeUp) {
      for (const [method, path, body] of ROUTES) {
        const r = await callJson(path, { method, token, body });
        expectError(r, 401);
        expect([method, path, token, r.response.headers.get("X-D1-Queries"), r.response.headers.get("X-Storage-Calls")]).toEqual([method, path, token, "0", "0"]);
      }
    }
    expect(await writeSnapshot()).toEqual(before);
  });

  it("the MAC has one spelling: a token differing only in the MAC's spare bits is refused", async () => {
    const [head, id, random, mac] = publisher.split(".") as [string, string, string, string];
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(mac[21]!);
    // The last of 22 characters carries 2 bits of the MAC and 4 spare ones.
    const variant = mac.slice(0, 21) + alphabet[(last & ~0xf) | ((last + 1) & 0xf)];
    const r = await callJson("/api/user", { token: [head, id, random, variant].join(".") });
    expectError(r, 401);
    expect(r.response.headers.get("X-Storage-Calls")).toBe("0");
  });

  it("a real token still reads (the check costs nothing extra in D1)", async () => {
    const r = await callJson("/api/registry/packages", { token: publisher });
    expect(r.status).toBe(200);
    expect(r.response.headers.get("X-D1-Queries")).not.toBe("0");
  });

  it("pages ignore the Authorization header, made-up or not", async () => {
    const r = await call("/", { token: "erg_not-a-real-token" });
    expect(r.status).toBe(200);
  });

  it("rate budgets: a signed token by its id; a token of the old shape, or none, by client address", async () => {
    const at = (token?: string) =>
      rateLimitKey(new Request(`${BASE}/api/user`, { headers: { "CF-Connecting-IP": "203.0.113.9", ...(token ? { Authorization: `token ${token}` } : {}) } }));
    expect(await at(publisher)).toBe(`token:tok_${publisher.split(".")[1]}`);
    expect(await at(`erg_${"x".repeat(43)}`)).toBe("ip:203.0.113.9");
    expect(await at()).toBe("ip:203.0.113.9");
  });
});

describe("tokens from before the MAC", () => {
  async function legacyToken(role = "publisher"): Promise<{ id: string; secret: string }> {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const secret = "erg_" + btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const id = `tok_legacy${Math.random().toString(16).slice(2, 14)}`;
    await env.DB.prepare("INSERT INTO tokens (id, org_login, role, token_hash, created_at) VALUES (?, 'keys', ?, ?, ?)")
      .bind(id, role, await hashToken(secret), new Date().toISOString())
      .run();
    return { id, secret };
  }

  it("keep working on reads, the caller route and publishing, and are revoked as before", async () => {
    const { id, secret } = await legacyToken();
    expect(await screenToken(secret, parseTokenKeys(T2))).toEqual({ kind: "legacy" });
    expect((await callJson("/api/user", { token: secret })).status).toBe(200);
    expect((await callJson("/api/registry/packages", { token: secret })).status).toBe(200);
    expect((await callJson("/api/registry/packages/pulumi/keys/legacy-pub/versions", { method: "POST", token: secret, body: { version: "1.0.0" } })).status).toBe(202);
    expect((await callJson(`/api/admin/orgs/keys/tokens/${id}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    expectError(await callJson("/api/user", { token: secret }), 401);
  });

  it("a made-up token of the old shape costs its one lookup (batched with the read), nothing more", async () => {
    const r = await callJson("/api/user", { token: `erg_${"q".repeat(43)}` });
    expectError(r, 401);
    expect([r.response.headers.get("X-D1-Queries"), r.response.headers.get("X-D1-Round-Trips")]).toEqual(["1", "1"]);
  });
});

describe("TOKEN_KEYS rotation", () => {
  it("a token minted under the old key works after a new key is put in front; it mints, the old one verifies", async () => {
    const minted = await callWith({ TOKEN_KEYS: T1 }, "/api/admin/orgs/keys/tokens", { method: "POST", token: ADMIN, body: { role: "reader" } });
    expect(minted.status).toBe(201);
    expect(minted.body.keyId).toBe("t1");
    expect(minted.body.token).toMatch(/^erg_t1\./);
    // The suite's configuration is "t2,t1": the t1 token verifies, new tokens are t2's.
    expect((await callJson("/api/user", { token: minted.body.token })).status).toBe(200);
    expect((await createToken("keys", "reader")).token).toMatch(/^erg_t2\./);
    const listed = (await callJson("/api/admin/orgs/keys/tokens", { token: ADMIN })).body.tokens as Array<{ id: string; keyId?: string }>;
    expect(listed.find((t) => t.id === minted.body.id)?.keyId).toBe("t1");

    // Retiring t1 refuses its tokens, without storage access; t2's keep working.
    const retired = await callWith({ TOKEN_KEYS: T2 }, "/api/user", { token: minted.body.token });
    expectError(retired, 401);
    expect(retired.response.headers.get("X-Storage-Calls")).toBe("0");
    expect((await callWith({ TOKEN_KEYS: T2 }, "/api/user", { token: publisher })).status).toBe(200);
  });

  it("rotating SIGNING_SECRET revokes no token", async () => {
    const r = await callWith({ SIGNING_SECRET: "a-completely-different-signing-secret" }, "/api/user", { token: publisher });
    expect(r.status).toBe(200);
  });

  it("without TOKEN_KEYS no token can be minted (500, nothing written) and signed tokens are refused", async () => {
    const before = await writeSnapshot();
    const r = await callWith({ TOKEN_KEYS: undefined }, "/api/admin/orgs/keys/tokens", { method: "POST", token: ADMIN, body: { role: "reader" } });
    expect(r.status).toBe(500);
    expect(await writeSnapshot()).toEqual(before);
    expectError(await callWith({ TOKEN_KEYS: undefined }, "/api/user", { token: admin }), 401);
  });

  it("a malformed TOKEN_KEYS is a configuration error", () => {
    expect(() => parseTokenKeys("nokey")).toThrow(/keyId:secret/);
    expect(() => parseTokenKeys("k1:short")).toThrow(/at least 16/);
    expect(() => parseTokenKeys(`${T1},${T1}`)).toThrow(/twice/);
    expect(parseTokenKeys(`${T2}, ${T1}`).map((k) => k.id)).toEqual(["t2", "t1"]);
  });
});

// A token minted by a token never outlives it: expiry at most the parent's, and revoking a token revokes
// what it minted, transitively; a mint racing its parent's revocation leaves no live orphan.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, callJson, createOrg, createToken, expectError, writeSnapshot } from "./helpers";

type Minted = { id: string; token: string; expiresAt?: string; parentTokenId?: string };

async function mintWith(token: string, body: Record<string, unknown>, org = "lineage"): Promise<Minted> {
  const r = await callJson(`/api/admin/orgs/${org}/tokens`, { method: "POST", token, body });
  if (r.status !== 201) throw new Error(`mint: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Minted;
}

const works = async (token: string) => (await callJson("/api/user", { token })).status === 200;
const revoke = (id: string, by = ADMIN) => callJson(`/api/admin/orgs/lineage/tokens/${id}`, { method: "DELETE", token: by });

beforeAll(async () => {
  await createOrg("lineage");
});

describe("tokens minted by tokens", () => {
  it("inherit their parent's expiry when they ask for none, and name their parent", async () => {
    const expiresAt = new Date(Date.now() + 60 * 60_000).toISOString();
    const parent = await createToken("lineage", "admin", { expiresAt });
    const child = await mintWith(parent.token, { role: "admin" });
    expect(child.expiresAt).toBe(expiresAt);
    expect(child.parentTokenId).toBe(parent.id);
    const earlier = new Date(Date.now() + 10 * 60_000).toISOString();
    expect((await mintWith(parent.token, { role: "reader", expiresAt: earlier })).expiresAt).toBe(earlier);
  });

  it("may not ask for an expiry later than their parent's: 400, nothing written", async () => {
    const parent = await createToken("lineage", "admin", { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const before = await writeSnapshot();
    const r = await callJson("/api/admin/orgs/lineage/tokens", { method: "POST", token: parent.token, body: { role: "admin", expiresAt: new Date(Date.now() + 86_400_000).toISOString() } });
    expectError(r, 400);
    expect(r.body.message).toMatch(/not be later than the expiry of the token minting it/);
    expect(await writeSnapshot()).toEqual(before);
  });

  it("the operator's tokens have no parent and no inherited expiry", async () => {
    const t = (await callJson("/api/admin/orgs/lineage/tokens", { method: "POST", token: ADMIN, body: { role: "admin" } })).body as Minted;
    expect(t.parentTokenId).toBeUndefined();
    expect(t.expiresAt).toBeUndefined();
  });

  it("revoking a token revokes everything it minted, transitively, and nothing above it", async () => {
    const a = await createToken("lineage", "admin");
    const b = await mintWith(a.token, { role: "admin" });
    const c = await mintWith(b.token, { role: "publisher" });
    const sibling = await mintWith(a.token, { role: "reader" });
    expect((await revoke(b.id, a.token)).status).toBe(204);
    expect([await works(a.token), await works(b.token), await works(c.token), await works(sibling.token)]).toEqual([true, false, false, true]);
    expect((await revoke(a.id)).status).toBe(204);
    expect(await works(sibling.token)).toBe(false);
    const listed = (await callJson("/api/admin/orgs/lineage/tokens", { token: ADMIN })).body.tokens as Array<{ id: string }>;
    expect(listed.map((t) => t.id)).not.toEqual(expect.arrayContaining([a.id]));
    expect(listed.some((t) => [b.id, c.id, sibling.id].includes(t.id))).toBe(false);
  });

  it("a mint racing its parent's revocation leaves no live token under a revoked parent", async () => {
    const parent = await createToken("lineage", "admin");
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => callJson("/api/admin/orgs/lineage/tokens", { method: "POST", token: parent.token, body: { role: "reader" } })),
      revoke(parent.id),
      ...Array.from({ length: 6 }, () => callJson("/api/admin/orgs/lineage/tokens", { method: "POST", token: parent.token, body: { role: "reader" } })),
    ]);
    expect(results.every((r) => [201, 204, 401].includes(r.status))).toBe(true);
    const orphans = await env.DB.prepare(
      "SELECT count(*) AS n FROM tokens c JOIN tokens p ON c.parent_token_id = p.id WHERE p.revoked_at IS NOT NULL AND c.revoked_at IS NULL",
    ).first<{ n: number }>();
    expect(orphans?.n).toBe(0);
    for (const r of results.filter((r) => r.status === 201)) expect(await works(r.body.token)).toBe(false);
  });
});

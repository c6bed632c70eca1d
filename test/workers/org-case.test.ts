// Org logins and publishers are unique ignoring case; paths name them with their exact spelling.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, callJson, countRows, createOrg, expectError, orgWithTokens, writeSnapshot } from "./helpers";
import { publishPackage, startPublish } from "./publish-helpers";

describe("org logins are unique ignoring case", () => {
  it("creating ACME beside acme is a 409 naming acme, and creates nothing", async () => {
    await createOrg("acme", "Acme Corp");
    const before = await countRows("orgs");
    for (const login of ["ACME", "Acme", "aCmE"]) {
      const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login, displayName: "Impostor" } });
      expectError(r, 409);
      expect(r.body.message).toContain("'acme'");
    }
    expect(await countRows("orgs")).toBe(before);
    const listed = await callJson("/api/admin/orgs", { token: ADMIN });
    expect(listed.body.orgs.filter((o: any) => o.login.toLowerCase() === "acme")).toEqual([expect.objectContaining({ login: "acme", displayName: "Acme Corp" })]);
  });

  it("the exact login is still a 409 saying it exists", async () => {
    const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login: "acme" } });
    expectError(r, 409);
    expect(r.body.message).toBe("organization 'acme' already exists");
  });

  it("the database refuses a case variant even past the route (unique index on lower(login))", async () => {
    await expect(env.DB.prepare("INSERT INTO orgs (login, display_name, created_at) VALUES ('AcMe', 'x', 'now')").run()).rejects.toThrow(/UNIQUE/);
  });

  it("a path with another case of a login does not resolve to it: 404, nothing created", async () => {
    const before = await countRows("tokens");
    const r = await callJson("/api/admin/orgs/ACME/tokens", { method: "POST", token: ADMIN, body: { role: "reader" } });
    expectError(r, 404);
    expect(await countRows("tokens")).toBe(before);
  });
});

describe("publishers are unique ignoring case", () => {
  let first: Awaited<ReturnType<typeof orgWithTokens>>;
  let second: Awaited<ReturnType<typeof orgWithTokens>>;

  beforeAll(async () => {
    first = await orgWithTokens("tofu-one");
    second = await orgWithTokens("tofu-two");
    await publishPackage(first.publisher, "opentofu/hashicorp/random", "1.0.0");
  });

  it("another org publishing opentofu/HashiCorp/random is a 409 naming 'hashicorp', and publishes nothing", async () => {
    const before = await writeSnapshot();
    const r = await startPublish(second.publisher, "opentofu/HashiCorp/random", "1.0.0");
    expectError(r, 409);
    expect(r.body.message).toContain("'hashicorp'");
    expect(await writeSnapshot()).toEqual(before);
    const listed = await callJson("/api/registry/packages?name=random");
    expect(listed.body.packages.map((p: any) => p.publisher)).toEqual(["hashicorp"]);
  });

  it("a new name under another spelling of the publisher is refused too, even for the first org", async () => {
    const before = await writeSnapshot();
    for (const token of [first.publisher, second.publisher]) {
      const r = await startPublish(token, "opentofu/HASHICORP/aws", "1.0.0");
      expectError(r, 409);
      expect(r.body.message).toContain("'hashicorp'");
    }
    expect(await writeSnapshot()).toEqual(before);
  });

  it("the same spelling stays open: another org may publish another name under opentofu/hashicorp", async () => {
    await publishPackage(second.publisher, "opentofu/hashicorp/aws", "1.0.0");
    expect((await callJson("/api/registry/packages/opentofu/hashicorp/aws/versions/latest")).status).toBe(200);
  });

  it("reads with another case of the publisher do not resolve: the same 404 as for something absent", async () => {
    const r = await callJson("/api/registry/packages/opentofu/HashiCorp/random/versions/latest");
    expectError(r, 404);
    expect(r.body.message).toBe("package version 'opentofu/HashiCorp/random@latest' not found");
  });

  it("the database refuses a second spelling even past the coordinator (a trigger on items)", async () => {
    const items = await countRows("items");
    const insert = env.DB.prepare(
      "INSERT INTO items (id, kind, source, publisher, name, canonical_name, owner_org, visibility, created_at) VALUES ('x1', 'package', 'opentofu', 'HashiCorp', 'vault', 'vault', 'tofu-two', 'public', 'now')",
    );
    await expect(insert.run()).rejects.toThrow(/publisher spelling conflict/);
    expect(await countRows("items")).toBe(items);
  });

  it("the trigger refuses a spelling that sorts after the existing one as well as before it", async () => {
    const row = (id: string, publisher: string) =>
      env.DB.prepare(
        `INSERT INTO items (id, kind, source, publisher, name, canonical_name, owner_org, visibility, created_at) VALUES (?, 'package', 'opentofu', ?, ?, ?, 'tofu-two', 'public', 'now')`,
      ).bind(id, publisher, id, id);
    await row("y1", "MixedCase").run();
    const items = await countRows("items");
    // "mixedcase" > "MixedCase" > "MIXEDCASE" in binary order: one of each side.
    await expect(row("y2", "mixedcase").run()).rejects.toThrow(/publisher spelling conflict/);
    await expect(row("y3", "MIXEDCASE").run()).rejects.toThrow(/publisher spelling conflict/);
    expect(await countRows("items")).toBe(items);
    await row("y4", "MixedCase").run();
    expect(await countRows("items")).toBe(items + 1);
  });
});

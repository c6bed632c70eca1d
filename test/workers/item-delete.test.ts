// The whole-item delete (DELETE …/{collection}/{source}/{publisher}/{name}), for every kind: every live
// version retired at once, one audit entry, one event; refused requests leave nothing changed.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { callJson, countObjects, expectError, orgWithTokens, writeSnapshot, type OrgTokens } from "./helpers";
import { publishPackage, startPublish } from "./publish-helpers";
import { goodArchive, publishTemplate } from "./template-helpers";

let acme: OrgTokens;
let other: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
});

const pkg = (path: string) => `/api/registry/packages/${path}`;

async function auditOf(target: string) {
  return env.DB.prepare("SELECT action, version, outcome, detail FROM audit_log WHERE target = ? ORDER BY id").bind(target).all<{ action: string; version: string | null; outcome: number; detail: string | null }>();
}

describe("deleting a whole package", () => {
  it("retires every version at once: the package is gone, one audit entry lists the versions", async () => {
    for (const v of ["1.0.0", "1.1.0", "2.0.0-beta.1"]) await publishPackage(acme.publisher, "pulumi/acme/gone", v);
    const objectsBefore = await countObjects("packages/pulumi/acme/gone/");
    expect(objectsBefore).toBeGreaterThan(0);
    const r = await callJson(pkg("pulumi/acme/gone"), { method: "DELETE", token: acme.publisher });
    expect(r.status).toBe(204);
    expect((await callJson(`${pkg("pulumi/acme/gone")}/versions/latest`)).status).toBe(404);
    expect((await callJson(`${pkg("pulumi/acme/gone")}/versions/1.0.0`)).status).toBe(404);
    expect((await callJson(`${pkg("pulumi/acme/gone")}/versions`)).status).toBe(404);
    const list = await callJson("/api/registry/packages?name=gone");
    expect(list.body.packages).toEqual([]);
    expect(await countObjects("packages/pulumi/acme/gone/")).toBe(0);
    const entries = (await auditOf("package/pulumi/acme/gone")).results.filter((e) => e.action === "package.delete");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ version: null, outcome: 204 });
    expect(JSON.parse(entries[0]!.detail!)).toEqual({ versions: expect.arrayContaining(["1.0.0", "1.1.0", "2.0.0-beta.1"]) });
  });

  it("keeps the deleted version numbers taken", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/taken", "1.0.0");
    expect((await callJson(pkg("pulumi/acme/taken"), { method: "DELETE", token: acme.publisher })).status).toBe(204);
    const again = await startPublish(acme.publisher, "pulumi/acme/taken", "1.0.0");
    expect(again.status).toBe(409);
    // A new number is fine: the name is still acme's.
    expect((await startPublish(acme.publisher, "pulumi/acme/taken", "1.0.1")).status).toBe(202);
  });

  it("a package without live versions (or never published) is a 404", async () => {
    expectError(await callJson(pkg("pulumi/acme/never"), { method: "DELETE", token: acme.publisher }), 404);
    await publishPackage(acme.publisher, "pulumi/acme/twice", "1.0.0");
    expect((await callJson(pkg("pulumi/acme/twice"), { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expectError(await callJson(pkg("pulumi/acme/twice"), { method: "DELETE", token: acme.publisher }), 404);
  });

  it("refuses without a token (401), with a reader token (403), for another org's package (403, or 404 when private), and changes nothing", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/kept", "1.0.0");
    await publishPackage(acme.publisher, "private/acme/secret", "1.0.0");
    const before = await writeSnapshot();
    expectError(await callJson(pkg("pulumi/acme/kept"), { method: "DELETE" }), 401);
    expectError(await callJson(pkg("pulumi/acme/kept"), { method: "DELETE", token: acme.reader }), 403);
    expectError(await callJson(pkg("pulumi/acme/kept"), { method: "DELETE", token: other.publisher }), 403);
    expectError(await callJson(pkg("private/acme/secret"), { method: "DELETE", token: other.publisher }), 404);
    expectError(await callJson(pkg("nowhere/acme/kept"), { method: "DELETE", token: acme.publisher }), 404);
    expect(await writeSnapshot()).toEqual(before);
    expect((await callJson(`${pkg("pulumi/acme/kept")}/versions/latest`)).status).toBe(200);
  });

  it("other methods on the item path are the 404 of an unrouted path", async () => {
    expectError(await callJson(pkg("pulumi/acme/kept")), 404);
    expectError(await callJson(pkg("pulumi/acme/kept"), { method: "POST", token: acme.publisher, body: {} }), 404);
  });
});

describe("deleting a whole template", () => {
  it("needs no force, even for its last version", async () => {
    for (const v of ["0.1.0", "0.2.0"]) expect((await publishTemplate(acme.publisher, "private/acme/tpl-gone", v, await goodArchive())).status).toBe(201);
    const r = await callJson("/api/registry/templates/private/acme/tpl-gone", { method: "DELETE", token: acme.publisher });
    expect(r.status).toBe(204);
    expect((await callJson("/api/registry/templates/private/acme/tpl-gone/versions/latest", { token: acme.reader })).status).toBe(404);
    const entries = (await auditOf("template/private/acme/tpl-gone")).results.filter((e) => e.action === "template.delete");
    expect(entries).toHaveLength(1);
  });

  it("the deprecation routes of a template are not taken for an item delete", async () => {
    expect((await publishTemplate(acme.publisher, "private/acme/tpl-dep", "0.1.0", await goodArchive())).status).toBe(201);
    const dep = await callJson("/api/registry/templates/private/acme/tpl-dep/deprecation", { method: "PUT", token: acme.publisher, body: { message: "old" } });
    expect(dep.status).toBe(204);
    expect((await callJson("/api/registry/templates/private/acme/tpl-dep/deprecation", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect((await callJson("/api/registry/templates/private/acme/tpl-dep/versions/latest", { token: acme.reader })).status).toBe(200);
  });
});

describe("the whole-item delete's webhook event", () => {
  it("is one `${kind}.deleted` event without a version", async () => {
    const receiver = inject("receiverUrl");
    const hook = await callJson("/api/orgs/acme/registry/webhooks", { method: "POST", token: acme.admin, body: { url: `${receiver}/hook/item-delete`, events: ["package.deleted"] } });
    expect(hook.status).toBe(201);
    for (const v of ["1.0.0", "2.0.0"]) await publishPackage(acme.publisher, "pulumi/acme/hooked-gone", v);
    expect((await callJson(pkg("pulumi/acme/hooked-gone"), { method: "DELETE", token: acme.publisher })).status).toBe(204);
    const deadline = Date.now() + 15_000;
    let got: Array<{ body: string }> = [];
    while (got.length < 1 && Date.now() < deadline) {
      got = (await (await fetch(`${receiver}/received/item-delete`)).json()) as Array<{ body: string }>;
      if (!got.length) await new Promise((r) => setTimeout(r, 100));
    }
    // A moment more: a second event would have arrived by now.
    await new Promise((r) => setTimeout(r, 500));
    got = (await (await fetch(`${receiver}/received/item-delete`)).json()) as Array<{ body: string }>;
    expect(got).toHaveLength(1);
    const event = JSON.parse(got[0]!.body);
    expect(event).toMatchObject({ type: "package.deleted", org: "acme", target: { kind: "package", source: "pulumi", publisher: "acme", name: "hooked-gone" } });
    expect(event.target).not.toHaveProperty("version");
  });
});

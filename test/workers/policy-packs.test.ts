import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { call, callJson, countObjects, expectError, orgWithTokens, writeSnapshot, type OrgTokens } from "./helpers";
import { put } from "./publish-helpers";
import {
  cliBody,
  cliComplete,
  cliPublish,
  cliStart,
  cliUpload,
  goodPackArchive,
  packArchiveOf,
  POLICIES,
  POLICY_YAML,
  publishPack,
  startPack,
} from "./policy-pack-helpers";

let acme: OrgTokens;
let other: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
});

const PREFIXES = ["/api/preview/registry", "/api/registry"] as const;
const versionUrl = (path: string, version: string, prefix = "/api/registry") => `${prefix}/policypacks/${path}/versions/${version}`;

describe("a pack published as the stock CLI does", () => {
  it("org start → PUT without Authorization → complete with no body; read back through the registry routes under both prefixes", async () => {
    const archive = await goodPackArchive();
    const started = await cliStart(acme.publisher, "acme", cliBody("guards", "1.0.0", { description: "Bucket guards" }));
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ version: 1, uploadURI: expect.stringContaining("X-Amz-Expires=") });
    expect((await cliUpload(started.body.uploadURI, archive)).status).toBe(200);
    const done = await cliComplete(acme.publisher, "acme", "guards", "1.0.0");
    expect(done.status).toBe(204);
    expect(await done.text()).toBe("");

    for (const prefix of PREFIXES) {
      const got = await callJson(versionUrl("private/acme/guards", "1.0.0", prefix), { token: acme.publisher });
      expect(got.status).toBe(200);
      expect(got.body).toEqual({
        policyPack: {
          id: expect.any(String),
          source: "private",
          publisher: "acme",
          name: "guards",
          version: "1.0.0",
          displayName: "guards pack",
          accessLevel: "full",
          enforcementLevels: ["advisory", "mandatory"],
          description: "Bucket guards",
          runtime: { name: "nodejs" },
          downloadURL: "http://gateway.test/api/registry/policypacks/private/acme/guards/versions/1.0.0/archive",
          visibility: "private",
          createdAt: expect.any(String),
        },
        policies: POLICIES,
      });
      const latest = await callJson(versionUrl("private/acme/guards", "latest", prefix), { token: acme.reader });
      expect(latest.body.policyPack).toMatchObject({ version: "1.0.0", accessLevel: "view-only" });
    }
    const download = await call("/api/registry/policypacks/private/acme/guards/versions/1.0.0/archive", { token: acme.reader });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(archive);
  });

  it("the org list shows each pack with its integer versions and tags; the schema route its policies' config schemas", async () => {
    await cliPublish(acme.publisher, "acme", "listed", "1.0.0");
    const second = await cliPublish(acme.publisher, "acme", "listed", "1.1.0");
    expect(second.version).toBe(2);
    const list = await callJson("/api/orgs/acme/policypacks", { token: acme.reader });
    expect(list.status).toBe(200);
    expect(list.body.policyPacks).toContainEqual({ name: "listed", displayName: "listed pack", versions: [1, 2], versionTags: ["1.0.0", "1.1.0"] });
    const schema = await callJson("/api/orgs/acme/policypacks/listed/versions/1.1.0/schema", { token: acme.reader });
    expect(schema.status).toBe(200);
    expect(schema.body).toEqual({ configSchema: { "no-public-buckets": POLICIES[0]!.configSchema } });
  });

  it("an older @pulumi/policy without a versionTag publishes N.0.0 and completes with the integer", async () => {
    const first = await cliPublish(acme.publisher, "acme", "untagged", undefined);
    expect(first.version).toBe(1);
    const second = await cliPublish(acme.publisher, "acme", "untagged", undefined);
    expect(second.version).toBe(2);
    const versions = await callJson("/api/registry/policypacks/private/acme/untagged/versions", { token: acme.reader });
    expect(versions.body.policyPacks.map((p: { version: string }) => p.version)).toEqual(["2.0.0", "1.0.0"]);
    const org = await callJson("/api/orgs/acme/policypacks", { token: acme.reader });
    expect(org.body.policyPacks).toContainEqual({ name: "untagged", displayName: "untagged pack", versions: [1, 2], versionTags: ["1.0.0", "2.0.0"] });
  });

  it("org routes: anonymous 401, another org's token 403, a reader may list but not publish or delete", async () => {
    expectError(await cliStart(undefined, "acme", cliBody("x", "1.0.0")), 401);
    expectError(await cliStart(other.publisher, "acme", cliBody("x", "1.0.0")), 403);
    expectError(await cliStart(acme.reader, "acme", cliBody("x", "1.0.0")), 403);
    expectError(await callJson("/api/orgs/acme/policypacks"), 401);
    expectError(await callJson("/api/orgs/acme/policypacks", { token: other.reader }), 403);
    expect((await callJson("/api/orgs/acme/policypacks", { token: acme.reader })).status).toBe(200);
    expectError(await callJson("/api/orgs/acme/policypacks/guards", { method: "DELETE", token: acme.reader }), 403);
  });

  it("a refused publish body is a 400 that leaves nothing behind", async () => {
    const before = await writeSnapshot();
    for (const body of [
      cliBody("bad", "1.0.0", { policies: [{ ...POLICIES[0], enforcementLevel: "block" }] }),
      cliBody("bad", "v1.0.0"),
      cliBody("bad", "not semver"),
      cliBody("bad/x", "1.0.0"),
      { displayName: "no name", policies: [] },
      cliBody("bad", "1.0.0", { policies: [POLICIES[0], POLICIES[0]] }),
    ]) {
      expectError(await cliStart(acme.publisher, "acme", body), 400);
    }
    expectError(await callJson("/api/orgs/acme/policypacks", { method: "POST", token: acme.publisher, rawBody: "{not json", headers: { "Content-Type": "application/json" } }), 400);
    expect(await writeSnapshot()).toEqual(before);
  });

  it("completing a version nobody started is a 404; a published tag again is a 409", async () => {
    expectError(await callJson("/api/orgs/acme/policypacks/ghost/versions/1.0.0/complete", { method: "POST", token: acme.publisher }), 404);
    await cliPublish(acme.publisher, "acme", "twice", "1.0.0");
    expectError(await cliStart(acme.publisher, "acme", cliBody("twice", "1.0.0")), 409);
  });

  it("an archive without PulumiPolicy.yaml is a 400 at complete, and nothing is published or kept", async () => {
    const started = await cliStart(acme.publisher, "acme", cliBody("noyaml", "1.0.0"));
    await cliUpload(started.body.uploadURI, await packArchiveOf([{ name: "index.ts", data: "x" }]));
    const before = await writeSnapshot();
    const done = await callJson("/api/orgs/acme/policypacks/noyaml/versions/1.0.0/complete", { method: "POST", token: acme.publisher });
    expectError(done, 400);
    expect(done.body.message).toMatch(/PulumiPolicy\.yaml/);
    expect(await writeSnapshot()).toEqual(before);
    expectError(await callJson(versionUrl("private/acme/noyaml", "latest"), { token: acme.reader }), 404);
  });

  it("org deletes: one version by tag, then the whole pack", async () => {
    await cliPublish(acme.publisher, "acme", "gone", "1.0.0");
    await cliPublish(acme.publisher, "acme", "gone", "2.0.0");
    expect((await call("/api/orgs/acme/policypacks/gone/versions/2.0.0", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect((await callJson(versionUrl("private/acme/gone", "latest"), { token: acme.reader })).body.policyPack.version).toBe("1.0.0");
    expect((await call("/api/orgs/acme/policypacks/gone", { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expectError(await callJson(versionUrl("private/acme/gone", "latest"), { token: acme.reader }), 404);
    expectError(await callJson("/api/orgs/acme/policypacks/gone", { method: "DELETE", token: acme.publisher }), 404);
    const org = await callJson("/api/orgs/acme/policypacks", { token: acme.reader });
    expect(org.body.policyPacks.map((p: { name: string }) => p.name)).not.toContain("gone");
  });
});

describe.each(PREFIXES)("registry routes under %s", (prefix) => {
  const name = prefix.includes("preview") ? "reg-old" : "reg-new";
  const path = `private/acme/${name}`;

  it("start → PUT → complete → list → versions → delete a version → delete the pack", async () => {
    const done = await publishPack(acme.publisher, path, "0.1.0", undefined, prefix, { displayName: "Registry pack" });
    expect(done.status).toBe(201);
    expect(done.body).toEqual({});
    await publishPack(acme.publisher, path, "0.2.0", undefined, prefix);
    const listed = await callJson(`${prefix}/policypacks?orgLogin=acme`, { token: acme.reader });
    expect(listed.status).toBe(200);
    const mine = listed.body.policyPacks.filter((p: { name: string }) => p.name === name);
    expect(mine).toEqual([expect.objectContaining({ version: "0.2.0", accessLevel: "view-only", enforcementLevels: ["advisory", "mandatory"] })]);
    const posted = await callJson(`${prefix}/policypacks`, { method: "POST", token: acme.reader, body: { access: "private", orgLogin: "acme" } });
    expect(posted.status).toBe(200);
    expect(posted.body.policyPacks).toEqual(listed.body.policyPacks);
    const versions = await callJson(`${prefix}/policypacks/${path}/versions`, { token: acme.reader });
    expect(versions.body.policyPacks.map((p: { version: string }) => p.version)).toEqual(["0.2.0", "0.1.0"]);

    expect((await call(`${prefix}/policypacks/${path}/versions/0.2.0`, { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expect((await callJson(`${prefix}/policypacks/${path}/versions/latest`, { token: acme.reader })).body.policyPack.version).toBe("0.1.0");
    expect((await call(`${prefix}/policypacks/${path}`, { method: "DELETE", token: acme.publisher })).status).toBe(204);
    expectError(await callJson(`${prefix}/policypacks/${path}/versions/latest`, { token: acme.reader }), 404);
    expectError(await callJson(`${prefix}/policypacks/${path}/versions`, { token: acme.reader }), 404);
    expect(await countObjects(`policypacks/${path}/`)).toBe(0);
  });
});

describe("registry routes: rules", () => {
  it("packs are private to their org: anonymous callers and other orgs get a 404 and an empty list", async () => {
    await publishPack(acme.publisher, "private/acme/secret", "1.0.0");
    expectError(await callJson(versionUrl("private/acme/secret", "1.0.0")), 404);
    expectError(await callJson(versionUrl("private/acme/secret", "1.0.0"), { token: other.reader }), 404);
    expectError(await callJson("/api/registry/policypacks/private/acme/secret/versions/1.0.0/archive", { token: other.reader }), 404);
    expect((await callJson("/api/registry/policypacks")).body.policyPacks).toEqual([]);
    expect((await callJson("/api/registry/policypacks?orgLogin=acme", { token: other.reader })).body.policyPacks).toEqual([]);
    expectError(await callJson("/api/registry/policypacks/private/acme/secret/versions/1.0.0", { method: "DELETE", token: other.publisher }), 404);
  });

  it("only source 'private' exists; another org's publisher name is a 403", async () => {
    expectError(await startPack(acme.publisher, "pulumi/acme/x", { version: "1.0.0" }), 404);
    expectError(await startPack(acme.publisher, "private/other/x", { version: "1.0.0" }), 403);
    expectError(await startPack(undefined, "private/acme/x", { version: "1.0.0" }), 401);
    expectError(await startPack(acme.reader, "private/acme/x", { version: "1.0.0" }), 403);
  });

  it("bad list filters are 400s: access, ids, limit", async () => {
    expectError(await callJson("/api/registry/policypacks?access=everything", { token: acme.reader }), 400);
    expectError(await callJson("/api/registry/policypacks", { method: "POST", token: acme.reader, body: { ids: ["x"] } }), 400);
    expectError(await callJson("/api/registry/policypacks", { method: "POST", token: acme.reader, body: { access: 3 } }), 400);
    expectError(await callJson("/api/registry/policypacks?limit=0", { token: acme.reader }), 400);
  });

  it("a refused start (bad policies) and a refused complete (bad archive) leave nothing behind", async () => {
    const before = await writeSnapshot();
    expectError(await startPack(acme.publisher, "private/acme/refused", { version: "1.0.0", policies: [{ name: "p", enforcementLevel: "loud" }] }), 400);
    expect(await writeSnapshot()).toEqual(before);
    const s = await startPack(acme.publisher, "private/acme/refused", { version: "1.0.0", policies: POLICIES });
    expect(s.status).toBe(202);
    expect(Object.keys(s.body.uploadURLs)).toEqual(["archive"]);
    await put(s.body.uploadURLs.archive, await packArchiveOf([{ name: "PulumiPolicy.yaml", data: "description: no runtime\n" }]));
    const staged = await writeSnapshot();
    const r = await callJson(versionUrl("private/acme/refused", "1.0.0") + "/complete", { method: "POST", token: acme.publisher, body: { operationID: s.body.operationID } });
    expectError(r, 400);
    expect(r.body.message).toMatch(/runtime/);
    expect(await writeSnapshot()).toEqual(staged);
  });

  it("a version can be deprecated like the other kinds' and shows it", async () => {
    await publishPack(acme.publisher, "private/acme/old", "1.0.0");
    const dep = await call("/api/registry/policypacks/private/acme/old/versions/1.0.0/deprecation", { method: "PUT", token: acme.publisher, body: { message: "use new" } });
    expect(dep.status).toBe(204);
    const got = await callJson(versionUrl("private/acme/old", "1.0.0"), { token: acme.reader });
    expect(got.body.policyPack.deprecation).toMatchObject({ message: "use new" });
  });

  it("publishes and deletes are audited and raise policypack.* webhook events through the core", async () => {
    const hook = await callJson("/api/orgs/acme/registry/webhooks", {
      method: "POST",
      token: acme.admin,
      body: { url: `${inject("receiverUrl")}/hook/policy-packs`, events: ["policypack.published", "policypack.deleted"] },
    });
    expect(hook.status).toBe(201);
    await cliPublish(acme.publisher, "acme", "audited", "1.0.0");
    await call("/api/registry/policypacks/private/acme/audited", { method: "DELETE", token: acme.publisher });
    const rows = await env.DB.prepare("SELECT action FROM audit_log WHERE target = 'policypack/private/acme/audited' ORDER BY id").all<{ action: string }>();
    expect(rows.results.map((r) => r.action)).toEqual(["policypack.publish.start", "policypack.publish.complete", "policypack.delete"]);
    const deadline = Date.now() + 15_000;
    let received: Array<{ body: string }> = [];
    while (received.length < 2 && Date.now() < deadline) {
      received = (await (await fetch(`${inject("receiverUrl")}/received/policy-packs`)).json()) as Array<{ body: string }>;
      if (received.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    const events = received.map((r) => JSON.parse(r.body) as { type: string; target: Record<string, string> });
    expect(events.map((e) => e.type).sort()).toEqual(["policypack.deleted", "policypack.published"]);
    expect(events.find((e) => e.type === "policypack.published")!.target).toEqual({ kind: "policypack", source: "private", publisher: "acme", name: "audited", version: "1.0.0" });
  });

  it("the archive as published is what PulumiPolicy.yaml-reading clients get back", async () => {
    const archive = await packArchiveOf([{ name: "./PulumiPolicy.yaml", data: POLICY_YAML }, { name: "policy.py", data: "pass\n" }]);
    expect((await publishPack(acme.publisher, "private/acme/py", "1.0.0", archive)).status).toBe(201);
    const r = await call("/api/registry/policypacks/private/acme/py/versions/latest/archive", { token: acme.reader });
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(archive);
  });
});

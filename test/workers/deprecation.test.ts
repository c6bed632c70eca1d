import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, countRows, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { completePublish, PREFIXES, publishPackage, put, schemaFor, startPublish } from "./publish-helpers";
import { pickLatest } from "../../src/core/vocabulary/versions";
import { goodArchive, publishTemplate } from "./template-helpers";

let acme: OrgTokens;
let other: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
  for (const v of ["1.0.0", "1.1.0", "2.0.0"]) await publishPackage(acme.publisher, "pulumi/acme/lib", v);
  for (const v of ["1.0.0", "2.0.0"]) await publishPackage(acme.publisher, "private/acme/internal", v);
  await publishPackage(other.publisher, "pulumi/other/theirs", "1.0.0");
  await publishPackage(acme.publisher, "pulumi/acme/next", "3.0.0");
  for (const v of ["0.1.0", "0.2.0"]) expect((await publishTemplate(acme.publisher, "private/acme/tpl", v, await goodArchive())).status).toBe(201);
});

const pkg = (path: string, prefix = "/api/registry") => `${prefix}/packages/${path}`;
const latestOf = async (path: string, token?: string) => (await callJson(`${pkg(path)}/versions/latest`, { token })).body;
const deprecate = (path: string, body: unknown, token = acme.publisher) => callJson(path, { method: "PUT", token, body });
const undeprecate = (path: string, token = acme.publisher) => callJson(path, { method: "DELETE", token });
/** Everything a rejected request must leave untouched. */
const writes = async () => ({
  versions: (await env.DB.prepare("SELECT group_concat(coalesce(deprecation, '-'), '|') AS d FROM versions").first<{ d: string }>())!.d,
  items: (await env.DB.prepare("SELECT group_concat(coalesce(deprecation, '-') || latest_version_id, '|') AS d FROM items").first<{ d: string }>())!.d,
  audit: await countRows("audit_log"),
});

describe("replacements and visibility", () => {
  it("a public package cannot name a private replacement, which anonymous readers would then see; nothing is written", async () => {
    const before = await writes();
    const r = await deprecate(`${pkg("pulumi/acme/next")}/deprecation`, { message: "moved", replacement: "private/acme/internal" });
    expectError(r, 400);
    expect(r.body.message).toContain("private replacement");
    expect(await writes()).toEqual(before);
  });
});

describe.each(PREFIXES)("version deprecation under %s", (prefix) => {
  it("latest skips a deprecated version and returns to it when undeprecated", async () => {
    const path = "pulumi/acme/lib";
    expect((await latestOf(path)).version).toBe("2.0.0");
    const put = await deprecate(`${pkg(path, prefix)}/versions/2.0.0/deprecation`, { message: "broken build", replacement: "pulumi/acme/lib@1.1.0" });
    expect(put.status).toBe(204);
    expect(put.body).toBeUndefined();
    const latest = await latestOf(path);
    expect(latest.version).toBe("1.1.0");
    expect(latest.deprecation).toBeUndefined();
    // Still gettable and downloadable by its number, carrying the field.
    const pinned = await callJson(`${pkg(path)}/versions/2.0.0`);
    expect(pinned.status).toBe(200);
    expect(pinned.body.deprecation).toEqual({ message: "broken build", replacement: "pulumi/acme/lib@1.1.0", deprecatedAt: expect.any(String) });
    expect((await call(`${pkg(path)}/versions/2.0.0/schema`)).status).toBe(200);
    // The list shows the package at its new latest; the version listing still lists 2.0.0, marked.
    const listed = (await callJson(`/api/registry/packages?name=lib&publisher=acme`)).body.packages;
    expect(listed.map((p: any) => p.version)).toEqual(["1.1.0"]);
    const versions = (await callJson(`${pkg(path)}/versions`)).body.packages;
    expect(versions.map((p: any) => [p.version, p.deprecation?.message ?? null])).toEqual([
      ["2.0.0", "broken build"],
      ["1.1.0", null],
      ["1.0.0", null],
    ]);
    expect((await undeprecate(`${pkg(path, prefix)}/versions/2.0.0/deprecation`)).status).toBe(204);
    expect((await latestOf(path)).version).toBe("2.0.0");
    expect((await callJson(`${pkg(path)}/versions/2.0.0`)).body.deprecation).toBeUndefined();
  });
});

describe("deprecation rules", () => {
  it("when every version is deprecated, latest is picked among them as usual", async () => {
    const path = "private/acme/internal";
    for (const v of ["1.0.0", "2.0.0"]) expect((await deprecate(`${pkg(path)}/versions/${v}/deprecation`, { message: "gone" })).status).toBe(204);
    expect((await latestOf(path, acme.reader)).version).toBe("2.0.0");
    expect((await undeprecate(`${pkg(path)}/versions/1.0.0/deprecation`)).status).toBe(204);
    expect((await latestOf(path, acme.reader)).version).toBe("1.0.0");
    expect((await undeprecate(`${pkg(path)}/versions/2.0.0/deprecation`)).status).toBe(204);
    expect((await latestOf(path, acme.reader)).version).toBe("2.0.0");
  });

  it("a re-deprecation keeps the first deprecatedAt and replaces the message", async () => {
    const url = `${pkg("pulumi/acme/lib")}/versions/1.0.0/deprecation`;
    await deprecate(url, { message: "first" });
    const first = (await callJson(`${pkg("pulumi/acme/lib")}/versions/1.0.0`)).body.deprecation;
    await deprecate(url, { message: "second" });
    const second = (await callJson(`${pkg("pulumi/acme/lib")}/versions/1.0.0`)).body.deprecation;
    expect(second).toEqual({ message: "second", deprecatedAt: first.deprecatedAt });
    expect((await undeprecate(url)).status).toBe(204);
  });

  it("undeprecating what is not deprecated is a 204 that writes nothing", async () => {
    const before = await writes();
    expect((await undeprecate(`${pkg("pulumi/acme/lib")}/versions/1.1.0/deprecation`)).status).toBe(204);
    expect(await writes()).toEqual(before);
  });

  it("a deprecated package keeps its versions and latest and carries the field on every answer", async () => {
    const path = "pulumi/acme/lib";
    const r = await deprecate(`${pkg(path)}/deprecation`, { message: "use next", replacement: "pulumi/acme/next" });
    expect(r.status).toBe(204);
    const expected = { message: "use next", replacement: "pulumi/acme/next", deprecatedAt: expect.any(String) };
    expect(await latestOf(path)).toMatchObject({ version: "2.0.0", deprecation: expected });
    expect((await callJson(`${pkg(path)}/versions/1.0.0`)).body.deprecation).toEqual(expected);
    expect((await callJson(`${pkg(path)}/versions`)).body.packages.every((p: any) => p.deprecation?.message === "use next")).toBe(true);
    expect((await callJson("/api/registry/packages?name=lib")).body.packages[0].deprecation).toEqual(expected);
    expect((await undeprecate(`${pkg(path)}/deprecation`)).status).toBe(204);
    expect((await latestOf(path)).deprecation).toBeUndefined();
  });

  it("templates deprecate the same way, by version and whole", async () => {
    const base = "/api/registry/templates/private/acme/tpl";
    expect((await deprecate(`${base}/versions/0.2.0/deprecation`, { message: "bad", replacement: "private/acme/tpl@0.1.0" })).status).toBe(204);
    expect((await callJson(`${base}/versions/latest`, { token: acme.reader })).body.version).toBe("0.1.0");
    expect((await callJson(`${base}/versions/0.2.0`, { token: acme.reader })).body.deprecation.replacement).toBe("private/acme/tpl@0.1.0");
    expect((await deprecate(`${base}/deprecation`, { message: "retired" })).status).toBe(204);
    expect((await callJson(`${base}/versions/latest`, { token: acme.reader })).body.deprecation.message).toBe("retired");
    expect((await undeprecate(`${base}/deprecation`)).status).toBe(204);
    expect((await undeprecate(`${base}/versions/0.2.0/deprecation`)).status).toBe(204);
    expect((await callJson(`${base}/versions/latest`, { token: acme.reader })).body.version).toBe("0.2.0");
  });

  it("rejects bad requests with the usual status and writes nothing", async () => {
    const url = `${pkg("pulumi/acme/lib")}/versions/1.0.0/deprecation`;
    const before = await writes();
    const cases: Array<[Promise<{ status: number; body: any }>, number]> = [
      [callJson(url, { method: "PUT", body: { message: "x" } }), 401],
      [deprecate(url, { message: "x" }, acme.reader), 403],
      [deprecate(`${pkg("pulumi/other/theirs")}/versions/1.0.0/deprecation`, { message: "x" }), 403],
      [deprecate(`${pkg("pulumi/acme/lib")}/versions/9.9.9/deprecation`, { message: "x" }), 404],
      [deprecate(`${pkg("pulumi/acme/absent")}/deprecation`, { message: "x" }), 404],
      [deprecate(`${pkg("private/acme/internal")}/versions/1.0.0/deprecation`, { message: "x" }, other.publisher), 404],
      [deprecate(`${pkg("pulumi/acme/lib")}/versions/v1/deprecation`, { message: "x" }), 400],
      [deprecate(url, {}), 400],
      [deprecate(url, { message: "   " }), 400],
      [deprecate(url, { message: "x", replacement: "lib" }), 400],
      [deprecate(url, { message: "x", replacement: "pulumi/acme" }), 400],
      [deprecate(url, { message: "x", replacement: "pulumi/acme/lib@v2" }), 400],
      [deprecate(url, { message: "x", replacement: "pulumi/acme/../x" }), 400],
      [deprecate(url, { message: "x", replacement: "nowhere/acme/lib" }), 400],
      [deprecate(url, { message: "x", replacement: "pulumi/acme/absent" }), 400],
      [deprecate(url, { message: "x", replacement: "pulumi/acme/lib@7.0.0" }), 400],
      [deprecate(url, { message: "x", replacement: "pulumi/acme/lib@1.0.0" }), 400],
      // Invisible to the caller: the same as absent.
      [deprecate(`${pkg("pulumi/other/theirs")}/deprecation`, { message: "x", replacement: "private/acme/internal" }, other.publisher), 400],
      [callJson(`${pkg("pulumi/acme/lib")}/versions/1.0.0/deprecation`, { method: "POST", token: acme.publisher, body: { message: "x" } }), 405],
    ];
    for (const [request, status] of cases) expectError(await request, status);
    expect(await writes()).toEqual(before);
  });
});

describe("deprecation serializes with completes and deletes", () => {
  it("latest always matches the rule over the versions as they end up, whatever the interleaving", { timeout: 60_000 }, async () => {
    for (let round = 0; round < 5; round++) {
      const path = `pulumi/acme/race${round}`;
      await publishPackage(acme.publisher, path, "1.0.0");
      await publishPackage(acme.publisher, path, "2.0.0");
      const started = await startPublish(acme.publisher, path, "3.0.0");
      await put(started.body.uploadURLs.schema, schemaFor(`race${round}`, "3.0.0"));
      await put(started.body.uploadURLs.index, "# r\n");
      const results = await Promise.all([
        completePublish(acme.publisher, path, "3.0.0", started.body.operationID),
        deprecate(`${pkg(path)}/versions/2.0.0/deprecation`, { message: "x" }),
        deprecate(`${pkg(path)}/versions/3.0.0/deprecation`, { message: "x" }),
        callJson(`${pkg(path)}/versions/1.0.0`, { method: "DELETE", token: acme.publisher }),
      ]);
      expect(results[0].status).toBe(201);
      expect(results[1].status).toBe(204);
      expect([204, 404]).toContain(results[2].status);
      expect(results[3].status).toBe(204);
      const live = await env.DB.prepare(
        "SELECT v.id, v.precedence_key AS precedenceKey, v.prerelease, v.deprecation IS NOT NULL AS deprecated, i.latest_version_id AS latest FROM versions v JOIN items i ON i.id = v.item_id WHERE i.canonical_name = ? AND v.retired = 0",
      )
        .bind(`race${round}`)
        .all<{ id: string; precedenceKey: string; prerelease: number; deprecated: number; latest: string }>();
      const rows = live.results.map((r) => ({ ...r, prerelease: Boolean(r.prerelease), deprecated: Boolean(r.deprecated) }));
      expect(rows).toHaveLength(2);
      expect(rows[0]!.latest).toBe(pickLatest(rows)!.id);
    }
  });
});

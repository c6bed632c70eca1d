// State written by the release before the core refactor is still served: catalog rows and artifacts as it
// wrote them, and a publish operation it started (stored without a start extension) completes.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, createOrg, createToken } from "./helpers";
import { completePublish, schemaFor } from "./publish-helpers";

let token: string;

beforeAll(async () => {
  await createOrg("acme");
  token = (await createToken("acme", "publisher")).token;
});

describe("state written by the previous release", () => {
  it("a template version stored by it is listed, read, downloaded, deprecated and deleted", async () => {
    // The rows and objects exactly as the previous release's commit wrote them.
    const prefix = "templates/private/acme/old-tpl/1.0.0/op0123456789abcdef/attempt1/";
    await env.ARTIFACTS.put(`${prefix}archive`, "not really a gzip tar", { httpMetadata: { contentType: "application/gzip" } });
    await env.ARTIFACTS.put(`${prefix}readme`, "# Old\n", { httpMetadata: { contentType: "text/markdown; charset=utf-8" } });
    const metadata = JSON.stringify({ displayName: "Old template", description: "From before", runtime: "nodejs", language: "typescript", metadata: { cloud: "aws" } });
    const artifacts = JSON.stringify({ archive: `${prefix}archive`, readme: `${prefix}readme` });
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO items (id, kind, source, publisher, name, canonical_name, owner_org, visibility, created_at, latest_version_id, latest_created_at, search_text) VALUES ('item-old', 'template', 'private', 'acme', 'old-tpl', 'old-tpl', 'acme', 'private', '2026-01-01T00:00:00.000Z', 'version-old', '2026-01-01T00:00:00.000Z', 'old-tpl')",
      ),
      env.DB.prepare(
        "INSERT INTO versions (id, item_id, version, precedence_key, prerelease, created_at, metadata, artifacts, search_text, package_types, operation_id) VALUES ('version-old', 'item-old', '1.0.0', ?, 0, '2026-01-01T00:00:00.000Z', ?, ?, 'old-tpl', '', 'op0123456789abcdef')",
      ).bind("0000000000000001.0000000000000000.0000000000000000~", metadata, artifacts),
      env.DB.prepare(
        "INSERT INTO latest_history (item_id, kind, source, publisher, canonical_name, owner_org, visibility, package_types, category, latest_created_at, valid_from) VALUES ('item-old', 'template', 'private', 'acme', 'old-tpl', 'acme', 'private', '', '', '2026-01-01T00:00:00.000Z', 0)",
      ),
    ]);
    const base = "/api/registry/templates/private/acme/old-tpl";
    const got = await callJson(`${base}/versions/latest`, { token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: "old-tpl", version: "1.0.0", displayName: "Old template", visibility: "private" });
    const listed = await callJson("/api/registry/templates?name=old-tpl", { token });
    expect(listed.body.templates.map((t: { version: string }) => t.version)).toEqual(["1.0.0"]);
    // The raw README moved to raw/readme (byte-identical); readme is the §4 route, which still gives markdown when asked.
    expect(await (await call(`${base}/versions/1.0.0/raw/readme`, { token })).text()).toBe("# Old\n");
    expect(await (await call(`${base}/versions/1.0.0/readme`, { token, headers: { Accept: "text/markdown" } })).text()).toBe("# Old\n");
    expect((await call(`${base}/versions/1.0.0/deprecation`, { method: "PUT", token, body: { message: "superseded" } })).status).toBe(204);
    expect((await callJson(`${base}/versions/1.0.0`, { token })).body.deprecation).toMatchObject({ message: "superseded" });
    expect((await call(`${base}/versions/1.0.0?force=true`, { method: "DELETE", token })).status).toBe(204);
    expect((await callJson(`${base}/versions/latest`, { token })).status).toBe(404);
    expect((await env.ARTIFACTS.list({ prefix })).objects).toHaveLength(0);
  });

  it("a publish operation it started (no start extension stored) completes", async () => {
    const stub = env.PUBLISH_COORDINATOR.get(env.PUBLISH_COORDINATOR.idFromName("package/pulumi/acme/inflight"));
    const opId = "0123456789abcdef0123456789abcdef";
    const now = Date.now();
    // The operation exactly as the previous release's start stored it.
    await runInDurableObject(stub, (_instance, state) =>
      state.storage.put(`op:${opId}`, {
        id: opId,
        kind: "package",
        source: "pulumi",
        publisher: "acme",
        name: "inflight",
        canonicalName: "inflight",
        version: "1.0.0",
        precedenceKey: "0000000000000001.0000000000000000.0000000000000000~",
        prerelease: false,
        org: "acme",
        createdAt: now,
        expiresAt: now + 3_600_000,
        completed: false,
      }),
    );
    await env.ARTIFACTS.put(`staging/${opId}/schema`, schemaFor("inflight", "1.0.0"));
    await env.ARTIFACTS.put(`staging/${opId}/index`, "# inflight\n");
    const done = await completePublish(token, "pulumi/acme/inflight", "1.0.0", opId);
    expect(done.status).toBe(201);
    expect((await callJson("/api/registry/packages/pulumi/acme/inflight/versions/latest")).body).toMatchObject({ name: "inflight", version: "1.0.0" });
  });
});

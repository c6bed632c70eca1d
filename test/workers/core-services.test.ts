// The core services called directly, as a kind that is not packages or templates would call them: a start
// extension stored with the operation and handed to inspect, artifacts attached from bytes and from a copy.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { versions } from "../../src/db/schema";
import { limitsFrom } from "../../src/env";
import { ApiError } from "../../src/http/api-error";
import { parseIdentity } from "../../src/core/identity-parsing";
import type { RegistryKind } from "../../src/core/kind";
import { attachArtifact, completePublish, startPublish } from "../../src/core/publish/publish-service";
import { deleteItem } from "../../src/core/publish/retire-service";
import { readerFor, resolveVersion } from "../../src/core/resolve-version";
import type { CoreContext } from "../../src/core/vocabulary/core-context";
import { requireVersion } from "../../src/core/vocabulary/versions";
import type { Caller } from "../../src/identity/rights";
import { createToken, orgWithTokens, writeSnapshot } from "./helpers";

/** A kind of its own, in the test only: one `bundle` slot and a start extension the inspection records. */
const bundleKind: RegistryKind<{ name: string; level: string; size: number }> = {
  kind: "bundle",
  noun: "bundle",
  collection: "bundles",
  knownSources: ["private"],
  publishSources: ["private"],
  slots: [{ name: "bundle", required: true, maxBytes: () => 64, contentType: "application/octet-stream" }],
  downloads: [{ path: "bundle", artifact: "bundle", contentType: "application/octet-stream" }],
  namePattern: ":name",
  identity: (params) => parseIdentity(bundleKind, params),
  listFilters: () => ({ backings: ["registry"], sort: "name", asc: true }),
  lastVersionNeedsForce: false,
  deprecatable: false,
  startExtension: z.object({ level: z.enum(["advisory", "mandatory"]) }),
  async inspect({ bucket, artifacts, start }) {
    const object = await bucket.get(artifacts.bundle!);
    const text = object ? await object.text() : "";
    return { metadata: { start, text }, searchText: text.toLowerCase() };
  },
  view: ({ item, version }) => {
    const m = JSON.parse(version!.metadata) as { start: { level: string }; text: string };
    return { name: item.name, level: m.start.level, size: m.text.length };
  },
};

let caller: Extract<Caller, { kind: "org" }>;
let changes = 0;
const context = (): CoreContext => ({
  env,
  ctx: { waitUntil: () => undefined },
  db: database(env.DB),
  limits: limitsFrom(env),
  requestId: `test-${crypto.randomUUID()}`,
  origin: "http://gateway.test",
  catalogChanged: async () => {
    changes++;
  },
});
const identity = (name: string) => bundleKind.identity({ source: "private", publisher: "acme", name });

beforeAll(async () => {
  await orgWithTokens("acme");
  const token = await createToken("acme", "publisher");
  caller = { kind: "org", org: "acme", role: "publisher", tokenId: token.id };
});

describe("core services, driven by a kind of the test's own", () => {
  it("the start extension is validated, stored with the operation and handed to inspect at complete", async () => {
    const id = identity("policy-a");
    const version = requireVersion("1.0.0");
    const started = await startPublish(context(), bundleKind, caller, id, { version, extension: { level: "mandatory" } });
    expect(Object.keys(started.uploadURLs)).toEqual(["bundle"]);
    await attachArtifact(context(), bundleKind, caller, id, started.operationId, "bundle", { from: "bytes", body: "Hello", size: 5 });
    const before = changes;
    await completePublish(context(), bundleKind, caller, id, version, started.operationId);
    expect(changes).toBe(before + 1);
    const { resolved } = await resolveVersion(readerFor(database(env.DB), caller), { identity: id, version: "latest" });
    expect(resolved?.version?.version).toBe("1.0.0");
    expect(bundleKind.view(resolved!.entry, { origin: "", artifactUrl: (p) => p })).toEqual({ name: "policy-a", level: "mandatory", size: 5 });
    // Private to acme: anonymous resolves nothing.
    expect((await resolveVersion(readerFor(database(env.DB), { kind: "anonymous" }), { identity: id, version: "latest" })).resolved).toBeNull();
  });

  it("a start extension that does not validate is a 400 and starts nothing", async () => {
    const before = await writeSnapshot();
    const refused = startPublish(context(), bundleKind, caller, identity("policy-b"), { version: requireVersion("1.0.0"), extension: { level: "loud" } });
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 400 });
    expect(await writeSnapshot()).toEqual(before);
  });

  it("an artifact copied from another key is staged like an upload; over the slot's limit it is a 400", async () => {
    await env.ARTIFACTS.put("test-sources/bundle", "copied bytes");
    await env.ARTIFACTS.put("test-sources/too-big", "x".repeat(65));
    const id = identity("policy-c");
    const version = requireVersion("2.0.0");
    const started = await startPublish(context(), bundleKind, caller, id, { version, extension: { level: "advisory" } });
    await expect(attachArtifact(context(), bundleKind, caller, id, started.operationId, "bundle", { from: "copy", key: "test-sources/too-big" })).rejects.toMatchObject({ status: 400 });
    await expect(attachArtifact(context(), bundleKind, caller, id, started.operationId, "nope", { from: "copy", key: "test-sources/bundle" })).rejects.toMatchObject({ status: 400 });
    await attachArtifact(context(), bundleKind, caller, id, started.operationId, "bundle", { from: "copy", key: "test-sources/bundle" });
    await completePublish(context(), bundleKind, caller, id, version, started.operationId);
    const row = await database(env.DB).select().from(versions).where(eq(versions.operationId, started.operationId)).get();
    expect(JSON.parse(row!.metadata)).toEqual({ start: { level: "advisory" }, text: "copied bytes" });
  });

  it("attaching to an operation that is not the caller's (or not pending) is a 404", async () => {
    const id = identity("policy-d");
    await expect(attachArtifact(context(), bundleKind, caller, id, "no-such-operation", "bundle", { from: "bytes", body: "x", size: 1 })).rejects.toMatchObject({ status: 404 });
  });

  it("complete without an operation id takes the newest pending operation of that version by the caller's org; none is a 404", async () => {
    const id = identity("policy-f");
    const version = requireVersion("1.0.0");
    await expect(completePublish(context(), bundleKind, caller, id, version)).rejects.toMatchObject({ status: 404 });
    await startPublish(context(), bundleKind, caller, id, { version, extension: { level: "advisory" } });
    const newest = await startPublish(context(), bundleKind, caller, id, { version, extension: { level: "mandatory" } });
    await attachArtifact(context(), bundleKind, caller, id, newest.operationId, "bundle", { from: "bytes", body: "newest", size: 6 });
    await completePublish(context(), bundleKind, caller, id, version);
    const row = await database(env.DB).select().from(versions).where(eq(versions.operationId, newest.operationId)).get();
    expect(JSON.parse(row!.metadata)).toEqual({ start: { level: "mandatory" }, text: "newest" });
  });

  it("the whole-item delete retires every version of the kind", async () => {
    const id = identity("policy-e");
    for (const v of ["1.0.0", "1.1.0"]) {
      const version = requireVersion(v);
      const started = await startPublish(context(), bundleKind, caller, id, { version, extension: { level: "advisory" } });
      await attachArtifact(context(), bundleKind, caller, id, started.operationId, "bundle", { from: "bytes", body: v, size: v.length });
      await completePublish(context(), bundleKind, caller, id, version, started.operationId);
    }
    expect(await deleteItem(context(), bundleKind, caller, id)).toEqual({ retired: expect.arrayContaining(["1.0.0", "1.1.0"]) });
    expect((await resolveVersion(readerFor(database(env.DB), caller), { identity: id, version: "latest" })).resolved).toBeNull();
    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE target = 'bundle/private/acme/policy-e' ORDER BY id").all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(["bundle.publish.start", "bundle.publish.complete", "bundle.publish.start", "bundle.publish.complete", "bundle.delete"]);
  });
});

// two first reads deriving the same version's docs at once both answer, agree, and leave no
// temporary object; a complete whose derivation fails leaves nothing under the docs prefix.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { callJson, countObjects, createOrg, createToken, writeSnapshot } from "./helpers";
import { completePublish, publishPackage, put, startPublish } from "./publish-helpers";
import { docsSchema } from "./api-docs-fixture";

let token = "";
beforeAll(async () => {
  await createOrg("acme");
  token = (await createToken("acme", "publisher")).token;
  await publishPackage(token, "pulumi/acme/acmecloud", "2.1.0", { schema: JSON.stringify(docsSchema) });
});

async function forgetDocs() {
  const row = await env.DB.prepare("SELECT v.id, v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = 'acmecloud'").first<{ id: string; artifacts: string }>();
  const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
  const docsKeys = Object.entries(artifacts).filter(([, k]) => k.includes("/docs/"));
  for (const [name, key] of docsKeys) {
    await env.ARTIFACTS.delete(key);
    delete artifacts[name];
  }
  await env.DB.prepare("UPDATE versions SET artifacts = ? WHERE id = ?").bind(JSON.stringify(artifacts), row!.id).run();
  return { docsKeys: docsKeys.length, prefix: artifacts.schema!.replace(/[^/]*$/, "") + "docs/" };
}

describe("docs first reads", () => {
  it("two at once both derive, agree, and leave no tmp object", async () => {
    const { docsKeys, prefix } = await forgetDocs();
    expect(docsKeys).toBeGreaterThan(0);
    expect(await countObjects(prefix)).toBe(0);
    const base = "/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0";
    const rs = await Promise.all([callJson(`${base}/nav?depth=full`), callJson(`${base}/nav?depth=full&lang=python`), callJson(`${base}/readme`), callJson(`${base}/nav?depth=full`)]);
    for (const r of rs) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(rs[3]!.body).toEqual(rs[0]!.body);
    expect(await countObjects(prefix + "tmp/")).toBe(0);
    // And a later read (cache or not) still answers the same.
    const again = await callJson(`${base}/nav?depth=full`);
    expect(again.body).toEqual(rs[0]!.body);
  });

  it("a complete whose docs derivation fails (a schema the scan accepts but the docs reject?) leaves nothing", async () => {
    // A schema whose types section is not an object.
    const before = await writeSnapshot();
    const started = await startPublish(token, "pulumi/acme/broken", "1.0.0");
    expect(started.status).toBe(202);
    await put(started.body.uploadURLs.schema, JSON.stringify({ name: "broken", version: "1.0.0", resources: { "broken:index:R": { inputProperties: { a: { $ref: "#/types/broken:index:T" } } } }, types: { "broken:index:T": { type: "object", properties: 5 } } }));
    await put(started.body.uploadURLs.index, "# broken\n");
    const done = await completePublish(token, "pulumi/acme/broken", "1.0.0", started.body.operationID);
    // Either outcome is acceptable; what matters is no temporary object survives it.
    let tmp = 0;
    let cursor: string | undefined;
    do {
      const page = await env.ARTIFACTS.list({ cursor });
      tmp += page.objects.filter((o) => o.key.includes("/docs/tmp/")).length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    expect(tmp, `complete → ${done.status}`).toBe(0);
    if (done.status !== 201) {
      const after = await writeSnapshot();
      expect(after.objects, JSON.stringify(done.body)).toBe(before.objects);
    }
  });
});

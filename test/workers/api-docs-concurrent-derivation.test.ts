// Concurrent first reads of a version without docs start one derivation (one job, one attempt), all answer
// 503 meanwhile, then the same docs; no temporary object survives a derivation, nor a publish whose docs fail.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { callJson, countObjects, createOrg, createToken, writeSnapshot } from "./helpers";
import { completePublish, docsSettled, publishPackage, put, startPublish } from "./publish-helpers";
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
  // As the release before durable derivations left a version without docs: no status, no job.
  await env.DB.prepare("UPDATE versions SET artifacts = ?, docs_status = NULL WHERE id = ?").bind(JSON.stringify(artifacts), row!.id).run();
  await env.DB.prepare("DELETE FROM jobs WHERE subject = ?").bind(row!.id).run();
  return { id: row!.id, docsKeys: docsKeys.length, prefix: artifacts.schema!.replace(/[^/]*$/, "") + "docs/" };
}

describe("docs first reads", () => {
  it("four at once start one derivation, all answer 503 meanwhile, then agree, and leave no tmp object", async () => {
    const { id, docsKeys, prefix } = await forgetDocs();
    expect(docsKeys).toBeGreaterThan(0);
    expect(await countObjects(prefix)).toBe(0);
    const base = "/api/registry/packages/pulumi/acme/acmecloud/versions/2.1.0";
    const rs = await Promise.all([callJson(`${base}/nav?depth=full`), callJson(`${base}/nav?depth=full&lang=python`), callJson(`${base}/readme`), callJson(`${base}/nav?depth=full`)]);
    for (const r of rs) expect(r.status, JSON.stringify(r.body)).toBe(503);
    const jobs = await env.DB.prepare("SELECT attempt FROM jobs WHERE subject = ?").bind(id).all<{ attempt: number }>();
    expect(jobs.results).toEqual([{ attempt: 1 }]);
    expect(await docsSettled(token, "pulumi/acme/acmecloud", "2.1.0")).toBe("ready");
    const [a, b] = [await callJson(`${base}/nav?depth=full`), await callJson(`${base}/nav?depth=full`)];
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(await countObjects(prefix + "tmp/")).toBe(0);
    // Every step of the one derivation ran once.
    const job = await env.DB.prepare("SELECT runs, step FROM jobs WHERE subject = ?").bind(id).first<{ runs: number; step: number }>();
    expect(job!.step).toBeGreaterThan(1);
    expect(job!.runs).toBe(job!.step);
  });

  it("a publish whose docs derivation fails (a schema the scan accepts but the docs reject?) leaves no temporary object", async () => {
    // A schema whose types section is not an object.
    const before = await writeSnapshot();
    const started = await startPublish(token, "pulumi/acme/broken", "1.0.0");
    expect(started.status).toBe(202);
    await put(started.body.uploadURLs.schema, JSON.stringify({ name: "broken", version: "1.0.0", resources: { "broken:index:R": { inputProperties: { a: { $ref: "#/types/broken:index:T" } } } }, types: { "broken:index:T": { type: "object", properties: 5 } } }));
    await put(started.body.uploadURLs.index, "# broken\n");
    const done = await completePublish(token, "pulumi/acme/broken", "1.0.0", started.body.operationID);
    if (done.status === 201) await docsSettled(token, "pulumi/acme/broken", "1.0.0");
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

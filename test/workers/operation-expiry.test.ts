import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Operation } from "../../src/core/publish/coordinator-inputs";
import { countObjects, createOrg, createToken, expectError } from "./helpers";
import { completePublish, put, schemaFor, startPublish } from "./publish-helpers";

let token: string;

beforeAll(async () => {
  await createOrg("acme");
  token = (await createToken("acme", "publisher")).token;
});

describe("publish operation expiry", () => {
  it("the coordinator's alarm deletes expired operations and their staged uploads", async () => {
    const s = await startPublish(token, "pulumi/acme/stale", "1.0.0");
    const op: string = s.body.operationID;
    await put(s.body.uploadURLs.schema, schemaFor("stale", "1.0.0"));
    await put(s.body.uploadURLs.index, "# stale");
    expect(await countObjects(`staging/${op}/`)).toBe(2);

    const stub = env.PUBLISH_COORDINATOR.get(env.PUBLISH_COORDINATOR.idFromName("package/pulumi/acme/stale"));
    // An alarm is armed for the operation's expiry, an hour out.
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + 59 * 60_000);

    // Age the operation past its expiry, then fire the alarm.
    await runInDurableObject(stub, async (_instance, state) => {
      const stored = await state.storage.get<Operation>(`op:${op}`);
      await state.storage.put(`op:${op}`, { ...stored!, expiresAt: Date.now() - 1 });
      await state.storage.setAlarm(Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect(await countObjects(`staging/${op}/`)).toBe(0);
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.get(`op:${op}`))).toBeUndefined();
    expectError(await completePublish(token, "pulumi/acme/stale", "1.0.0", op), 404);
  });

  it("an operation past its expiry cannot be completed (404) even before the alarm runs", async () => {
    const s = await startPublish(token, "pulumi/acme/late", "1.0.0");
    const op: string = s.body.operationID;
    await put(s.body.uploadURLs.schema, schemaFor("late", "1.0.0"));
    await put(s.body.uploadURLs.index, "# late");
    const stub = env.PUBLISH_COORDINATOR.get(env.PUBLISH_COORDINATOR.idFromName("package/pulumi/acme/late"));
    await runInDurableObject(stub, async (_instance, state) => {
      const stored = await state.storage.get<Operation>(`op:${op}`);
      await state.storage.put(`op:${op}`, { ...stored!, expiresAt: Date.now() - 1 });
    });
    expectError(await completePublish(token, "pulumi/acme/late", "1.0.0", op), 404);
    expect(await countObjects("packages/pulumi/acme/late/")).toBe(0);
  });
});

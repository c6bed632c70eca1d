// The kinds the Worker serves and the kind names the derived lists (webhook events, audit actions) come from agree.
import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/index";
import { AUDIT_ACTIONS } from "../../src/audit/audit-log";
import { WEBHOOK_EVENTS } from "../../src/webhooks/webhook-events";
import { REGISTERED_KINDS } from "../../src/registered-kinds";

describe("registered kinds", () => {
  it("every served kind is registered by name, and every registered name is served", () => {
    expect(KINDS.map((k) => k.kind).sort()).toEqual([...REGISTERED_KINDS].sort());
  });

  it("each kind brings its own webhook events and audit actions, derived from its name", () => {
    for (const kind of REGISTERED_KINDS) {
      for (const verb of ["published", "deleted", "deprecated", "undeprecated"]) expect(WEBHOOK_EVENTS).toContain(`${kind}.${verb}`);
      for (const verb of ["publish.start", "publish.complete", "delete", "deprecate", "undeprecate"]) expect(AUDIT_ACTIONS).toContain(`${kind}.${verb}`);
    }
  });
});

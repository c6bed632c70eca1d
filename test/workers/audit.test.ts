import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, countRows, createToken, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { completePublish, publishPackage, put, schemaFor, startPublish } from "./publish-helpers";
import { goodArchive, publishTemplate } from "./template-helpers";

let acme: OrgTokens;
let other: OrgTokens;
let acmeTokenIds: Record<string, string>;

beforeAll(async () => {
  acme = await orgWithTokens("acme");
  other = await orgWithTokens("other");
  const ids = await env.DB.prepare("SELECT id, role FROM tokens WHERE org_login = 'acme'").all<{ id: string; role: string }>();
  acmeTokenIds = Object.fromEntries(ids.results.map((r) => [r.role, r.id]));
});

async function entries(query = "", token = ADMIN) {
  const r = await callJson(`/api/admin/audit${query ? `?${query}` : ""}`, { token });
  expect(r.status).toBe(200);
  return r.body.entries as any[];
}

/** Runs `change` and returns the audit entries it added (newest first). */
async function added(change: () => Promise<unknown>) {
  const before = await countRows("audit_log");
  await change();
  const after = await countRows("audit_log");
  return after === before ? [] : (await entries(`limit=${after - before}`)).slice(0, after - before);
}

describe("the audit log records every change", () => {
  it("org and token changes, with the operator or the admin token as actor", async () => {
    const [org] = await added(() => callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login: "newco" } }));
    expect(org).toMatchObject({ action: "org.create", target: "org/newco", org: "newco", actor: { kind: "operator" }, outcome: 201 });
    expect(org.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(org.at))).toBe(false);
    let created: any;
    const [token] = await added(async () => (created = await callJson("/api/admin/orgs/acme/tokens", { method: "POST", token: acme.admin, body: { role: "reader" } })));
    expect(token).toMatchObject({ action: "token.create", target: `token/${created.body.id}`, org: "acme", detail: { role: "reader" } });
    expect(token.actor).toEqual({ kind: "token", org: "acme", tokenId: acmeTokenIds.admin });
    expect(JSON.stringify(token)).not.toContain(created.body.token);
    const [revoked] = await added(() => call(`/api/admin/orgs/acme/tokens/${created.body.id}`, { method: "DELETE", token: ADMIN }));
    expect(revoked).toMatchObject({ action: "token.revoke", target: `token/${created.body.id}`, outcome: 204 });
  });

  it("publish start and complete, delete, deprecation and featured, with target and version", async () => {
    const entriesOfPublish = await added(() => publishPackage(acme.publisher, "pulumi/acme/My_Lib", "1.0.0"));
    expect(entriesOfPublish.map((e) => e.action)).toEqual(["package.publish.complete", "package.publish.start"]);
    for (const e of entriesOfPublish) expect(e).toMatchObject({ target: "package/pulumi/acme/my-lib", version: "1.0.0", org: "acme", actor: { tokenId: acmeTokenIds.publisher } });
    expect(entriesOfPublish[1].detail.operationId).toMatch(/^[0-9a-f]{32}$/);
    await publishPackage(acme.publisher, "pulumi/acme/My_Lib", "1.1.0");
    const [dep] = await added(() => callJson("/api/registry/packages/pulumi/acme/my-lib/versions/1.1.0/deprecation", { method: "PUT", token: acme.publisher, body: { message: "oops" } }));
    expect(dep).toMatchObject({ action: "package.deprecate", version: "1.1.0", detail: { message: "oops" } });
    const [undep] = await added(() => call("/api/registry/packages/pulumi/acme/my-lib/versions/1.1.0/deprecation", { method: "DELETE", token: acme.publisher }));
    expect(undep).toMatchObject({ action: "package.undeprecate", version: "1.1.0" });
    const [whole] = await added(() => callJson("/api/registry/packages/pulumi/acme/my-lib/deprecation", { method: "PUT", token: acme.admin, body: { message: "all" } }));
    expect(whole).toMatchObject({ action: "package.deprecate", target: "package/pulumi/acme/my-lib" });
    expect(whole.version).toBeUndefined();
    const [featured] = await added(() => call("/api/admin/packages/pulumi/acme/my-lib/featured", { method: "PUT", token: ADMIN, body: { featured: true } }));
    expect(featured).toMatchObject({ action: "package.featured", org: "acme", actor: { kind: "operator" }, detail: { featured: true } });
    const [deleted] = await added(() => call("/api/registry/packages/pulumi/acme/my-lib/versions/1.0.0", { method: "DELETE", token: acme.publisher }));
    expect(deleted).toMatchObject({ action: "package.delete", version: "1.0.0", outcome: 204 });
  });

  it("template publishes and VCS template registration", async () => {
    const tpl = await added(async () => expect((await publishTemplate(acme.publisher, "private/acme/tpl", "1.0.0", await goodArchive())).status).toBe(201));
    expect(tpl.map((e) => e.action)).toEqual(["template.publish.complete", "template.publish.start"]);
    const vcs = { source: "github", publisher: "pulumi", name: "pulumi/examples/a", repoSlug: "pulumi/examples", downloadURL: "https://github.com/x.tar.gz" };
    const [reg] = await added(() => callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: vcs }));
    expect(reg).toMatchObject({ action: "template.vcs.register", target: "template/github/pulumi/pulumi/examples/a", org: "pulumi" });
    const [unreg] = await added(() => call("/api/admin/templates/github/pulumi/pulumi/examples/a", { method: "DELETE", token: ADMIN }));
    expect(unreg).toMatchObject({ action: "template.vcs.unregister" });
  });

  it("usage reports and their removal; removing nothing is no change", async () => {
    const body = { packages: [{ source: "pulumi", publisher: "pulumi", name: "aws" }] };
    const [report] = await added(() => call("/api/orgs/acme/registry/usage/web/prod", { method: "PUT", token: acme.publisher, body }));
    expect(report).toMatchObject({ action: "usage.report", target: "stack/acme/web/prod", detail: { packages: 1 } });
    const [removed] = await added(() => call("/api/orgs/acme/registry/usage/web/prod", { method: "DELETE", token: acme.publisher }));
    expect(removed).toMatchObject({ action: "usage.delete" });
    expect(await added(() => call("/api/orgs/acme/registry/usage/web/prod", { method: "DELETE", token: acme.publisher }))).toEqual([]);
  });
});

describe("webhook changes are recorded too", () => {
  it("registering and deleting a webhook, never with its secret", async () => {
    let created: any;
    const [reg] = await added(async () => (created = await callJson("/api/orgs/acme/registry/webhooks", { method: "POST", token: acme.admin, body: { url: "https://127.0.0.1:9/h", events: ["template.published"] } })));
    expect(reg).toMatchObject({ action: "webhook.create", target: `webhook/${created.body.id}`, org: "acme", detail: { url: "https://127.0.0.1:9/h", events: ["template.published"] } });
    expect(JSON.stringify(reg)).not.toContain(created.body.secret);
    const [del] = await added(() => call(`/api/orgs/acme/registry/webhooks/${created.body.id}`, { method: "DELETE", token: acme.admin }));
    expect(del).toMatchObject({ action: "webhook.delete", target: `webhook/${created.body.id}`, outcome: 204 });
  });
});

describe("rejected requests leave no audit entry", () => {
  it("for each kind of change", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/kept", "1.0.0");
    const started = await startPublish(acme.publisher, "pulumi/acme/kept", "2.0.0");
    const before = await countRows("audit_log");
    const rejected: Array<[() => Promise<{ status: number; body: any }>, number]> = [
      [() => callJson("/api/admin/orgs", { method: "POST", token: ADMIN, body: { login: "acme" } }), 409],
      [() => callJson("/api/admin/orgs", { method: "POST", token: acme.admin, body: { login: "x" } }), 403],
      [() => callJson("/api/admin/orgs/acme/tokens", { method: "POST", token: other.admin, body: { role: "reader" } }), 403],
      [() => callJson("/api/admin/orgs/acme/tokens", { method: "POST", token: ADMIN, body: { role: "god" } }), 400],
      [() => callJson("/api/admin/orgs/acme/tokens/tok_absent", { method: "DELETE", token: ADMIN }), 404],
      [() => startPublish(acme.reader, "pulumi/acme/kept", "3.0.0"), 403],
      [() => startPublish(acme.publisher, "pulumi/acme/kept", "1.0.0"), 409],
      [() => startPublish(other.publisher, "pulumi/acme/kept", "3.0.0"), 403],
      [() => completePublish(acme.publisher, "pulumi/acme/kept", "2.0.0", started.body.operationID), 400],
      [() => completePublish(acme.publisher, "pulumi/acme/kept", "2.0.0", "nope"), 404],
      [() => callJson("/api/registry/packages/pulumi/acme/kept/versions/9.0.0", { method: "DELETE", token: acme.publisher }), 404],
      [() => callJson("/api/registry/packages/pulumi/acme/kept/versions/1.0.0", { method: "DELETE", token: other.publisher }), 403],
      [() => callJson("/api/registry/packages/pulumi/acme/kept/versions/1.0.0/deprecation", { method: "PUT", token: acme.publisher, body: { message: "x", replacement: "bad" } }), 400],
      [() => callJson("/api/admin/packages/pulumi/acme/absent/featured", { method: "PUT", token: ADMIN, body: { featured: true } }), 404],
      [() => callJson("/api/admin/templates/github/pulumi/absent/x", { method: "DELETE", token: ADMIN }), 404],
      [() => callJson("/api/orgs/acme/registry/usage/web/prod", { method: "PUT", token: acme.reader, body: { packages: [] } }), 403],
      [() => callJson("/api/orgs/acme/registry/usage/web/prod", { method: "PUT", token: acme.publisher, body: { packages: [{ source: "x" }] } }), 400],
      [() => callJson("/api/orgs/acme/registry/webhooks", { method: "POST", token: acme.admin, body: { url: "http://example.com", events: ["package.published"] } }), 400],
      [() => callJson("/api/orgs/acme/registry/webhooks/wh_absent", { method: "DELETE", token: acme.admin }), 404],
    ];
    for (const [request, status] of rejected) expectError(await request(), status);
    expect(await countRows("audit_log")).toBe(before);
  });

  it("a duplicate VCS registration (a conditional insert that changes nothing) leaves none", async () => {
    const vcs = { source: "gitlab", publisher: "acme", name: "acme/repo/dup", repoSlug: "acme/repo", downloadURL: "https://gitlab.com/x.tar.gz" };
    expect((await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: vcs })).status).toBe(201);
    const before = await countRows("audit_log");
    expectError(await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: vcs }), 409);
    expect(await countRows("audit_log")).toBe(before);
  });
});

describe("an entry and its change are one batch", () => {
  it("when the entry cannot be written, the change does not happen either", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/atomic", "1.0.0");
    const started = await startPublish(acme.publisher, "pulumi/acme/atomic", "1.1.0");
    await put(started.body.uploadURLs.schema, schemaFor("atomic", "1.1.0"));
    await put(started.body.uploadURLs.index, "# atomic\n");
    const tokens = await countRows("tokens");
    const versions = await countRows("versions");
    await env.DB.exec("ALTER TABLE audit_log RENAME TO audit_log_away");
    try {
      expect((await callJson("/api/admin/orgs/acme/tokens", { method: "POST", token: ADMIN, body: { role: "reader" } })).status).toBe(500);
      expect((await completePublish(acme.publisher, "pulumi/acme/atomic", "1.1.0", started.body.operationID)).status).toBe(500);
      expect((await callJson("/api/registry/packages/pulumi/acme/atomic/versions/1.0.0/deprecation", { method: "PUT", token: acme.publisher, body: { message: "x" } })).status).toBe(500);
      expect((await startPublish(acme.publisher, "pulumi/acme/atomic", "1.2.0")).status).toBe(500);
    } finally {
      await env.DB.exec("ALTER TABLE audit_log_away RENAME TO audit_log");
    }
    expect(await countRows("tokens")).toBe(tokens);
    expect(await countRows("versions")).toBe(versions);
    const got = await callJson("/api/registry/packages/pulumi/acme/atomic/versions/1.0.0");
    expect(got.body.deprecation).toBeUndefined();
    // The start whose entry failed left no operation behind: a complete of it is unknown.
    expect((await callJson("/api/registry/packages/pulumi/acme/atomic/versions/latest")).body.version).toBe("1.0.0");
    // And the same complete succeeds once the log is writable.
    expect((await completePublish(acme.publisher, "pulumi/acme/atomic", "1.1.0", started.body.operationID)).status).toBe(201);
  });
});

describe("reading the audit log", () => {
  it("an org's admin token sees only its org's entries; other roles and orgs are refused", async () => {
    await createToken("other", "reader");
    const mine = await callJson("/api/orgs/acme/registry/audit?limit=500", { token: acme.admin });
    expect(mine.status).toBe(200);
    expect(mine.body.entries.length).toBeGreaterThan(0);
    expect(mine.body.entries.every((e: any) => e.org === "acme")).toBe(true);
    const theirs = (await callJson("/api/orgs/other/registry/audit", { token: other.admin })).body.entries;
    expect(theirs.every((e: any) => e.org === "other")).toBe(true);
    expect(theirs.some((e: any) => e.action === "token.create")).toBe(true);
    expectError(await callJson("/api/orgs/acme/registry/audit"), 401);
    expectError(await callJson("/api/orgs/acme/registry/audit", { token: acme.publisher }), 403);
    expectError(await callJson("/api/orgs/acme/registry/audit", { token: other.admin }), 403);
    expectError(await callJson("/api/admin/audit", { token: acme.admin }), 403);
  });

  it("filters by action, target and time range, newest first, in keyset pages", async () => {
    const byAction = await entries("action=package.publish.complete");
    expect(byAction.length).toBeGreaterThan(2);
    expect(byAction.every((e) => e.action === "package.publish.complete")).toBe(true);
    const byTarget = await entries("target=package/pulumi/acme/my-lib");
    expect(byTarget.every((e) => e.target === "package/pulumi/acme/my-lib")).toBe(true);
    expect(byTarget.map((e) => e.action)).toContain("package.featured");
    const all = await entries("limit=500");
    const ids = all.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const middle = all[Math.floor(all.length / 2)];
    const since = await entries(`since=${encodeURIComponent(middle.at)}&limit=500`);
    expect(since.every((e) => e.at >= middle.at)).toBe(true);
    const until = await entries(`until=${encodeURIComponent(middle.at)}&limit=500`);
    expect(until.every((e) => e.at <= middle.at)).toBe(true);
    expect(await entries("since=2999-01-01T00:00:00Z")).toEqual([]);
    // Pages of 3 walk the same entries in the same order.
    const walked: any[] = [];
    let next: string | undefined;
    do {
      const r = await callJson(`/api/admin/audit?limit=3${next ? `&continuationToken=${next}` : ""}`, { token: ADMIN });
      walked.push(...r.body.entries);
      next = r.body.continuationToken;
    } while (next);
    expect(walked.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it("bad filters are 400s", async () => {
    for (const q of ["action=nope", "since=yesterday", "until=2026-13-01T00:00:00Z", "since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "target=%00x", "limit=0"]) {
      expectError(await callJson(`/api/admin/audit?${q}`, { token: ADMIN }), 400);
    }
    const first = await callJson("/api/admin/audit?limit=1", { token: ADMIN });
    expectError(await callJson(`/api/admin/audit?action=org.create&continuationToken=${first.body.continuationToken}`, { token: ADMIN }), 400);
  });
});

describe("audit retention", () => {
  it("the daily cron trigger prunes entries older than AUDIT_RETENTION_DAYS and keeps the rest", async () => {
    await env.DB.prepare("INSERT INTO audit_log (at, org, actor_kind, action, target, outcome, request_id) VALUES (?, 'acme', 'operator', 'org.create', 'org/old', 201, 'r')")
      .bind(new Date(Date.now() - 400 * 86_400_000).toISOString())
      .run();
    const total = await countRows("audit_log");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await countRows("audit_log")).toBe(total - 1);
    expect(await entries("target=org/old")).toEqual([]);
  });
});

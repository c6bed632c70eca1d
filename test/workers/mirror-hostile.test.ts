// A hostile read of the mirror, against a fake upstream answered here (global fetch): a caller's spelling
// of a publisher must not become the mirror's, and a `latest` re-check must not ask the upstream on every
// read when the upstream's latest cannot be stored here.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import type { Env } from "../../src/env";
import type { JobRow } from "../../src/jobs/jobs";
import { MIRROR_RECHECK_JOB, mirrorRecheckJob, type RecheckState } from "../../src/mirror/recheck-job";
import { MIRROR_SYNC_JOB, mirrorSyncJob, type SyncState } from "../../src/mirror/sync-job";
import { pluginFileName } from "../../src/plugins/platforms";
import { ADMIN, callWithEnv, createOrg, createToken, orgWithTokens } from "./helpers";
import { fakeUpstream } from "./fake-upstream";
import { hexSha256, pluginArchive } from "./plugin-helpers";

const UP = "https://up.example/api/registry";


const mirrorEnv = (extra: Record<string, unknown> = {}) => ({
  MIRROR_UPSTREAMS: JSON.stringify([{ id: "hostile", url: UP, serves: ["pulumi/pulumi/*"], requestsPerMinute: 1000, ...extra }]),
});

afterEach(() => vi.restoreAllMocks());

describe("a caller's spelling of a mirrored publisher", () => {
  it("is never stored: a first miss as pulumi/PULUMI/… stores the upstream's spelling, and pulumi/pulumi/… keeps working", async () => {
    const up = fakeUpstream({ spelling: ["1.0.0"], spelling2: ["1.0.0"] });
    const vars = mirrorEnv();
    const first = await callWithEnv(vars, "/api/registry/packages/pulumi/PULUMI/spelling/versions/1.0.0");
    // Stored in the upstream's spelling; the caller's spelling finds nothing (publishers are spelled one way here).
    expect(first.status, JSON.stringify(first.body)).toBe(404);
    const publishers = await env.DB.prepare("SELECT DISTINCT publisher FROM items WHERE source = 'pulumi' AND lower(publisher) = 'pulumi' AND mirror = 'hostile'").all<{ publisher: string }>();
    expect(publishers.results.map((r) => r.publisher)).toEqual(["pulumi"]);
    // Everyone else's pull of the upstream's own spelling still works.
    const right = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/spelling2/versions/1.0.0");
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    expect(right.body.publisher).toBe("pulumi");
    // Asking again in the other spelling does not ask the upstream again.
    const before = up.asked.length;
    const again = await callWithEnv(vars, "/api/registry/packages/pulumi/PULUMI/spelling/versions/1.0.0");
    expect(again.status).toBe(404);
    expect(up.asked.length).toBe(before);
  });
});

describe("a stale `latest` of a mirrored package", () => {
  it("asks the upstream once per freshness period even when the upstream's latest was deleted here", async () => {
    const up = fakeUpstream({ recheck: ["1.0.0", "2.0.0"] });
    const vars = mirrorEnv({ latestFreshnessSeconds: 3600, org: "pulumi" });
    const reader = await orgWithTokens("hostile-reader");
    const owner = await orgWithTokens("pulumi");
    for (const v of ["1.0.0", "2.0.0"]) {
      const r = await callWithEnv(vars, `/api/registry/packages/pulumi/pulumi/recheck/versions/${v}`, { token: reader.reader });
      expect(r.status, JSON.stringify([r.body, up.asked])).toBe(200);
    }
    // The operator deletes the upstream's latest here (say, it was found malicious; the mirror's org is the
    // publisher's, so its admin token may); the upstream still serves it.
    const deleted = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/recheck/versions/2.0.0", { method: "DELETE", token: owner.admin });
    expect(deleted.status, JSON.stringify(deleted.body)).toBeLessThan(300);
    // The freshness period passes.
    await env.DB.prepare("UPDATE items SET mirror_latest_checked_at = 0 WHERE name = 'recheck'").run();
    const asked = () => up.asked.filter((p) => p.endsWith("/recheck/versions/latest")).length;
    const stale = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/recheck/versions/latest", { token: reader.reader });
    expect(stale.status, JSON.stringify(stale.body)).toBe(200);
    expect(stale.body.version).toBe("1.0.0");
    expect(asked()).toBe(1);
    for (let i = 0; i < 3; i++) {
      const r = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/recheck/versions/latest", { token: reader.reader });
      expect(r.body.version).toBe("1.0.0");
    }
    // Fresh again: no further question to the upstream within latestFreshnessSeconds.
    expect(asked()).toBe(1);
    // The deleted version asked for by number: a plain 404, without asking the upstream (it is never stored again).
    const askedDeleted = () => up.asked.filter((p) => p.endsWith("/recheck/versions/2.0.0")).length;
    const before = askedDeleted();
    for (let i = 0; i < 3; i++) {
      const r = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/recheck/versions/2.0.0", { token: reader.reader });
      expect(r.status, JSON.stringify(r.body)).toBe(404);
    }
    expect(askedDeleted()).toBe(before);
    // Every version deleted here: latest and the version list are plain 404s within the freshness period.
    const gone = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/recheck/versions/1.0.0", { method: "DELETE", token: owner.admin });
    expect(gone.status, JSON.stringify(gone.body)).toBeLessThan(300);
    for (const path of ["versions/latest", "versions", "versions/latest", "versions"]) {
      const r = await callWithEnv(vars, `/api/registry/packages/pulumi/pulumi/recheck/${path}`, { token: reader.reader });
      expect(r.status, JSON.stringify(r.body)).toBe(404);
    }
    expect(asked()).toBe(1);
  });
});

describe("the deletion recheck", () => {
  /** One step of a recheck run of upstream `hostile`, under `vars`. */
  async function recheckStep(vars: Record<string, string>): Promise<RecheckState> {
    const job = { kind: MIRROR_RECHECK_JOB, subject: "hostile", attempt: 1, step: 0 } as JobRow;
    const outcome = await mirrorRecheckJob.step({ ...(env as unknown as Env), ...vars } as Env, job, null);
    expect(outcome.done).toBe(false);
    return (outcome as { state: RecheckState }).state;
  }
  const live = async (name: string) => env.DB.prepare("SELECT COUNT(*) AS n FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = ? AND v.retired = 0").bind(name).first<number>("n");

  it("deletes nothing on the 404s of an upstream whose url is not (or no longer) a registry API", async () => {
    const up = fakeUpstream({ gone: ["1.0.0"], kept: ["1.0.0"] });
    const vars = mirrorEnv();
    for (const name of ["gone", "kept"]) {
      const r = await callWithEnv(vars, `/api/registry/packages/pulumi/pulumi/${name}/versions/1.0.0`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    await env.DB.prepare("UPDATE versions SET mirror_checked_at = 1 WHERE item_id IN (SELECT id FROM items WHERE name IN ('gone', 'kept'))").run();
    // The operator mistypes the url (every answer there is a 404): nothing is deleted, the run reports why.
    const moved = await recheckStep({ MIRROR_UPSTREAMS: JSON.stringify([{ id: "hostile", url: "https://up.example/api/moved", serves: ["pulumi/pulumi/*"], requestsPerMinute: 1000 }]) });
    expect(moved.counts.deleted).toBe(0);
    expect(moved.counts.errors).toBeGreaterThan(0);
    expect(moved.lastError).toMatch(/404 for its package list/);
    expect(await live("gone")).toBe(1);
    expect(await live("kept")).toBe(1);
    // With the right url, a version the upstream deleted is deleted here; the other stays.
    up.packages.gone = [];
    const right = await recheckStep(vars);
    expect(right.counts.deleted).toBe(1);
    expect(await live("gone")).toBe(0);
    expect(await live("kept")).toBe(1);
  });
});

describe("a list by name that pulls through", () => {
  it("pulls only packages of the name asked for, at most 3 tries, whatever the upstream's search answers", async () => {
    const others = Array.from({ length: 8 }, (_, i) => `unrelated${i}`);
    const up = fakeUpstream(Object.fromEntries([...others.map((n) => [n, ["1.0.0"]]), ["wanted", []]]));
    // The upstream's search is loose: it answers other names, and many publishers of the name (none has a latest).
    up.list = [...others.map((name) => ({ source: "pulumi", publisher: "pulumi", name })), ...Array.from({ length: 20 }, (_, i) => ({ source: "pulumi", publisher: `p${i}`, name: "wanted" }))];
    const vars = { MIRROR_UPSTREAMS: JSON.stringify([{ id: "hostile", url: UP, serves: ["pulumi/*/*"], requestsPerMinute: 1000 }]) };
    const r = await callWithEnv(vars, "/api/registry/packages?name=wanted");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.packages).toEqual([]);
    // Nothing of another name was stored, and the search cost the list and at most 3 version answers.
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM items WHERE name LIKE 'unrelated%'").first<number>("n");
    expect(stored).toBe(0);
    expect(up.asked.length).toBeLessThanOrEqual(4);
  });
});

describe("a pull that fails for a reason of this registry's", () => {
  it("is held like an upstream fault: a stale latest of an item the upstream's old org owns asks the upstream once, not on every read", async () => {
    const up = fakeUpstream({ moved: ["1.0.0", "2.0.0"] });
    const before = { MIRROR_UPSTREAMS: JSON.stringify([{ id: "hostile", url: UP, serves: ["pulumi/pulumi/*"], requestsPerMinute: 1000, org: "first-org" }]) };
    const first = await callWithEnv(before, "/api/registry/packages/pulumi/pulumi/moved/versions/1.0.0");
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // The operator changes the upstream's org; the stored item stays the old org's, and the upstream moved on to 2.0.0.
    const after = { MIRROR_UPSTREAMS: JSON.stringify([{ id: "hostile", url: UP, serves: ["pulumi/pulumi/*"], requestsPerMinute: 1000, org: "second-org" }]) };
    await env.DB.prepare("UPDATE items SET mirror_latest_checked_at = 0 WHERE name = 'moved'").run();
    const reader = await orgWithTokens("moved-reader");
    const asked = () => up.asked.filter((p) => p.endsWith("/moved/versions/latest")).length;
    for (let i = 0; i < 4; i++) {
      const r = await callWithEnv(after, "/api/registry/packages/pulumi/pulumi/moved/versions/latest", { token: reader.reader });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.version).toBe("1.0.0");
    }
    expect(asked()).toBe(1);
  });
});

describe("a plugin archive of a mirrored version", () => {
  it("attached upstream after the version was mirrored: fetched from where the upstream says now, and checked against its checksum", async () => {
    const up = fakeUpstream({ late: ["1.0.0"] });
    const vars = mirrorEnv();
    // Mirrored before the upstream had any plugin: its answer names no plugin source and no checksum.
    const pulled = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/late/versions/1.0.0");
    expect(pulled.status, JSON.stringify(pulled.body)).toBe(200);
    // Then the upstream attaches its archive; get.pulumi.com has another provider's archive of the same file name.
    const file = pluginFileName("late", "1.0.0", "linux-amd64");
    const attached = await pluginArchive("late");
    const other = await pluginArchive("late", "linux-amd64", [{ name: "NOTICE", data: "someone else's provider\n" }]);
    const pluginsUrl = `${UP}/packages/pulumi/pulumi/late/versions/1.0.0/plugins`;
    up.extra.late = { pluginDownloadURL: pluginsUrl, checksums: { "linux-amd64": await hexSha256(attached) } };
    up.files[`${pluginsUrl}/${file}`] = attached;
    up.files[`https://get.pulumi.com/releases/plugins/${file}`] = other;
    const served = await callWithEnv(vars, `/api/registry/packages/pulumi/pulumi/late/versions/1.0.0/plugins/${file}`);
    expect(served.status, typeof served.body === "string" ? served.body.slice(0, 200) : JSON.stringify(served.body)).toBe(200);
    expect(served.response.headers.get("X-Checksum-Sha256")).toBe(await hexSha256(attached));
  });
});

describe("the operator's delete of a mirrored package", () => {
  it("removes a version at once, and the whole package releases it from its upstream so its org may publish there", async () => {
    const up = fakeUpstream({ opdel: ["1.0.0", "1.1.0"] });
    // The mirror's org is the publisher's, so it may publish there once the package is released.
    const vars = mirrorEnv({ org: "pulumi" });
    await createOrg("pulumi").catch(() => undefined);
    const org = { admin: (await createToken("pulumi", "admin")).token, publisher: (await createToken("pulumi", "publisher")).token };
    for (const v of ["1.0.0", "1.1.0"]) {
      const r = await callWithEnv(vars, `/api/registry/packages/pulumi/pulumi/opdel/versions/${v}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const path = "/api/admin/packages/pulumi/pulumi/opdel";
    // Only the operator: no token is 401, an org token (even the owning org's admin) 403; nothing changes.
    expect((await callWithEnv(vars, `${path}/versions/1.1.0`, { method: "DELETE" })).status).toBe(401);
    expect((await callWithEnv(vars, `${path}/versions/1.1.0`, { method: "DELETE", token: org.admin })).status).toBe(403);
    expect((await callWithEnv(vars, `${path}/versions/1.1.0`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    expect((await callWithEnv(vars, `${path}/versions/1.1.0`, { method: "DELETE", token: ADMIN })).status).toBe(404);
    expect((await callWithEnv(vars, `${path}/versions/not-semver`, { method: "DELETE", token: ADMIN })).status).toBe(400);
    const asked = up.asked.length;
    expect((await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/opdel/versions/1.1.0")).status).toBe(404);
    const latest = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/opdel/versions/latest");
    expect(latest.body.version).toBe("1.0.0");
    expect(up.asked.length).toBe(asked);

    // Publishing over a mirrored package is refused, the owning org included…
    const refused = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/opdel/versions", { method: "POST", token: org.publisher, body: { version: "9.0.0" } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    // …until the operator deletes the package: every live version goes, and it is mirrored no more.
    const whole = await callWithEnv(vars, path, { method: "DELETE", token: ADMIN });
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
    expect(whole.body).toEqual({ retired: ["1.0.0"], released: "hostile" });
    up.packages.opdel!.push("2.0.0");
    expect((await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/opdel/versions/2.0.0")).status).toBe(404);
    expect((await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/opdel/versions/latest")).status).toBe(404);
    expect(up.asked.filter((p) => p.includes("/opdel/versions/2.0.0") || p.endsWith("/opdel/versions/latest")).length).toBe(0);
    expect(await env.DB.prepare("SELECT mirror FROM items WHERE name = 'opdel'").first("mirror")).toBeNull();
    const started = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/opdel/versions", { method: "POST", token: org.publisher, body: { version: "9.0.0" } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    // Both deletes are in the audit log as the operator's, the second naming the upstream released.
    const audit = await env.DB.prepare("SELECT actor_kind, version, detail FROM audit_log WHERE target = 'package/pulumi/pulumi/opdel' AND action = 'package.delete' ORDER BY id").all();
    expect(audit.results.map((r) => [r.actor_kind, r.version])).toEqual([
      ["operator", "1.1.0"],
      ["operator", null],
    ]);
    expect(JSON.parse(String(audit.results[1]!.detail))).toEqual({ versions: ["1.0.0"], mirrorReleased: "hostile" });
    // A package that does not exist is a 404.
    expect((await callWithEnv(vars, "/api/admin/packages/pulumi/pulumi/never-there", { method: "DELETE", token: ADMIN })).status).toBe(404);
  });
});

describe("a version the upstream deprecated before it was mirrored", () => {
  it("is deprecated here from its first answer, not only at the first recheck", async () => {
    const up = fakeUpstream({ depr: ["1.0.0"] });
    up.extra.depr = { deprecation: { message: "use another build", replacement: "pulumi/pulumi/other" } };
    const vars = mirrorEnv();
    const first = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/depr/versions/1.0.0");
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.deprecation).toMatchObject({ message: "use another build (replacement upstream: pulumi/pulumi/other)" });
    const listed = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/depr/versions");
    expect(listed.body.packages[0].deprecation).toMatchObject({ message: expect.stringContaining("use another build") });
  });

  it("sends the mirror org's package.deprecated webhook event, as the recheck would (it never sends one later: nothing changes then)", async () => {
    const org = await orgWithTokens("late-mirror");
    const receiver = inject("receiverUrl");
    const up = fakeUpstream({ "late-depr": ["1.0.0"] }, { passThrough: receiver });
    up.extra["late-depr"] = { deprecation: { message: "withdrawn upstream" } };
    const vars = mirrorEnv({ org: "late-mirror" });
    const hook = await callWithEnv(vars, "/api/orgs/late-mirror/registry/webhooks", {
      method: "POST",
      token: org.admin,
      body: { url: `${receiver}/hook/late-depr`, events: ["package.deprecated"] },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const first = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/late-depr/versions/1.0.0", { token: org.reader });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.deprecation).toMatchObject({ message: "withdrawn upstream" });
    let got: Array<{ body: string }> = [];
    for (let i = 0; i < 150 && !got.length; i++) {
      got = (await (await fetch(`${receiver}/received/late-depr`)).json()) as Array<{ body: string }>;
      if (!got.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toMatchObject({
      type: "package.deprecated",
      org: "late-mirror",
      target: { kind: "package", source: "pulumi", publisher: "pulumi", name: "late-depr", version: "1.0.0" },
      deprecation: { message: "withdrawn upstream" },
    });
  }, 30_000);
});

describe("a sync against an upstream whose version list never ends", () => {
  const step = async (vars: Record<string, string>, state: unknown) => {
    const job = { kind: MIRROR_SYNC_JOB, subject: "hostile", attempt: 1, step: 0 } as JobRow;
    const outcome = await mirrorSyncJob.step({ ...(env as unknown as Env), ...vars } as Env, job, state);
    expect(outcome.done).toBe(false);
    return (outcome as { state: SyncState }).state;
  };
  const listing = (token: (asked: string | null) => string) =>
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      // Every version already out of range: the run only pages.
      return Response.json({ packages: [{ version: "0.0.1" }], continuationToken: token(url.searchParams.get("continuationToken")) });
    });
  const vars = mirrorEnv({ sync: [{ package: "pulumi/pulumi/endless", versions: "^1.0.0" }] });

  it("ends the entry's list when the upstream answers the token it was asked with", async () => {
    listing(() => "same");
    let state = await step(vars, null);
    expect(state.token).toBe("same");
    state = await step(vars, state);
    expect(state.token).toBeNull();
    state = await step(vars, state);
    expect(state.entry).toBe(1);
  });

  it("stops reading an entry's list after 500 pages and says why", async () => {
    listing((asked) => String(Number(asked ?? 0) + 1));
    let state = await step(vars, null);
    for (let i = 0; i < 500 && state.entry === 0; i++) state = await step(vars, state);
    expect(state.entry).toBe(1);
    expect(state.lastError).toContain("more than 500 pages");
    expect(state.failures.at(-1)).toMatchObject({ package: "pulumi/pulumi/endless", error: expect.stringContaining("500 pages") });
  }, 60_000);
});

describe("a sync entry spelling the publisher in another case", () => {
  it("finds what is stored under the upstream's spelling and fetches nothing again", async () => {
    const up = fakeUpstream({ casesync: ["1.0.0"] });
    const vars = mirrorEnv({ sync: [{ package: "pulumi/PULUMI/casesync", versions: "^1.0.0" }] });
    expect((await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/casesync/versions/1.0.0")).status).toBe(200);
    const asked = up.asked.length;
    const job = { kind: MIRROR_SYNC_JOB, subject: "hostile", attempt: 1, step: 0 } as JobRow;
    let state: unknown = null;
    for (let i = 0; i < 4; i++) {
      const outcome = await mirrorSyncJob.step({ ...(env as unknown as Env), ...vars } as Env, job, state);
      if (outcome.done) break;
      state = (outcome as { state: SyncState }).state;
    }
    expect((state as SyncState).counts).toEqual({ listed: 1, fetched: 0, skipped: 1, failed: 0 });
    // Only the version list was asked.
    expect(up.asked.slice(asked)).toEqual(["/api/registry/packages/pulumi/pulumi/casesync/versions"]);
  });
});

// The mirror's configuration (MIRROR_UPSTREAMS): what it accepts, what it refuses with a message naming the
// fault, and which identities an upstream serves. A misconfigured mirror answers a clear 500 on the routes it
// would serve, rather than silently not mirroring.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { mirrorUpstreams, MirrorConfigError, upstreamFor, isOffline } from "../../src/mirror/upstreams";
import { callWithEnv } from "./helpers";

const base = { id: "up", url: "https://registry.example/api/registry/", serves: ["pulumi/*/*", "opentofu/hashicorp/aws"] };
const withConfig = (value: unknown, extra: Record<string, string> = {}) => ({ ...(env as unknown as Env), MIRROR_UPSTREAMS: JSON.stringify(value), ...extra }) as Env;
const identity = (source: string, publisher: string, name: string, kind = "package") => ({ kind, source, publisher, name, canonicalName: name.toLowerCase() });

describe("MIRROR_UPSTREAMS", () => {
  it("applies the documented defaults and drops a trailing slash from the URL", () => {
    const [u] = mirrorUpstreams(withConfig([base]));
    expect(u).toMatchObject({ id: "up", base: "https://registry.example/api/registry", org: "mirror", latestFreshnessSeconds: 3600, negativeSeconds: 300, requestsPerMinute: 120, offline: false, recheckHours: 24, sync: [] });
    expect(u!.token).toBeUndefined();
  });

  it("serves identities by pattern, packages only, the first matching upstream winning", () => {
    const e = withConfig([base, { ...base, id: "second", serves: ["*/*/*"] }]);
    expect(upstreamFor(e, identity("pulumi", "pulumi", "aws"))?.id).toBe("up");
    expect(upstreamFor(e, identity("opentofu", "hashicorp", "aws"))?.id).toBe("up");
    expect(upstreamFor(e, identity("opentofu", "hashicorp", "google"))?.id).toBe("second");
    expect(upstreamFor(e, identity("pulumi", "pulumi", "aws", "template"))).toBeUndefined();
    expect(upstreamFor(withConfig([base]), identity("private", "acme", "vpc"))).toBeUndefined();
  });

  it("is empty when unset, and offline per upstream or everywhere", () => {
    expect(mirrorUpstreams({ ...(env as unknown as Env), MIRROR_UPSTREAMS: undefined })).toEqual([]);
    const [u] = mirrorUpstreams(withConfig([base]));
    expect(isOffline(withConfig([base]), u!)).toBe(false);
    expect(isOffline(withConfig([base], { MIRROR_OFFLINE: "true" }), u!)).toBe(true);
    expect(isOffline(withConfig([{ ...base, offline: true }]), mirrorUpstreams(withConfig([{ ...base, offline: true }]))[0]!)).toBe(true);
  });

  it.each([
    ["not JSON", "{", "not JSON"],
    ["an unknown field", [{ ...base, colour: "red" }], ""],
    ["a bad id", [{ ...base, id: "Up!" }], "id"],
    ["a duplicate id", [base, base], "appears twice"],
    ["plain http", [{ ...base, url: "http://registry.example/api/registry" }], "must be https"],
    ["credentials in the URL", [{ ...base, url: "https://user:pw@registry.example/api" }], "must be https"],
    ["a bad pattern", [{ ...base, serves: ["pulumi/*"] }], "serves pattern"],
    ["a missing token secret", [{ ...base, tokenSecret: "MIRROR_TOKEN_NOPE" }], "is not set"],
  ])("refuses %s", (_, value, message) => {
    const e = { ...(env as unknown as Env), MIRROR_UPSTREAMS: typeof value === "string" ? value : JSON.stringify(value) } as Env;
    expect(() => mirrorUpstreams(e)).toThrow(MirrorConfigError);
    expect(() => mirrorUpstreams(e)).toThrow(message);
  });

  it("allows local http only with MIRROR_ALLOW_LOCAL_HTTP, and reads the token from the named secret", () => {
    const local = [{ ...base, url: "http://127.0.0.1:9999/api/registry", tokenSecret: "MIRROR_TOKEN_UP" }];
    expect(() => mirrorUpstreams(withConfig(local, { MIRROR_TOKEN_UP: "secret" }))).toThrow("must be https");
    const [u] = mirrorUpstreams(withConfig(local, { MIRROR_TOKEN_UP: "secret", MIRROR_ALLOW_LOCAL_HTTP: "true" }));
    expect(u!.token).toBe("secret");
  });

  it("a misconfigured mirror answers 500 with the fault on a route it would serve, and leaves other routes alone", async () => {
    const vars = { MIRROR_UPSTREAMS: JSON.stringify([{ ...base, serves: ["bad"] }]) };
    const r = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/aws/versions/1.0.0");
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ code: 500, message: expect.stringContaining("the mirror is misconfigured: MIRROR_UPSTREAMS: up: serves pattern 'bad'") });
    expect((await callWithEnv(vars, "/healthz")).status).toBe(200);
  });
});

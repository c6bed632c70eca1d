import { describe, expect, it } from "vitest";
import { canPublish, type Caller } from "../../src/identity/rights";
import { canSee, visibilityForSource } from "../../src/core/visibility";
import { readAuthorization } from "../../src/identity/tokens";
import { canonicalName, decodeSegment } from "../../src/core/vocabulary/names";
import { decodeContinuation, encodeContinuation } from "../../src/core/continuation";
import { ApiError } from "../../src/http/api-error";

const acme: Caller = { kind: "org", org: "acme", role: "publisher", tokenId: "t" };
const reader: Caller = { kind: "org", org: "acme", role: "reader", tokenId: "t" };

describe("canonical names", () => {
  it("lower-cases and folds runs of - _ . to one -", () => {
    expect(canonicalName("My_Pkg")).toBe("my-pkg");
    expect(canonicalName("my-pkg")).toBe("my-pkg");
    expect(canonicalName("A.__-b")).toBe("a-b");
  });
});

describe("path segments", () => {
  it.each(["acme", "a", "A.b_c-9", "x".repeat(100)])("accepts %j", (s) => {
    expect(decodeSegment(s, "name")).toBe(s);
  });

  it.each(["", "-a", ".hidden", "a%2Fb", "%2e%2e", "..", "a%00", "a%0a", "x".repeat(101), "a b", "%E0%A4%A", "ünïcode"])("rejects %j with a 400", (s) => {
    expect(() => decodeSegment(s, "name")).toThrow(ApiError);
    try {
      decodeSegment(s, "name");
    } catch (e) {
      expect((e as ApiError).status).toBe(400);
    }
  });
});

describe("visibility and rights", () => {
  it("visibility follows the source", () => {
    expect(visibilityForSource("private")).toBe("private");
    expect(visibilityForSource("pulumi")).toBe("public");
    expect(visibilityForSource("opentofu")).toBe("public");
  });

  it("private items are seen only by their owning org", () => {
    const item = { visibility: "private" as const, ownerOrg: "acme" };
    expect(canSee(acme, item)).toBe(true);
    expect(canSee({ kind: "anonymous" }, item)).toBe(false);
    expect(canSee({ ...acme, org: "other" }, item)).toBe(false);
    expect(canSee({ kind: "anonymous" }, { visibility: "public", ownerOrg: "acme" })).toBe(true);
  });

  it("private and pulumi publishers must be the caller's org", () => {
    expect(canPublish(acme, { source: "private", publisher: "acme" }).ok).toBe(true);
    expect(canPublish(acme, { source: "pulumi", publisher: "acme" }).ok).toBe(true);
    expect(canPublish(acme, { source: "private", publisher: "other" }).ok).toBe(false);
    expect(canPublish(acme, { source: "pulumi", publisher: "other" }).ok).toBe(false);
  });

  it("opentofu names belong to the first org to publish them", () => {
    expect(canPublish(acme, { source: "opentofu", publisher: "hashicorp" }).ok).toBe(true);
    expect(canPublish(acme, { source: "opentofu", publisher: "hashicorp", existingOwner: "acme" }).ok).toBe(true);
    expect(canPublish(acme, { source: "opentofu", publisher: "hashicorp", existingOwner: "other" }).ok).toBe(false);
  });

  it("readers and anonymous callers never publish", () => {
    expect(canPublish(reader, { source: "private", publisher: "acme" }).ok).toBe(false);
    expect(canPublish({ kind: "anonymous" }, { source: "private", publisher: "acme" }).ok).toBe(false);
  });
});

describe("Authorization header", () => {
  it("reads token and Bearer schemes, case-insensitively", () => {
    expect(readAuthorization("token abc")).toEqual({ kind: "token", secret: "abc" });
    expect(readAuthorization("Bearer abc")).toEqual({ kind: "token", secret: "abc" });
    expect(readAuthorization("TOKEN abc")).toEqual({ kind: "token", secret: "abc" });
    expect(readAuthorization(null)).toEqual({ kind: "none" });
    expect(readAuthorization("Basic abc def")).toEqual({ kind: "malformed" });
    expect(readAuthorization("token")).toEqual({ kind: "malformed" });
  });
});

describe("continuation tokens", () => {
  const secret = "0123456789abcdef0123";
  it("round-trip, using only URL-safe characters", async () => {
    const token = await encodeContinuation(secret, "scope-a", ["my-pkg", "private", "acme"]);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await decodeContinuation(secret, "scope-a", token)).toEqual(["my-pkg", "private", "acme"]);
  });

  it("reject a token issued for another query", async () => {
    const token = await encodeContinuation(secret, "scope-a", ["x", "y", "z"]);
    await expect(decodeContinuation(secret, "scope-b", token)).rejects.toMatchObject({ status: 400 });
  });

  it("reject a tampered token", async () => {
    const token = await encodeContinuation(secret, "scope-a", ["x", "y", "z"]);
    const flipped = (token[3] === "A" ? "B" : "A");
    await expect(decodeContinuation(secret, "scope-a", token.slice(0, 3) + flipped + token.slice(4))).rejects.toMatchObject({ status: 400 });
    await expect(decodeContinuation(secret, "scope-a", "garbage")).rejects.toMatchObject({ status: 400 });
    await expect(decodeContinuation(secret, "scope-a", token + "%")).rejects.toMatchObject({ status: 400 });
  });
});

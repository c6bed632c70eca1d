import { describe, expect, it } from "vitest";
import { encodeKey } from "../../src/http/url-path";
import { uploadSigner, verifyLocalPresigned } from "../../src/artifacts/upload-signing";
import type { Env } from "../../src/env";

const base = { SIGNING_SECRET: "a-signing-secret-of-some-length" } as Env;

describe("upload URL signing", () => {
  it("R2 mode points at the bucket's S3 endpoint with an explicit expiry", async () => {
    const env = { ...base, R2_ACCOUNT_ID: "acct123", R2_ACCESS_KEY_ID: "AKID", R2_SECRET_ACCESS_KEY: "secret", R2_BUCKET_NAME: "bucket" } as Env;
    const signer = uploadSigner(env, "https://registry.example.com");
    expect(signer.mode).toBe("r2");
    const url = new URL(await signer.sign("staging/abc/schema", "PUT", 3600));
    expect(url.origin).toBe("https://acct123.r2.cloudflarestorage.com");
    expect(url.pathname).toBe("/bucket/staging/abc/schema");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKID\/\d{8}\/auto\/s3\/aws4_request$/);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("local mode without all four R2 settings", async () => {
    const signer = uploadSigner({ ...base, R2_ACCOUNT_ID: "acct" } as Env, "http://127.0.0.1:8787");
    expect(signer.mode).toBe("local");
    expect(await signer.sign("staging/abc/schema", "PUT", 300)).toMatch(/^http:\/\/127\.0\.0\.1:8787\/_artifacts\/staging\/abc\/schema\?/);
  });

  it("encodes each key segment, so + survives signing", () => {
    expect(encodeKey("packages/pulumi/acme/x/1.0.0+b/op/schema")).toBe("packages/pulumi/acme/x/1.0.0%2Bb/op/schema");
  });

  it("a local URL verifies for its method until it expires, and not after", async () => {
    const signer = uploadSigner(base, "http://gw.test");
    const url = await signer.sign("staging/abc/index", "PUT", 300);
    expect(await verifyLocalPresigned(new Request(url, { method: "PUT" }), base)).toEqual({ ok: true, key: "staging/abc/index" });
    expect((await verifyLocalPresigned(new Request(url, { method: "DELETE" }), base)).ok).toBe(false);
    expect((await verifyLocalPresigned(new Request(url, { method: "PUT" }), base, Date.now() + 301_000)).ok).toBe(false);
    expect((await verifyLocalPresigned(new Request(url, { method: "PUT" }), { SIGNING_SECRET: "another-secret-entirely!" } as Env)).ok).toBe(false);
  });
});

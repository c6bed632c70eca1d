import { describe, expect, it } from "vitest";
import { uploadMode, uploadSigner } from "../../src/artifacts/upload-signing";
import type { Env } from "../../src/env";

const base = { SIGNING_SECRET: "a-signing-secret-of-some-length" } as Env;
const r2 = { ...base, R2_ACCESS_KEY_ID: "AKID", R2_SECRET_ACCESS_KEY: "secret", R2_BUCKET_NAME: "bucket" } as Env;

describe("upload mode", () => {
  it("R2_S3_ENDPOINT replaces the account's endpoint, and with it R2_ACCOUNT_ID is not needed", async () => {
    const env = { ...r2, R2_S3_ENDPOINT: "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/" } as Env;
    expect(uploadMode(env)).toBe("r2");
    const url = new URL(await uploadSigner(env, "http://127.0.0.1:8787").sign("staging/abc/schema", "PUT", 3600));
    expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:8787/cdn-cgi/local/r2/s3/bucket/staging/abc/schema");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKID\/\d{8}\/auto\/s3\/aws4_request$/);
  });

  it("without R2_S3_ENDPOINT the endpoint is https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com", async () => {
    const url = new URL(await uploadSigner({ ...r2, R2_ACCOUNT_ID: "acct" } as Env, "https://gw").sign("staging/a/index", "PUT", 300));
    expect(url.origin).toBe("https://acct.r2.cloudflarestorage.com");
    expect(url.pathname).toBe("/bucket/staging/a/index");
  });

  it("incomplete R2 settings mean the gateway's own route", () => {
    expect(uploadMode(r2)).toBe("gateway");
    expect(uploadMode({ ...base, R2_S3_ENDPOINT: "http://x" } as Env)).toBe("gateway");
  });

  it("UPLOAD_MODE=gateway keeps the gateway's route even with complete R2 settings", async () => {
    const env = { ...r2, R2_ACCOUNT_ID: "acct", UPLOAD_MODE: "gateway" } as Env;
    expect(uploadMode(env)).toBe("gateway");
    expect(await uploadSigner(env, "https://gw.example").sign("staging/a/index", "PUT", 300)).toMatch(/^https:\/\/gw\.example\/_artifacts\/staging\/a\/index\?/);
  });

  it("UPLOAD_MODE=r2 without complete settings, or an unknown mode, is a configuration error", () => {
    expect(() => uploadMode({ ...r2, UPLOAD_MODE: "r2" } as Env)).toThrow(/UPLOAD_MODE=r2 needs/);
    expect(() => uploadMode({ ...base, UPLOAD_MODE: "s3" } as Env)).toThrow(/must be 'r2' or 'gateway'/);
    expect(uploadMode({ ...r2, R2_ACCOUNT_ID: "acct", UPLOAD_MODE: "r2" } as Env)).toBe("r2");
  });
});

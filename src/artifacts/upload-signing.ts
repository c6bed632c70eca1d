// SigV4 query-signed URLs (aws4fetch) for uploads: R2's S3 endpoint in production, the gateway's own
// verifying route in local mode. Both sides of the signature live here.
import { AwsClient, AwsV4Signer } from "aws4fetch";
import { signingSecret, type Env } from "../env";
import { timingSafeEqualStrings } from "../identity/secrets";
import { encodeKey } from "../http/url-path";

/** Path of the local S3-compatible upload route; keys follow it, one encoded segment at a time. */
export const LOCAL_UPLOAD_PATH = "/_artifacts/";
const LOCAL_ACCESS_KEY_ID = "edge-registry-local";
const REGION = "auto";
const SERVICE = "s3";
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** The query parameters of a URL from sign(), as aws4fetch writes them for a query-signed request. */
const SIGNED_QUERY = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"] as const;
/** Only the host is signed: the payload is UNSIGNED-PAYLOAD and the size is checked separately. */
const SIGNED_HEADERS = "host";

export type SigningMode = "r2" | "local";

export interface UploadSigner {
  mode: SigningMode;
  /** A presigned URL for `method` on `key`, valid for `expiresSeconds`. */
  sign(key: string, method: "PUT" | "GET", expiresSeconds: number): Promise<string>;
}

/**
 * `r2`: upload URLs point at R2's S3 API (`R2_S3_ENDPOINT`, by default the account's
 * `https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com`). `gateway`: they point at the Worker's own
 * verifying route, for deployments without R2 API credentials. `UPLOAD_MODE` chooses; unset, R2 mode
 * is used exactly when its credentials are all configured.
 */
export type UploadMode = "r2" | "gateway";

function r2Endpoint(env: Env): string | undefined {
  const endpoint = env.R2_S3_ENDPOINT || (env.R2_ACCOUNT_ID ? `https://${env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com` : undefined);
  return endpoint?.replace(/\/+$/, "");
}

function r2CredentialsComplete(env: Env): boolean {
  return Boolean(r2Endpoint(env) && env.R2_ACCESS_KEY_ID && env.R2_SECRET_ACCESS_KEY && env.R2_BUCKET_NAME);
}

export function uploadMode(env: Env): UploadMode {
  const chosen = env.UPLOAD_MODE;
  if (chosen === "gateway") return "gateway";
  if (chosen === "r2") {
    // Configuration error, reported as a 500 without detail; the log line says what is missing.
    if (!r2CredentialsComplete(env)) throw new Error("UPLOAD_MODE=r2 needs R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET_NAME and R2_ACCOUNT_ID or R2_S3_ENDPOINT");
    return "r2";
  }
  if (chosen !== undefined && chosen !== "") throw new Error(`UPLOAD_MODE must be 'r2' or 'gateway', not '${chosen}'`);
  return r2CredentialsComplete(env) ? "r2" : "gateway";
}

export function r2Configured(env: Env): boolean {
  return uploadMode(env) === "r2";
}

export function uploadSigner(env: Env, origin: string): UploadSigner {
  const r2 = r2Configured(env);
  const client = new AwsClient({
    accessKeyId: r2 ? env.R2_ACCESS_KEY_ID! : LOCAL_ACCESS_KEY_ID,
    secretAccessKey: r2 ? env.R2_SECRET_ACCESS_KEY! : signingSecret(env),
    service: SERVICE,
    region: REGION,
  });
  const base = r2 ? `${r2Endpoint(env)}/${encodeURIComponent(env.R2_BUCKET_NAME!)}/` : origin + LOCAL_UPLOAD_PATH;
  return {
    mode: r2 ? "r2" : "local",
    async sign(key, method, expiresSeconds) {
      const url = new URL(base + encodeKey(key));
      url.searchParams.set("X-Amz-Expires", String(Math.floor(expiresSeconds)));
      const signed = await client.sign(url.toString(), { method, aws: { signQuery: true } });
      return signed.url;
    },
  };
}

export type Verification = { ok: true; key: string } | { ok: false; reason: string };

/**
 * Checks a request against a local-mode presigned URL: algorithm, credential scope, expiry, and the
 * signature recomputed over method, host, path and query (compared in constant time).
 */
export async function verifyLocalPresigned(request: Request, env: Env, now = Date.now()): Promise<Verification> {
  const url = new URL(request.url);
  const q = url.searchParams;
  // Exactly the parameters sign() issues, each once: the signature is recomputed over the query as
  // received, and a second value or an unknown parameter must not ride along on a valid signature.
  const names = [...q.keys()];
  if (names.length !== SIGNED_QUERY.length || new Set(names).size !== names.length || !SIGNED_QUERY.every((n) => q.has(n))) {
    return { ok: false, reason: `the query must carry exactly ${SIGNED_QUERY.join(", ")}, each once` };
  }
  if (q.get("X-Amz-SignedHeaders") !== SIGNED_HEADERS) return { ok: false, reason: `signed headers must be '${SIGNED_HEADERS}'` };
  const signature = q.get("X-Amz-Signature");
  const datetime = q.get("X-Amz-Date");
  const expires = q.get("X-Amz-Expires");
  const credential = q.get("X-Amz-Credential");
  if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" || !signature || !datetime || !expires || !credential) {
    return { ok: false, reason: "missing or unsupported signature parameters" };
  }
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(datetime);
  if (!when || !/^\d{1,6}$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: "malformed signature parameters" };
  }
  const signedAt = Date.UTC(+when[1]!, +when[2]! - 1, +when[3]!, +when[4]!, +when[5]!, +when[6]!);
  if (signedAt - MAX_CLOCK_SKEW_MS > now) return { ok: false, reason: "signature date is in the future" };
  if (signedAt + Number(expires) * 1000 < now) return { ok: false, reason: "the URL has expired" };
  if (credential !== `${LOCAL_ACCESS_KEY_ID}/${datetime.slice(0, 8)}/${REGION}/${SERVICE}/aws4_request`) {
    return { ok: false, reason: "credential scope does not match" };
  }
  const unsigned = new URL(url);
  unsigned.searchParams.delete("X-Amz-Signature");
  const signer = new AwsV4Signer({
    method: request.method,
    url: unsigned.toString(),
    accessKeyId: LOCAL_ACCESS_KEY_ID,
    secretAccessKey: signingSecret(env),
    service: SERVICE,
    region: REGION,
    datetime,
    signQuery: true,
  });
  if (!(await timingSafeEqualStrings(await signer.signature(), signature))) {
    return { ok: false, reason: "signature does not match" };
  }
  let key: string;
  try {
    key = url.pathname.slice(LOCAL_UPLOAD_PATH.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return { ok: false, reason: "malformed key" };
  }
  return { ok: true, key };
}

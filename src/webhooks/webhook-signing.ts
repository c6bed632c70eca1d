// Webhook secrets and signatures. A secret is derived from SIGNING_SECRET and a per-webhook random salt,
// so D1 holds only the salt; the signature is HMAC-SHA256 over `<timestamp>.<raw body>`.
import { base64url, hmacSha256, randomId } from "../identity/secrets";

export const SECRET_PREFIX = "whsec_";
export const SIGNATURE_HEADER = "X-Registry-Signature";
export const TIMESTAMP_HEADER = "X-Registry-Timestamp";

export const newSecretSalt = () => randomId(16);

/** The webhook's signing secret: shown once at creation, recomputed for every delivery, never stored. */
export async function webhookSecret(signingSecret: string, webhookId: string, salt: string): Promise<string> {
  return SECRET_PREFIX + base64url(await hmacSha256(signingSecret, `webhook-secret/v1\n${webhookId}\n${salt}`));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; receivers recompute it and reject stale timestamps. */
export async function signDelivery(secret: string, timestamp: number, body: string): Promise<string> {
  return `v1=${hex(await hmacSha256(secret, `${timestamp}.${body}`))}`;
}

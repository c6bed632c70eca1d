// Org tokens: generation, hashing and reading them off the Authorization header. Pure apart from randomness.
import { base64url, randomBytes, randomId, sha256Hex } from "./secrets";

export const ROLES = ["reader", "publisher", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Recognisable in logs and secret scanners; 256 random bits follow. */
export const TOKEN_PREFIX = "erg_";

export function generateToken(): { id: string; secret: string } {
  return { id: `tok_${randomId(12)}`, secret: TOKEN_PREFIX + base64url(randomBytes(32)) };
}

export const hashToken = (secret: string) => sha256Hex(secret);

export type AuthorizationHeader = { kind: "none" } | { kind: "token"; secret: string } | { kind: "malformed" };

/** `token <t>` (the Pulumi CLI) or `Bearer <t>`; schemes are case-insensitive. */
export function readAuthorization(header: string | null): AuthorizationHeader {
  if (header === null) return { kind: "none" };
  const match = /^\s*(token|bearer)\s+(\S+)\s*$/i.exec(header);
  if (!match?.[2]) return { kind: "malformed" };
  return { kind: "token", secret: match[2] };
}

// Org tokens: their format, minting, MAC verification, hashing and reading them off the Authorization
// header. Pure apart from randomness and WebCrypto. See docs/tokens.md for the format and key rotation.
import { base64url, hmacSha256, randomBytes, randomId, sha256Hex } from "./secrets";

export const ROLES = ["reader", "publisher", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Recognisable in logs and secret scanners. */
export const TOKEN_PREFIX = "erg_";
const MAC_BYTES = 16;
const encoder = new TextEncoder();

/**
 * A token minted under a key of TOKEN_KEYS: `erg_<keyId>.<id>.<random>.<mac>`, where `id` is the token
 * row's id without its `tok_`, `random` 256 random bits and `mac` the first 128 bits of
 * HMAC-SHA256(key, "token/v1\n<keyId>\n<id>\n<random>"). A made-up token fails the MAC without any
 * storage access; a real one is then still looked up (by its SHA-256), so revocation and expiry hold.
 */
const SIGNED = /^erg_([a-z0-9]{1,16})\.([0-9a-f]{24})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$/;
/** Tokens minted before TOKEN_KEYS: 256 random bits, no MAC; they keep working (docs/tokens.md). */
const LEGACY = /^erg_[A-Za-z0-9_-]{43}$/;

export interface TokenKey {
  id: string;
  secret: string;
}

/**
 * TOKEN_KEYS: one or more `keyId:secret` entries, separated by commas or white space. The first mints;
 * every one verifies, so a new key goes in front before the old one is retired.
 */
export function parseTokenKeys(raw: string | undefined): TokenKey[] {
  const keys: TokenKey[] = [];
  for (const entry of (raw ?? "").split(/[\s,]+/).filter(Boolean)) {
    const colon = entry.indexOf(":");
    const id = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    // Configuration errors: a 500 without detail, the log line says what is wrong.
    if (colon < 0 || !/^[a-z0-9]{1,16}$/.test(id)) throw new Error("TOKEN_KEYS: each entry is keyId:secret, keyId 1-16 of [a-z0-9]");
    if (secret.length < 16) throw new Error(`TOKEN_KEYS: the secret of key '${id}' must have at least 16 characters`);
    if (keys.some((k) => k.id === id)) throw new Error(`TOKEN_KEYS: key '${id}' is listed twice`);
    keys.push({ id, secret });
  }
  return keys;
}

const macOf = async (key: TokenKey, id: string, random: string) => (await hmacSha256(key.secret, `token/v1\n${key.id}\n${id}\n${random}`)).slice(0, MAC_BYTES);

/** A new token under the first key of TOKEN_KEYS; the row stores only `hashToken(secret)`. */
export async function generateToken(keys: TokenKey[]): Promise<{ id: string; secret: string; keyId: string }> {
  const key = keys[0];
  if (!key) throw new Error("TOKEN_KEYS is not configured: tokens cannot be minted (docs/tokens.md)");
  const id = randomId(12);
  const random = base64url(randomBytes(32));
  return { id: `tok_${id}`, keyId: key.id, secret: `${TOKEN_PREFIX}${key.id}.${id}.${random}.${base64url(await macOf(key, id, random))}` };
}

/**
 * What a presented token is, decided without storage: `signed` (its MAC checked in constant time under
 * the key it names), `legacy` (the pre-MAC shape, which only a lookup can judge) or `refused`.
 */
export type TokenScreen = { kind: "signed"; tokenId: string; keyId: string } | { kind: "legacy" } | { kind: "refused" };

export async function screenToken(secret: string, keys: TokenKey[]): Promise<TokenScreen> {
  if (LEGACY.test(secret)) return { kind: "legacy" };
  const match = SIGNED.exec(secret);
  const key = match && keys.find((k) => k.id === match[1]);
  if (!match || !key) return { kind: "refused" };
  // Compared as text, so the MAC has one spelling (base64url's spare bits cannot make variants of a token).
  const given = encoder.encode(match[4]!);
  const expected = encoder.encode(base64url(await macOf(key, match[2]!, match[3]!)));
  if (given.length !== expected.length || !crypto.subtle.timingSafeEqual(given, expected)) return { kind: "refused" };
  return { kind: "signed", tokenId: `tok_${match[2]}`, keyId: key.id };
}

/** The row id a token of the signed shape names, MAC unchecked (callers rely on the entry's check). */
export function signedTokenId(secret: string): string | undefined {
  const match = SIGNED.exec(secret);
  return match ? `tok_${match[2]}` : undefined;
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

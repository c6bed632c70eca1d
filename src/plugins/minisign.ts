// minisign's formats, written by the registry: the prehashed `ED` signature (Ed25519 over BLAKE2b-512 of
// the file, and a global signature over that signature and the trusted comment) and the public key file,
// so `minisign -V` (Debian's `minisign` package) verifies a version's SHA256SUMS. Never the legacy `Ed` form.
import { blake2b } from "@noble/hashes/blake2.js";

/**
 * PLUGIN_SIGNING_KEY: `<key id, 16 hex digits>:<Ed25519 seed, base64url>:<public key, base64url>`
 * (scripts/dev-vars.mjs generates one; docs/guide/plugins.md says how to make and rotate it).
 */
export interface SigningKey {
  /** minisign's key number: 8 bytes as they appear in the files. */
  keyNumber: Uint8Array;
  /** As minisign prints it: the key number read as a little-endian integer, upper-case hex. */
  keyId: string;
  publicKey: Uint8Array;
  privateKey: CryptoKey;
}

const b64url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const keyCache = new Map<string, Promise<SigningKey>>();

/** The parsed key; a configuration error (thrown, so a 500 without detail) when it is malformed. */
export function signingKey(secret: string): Promise<SigningKey> {
  let cached = keyCache.get(secret);
  if (!cached) {
    cached = parseKey(secret);
    keyCache.set(secret, cached);
    cached.catch(() => keyCache.delete(secret));
  }
  return cached;
}

async function parseKey(secret: string): Promise<SigningKey> {
  const match = /^([0-9A-Fa-f]{16}):([A-Za-z0-9_-]{43}):([A-Za-z0-9_-]{43})$/.exec(secret.trim());
  if (!match) throw new Error("PLUGIN_SIGNING_KEY must be <16 hex key id>:<base64url Ed25519 seed>:<base64url public key>");
  const keyId = match[1]!.toUpperCase();
  const keyNumber = Uint8Array.from({ length: 8 }, (_, i) => parseInt(keyId.slice(14 - 2 * i, 16 - 2 * i), 16));
  const privateKey = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: match[2], x: match[3] }, { name: "Ed25519" }, false, ["sign"]);
  return { keyNumber, keyId, publicKey: b64url(match[3]!), privateKey };
}

async function sign(key: SigningKey, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, message));
}

/** The `.minisig` of `file` (prehashed). Ed25519 is deterministic: the same file and comment give the same bytes. */
export async function minisignSignature(key: SigningKey, file: Uint8Array, trustedComment: string): Promise<string> {
  const signature = await sign(key, blake2b(file, { dkLen: 64 }));
  const global = await sign(key, concat(signature, new TextEncoder().encode(trustedComment)));
  return [
    `untrusted comment: signature from edge-registry key ${key.keyId}`,
    b64(concat(new TextEncoder().encode("ED"), key.keyNumber, signature)),
    `trusted comment: ${trustedComment}`,
    b64(global),
    "",
  ].join("\n");
}

/** The public key file minisign reads with `-p`; its second line is what `-P` takes. */
export function minisignPublicKey(key: Pick<SigningKey, "keyId" | "keyNumber" | "publicKey">): string {
  return `untrusted comment: minisign public key ${key.keyId}\n${b64(concat(new TextEncoder().encode("Ed"), key.keyNumber, key.publicKey))}\n`;
}

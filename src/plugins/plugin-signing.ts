// A version's SHA256SUMS and its minisign signature, made from the stored plugin records on each request:
// the lines are sorted by file name (an attach only adds lines) and Ed25519 is deterministic, so every
// request answers the same bytes until the next attach re-issues both. The public keys at a well-known URL.
import { notFound } from "../http/api-error";
import type { Env } from "../env";
import { minisignPublicKey, minisignSignature, signingKey, type SigningKey } from "./minisign";
import { sha256Sums } from "./plugin-view";

export const SUMS_FILE = "SHA256SUMS";
export const SIGNATURE_FILE = "SHA256SUMS.minisig";
export const PUBLIC_KEY_PATH = "/.well-known/plugin-signing.pub";
export const PUBLIC_KEYS_PREFIX = "/.well-known/plugin-signing/";

export async function configuredKey(env: Env): Promise<SigningKey | undefined> {
  return env.PLUGIN_SIGNING_KEY ? signingKey(env.PLUGIN_SIGNING_KEY) : undefined;
}

/** What the trusted comment says (signed with the file): the package version the sums belong to. */
export function trustedComment(identity: { source: string; publisher: string; name: string }, version: string): string {
  return `edge-registry ${identity.source}/${identity.publisher}/${identity.name} v${version} ${SUMS_FILE}`;
}

export async function sumsFile(env: Env, file: string, plugins: string | null, comment: string): Promise<string | undefined> {
  const sums = sha256Sums(plugins);
  if (!sums) return undefined;
  if (file === SUMS_FILE) return sums;
  const key = await configuredKey(env);
  if (!key) return undefined;
  return minisignSignature(key, new TextEncoder().encode(sums), comment);
}

/** Every published public key: the current one and those kept after rotations, by minisign key id. */
export async function publicKeys(env: Env): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  const current = await configuredKey(env);
  if (current) keys.set(current.keyId, minisignPublicKey(current));
  for (const entry of (env.PLUGIN_PREVIOUS_PUBLIC_KEYS ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const match = /^([0-9A-Fa-f]{16}):([A-Za-z0-9_-]{43})$/.exec(entry);
    if (!match) throw new Error("PLUGIN_PREVIOUS_PUBLIC_KEYS entries must be <16 hex key id>:<base64url public key>");
    const keyId = match[1]!.toUpperCase();
    const keyNumber = Uint8Array.from({ length: 8 }, (_, i) => parseInt(keyId.slice(14 - 2 * i, 16 - 2 * i), 16));
    const publicKey = Uint8Array.from(atob(match[2]!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    if (!keys.has(keyId)) keys.set(keyId, minisignPublicKey({ keyId, keyNumber, publicKey }));
  }
  return keys;
}

export async function currentPublicKey(env: Env): Promise<string> {
  const key = await configuredKey(env);
  if (!key) throw notFound("this registry has no plugin signing key configured");
  return minisignPublicKey(key);
}

// Continuation tokens: the keyset position, MACed together with the query it was issued for, so a
// tampered token or one reused with other filters is a 400. Only [A-Za-z0-9_-] (the CLI pastes it raw).
import { badRequest } from "../http/api-error";
import { base64url, fromBase64url, hmacSha256 } from "../identity/secrets";

const MAC_BYTES = 16;
const MAC_CHARS = 22; // base64url of 16 bytes, unpadded

export type Position = Array<string | number | null>;

async function mac(secret: string, scope: string, payload: string): Promise<string> {
  return base64url((await hmacSha256(secret, `continuation/v1\n${scope}\n${payload}`)).slice(0, MAC_BYTES));
}

export async function encodeContinuation(secret: string, scope: string, position: Position): Promise<string> {
  const payload = base64url(new TextEncoder().encode(JSON.stringify(position)));
  return payload + (await mac(secret, scope, payload));
}

export async function decodeContinuation(secret: string, scope: string, token: string): Promise<Position> {
  const invalid = badRequest("invalid continuationToken: it was not issued for this query");
  if (token.length <= MAC_CHARS || token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  const payload = token.slice(0, -MAC_CHARS);
  const expected = await mac(secret, scope, payload);
  const given = token.slice(-MAC_CHARS);
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(given);
  if (a.byteLength !== b.byteLength || !crypto.subtle.timingSafeEqual(a, b)) throw invalid;
  const bytes = fromBase64url(payload);
  if (!bytes) throw invalid;
  const position: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (!Array.isArray(position)) throw invalid;
  return position as Position;
}

/** For walks keyed on one column (an id, a precedence key): the key a token carries, checked for its type. */
export async function decodeSingleKey<T extends "string" | "number">(
  secret: string,
  scope: string,
  token: string | undefined,
  type: T,
): Promise<(T extends "string" ? string : number) | undefined> {
  if (token === undefined) return undefined;
  const position = await decodeContinuation(secret, scope, token);
  if (position.length !== 1 || typeof position[0] !== type) throw badRequest("invalid continuationToken: it was not issued for this query");
  return position[0] as T extends "string" ? string : number;
}

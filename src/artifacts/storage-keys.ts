// R2 key layout. Keys are built only from validated segments: staging keys are scoped by the operation
// id, published keys by kind/source/publisher/name/version and the operation that published them.

export const STAGING_PREFIX = "staging/";
const OPERATION_ID = /^[0-9a-f]{32}$/;
/** A slot name: letters and digits, starting with a letter (`schema`, `pluginLinuxAmd64`). */
const SLOT = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

export function stagingPrefix(operationId: string): string {
  return `${STAGING_PREFIX}${operationId}/`;
}

export function stagingKey(operationId: string, slot: string): string {
  return stagingPrefix(operationId) + slot;
}

/** The inverse of stagingKey, for the upload route: anything else is not an upload target. */
export function parseStagingKey(key: string): { operationId: string; slot: string } | null {
  const parts = key.split("/");
  if (parts.length !== 3 || `${parts[0]}/` !== STAGING_PREFIX) return null;
  const [, operationId, slot] = parts as [string, string, string];
  return OPERATION_ID.test(operationId) && SLOT.test(slot) ? { operationId, slot } : null;
}

export interface PublishedIdentity {
  kind: string;
  source: string;
  publisher: string;
  canonicalName: string;
  version: string;
}

export function publishedPrefix(id: PublishedIdentity, operationId: string): string {
  return `${id.kind}s/${id.source}/${id.publisher}/${id.canonicalName}/${id.version}/${operationId}/`;
}

// What names one item of the registry, and how messages name it: the words every layer shares.

/**
 * A kind of item (`package`, `template`, …): an open string, registered by a kind descriptor
 * (src/core/kind.ts). D1 stores it as plain text; nothing in the core enumerates the kinds.
 */
export type Kind = string;

export interface Identity {
  kind: Kind;
  source: string;
  publisher: string;
  name: string;
  canonicalName: string;
}

export interface VersionRef {
  version: string;
  precedenceKey: string;
  prerelease: boolean;
}

/** `package version 'source/publisher/name@version'` (or without the version): the form every message uses. */
export function describeIdentity(id: Identity, version?: string): string {
  return `${id.kind} ${version ? "version " : ""}'${id.source}/${id.publisher}/${id.name}${version ? `@${version}` : ""}'`;
}

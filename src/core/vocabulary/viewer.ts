// Who is reading, as far as a catalog read (and its SQL) needs to know.

/**
 * `token` is a caller whose token is looked up in the same batch: the query names its org by the
 * token's hash, and the result is thrown away unless the token turns out to be valid.
 */
export type Viewer = { kind: "anonymous" } | { kind: "org"; org: string } | { kind: "token"; hash: string } | SessionViewer;

/**
 * A browser session (src/web/session.ts) read by the SHA-256 of its id: the query names the session's org
 * only while the session and its token are live at `now` (ISO), so a page's reads need not wait for the
 * session lookup, and a revoked token's session reads as anonymous.
 */
export type SessionViewer = { kind: "session"; idHash: string; now: string };

/** A viewer once known: nobody, or an org. Callers (src/identity/rights.ts) are of this shape. */
export type ResolvedViewer = { kind: "anonymous" } | { kind: "org"; org: string };

// A slash-separated key or name as a URL path: each segment URI-encoded, the slashes kept.

/** Each segment is URI-encoded: a raw `+` would otherwise be read (and signed) as a space. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

// If-None-Match for GET and HEAD, the one matcher every route with an ETag uses.

/**
 * True when `If-None-Match` is `*` or lists a tag equal to `etag` under weak comparison (RFC 9110
 * §13.1.2: `W/"x"` and `"x"` match), so the answer is a 304.
 */
export function noneMatchHits(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const ours = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === ours;
  });
}

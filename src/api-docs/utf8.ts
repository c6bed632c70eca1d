// Byte lengths of text as UTF-8, for the byte offsets of range reads.

/** UTF-8 length without encoding: the offsets of nav.json's parts are byte offsets for range reads. */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Two bytes below U+0800, three up to U+FFFF, four for a surrogate pair (two UTF-16 units, so one more each).
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

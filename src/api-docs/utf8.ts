// UTF-8 for range reads: byte lengths of text (the offsets), and text of ranges that may begin with U+FEFF.

const NON_ASCII = /[\u0080-\uffff]/;

/** UTF-8 length without encoding: the offsets of nav.json's parts are byte offsets for range reads. */
export function utf8Length(text: string): number {
  // Most text is ASCII: the native search answers it (several times faster than the loop below, measured on index lines).
  const first = text.search(NON_ASCII);
  if (first < 0) return text.length;
  let n = text.length;
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    // Two bytes below U+0800, three up to U+FFFF, four for a surrogate pair (two UTF-16 units: two more). A surrogate
    // without its other half is encoded as U+FFFD, three bytes, as TextEncoder writes it.
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * Decodes UTF-8 keeping a leading U+FEFF: a range of a derived object (or a run's line) may begin with a token or a
 * name that begins with one, which a default decoder, and Body.text(), take for a byte order mark and drop.
 */
export const contentDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** An object's (or a range's) text, a leading U+FEFF kept (see contentDecoder). */
export async function contentText(object: R2ObjectBody): Promise<string> {
  return contentDecoder.decode(await object.arrayBuffer());
}

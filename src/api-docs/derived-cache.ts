// Derived docs objects are immutable: their keys name one publish attempt (the version's own prefix), so an
// isolate may keep what it read of them. Pages read the same few objects on every request (the nav summary,
// a module's slice of nav.json, index lines, packed documents); kept here, a warm page reads none of them
// from R2 again. Bounded by bytes, least recently used first out; only found objects are kept (docs of an
// older version may be derived later), and values are shared, so callers never modify what they get.

/** An object or range larger than this is read every time. */
const MAX_ENTRY_BYTES = 256 * 1024;
/** What an isolate keeps in all, counted by stored bytes (a parsed value takes more; this bounds it in proportion). */
const MAX_TOTAL_BYTES = 8 * 1024 * 1024;

const entries = new Map<string, { value: unknown; bytes: number }>();
let totalBytes = 0;

function remember(key: string, value: unknown, bytes: number): void {
  if (bytes > MAX_ENTRY_BYTES) return;
  const old = entries.get(key);
  if (old) {
    entries.delete(key);
    totalBytes -= old.bytes;
  }
  entries.set(key, { value, bytes });
  totalBytes += bytes;
  for (const [oldest, e] of entries) {
    if (totalBytes <= MAX_TOTAL_BYTES) break;
    entries.delete(oldest);
    totalBytes -= e.bytes;
  }
}

function recall<T>(key: string): T | undefined {
  const hit = entries.get(key);
  if (!hit) return undefined;
  // Most recently used last.
  entries.delete(key);
  entries.set(key, hit);
  return hit.value as T;
}

/**
 * An immutable derived object (or a byte range of it), read and parsed once per isolate: `undefined` when
 * it is absent (not kept, so a later derivation is seen).
 */
export async function readImmutable<T>(
  bucket: R2Bucket,
  key: string,
  parse: (object: R2ObjectBody) => Promise<T>,
  range?: { offset: number; length: number },
  /** Kept apart from other parses of the same bytes (e.g. a filter list per language). */
  variant?: string,
): Promise<T | undefined> {
  const id = (range ? `${key}@${range.offset}+${range.length}` : key) + (variant ? `#${variant}` : "");
  const known = recall<T>(id);
  if (known !== undefined) return known;
  const object = await bucket.get(key, range ? { range } : undefined);
  if (!object) return undefined;
  const value = await parse(object);
  remember(id, value, range ? range.length : object.size);
  return value;
}

/** For tests: how many entries and bytes this isolate holds. */
export function derivedCacheSize(): { entries: number; bytes: number } {
  return { entries: entries.size, bytes: totalBytes };
}

// Joining byte chunks read from a stream, and reading a stream whole within a limit.

export function concatBytes(parts: readonly Uint8Array[], length = parts.reduce((n, p) => n + p.byteLength, 0)): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * Reads `body` whole, but never more than `max` bytes: past that the stream is cancelled and `tooLarge()`
 * is thrown. What a body without a length (or one lying about it) is read with.
 */
export async function readWithin(body: ReadableStream<Uint8Array>, max: number, tooLarge: () => Error): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}

/** How many bytes `chunksOf` asks a byte stream for at a time. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Bytes `chunksOf` hands over between two turns of the event loop it gives back (see there). */
const YIELD_EVERY_BYTES = 1024 * 1024;

/** Resolves on a later turn of the event loop (a timer), not in this turn's microtasks. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A stream's bytes in chunks of about `size` bytes (the last may be shorter), each in a buffer of its own: what a
 * caller that walks a whole object byte by byte reads with. A byte stream (an R2 object's body, a request's) is read
 * with a BYOB reader's `readAtLeast` (a workerd extension); its default reader hands over small chunks (4 KiB from
 * the local R2, measured), each a promise turn and a call into the scanner. Any other stream is read as it comes.
 * The stream is cancelled when the caller stops early (a `break`, or a throw inside its loop).
 *
 * After each YIELD_EVERY_BYTES the caller has walked, the event loop gets a turn. Reads of bytes the stream already
 * holds resolve without one, so a walk over a whole object ran as one stretch and every other request of the
 * isolate waited for it: complete's answer, already returned, reached its client only when the docs chain's
 * first step (which began meanwhile) had scanned its 32 MiB — 0.6 s later at dense 25 MiB (docs/api-docs.md,
 * "Complete's answer and the chain's first step"). A turn costs about 1.25 ms (a timer's, in workerd); given inside
 * the derivation's record loops as well, turns cost 10–30 % more of its CPU ("Turns given back"), so only whole-object
 * walks give them.
 */
export async function* chunksOf(stream: ReadableStream<Uint8Array>, size = READ_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const byob = byobReader(stream);
  const reader = byob ?? stream.getReader();
  const read = byob ? () => byob.readAtLeast(size, new Uint8Array(size)) : () => (reader as ReadableStreamDefaultReader<Uint8Array>).read();
  let done = false;
  let sinceTurn = 0;
  try {
    while (!done) {
      const chunk = await read();
      done = chunk.done;
      if (!chunk.value?.byteLength) continue;
      yield chunk.value;
      sinceTurn += chunk.value.byteLength;
      if (sinceTurn >= YIELD_EVERY_BYTES) {
        sinceTurn = 0;
        await nextTurn();
      }
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** A BYOB reader of `stream` that has workerd's `readAtLeast`; undefined (the stream left unlocked) otherwise. */
function byobReader(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    return undefined; // Not a byte stream (one made in JavaScript, say).
  }
  if (typeof (byob as { readAtLeast?: unknown }).readAtLeast === "function") return byob;
  byob.releaseLock();
  return undefined;
}

// chunksOf (src/http/bytes.ts): a whole object read in large chunks, the same bytes in the same order, and the stream
// let go of when the reader stops early.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { chunksOf, concatBytes } from "../../src/http/bytes";

const bucket = env.ARTIFACTS;
const MiB = 1024 * 1024;

/** Bytes that differ at every position mod 251, so that a chunk out of place or repeated shows. */
function patterned(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 251;
  return out;
}

describe("chunksOf", () => {
  it("reads an R2 object's body in chunks of the size asked for, the last shorter, and the same bytes", async () => {
    const bytes = patterned(3 * MiB + 12345);
    await bucket.put("chunks/whole", bytes);
    const chunks: Uint8Array[] = [];
    for await (const chunk of chunksOf((await bucket.get("chunks/whole"))!.body)) chunks.push(chunk);
    // The local R2's default reader hands over 4 KiB chunks; the BYOB reader's readAtLeast fills 1 MiB.
    expect(chunks.map((c) => c.byteLength)).toEqual([MiB, MiB, MiB, 12345]);
    expect(concatBytes(chunks)).toEqual(bytes);
    // Each chunk has a buffer of its own: one kept by a caller is not written over by the next read.
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
  });

  it("answers a small size and an empty object", async () => {
    await bucket.put("chunks/small", patterned(1000));
    const sizes: number[] = [];
    for await (const chunk of chunksOf((await bucket.get("chunks/small"))!.body, 300)) sizes.push(chunk.byteLength);
    expect(sizes).toEqual([300, 300, 300, 100]);
    await bucket.put("chunks/empty", new Uint8Array(0));
    const none: Uint8Array[] = [];
    for await (const chunk of chunksOf((await bucket.get("chunks/empty"))!.body)) none.push(chunk);
    expect(none).toEqual([]);
  });

  it("reads a stream that is not a byte stream as it comes", async () => {
    const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4]), new Uint8Array(0), new Uint8Array([5, 6])];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(p);
        controller.close();
      },
    });
    const chunks: number[][] = [];
    for await (const chunk of chunksOf(stream)) chunks.push([...chunk]);
    expect(chunks).toEqual([[1, 2, 3], [4], [5, 6]]);
  });

  it("cancels the stream when its reader stops early, whether by a break or a throw", async () => {
    for (const how of ["break", "throw"] as const) {
      let cancelled: unknown = "not cancelled";
      let pulled = 0;
      const stream = new ReadableStream({
        type: "bytes",
        pull(controller: ReadableByteStreamController) {
          pulled++;
          controller.enqueue(patterned(64 * 1024));
        },
        cancel(reason: unknown) {
          cancelled = reason;
        },
      } as UnderlyingByteSource) as ReadableStream<Uint8Array>;
      const run = async () => {
        for await (const chunk of chunksOf(stream, 128 * 1024)) {
          expect(chunk.byteLength).toBe(128 * 1024);
          if (how === "break") break;
          throw new Error("stop");
        }
      };
      if (how === "throw") await expect(run()).rejects.toThrow("stop");
      else await run();
      expect(cancelled).toBeUndefined();
      expect(stream.locked).toBe(false);
      // An endless source: it was pulled only for the one chunk read.
      expect(pulled).toBeLessThanOrEqual(3);
    }
  });

  it("gives the event loop a turn after each MiB walked, where reads of held bytes would not", async () => {
    // Every chunk is in the stream before the walk: each read resolves at once, in the same turn. A timer set before
    // the walk stands for another request of the isolate (complete's answer, waiting to be sent).
    const chunkBytes = 256 * 1024;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 16; i++) controller.enqueue(new Uint8Array(chunkBytes));
        controller.close();
      },
    });
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const firedAt: boolean[] = [];
    for await (const chunk of chunksOf(stream)) {
      firedAt.push(fired);
      expect(chunk.byteLength).toBe(chunkBytes);
    }
    // The first MiB (4 chunks) is walked in one stretch; the timer runs before the fifth chunk.
    expect(firedAt).toEqual([false, false, false, false, ...new Array<boolean>(12).fill(true)]);
  });
});

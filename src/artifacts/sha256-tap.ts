// A pass-through that hashes what flows through it: the SHA-256 of exactly the bytes copied, in flat memory.

export function sha256Tap(): { tap: TransformStream<Uint8Array, Uint8Array>; hex: () => Promise<string> } {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      await writer.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await writer.close();
    },
  });
  const hex = async () => [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { tap, hex };
}

// Block-wise reading of an inflated tar stream: holds at most one chunk plus what a caller asked for.
import { concatBytes } from "../http/bytes";

export const BLOCK = 512;

export const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

export function ignoreCancelFailure(): void {
  // Cancelling is cleanup after a verdict; a stream that fails to cancel changes nothing about it.
}

/** At least `n` bytes from the start of a stream (fewer only when it ends first). */
export async function readAtLeast(reader: ReadableStreamDefaultReader<Uint8Array>, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  while (length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.length;
  }
  return concatBytes(parts, length);
}

export class BlockReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly onReadError: (error: unknown) => never,
  ) {}

  /** Exactly `n` bytes, or fewer only when the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    if (this.chunk.length - this.pos >= n) {
      const out = this.chunk.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const out = new Uint8Array(n);
    const got = await this.consume(n, (piece, offset) => out.set(piece, offset));
    return got === n ? out : out.subarray(0, got);
  }

  /** `size` bytes of entry data plus the padding to the next block; undefined when the stream ends first. */
  async readPadded(size: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(size);
    const got = await this.consume(padded(size), (piece, offset) => {
      if (offset < size) out.set(piece.subarray(0, size - offset), offset);
    });
    return got === padded(size) ? out : undefined;
  }

  /** Skips entry data plus padding without keeping it; false when the stream ends first. */
  async skipPadded(size: number): Promise<boolean> {
    return (await this.consume(padded(size))) === padded(size);
  }

  async cancel(): Promise<void> {
    this.ended = true;
    await this.reader.cancel().catch(ignoreCancelFailure);
  }

  private async consume(n: number, sink?: (piece: Uint8Array, offset: number) => void): Promise<number> {
    let done = 0;
    while (done < n) {
      if (this.pos >= this.chunk.length && !(await this.next())) break;
      const take = Math.min(n - done, this.chunk.length - this.pos);
      sink?.(this.chunk.subarray(this.pos, this.pos + take), done);
      this.pos += take;
      done += take;
    }
    return done;
  }

  private async next(): Promise<boolean> {
    if (this.ended) return false;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.reader.read();
    } catch (error) {
      this.ended = true;
      return this.onReadError(error);
    }
    if (result.done) {
      this.ended = true;
      return false;
    }
    this.chunk = result.value;
    this.pos = 0;
    return true;
  }
}

// Durable Object, one per (kind, source, publisher, canonical name): serializes everything that can conflict on it.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class PublishCoordinator extends DurableObject<Env> {
  /** A DO interleaves requests while one awaits I/O; this chain makes each publish step run alone. */
  private queue: Promise<unknown> = Promise.resolve();

  protected serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

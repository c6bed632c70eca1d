// A loopback port nothing listens on, for "connection refused" deliveries: the receiver's own port
// plus a fixed offset would race other tests, so ask the receiver (Node) for one it just released.
import { inject } from "vitest";

export async function freeLoopbackPort(): Promise<number> {
  const r = await fetch(`${inject("receiverUrl")}/free-port`);
  return Number(await r.text());
}

// The API's way to read as its caller: the token lookup batched with the read (one D1 round trip), and
// the caller it turned out to be, for what the answer shows them.
import type { RequestContext } from "../http/context";
import type { Caller } from "../identity/rights";
import type { ScopedReader } from "../core/resolve-version";

export function apiReader(context: RequestContext): { read: ScopedReader; caller(): Promise<Caller> } {
  let known: Caller | undefined;
  const read: ScopedReader = async (build) => {
    const { caller, value } = await context.readAs(build, context.db);
    known = caller;
    return value;
  };
  return { read, caller: () => (known ? Promise.resolve(known) : context.caller()) };
}

// Counts every call a request makes into its storage bindings (D1, R2, the Durable Object namespace,
// the webhook queue), whatever the call, so a test can show that a refused request touched none of them.

/** The bindings counted: everything in Env that reaches storage outside this isolate. */
export const STORAGE_BINDINGS = ["DB", "ARTIFACTS", "PUBLISH_COORDINATOR", "WEBHOOK_QUEUE"] as const;

/** Calls per binding, and the bytes of the R2 object bodies the request read (`artifactBytesRead`: a range read counts its range). */
export type StorageStats = Record<(typeof STORAGE_BINDINGS)[number], number> & { artifactBytesRead: number };

export const newStorageStats = (): StorageStats => ({ DB: 0, ARTIFACTS: 0, PUBLISH_COORDINATOR: 0, WEBHOOK_QUEUE: 0, artifactBytesRead: 0 });

export const storageCalls = (stats: StorageStats) => STORAGE_BINDINGS.reduce((a, name) => a + stats[name], 0);

/** The bytes an R2 `get` answer carries: its range's length, else the whole object's size. */
export function bodyBytes(object: { size: number; range?: R2Range }): number {
  const range = object.range as { offset?: number; length?: number; suffix?: number } | undefined;
  if (!range) return object.size;
  if (range.length !== undefined) return range.length;
  if (range.suffix !== undefined) return Math.min(range.suffix, object.size);
  return Math.max(0, object.size - (range.offset ?? 0));
}

/** The binding with each of its methods counted into `stats[name]` when called (a prepare counts as much as a query). */
function countingBinding<T extends object>(binding: T, count: () => void, measure?: (method: string | symbol, result: unknown) => void): T {
  return new Proxy(binding, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      // A D1 session makes no call by itself; what is called on it is counted.
      if (prop === "withSession") return (...args: unknown[]) => countingBinding((value as (...a: unknown[]) => object).apply(target, args), count);
      return (...args: unknown[]) => {
        count();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (measure) measure(prop, result);
        return result;
      };
    },
  });
}

/** `env` with its storage bindings counted; every other variable passes through unchanged. */
export function countingStorage<E extends object>(env: E, stats: StorageStats): E {
  const wrapped = { ...env } as Record<string, unknown>;
  for (const name of STORAGE_BINDINGS) {
    const binding = wrapped[name];
    // R2 gets also count the bytes of the bodies they answer (whether or not the caller reads them all).
    const measure =
      name === "ARTIFACTS"
        ? (method: string | symbol, result: unknown) => {
            if (method === "get" && result instanceof Promise) {
              void result.then(
                (object: { size?: number; range?: R2Range; body?: unknown } | null) => {
                  if (object && object.body !== undefined && typeof object.size === "number") stats.artifactBytesRead += bodyBytes(object as { size: number; range?: R2Range });
                },
                () => undefined,
              );
            }
          }
        : undefined;
    if (binding && typeof binding === "object") wrapped[name] = countingBinding(binding, () => stats[name]++, measure);
  }
  return wrapped as E;
}

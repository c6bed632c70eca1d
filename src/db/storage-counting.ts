// Counts every call a request makes into its storage bindings (D1, R2, the Durable Object namespace,
// the webhook queue), whatever the call, so a test can show that a refused request touched none of them.

/** The bindings counted: everything in Env that reaches storage outside this isolate. */
export const STORAGE_BINDINGS = ["DB", "ARTIFACTS", "PUBLISH_COORDINATOR", "WEBHOOK_QUEUE"] as const;

export type StorageStats = Record<(typeof STORAGE_BINDINGS)[number], number>;

export const newStorageStats = (): StorageStats => ({ DB: 0, ARTIFACTS: 0, PUBLISH_COORDINATOR: 0, WEBHOOK_QUEUE: 0 });

export const storageCalls = (stats: StorageStats) => Object.values(stats).reduce((a, b) => a + b, 0);

/** The binding with each of its methods counted into `stats[name]` when called (a prepare counts as much as a query). */
function countingBinding<T extends object>(binding: T, count: () => void): T {
  return new Proxy(binding, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      // A D1 session makes no call by itself; what is called on it is counted.
      if (prop === "withSession") return (...args: unknown[]) => countingBinding((value as (...a: unknown[]) => object).apply(target, args), count);
      return (...args: unknown[]) => {
        count();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** `env` with its storage bindings counted; every other variable passes through unchanged. */
export function countingStorage<E extends object>(env: E, stats: StorageStats): E {
  const wrapped = { ...env } as Record<string, unknown>;
  for (const name of STORAGE_BINDINGS) {
    const binding = wrapped[name];
    if (binding && typeof binding === "object") wrapped[name] = countingBinding(binding, () => stats[name]++);
  }
  return wrapped as E;
}

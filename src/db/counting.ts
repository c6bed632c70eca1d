// Counts the D1 calls a request makes (statements and round trips) around the real binding or session,
// for the request log line and, when EXPOSE_D1_STATS=true, the X-D1-Queries / X-D1-Round-Trips headers.

export interface D1Stats {
  /** Statements sent, a batch counting each of its statements. */
  queries: number;
  /** Calls to D1 (a batch is one); a request's sequential D1 round trips are at most this. */
  roundTrips: number;
}

export const newD1Stats = (): D1Stats => ({ queries: 0, roundTrips: 0 });

const EXECUTORS = new Set(["first", "run", "all", "raw"]);

/** The same binding, with every prepared statement, batch and exec counted into `stats`. */
export function countingD1<T extends D1Database | D1DatabaseSession>(d1: T, stats: D1Stats): T {
  // batch() must receive the binding's own statements, not the wrappers.
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapped = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof prop === "string" && EXECUTORS.has(prop) && typeof value === "function") {
          return (...args: unknown[]) => {
            stats.queries++;
            stats.roundTrips++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    originals.set(wrapped, statement);
    return wrapped;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          stats.queries += statements.length;
          stats.roundTrips++;
          return target.batch(statements.map((s) => originals.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === "exec" && typeof value === "function") {
        return (query: string) => {
          stats.queries++;
          stats.roundTrips++;
          return (value as (q: string) => unknown).call(target, query);
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

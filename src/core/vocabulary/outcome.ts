// The answer of a serialized step in the publish coordinator: a value, or a refusal with its HTTP status.
import { ApiError } from "../../http/api-error";

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (status: number, message: string): Outcome<never> => ({ ok: false, status, message });

/** The value, or the refusal thrown as the one error type. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new ApiError(outcome.status, outcome.message);
  return outcome.value;
}

// The docs derivation as the durable job runner drives it (src/api-docs/docs-job.ts): bounded steps
// from a JSON state, each re-runnable from the state stored before it.
import { deletePrefix } from "../artifacts/delete-prefix";
import { deriveDocs } from "./derive";

export interface DerivationInput {
  schemaKey: string;
  readmeKey?: string;
  installationKey?: string;
  /** Where the docs objects go, ending in "/" (docsPrefix(schemaKey) for a first derivation; a re-derivation gets a fresh one). */
  prefix: string;
  /** Unique per derivation attempt: temporary objects live under `${prefix}tmp/${workId}/`. */
  workId: string;
}

export type StepResult = { done: false; state: unknown } | { done: true; artifacts: Record<string, string> };

/** Runs the next bounded step; `state` is null for the first. */
export async function deriveStep(bucket: R2Bucket, input: DerivationInput, state: unknown | null): Promise<StepResult> {
  void state;
  const artifacts = await deriveDocs(bucket, { schemaKey: input.schemaKey, readmeKey: input.readmeKey, installationKey: input.installationKey, prefix: input.prefix });
  return { done: true, artifacts };
}

/** Deletes every temporary object of this workId (after a failure, or leftovers after success). */
export async function discardDerivation(bucket: R2Bucket, input: DerivationInput): Promise<void> {
  await deletePrefix(bucket, `${input.prefix}tmp/${input.workId}/`);
}

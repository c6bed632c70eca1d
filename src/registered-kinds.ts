// The names of the kinds this Worker serves, for the lists derived from them (webhook event types, audit
// actions). Wiring, like src/index.ts: a new kind adds its name here and its descriptor there.
export const REGISTERED_KINDS = ["package", "template", "policypack"] as const;

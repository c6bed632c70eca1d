// The publish coordinator of one identity, as a service reaches it.
import type { Env } from "../../env";
import type { Identity } from "../vocabulary/identity";
import { coordinatorName } from "./coordinator";

export function coordinatorFor(env: Pick<Env, "PUBLISH_COORDINATOR">, identity: Identity) {
  const ns = env.PUBLISH_COORDINATOR;
  return ns.get(ns.idFromName(coordinatorName(identity)));
}

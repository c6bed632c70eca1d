// Who may see and who may publish what: pure rules, tested without bindings.
import type { Role } from "./tokens";

export type Caller =
  | { kind: "anonymous" }
  /** `usageReported`: whether the org has reported any stack usage (false → usage counts are all zero without a query). */
  | { kind: "org"; org: string; role: Role; tokenId: string; usageReported?: boolean };

export const ANONYMOUS: Caller = { kind: "anonymous" };

export const PACKAGE_SOURCES = ["pulumi", "opentofu", "private"] as const;
export const TEMPLATE_SOURCES = ["private", "github", "gitlab"] as const;

export function hasRole(caller: Caller, needed: Role): boolean {
  if (caller.kind !== "org") return false;
  const rank: Record<Role, number> = { reader: 0, publisher: 1, admin: 2 };
  return rank[caller.role] >= rank[needed];
}

export type PublishDecision = { ok: true } | { ok: false; reason: string };

/**
 * The RegistryPublish right. For `private` and `pulumi` the publisher is the caller's org. For `opentofu`
 * the publisher is an upstream namespace: the first org to publish a name owns it (`existingOwner`).
 */
export function canPublish(
  caller: Caller,
  target: { source: string; publisher: string; existingOwner?: string | undefined },
): PublishDecision {
  if (caller.kind !== "org") return { ok: false, reason: "authentication required" };
  if (!hasRole(caller, "publisher")) return { ok: false, reason: `a '${caller.role}' token may not publish; a publisher or admin token is needed` };
  if (target.source === "opentofu") {
    if (target.existingOwner !== undefined && target.existingOwner !== caller.org) {
      return { ok: false, reason: `'${target.publisher}' names on source 'opentofu' are owned by another organization` };
    }
    return { ok: true };
  }
  if (target.publisher !== caller.org) {
    return { ok: false, reason: `organization '${caller.org}' may not publish as '${target.publisher}'` };
  }
  if (target.existingOwner !== undefined && target.existingOwner !== caller.org) {
    return { ok: false, reason: `organization '${caller.org}' does not own this item` };
  }
  return { ok: true };
}

// `vcsTemplateSourceTotals` on template lists that ask for VCS-backed templates: how many match the
// list's filters, per owning org (`pulumi new` reads the totals beside the first page).
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { items } from "../db/schema";
import type { RegistryKind } from "../core/kind";

export const vcsTemplateSourceTotals: NonNullable<RegistryKind["listExtras"]> = async (filters, _caller, context) => {
  if (!filters.backings.includes("vcs")) return {};
  // VCS-backed templates are public, so the totals are the same for every caller.
  const conditions: SQL[] = [eq(items.kind, "template"), eq(items.backing, "vcs")];
  if (filters.canonicalName !== undefined) conditions.push(eq(items.canonicalName, filters.canonicalName));
  if (filters.orgLogin !== undefined) conditions.push(eq(items.ownerOrg, filters.orgLogin));
  for (const term of filters.searchTerms ?? []) conditions.push(sql`instr(${items.searchText}, ${term}) > 0`);
  const rows = await context.db
    .select({ orgLogin: items.ownerOrg, total: sql<number>`count(*)`.mapWith(Number) })
    .from(items)
    .where(and(...conditions))
    .groupBy(items.ownerOrg)
    .orderBy(asc(items.ownerOrg))
    .all();
  return { vcsTemplateSourceTotals: rows };
};

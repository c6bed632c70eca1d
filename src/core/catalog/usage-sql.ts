// SQL about an org's reported stack usage, as list filters and the usage sort use it.
import { sql, type SQL } from "drizzle-orm";
import { items, stackUsage, versions } from "../../db/schema";

export const usedBy = (org: SQL) =>
  sql`(${items.source}, ${items.publisher}, ${items.canonicalName}) in (select ${stackUsage.source}, ${stackUsage.publisher}, ${stackUsage.canonicalName} from ${stackUsage} where ${stackUsage.orgLogin} = ${org})`;
export const usageRowsOf = (org: SQL) =>
  sql`from ${stackUsage} where ${stackUsage.orgLogin} = ${org} and ${stackUsage.source} = ${items.source} and ${stackUsage.publisher} = ${items.publisher} and ${stackUsage.canonicalName} = ${items.canonicalName}`;
/** Some stack of the org reports a version other than the current latest (or none it can resolve). */
export const offLatest = (org: SQL) =>
  sql`exists (select 1 ${usageRowsOf(org)} and ${stackUsage.precedenceKey} is not (select ${versions.precedenceKey} from ${versions} where ${versions.id} = ${items.latestVersionId}))`;

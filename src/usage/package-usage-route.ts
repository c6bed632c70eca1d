// `GET /api/orgs/{org}/packages/usage`: which of an org's stacks use a package, from the stored usage
// reports, keyset-paged by (project, stack, package). Any token of that org may read it.
import { and, asc, count, countDistinct, eq, sql, type SQL } from "drizzle-orm";
import type { IRequest } from "itty-router";
import { signingSecret } from "../env";
import { stackUsage } from "../db/schema";
import { badRequest, forbidden, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { json } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { PACKAGE_SOURCES } from "../identity/rights";
import { decodeContinuation, encodeContinuation } from "../core/continuation";
import { canonicalName, decodeSegment, isValidSegment, printable } from "../core/vocabulary/names";
import { parsePageParams } from "../http/query-params";
import { requireVersion } from "../core/vocabulary/versions";

interface PackageName {
  source?: string;
  publisher?: string;
  canonicalName: string;
}

/** `name`, `publisher/name` or `source/publisher/name`; the name matches on its canonical form. */
export function parsePackageName(raw: string | null): PackageName {
  if (raw === null || raw === "") throw badRequest("packageName is required: 'name', 'publisher/name' or 'source/publisher/name'");
  const parts = raw.split("/");
  if (parts.length > 3 || !parts.every(isValidSegment)) {
    throw badRequest(`invalid packageName '${printable(raw)}': expected 'name', 'publisher/name' or 'source/publisher/name'`);
  }
  const name = parts[parts.length - 1]!;
  const publisher = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const source = parts.length === 3 ? parts[0] : undefined;
  if (source !== undefined && !(PACKAGE_SOURCES as readonly string[]).includes(source)) {
    throw badRequest(`invalid packageName '${printable(raw)}': source must be one of ${PACKAGE_SOURCES.join(", ")}`);
  }
  return { source, publisher, canonicalName: canonicalName(name) };
}

async function stacksUsing(request: IRequest, context: RequestContext) {
  const caller = await context.caller();
  if (caller.kind !== "org") throw unauthorized("package usage needs a token of the organization");
  const org = decodeSegment(request.params.org, "organization");
  if (caller.org !== org) throw forbidden(`a token of organization '${caller.org}' may not read the usage of '${org}'`);
  const query = new URL(request.url).searchParams;
  const rawName = query.get("packageName");
  const pkg = parsePackageName(rawName);
  const rawVersion = query.get("version");
  const version = rawVersion === null || rawVersion === "" ? undefined : requireVersion(rawVersion);
  const page = parsePageParams(query);
  const scope = JSON.stringify({ packageUsage: org, ...pkg, version: version?.precedenceKey ?? null });
  const secret = signingSecret(context.env);
  const after = page.continuationToken ? await decodeContinuation(secret, scope, page.continuationToken) : undefined;
  if (after && (after.length !== 5 || !after.every((v) => typeof v === "string"))) throw badRequest("invalid continuationToken: it was not issued for this query");

  const conditions: SQL[] = [eq(stackUsage.orgLogin, org), eq(stackUsage.canonicalName, pkg.canonicalName)];
  if (pkg.source !== undefined) conditions.push(eq(stackUsage.source, pkg.source));
  if (pkg.publisher !== undefined) conditions.push(eq(stackUsage.publisher, pkg.publisher));
  if (version) conditions.push(eq(stackUsage.precedenceKey, version.precedenceKey));
  const keyColumns = [stackUsage.project, stackUsage.stack, stackUsage.source, stackUsage.publisher, stackUsage.canonicalName];
  const pageConditions = [...conditions];
  if (after) {
    pageConditions.push(sql`(${sql.join(keyColumns.map((c) => sql`${c}`), sql`, `)}) > (${sql.join(after.map((v) => sql`${v}`), sql`, `)})`);
  }
  const [rows, totals] = await Promise.all([
    context.db
      .select()
      .from(stackUsage)
      .where(and(...pageConditions))
      .orderBy(...keyColumns.map((c) => asc(c)))
      .limit(page.limit + 1)
      .all(),
    context.db
      .select({ stacks: countDistinct(sql`${stackUsage.project} || '/' || ${stackUsage.stack}`), rows: count() })
      .from(stackUsage)
      .where(and(...conditions))
      .get(),
  ]);
  const shown = rows.slice(0, page.limit);
  const body: Record<string, unknown> = {
    packageName: rawName,
    totalStacks: totals?.stacks ?? 0,
    stacks: shown.map((row) => ({
      stackId: `${row.orgLogin}/${row.project}/${row.stack}`,
      stackName: row.stack,
      projectName: row.project,
      ...(row.version ? { version: row.version } : {}),
      lastUpdate: row.reportedAt,
    })),
  };
  const last = shown[shown.length - 1];
  if (rows.length > page.limit && last) {
    body.continuationToken = await encodeContinuation(secret, scope, [last.project, last.stack, last.source, last.publisher, last.canonicalName]);
  }
  return json(body);
}

export const packageUsageRoutes: Array<[string, RouteMethods]> = [["/api/orgs/:org/packages/usage", { GET: stacksUsing }]];

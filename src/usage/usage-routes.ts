// Stack usage reports: an org's CI replaces (PUT) or removes (DELETE) the list of packages one stack uses.
// The replace is one D1 batch (delete the stack's rows, insert the new ones), so it is all or nothing.
import { and, eq, sql } from "drizzle-orm";
import type { IRequest } from "itty-router";
import { z } from "zod";
import { stackUsage, nowIso } from "../db/schema";
import { badRequest, forbidden, unauthorized } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { parseWith, readJsonObject } from "../http/json-body";
import { noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { hasRole, PACKAGE_SOURCES, type Caller } from "../identity/rights";
import { canonicalName, decodeSegment, printable, SEGMENT_PATTERN } from "../core/vocabulary/names";
import { parseVersion, type ParsedVersion } from "../core/vocabulary/versions";
import { actorOf, auditEntry, auditEntryIfChanged, stampFor, type AuditStamp } from "../audit/audit-log";

export const MAX_PACKAGES_PER_STACK = 1000;
/** 1,000 entries with long names and versions do not fit the usual 64 KiB; the entry cap is what binds. */
export const USAGE_BODY_BYTES = 256 * 1024;

/** Pulumi's own project and stack name rule, minus `.` and `..`, which could be read as paths. */
export const STACK_NAME_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

const segment = z.string({ error: "is required and must be a string" }).regex(SEGMENT_PATTERN, `must match ${SEGMENT_PATTERN.source}`);

const PackageRef = z.object({
  source: z.enum(PACKAGE_SOURCES, { error: `must be one of ${PACKAGE_SOURCES.join(", ")}` }),
  publisher: segment,
  name: segment,
  version: z
    .string({ error: "must be a string" })
    .transform((raw, ctx): ParsedVersion => {
      const parsed = parseVersion(raw);
      if (!parsed) {
        ctx.addIssue("must be a SemVer 2.0 version without a 'v' prefix");
        return z.NEVER;
      }
      return parsed;
    })
    .optional(),
});

export const UsageReport = z.object({
  packages: z
    .array(PackageRef, { error: "is required and must be an array" })
    .max(MAX_PACKAGES_PER_STACK, `must list at most ${MAX_PACKAGES_PER_STACK} packages`)
    .superRefine((refs, ctx) => {
      // One row per package per stack: two versions of one package would make the stack count twice.
      const seen = new Map<string, number>();
      refs.forEach((ref, i) => {
        const key = `${ref.source}/${ref.publisher}/${canonicalName(ref.name)}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else ctx.addIssue({ code: "custom", path: [i], message: `duplicates packages.${first} ('${key}'); list each package once` });
      });
    }),
});

interface StackRef {
  org: string;
  project: string;
  stack: string;
  stamp: AuditStamp;
}

function decodeStackName(raw: string | undefined, what: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw ?? "");
  } catch {
    throw badRequest(`invalid ${what} name: malformed percent-encoding`);
  }
  if (!STACK_NAME_PATTERN.test(value)) throw badRequest(`invalid ${what} name '${printable(value)}': must match ${STACK_NAME_PATTERN.source}, and not be '.' or '..'`);
  return value;
}

/** Anonymous → 401; another org's token or a reader → 403; then the path's names (400). */
async function authorizedStack(request: IRequest, context: RequestContext): Promise<StackRef> {
  const caller: Caller = await context.caller();
  if (caller.kind !== "org") throw unauthorized("reporting stack usage requires an org token with the publisher or admin role");
  const org = decodeSegment(request.params.org, "organization");
  if (caller.org !== org) throw forbidden(`a token of organization '${caller.org}' may not report usage for '${org}'`);
  if (!hasRole(caller, "publisher")) throw forbidden(`a '${caller.role}' token may not report usage; a publisher or admin token is needed`);
  return {
    org,
    project: decodeStackName(request.params.project, "project"),
    stack: decodeStackName(request.params.stack, "stack"),
    stamp: stampFor(context, actorOf(caller)),
  };
}

const stackTarget = (ref: StackRef) => `stack/${ref.org}/${ref.project}/${ref.stack}`;

/** Removing a stack that had no rows is no change, and leaves no audit entry. */
function removeStack(context: RequestContext, ref: StackRef) {
  const db = context.db;
  return db.batch([deleteStack(context, ref), auditEntryIfChanged(db, ref.stamp, { action: "usage.delete", org: ref.org, target: stackTarget(ref), outcome: 204 })]);
}

const deleteStack = (context: RequestContext, ref: StackRef) =>
  context.db.delete(stackUsage).where(and(eq(stackUsage.orgLogin, ref.org), eq(stackUsage.project, ref.project), eq(stackUsage.stack, ref.stack)));

export const usageRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/orgs/:org/registry/usage/:project/:stack",
    {
      async PUT(request, context) {
        const ref = await authorizedStack(request, context);
        const report = parseWith(UsageReport, await readJsonObject(request, USAGE_BODY_BYTES), "usage report");
        if (report.packages.length === 0) {
          await removeStack(context, ref);
          return noContent();
        }
        const rows = report.packages.map((p) => ({
          source: p.source,
          publisher: p.publisher,
          name: p.name,
          canonicalName: canonicalName(p.name),
          version: p.version?.raw ?? null,
          precedenceKey: p.version?.precedenceKey ?? null,
        }));
        // Up to 1,000 rows go in as one JSON parameter of one statement: D1 caps bound parameters per
        // statement at 100, and one statement keeps the batch at two. Columns in the table's order.
        const insert = context.db.insert(stackUsage).select(sql`
          select ${ref.org}, ${ref.project}, ${ref.stack},
            json_extract(value, '$.source'), json_extract(value, '$.publisher'), json_extract(value, '$.name'),
            json_extract(value, '$.canonicalName'), json_extract(value, '$.version'), json_extract(value, '$.precedenceKey'), ${nowIso()}
          from json_each(${JSON.stringify(rows)})`);
        await context.db.batch([
          deleteStack(context, ref),
          insert,
          auditEntry(context.db, ref.stamp, { action: "usage.report", org: ref.org, target: stackTarget(ref), outcome: 204, detail: { packages: rows.length } }),
        ]);
        return noContent();
      },
      async DELETE(request, context) {
        const ref = await authorizedStack(request, context);
        await removeStack(context, ref);
        return noContent();
      },
    },
  ],
];

// Admin API for VCS-backed templates: an operator registers (and removes) templates that live in a repository.
import type { IRequest } from "itty-router";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { items, nowIso } from "../db/schema";
import { conflict, notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import { readBody } from "../http/json-body";
import { json, noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { canonicalName, decodeSegment, SEGMENT_PATTERN } from "../core/vocabulary/names";
import { parseSource } from "../core/identity-parsing";
import { searchTextOf, templateKind, templateName, VCS_SOURCES, type VcsTemplate } from "../templates/template-kind";
import { requireOperator } from "../identity/operator-auth";
import { catalogChanged } from "../http/edge-cache";
import { auditEntryIfChanged, itemTarget, stampFor } from "../audit/audit-log";

const httpsUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2048);

export const RegisterVcsTemplate = z.object({
  source: z.enum(VCS_SOURCES, { error: `must be one of ${VCS_SOURCES.join(", ")}` }),
  publisher: z.string().regex(SEGMENT_PATTERN, `must match ${SEGMENT_PATTERN.source}`),
  name: z.string().min(1).max(400),
  repoSlug: z.string().min(1).max(400),
  downloadURL: httpsUrl,
  displayName: z.string().min(1).max(200).optional(),
  description: z.string().min(1).max(4000).optional(),
  language: z.string().min(1).max(40).optional(),
  metadata: z.record(z.string().max(200), z.string().max(2000)).optional(),
});

async function register(request: IRequest, context: RequestContext) {
  const actor = await requireOperator(request, context);
  const body = await readBody(request, RegisterVcsTemplate, "template");
  const name = templateName(body.name.split("/").map(encodeURIComponent).join("/"), body.source);
  const vcs: VcsTemplate = {
    repoSlug: body.repoSlug,
    downloadURL: body.downloadURL,
    ...(body.displayName ? { displayName: body.displayName } : {}),
    ...(body.description ? { description: body.description } : {}),
    ...(body.language ? { language: body.language } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
  };
  const now = nowIso();
  const row = {
    id: crypto.randomUUID(),
    kind: "template" as const,
    source: body.source,
    publisher: body.publisher,
    name,
    canonicalName: canonicalName(name),
    // VCS templates belong to no org's private space; the publisher names the owner for `orgLogin`.
    ownerOrg: body.publisher,
    visibility: "public" as const,
    backing: "vcs" as const,
    latestCreatedAt: now,
    searchText: searchTextOf(name, { ...vcs, language: vcs.language ?? "unknown" }),
    vcs: JSON.stringify(vcs),
    createdAt: now,
  };
  const db = context.db;
  const [insertedRows] = await db.batch([
    db.insert(items).values(row).onConflictDoNothing().returning(),
    auditEntryIfChanged(db, stampFor(context, actor), { action: "template.vcs.register", org: row.ownerOrg, target: itemTarget(row), outcome: 201 }),
  ]);
  const inserted = insertedRows[0];
  if (!inserted) throw conflict(`template '${body.source}/${body.publisher}/${name}' already exists`);
  await catalogChanged(request);
  return json(templateKind.view({ item: inserted, version: null, publisherDisplayName: null }, { origin: context.origin, artifactUrl: () => "" }), 201);
}

async function unregister(request: IRequest, context: RequestContext) {
  const actor = await requireOperator(request, context);
  const source = parseSource(templateKind, request.params.source);
  const publisher = decodeSegment(request.params.publisher, "publisher");
  const name = templateName(request.params.name, source);
  const db = context.db;
  const identity = and(
    eq(items.kind, "template"),
    eq(items.backing, "vcs"),
    eq(items.source, source),
    eq(items.publisher, publisher),
    eq(items.canonicalName, canonicalName(name)),
  );
  const target = { kind: "template" as const, source, publisher, canonicalName: canonicalName(name) };
  const [deletedRows] = await db.batch([
    db.delete(items).where(identity).returning({ id: items.id }),
    // A VCS template's owner is its publisher.
    auditEntryIfChanged(db, stampFor(context, actor), { action: "template.vcs.unregister", org: publisher, target: itemTarget(target), outcome: 204 }),
  ]);
  if (!deletedRows[0]) throw notFound(`VCS-backed template '${source}/${publisher}/${name}' not found`);
  await catalogChanged(request);
  return noContent();
}

export const vcsTemplateRoutes: Array<[string, RouteMethods]> = [
  ["/api/admin/templates", { POST: register }],
  ["/api/admin/templates/:source/:publisher/:name+", { DELETE: unregister }],
];

// Admin API for packages: the operator marks a package featured (or not), and deletes any package or
// version (moderation; a mirrored item is released from its upstream: docs/operator/mirror.md).
import { eq } from "drizzle-orm";
import { z } from "zod";
import { auditEntry, itemTarget, stampFor } from "../audit/audit-log";
import { items } from "../db/schema";
import { notFound } from "../http/api-error";
import { readBody } from "../http/json-body";
import { json, noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { packageKind } from "../packages/package-kind";
import { findItem } from "../core/catalog/lookups";
import { catalogChanged } from "../http/edge-cache";
import { parseIdentity } from "../core/identity-parsing";
import { requireOperator } from "../identity/operator-auth";
import { operatorDeleteItem, operatorRetireVersion } from "../core/publish/retire-service";
import { parseVersionParam } from "../registry-api/request-parsing";
import { deleteRenderings, publishedFolder } from "../artifacts/renderings";

export const Featured = z.object({ featured: z.boolean({ error: "must be true or false" }) });

export const packageAdminRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/admin/packages/:source/:publisher/:name/featured",
    {
      async PUT(request, context) {
        const actor = await requireOperator(request, context);
        const id = parseIdentity(packageKind, request.params);
        const { featured } = await readBody(request, Featured, "featured flag");
        const db = context.db;
        // Items are never removed, so the one found here is the one the batch updates.
        const item = await findItem(db, "package", id.source, id.publisher, id.canonicalName);
        if (!item) throw notFound(`package '${id.source}/${id.publisher}/${id.name}' not found`);
        await db.batch([
          db.update(items).set({ featured }).where(eq(items.id, item.id)),
          auditEntry(db, stampFor(context, actor), { action: "package.featured", org: item.ownerOrg, target: itemTarget(id), outcome: 204, detail: { featured } }),
        ]);
        await catalogChanged(request);
        return noContent();
      },
    },
  ],
  [
    "/api/admin/packages/:source/:publisher/:name",
    {
      async DELETE(request, context) {
        const actor = await requireOperator(request, context);
        const id = parseIdentity(packageKind, request.params);
        const result = await operatorDeleteItem(context, packageKind, actor, id);
        await deleteRenderings(context.env.ARTIFACTS, publishedFolder(id));
        return json(result);
      },
    },
  ],
  [
    "/api/admin/packages/:source/:publisher/:name/versions/:version",
    {
      async DELETE(request, context) {
        const actor = await requireOperator(request, context);
        const id = parseIdentity(packageKind, request.params);
        const version = parseVersionParam(request.params.version, false);
        await operatorRetireVersion(context, packageKind, actor, id, version);
        await deleteRenderings(context.env.ARTIFACTS, publishedFolder({ ...id, version: version.raw }));
        return noContent();
      },
    },
  ],
];

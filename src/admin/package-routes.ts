// Admin API for packages: the operator marks a package featured (or not).
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { items } from "../db/schema";
import { notFound } from "../http/api-error";
import { readBody } from "../http/json-body";
import { noContent } from "../http/respond";
import type { RouteMethods } from "../http/routes";
import { packageKind } from "../packages/package-kind";
import { bumpGeneration } from "../registry/edge-cache";
import { parseIdentity } from "../registry/request-parsing";
import { requireOperator } from "./admin-auth";

export const Featured = z.object({ featured: z.boolean({ error: "must be true or false" }) });

export const packageAdminRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/admin/packages/:source/:publisher/:name/featured",
    {
      async PUT(request, context) {
        await requireOperator(request, context);
        const id = parseIdentity(packageKind, request.params);
        const { featured } = await readBody(request, Featured, "featured flag");
        const db = context.db;
        const where = and(eq(items.kind, "package"), eq(items.source, id.source), eq(items.publisher, id.publisher), eq(items.canonicalName, id.canonicalName));
        const [updated] = await db.batch([db.update(items).set({ featured }).where(where).returning({ id: items.id }), bumpGeneration(db)]);
        if (!updated[0]) throw notFound(`package '${id.source}/${id.publisher}/${id.name}' not found`);
        return noContent();
      },
    },
  ],
];

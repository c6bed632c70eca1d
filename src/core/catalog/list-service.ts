// A page of a kind's listing with its continuation token, for the API and the pages alike: the token is
// MACed with the kind and the parsed filters, so both hand out interchangeable tokens for one query.
import type { Database } from "../../db/client";
import { signingSecret, type Env } from "../../env";
import { decodeContinuation, encodeContinuation, type Position } from "../continuation";
import type { AnyKind } from "../kind";
import type { ScopedReader } from "../resolve-version";
import type { CatalogEntry } from "../vocabulary/catalog-entry";
import type { Viewer } from "../vocabulary/viewer";
import { listPlan } from "./list";
import type { ListFilters } from "./list-query";

export interface ListPageRequest {
  limit: number;
  continuationToken?: string;
}

/** A list request checked (the continuation token too) and ready to read: what an edge cache keys and fills. */
export interface PlannedList {
  /** The filters as parsed (fixed key order, defaults filled in): the continuation's scope and a cache key part. */
  scope: string;
  build(viewer: Viewer, db: Database): ReturnType<typeof listPlan>;
  /** The answer: entries, and a token for the next page when there is one. */
  page(result: { entries: CatalogEntry[]; next?: Position }): Promise<{ entries: CatalogEntry[]; continuationToken?: string }>;
}

export async function planList(env: Env, kind: AnyKind, filters: ListFilters, request: ListPageRequest): Promise<PlannedList> {
  const scope = JSON.stringify({ kind: kind.kind, ...filters });
  const secret = signingSecret(env);
  const after = request.continuationToken ? await decodeContinuation(secret, scope, request.continuationToken) : undefined;
  return {
    scope,
    build: (viewer, db) => listPlan(db, { kind: kind.kind, ...filters, limit: request.limit, after }, viewer),
    async page({ entries, next }) {
      return next ? { entries, continuationToken: await encodeContinuation(secret, scope, next) } : { entries };
    },
  };
}

/** One page of a kind's listing, read as `read`'s viewer. */
export async function listPage(env: Env, kind: AnyKind, filters: ListFilters, request: ListPageRequest, read: ScopedReader) {
  const planned = await planList(env, kind, filters, request);
  return planned.page(await read(planned.build));
}

// The admin API description's entries for the mirror (src/admin/mirror-routes.ts), spread into the OpenAPI
// operation table by src/openapi/operations.ts.
import { z } from "zod";
import { component } from "../openapi/schemas";
import { fails, ok } from "../openapi/responses";
import type { OperationSpec } from "../openapi/operation-spec";

/** An entry of the OpenAPI operation table, in the admin document. */
type MirrorOperation = OperationSpec & { document: "admin"; auth: "admin" };

const count = () => z.int().min(0);
const time = () => z.iso.datetime();

const Job = {
  attempt: z.int().min(1).describe("a new attempt per run"),
  status: z.enum(["pending", "done", "failed"]).describe("pending while it runs"),
  stepsDone: count(),
  stepRuns: count().describe("steps started, re-runs after a crash or failure included"),
  error: z.string().optional().describe("the last failed step's error"),
  updatedAt: time(),
  startedAt: time().optional(),
  lastError: z.string().optional().describe("the last upstream error the run met (it may have gone on)"),
  waitingUntil: time().optional().describe("the run waits for the upstream's request budget (or its 429) until then"),
};

const SyncRun = z
  .strictObject({
    ...Job,
    startedBy: z.enum(["cron", "operator"]).optional(),
    entry: count().optional().describe("the index of the sync entry the run is at"),
    counts: z
      .strictObject({
        listed: count().describe("versions in range the upstream listed"),
        fetched: count().describe("pulled through and stored by this run"),
        skipped: count().describe("in range but stored here already"),
        failed: count().describe("could not be mirrored (tried 3 times)"),
      })
      .optional(),
    skippedPackages: z.array(z.strictObject({ package: z.string(), reason: z.string() })).optional().describe("sync entries not synced (a local package of that identity wins)"),
    failures: z.array(z.strictObject({ package: z.string(), version: z.string().optional(), error: z.string() })).optional().describe("the last 20 failures"),
  })
  .nullable();

const RecheckRun = z
  .strictObject({
    ...Job,
    counts: z
      .strictObject({ checked: count(), unchanged: count(), deleted: count(), deprecated: count(), undeprecated: count(), errors: count() })
      .optional(),
  })
  .nullable();

const Upstream = z.strictObject({
  id: z.string(),
  url: z.string().describe("the upstream's registry API base"),
  offline: z.boolean(),
  serves: z.array(z.string()),
  org: z.string().describe("the org that owns what is mirrored from it"),
  authenticated: z.boolean().describe("whether a token is configured (never shown)"),
  syncMinutes: z.number(),
  recheckHours: z.number(),
  sync: z.array(z.strictObject({ package: z.string(), versions: z.string() })),
  budget: z.strictObject({
    requestsPerMinute: z.int(),
    usedThisMinute: count(),
    heldUntil: time().optional().describe("a 429 holds every request to it until then"),
  }),
  lastSync: SyncRun.describe("the last sync run; null before the first"),
  lastRecheck: RecheckRun.describe("the last deletion recheck run; null before the first"),
});

const MirrorUpstreamReport = component("MirrorUpstreamReport", Upstream);
const MirrorReport = component("MirrorReport", z.strictObject({ upstreams: z.array(MirrorUpstreamReport) }));

export const mirrorOperations: MirrorOperation[] = [
  {
    document: "admin",
    method: "get",
    path: "/api/admin/mirror",
    operationId: "GetMirror",
    summary: "Each upstream the mirror is configured with: its budget, its last sync and deletion recheck",
    tags: ["Mirror"],
    auth: "admin",
    responses: { 200: ok("the upstreams", MirrorReport), ...fails(401, 403, 404, 500) },
  },
  {
    document: "admin",
    method: "post",
    path: "/api/admin/mirror/{upstream}/sync",
    operationId: "StartMirrorSync",
    summary: "Start a sync of one upstream's `sync` entries, in durable steps after this answer",
    description: "409 while a sync of it runs, when it is offline, or when it has no sync entries.",
    tags: ["Mirror"],
    auth: "admin",
    pathParams: z.object({ upstream: z.string().describe("the upstream's id (MIRROR_UPSTREAMS)") }),
    responses: { 202: ok("the sync was started", MirrorUpstreamReport), ...fails(401, 403, 404, 409, 500) },
  },
];

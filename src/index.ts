// Worker entry: request id → route → one place that renders errors → one JSON log line per request.
import { database } from "./db/client";
import { limitsFrom, tokenKeys, type Env } from "./env";
import { orgRoutes } from "./admin/org-routes";
import { bootstrapRoutes } from "./cli/bootstrap-routes";
import { authenticate, readAsCaller } from "./identity/authenticate";
import { countingD1, newD1Stats } from "./db/counting";
import { countingStorage, newStorageStats, storageCalls } from "./db/storage-counting";
import { refuseForgedToken } from "./identity/token-gate";
import type { Caller } from "./identity/rights";
import type { RequestContext } from "./http/context";
import { errorResponse, json } from "./http/respond";
import { buildRouter, registryRoutes, type RouteMethods } from "./http/routes";
import { packageKind } from "./packages/package-kind";
import { templateKind } from "./templates/template-kind";
import { templateReadmeRoutes } from "./templates/readme-route";
import { vcsTemplateRoutes } from "./admin/template-routes";
import { packageAdminRoutes } from "./admin/package-routes";
import { registryKindRoutes } from "./registry-api/kind-routes";
import { uploadRoutes } from "./artifacts/upload-routes";
import { gitlabSourceRoutes, mirrorOverrideRoutes, pluginKeyRoutes, pluginRoutes } from "./plugins/plugin-routes";
import { PLUGIN_SLOTS } from "./plugins/plugin-slots";
import { ApiError } from "./http/api-error";
import { catalogChanged } from "./http/edge-cache";
import { apiDocsAdminRoutes, apiDocsRoutes } from "./api-docs/routes";
import { usageRoutes } from "./usage/usage-routes";
import { packageUsageRoutes } from "./usage/package-usage-route";
import { countFailedSignIn, enforceRateLimit, rateLimitKey } from "./rate-limits/rate-limit";
import { openApiRoutes } from "./openapi/openapi-routes";
import { auditRoutes, pruneAuditLog } from "./audit/audit-routes";
import { webhookRoutes } from "./webhooks/webhook-routes";
import { handleWebhookBatch } from "./webhooks/webhook-consumer";
import type { WebhookMessage } from "./webhooks/webhook-events";
import { JOBS_QUEUE_NAME, redriveSoon, redriveStalled, runJobMessage, type JobHandler, type JobMessage } from "./jobs/jobs";
import { docsJob } from "./api-docs/docs-job";
import { mirrorSyncJob } from "./mirror/sync-job";
import { mirrorRecheckJob } from "./mirror/recheck-job";
import { scheduleMirror } from "./mirror/mirror-cron";
import { mirrorAdminRoutes } from "./admin/mirror-routes";
import { htmlErrorResponse, wantsHtml, webRoutes } from "./web/web-routes";
import { hasSessionCookie } from "./web/session";
import { policyPackKind } from "./policy-packs/policy-pack-kind";
import { policyPackOrgRoutes } from "./policy-packs/org-routes";
import { policyPackRegistryRoutes } from "./policy-packs/registry-routes";
import { policyPackWebRoutes } from "./policy-packs/policy-pack-web";

export { PublishCoordinator } from "./core/publish/coordinator";

/** The kinds this Worker serves (their names are listed in registered-kinds.ts for the derived lists). */
export const KINDS = [packageKind, templateKind, policyPackKind];

/** Durable job kinds (src/jobs/), by name. */
const JOB_HANDLERS: ReadonlyMap<string, JobHandler> = new Map([
  [docsJob.kind, docsJob],
  [mirrorSyncJob.kind, mirrorSyncJob],
  [mirrorRecheckJob.kind, mirrorRecheckJob],
]);
/** The cron that re-drives stalled jobs (every minute); the other one prunes the audit log. */
const REDRIVE_CRON = "* * * * *";

/** The router table; exported so the API description can be checked against it (test/workers/openapi.test.ts). */
export const routes: Array<[string, RouteMethods]> = [
  [
    "/healthz",
    {
      // Also what a restarted server is first asked: stalled durable jobs are re-driven from here (off the answer's path).
      GET: async (_request, context) => {
        redriveSoon(context.env, context.ctx);
        return json({ status: "ok" });
      },
    },
  ],
  ...bootstrapRoutes,
  ...orgRoutes,
  ...registryRoutes(apiDocsRoutes),
  ...apiDocsAdminRoutes,
  ...registryRoutes(pluginRoutes),
  ...pluginKeyRoutes,
  ...gitlabSourceRoutes,
  ...mirrorOverrideRoutes,
  ...registryRoutes(registryKindRoutes(packageKind)),
  ...vcsTemplateRoutes,
  ...packageAdminRoutes,
  ...mirrorAdminRoutes,
  ...registryRoutes(templateReadmeRoutes),
  ...registryRoutes(registryKindRoutes(templateKind)),
  ...registryRoutes(policyPackRegistryRoutes()),
  ...policyPackOrgRoutes,
  ...uploadRoutes([...KINDS.flatMap((kind) => kind.slots), ...PLUGIN_SLOTS]),
  ...usageRoutes,
  ...packageUsageRoutes,
  ...auditRoutes,
  ...webhookRoutes,
  ...openApiRoutes,
  ...webRoutes,
  ...policyPackWebRoutes,
];

const router = buildRouter(routes);

function originFor(env: Env, url: URL): string {
  return (env.PUBLIC_URL ?? url.origin).replace(/\/+$/, "");
}

export default {
  async fetch(request: Request, rawEnv: Env, ctx: ExecutionContext): Promise<Response> {
    const started = Date.now();
    // Every storage call the request makes is counted (the log line; X-Storage-Calls in tests).
    const storage = newStorageStats();
    const env = countingStorage(rawEnv, storage);
    const requestId = crypto.randomUUID();
    const url = new URL(request.url);
    // Anonymous requests only read: they may be answered by the nearest D1 read replica. Anything
    // carrying a token goes to the primary, so a revoked token is refused at once and a publisher
    // reads its own writes; a browser session cookie counts as a token. (A session exposes prepare() and batch(), all that drizzle uses.)
    const anonymous = request.headers.get("Authorization") === null && !hasSessionCookie(request);
    const d1 = newD1Stats();
    const primaryDb = database(countingD1(env.DB, d1));
    const db = anonymous ? database(countingD1(env.DB.withSession("first-unconstrained"), d1) as unknown as D1Database) : primaryDb;
    let callerPromise: Promise<Caller> | undefined;
    // A refused token counts against its address's sign-in budget, whichever way it was checked.
    const countRefused = async (error: unknown): Promise<never> => {
      if (error instanceof ApiError && error.status === 401) await countFailedSignIn(env, request);
      throw error;
    };
    const context: RequestContext = {
      env,
      ctx,
      db,
      primaryDb,
      d1,
      limits: limitsFrom(env),
      requestId,
      origin: originFor(env, url),
      log: {},
      catalogChanged: () => catalogChanged(request),
      countUpstreamMiss: async () => enforceRateLimit(env, "mirrorMiss", await rateLimitKey(request)),
      caller() {
        callerPromise ??= authenticate(request, db, tokenKeys(env), ctx).then((caller) => {
          if (caller.kind === "org") context.log.org = caller.org;
          return caller;
        }, countRefused);
        return callerPromise;
      },
      async readAs(plan, readDb = db) {
        const result = await readAsCaller(request, readDb, tokenKeys(env), ctx, callerPromise, (viewer) => plan(viewer, readDb)).catch(countRefused);
        callerPromise ??= Promise.resolve(result.caller);
        if (result.caller.kind === "org") context.log.org = result.caller.org;
        return result;
      },
    };
    let response: Response;
    let failure: unknown;
    try {
      // A token whose MAC fails is refused first, before any storage access (docs/tokens.md).
      await refuseForgedToken(request, env);
      // Counted before anything is read or written; health checks are never limited.
      if (url.pathname !== "/healthz") await enforceRateLimit(env, "api", await rateLimitKey(request));
      response = await router.fetch(request, context);
    } catch (error) {
      if (!(error instanceof ApiError)) failure = error;
      response = wantsHtml(request) ? await htmlErrorResponse(request, error, requestId) : errorResponse(error);
    }
    // Responses from R2 or fetch() can have immutable headers; copy before stamping the request id.
    response = new Response(response.body, response);
    response.headers.set("X-Pulumi-Request-ID", requestId);
    // On every answer, publisher bytes (raw downloads, archives) included: browsers take Content-Type as given.
    response.headers.set("X-Content-Type-Options", "nosniff");
    // An answer to a caller with credentials that says nothing of caching may hold what only they can see: no cache keeps it.
    if (!response.headers.has("Cache-Control") && (request.headers.has("Authorization") || request.headers.has("Cookie"))) response.headers.set("Cache-Control", "private, no-store");
    // Over https only (a browser ignores it over http); the operator's other hosts are not ours to pin.
    if (url.protocol === "https:") response.headers.set("Strict-Transport-Security", "max-age=31536000");
    if (env.EXPOSE_D1_STATS === "true") {
      response.headers.set("X-D1-Queries", String(d1.queries));
      response.headers.set("X-D1-Round-Trips", String(d1.roundTrips));
      response.headers.set("X-Storage-Calls", String(storageCalls(storage)));
      response.headers.set("X-R2-Bytes-Read", String(storage.artifactBytesRead));
    }
    const line: Record<string, unknown> = {
      requestId,
      method: request.method,
      route: url.pathname,
      status: response.status,
      durationMs: Date.now() - started,
      d1Queries: d1.queries,
      d1RoundTrips: d1.roundTrips,
      storageCalls: storageCalls(storage),
      r2BytesRead: storage.artifactBytesRead,
    };
    if (context.log.org) line.org = context.log.org;
    if (context.log.phasesMs) line.phasesMs = context.log.phasesMs;
    if (failure) line.error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
    console.log(JSON.stringify(line));
    return response;
  },

  /** Durable job steps, one message at a time; webhook deliveries and, from the dead-letter queue, the record of a final failure. */
  async queue(batch: MessageBatch<WebhookMessage | JobMessage>, env: Env, _ctx: ExecutionContext): Promise<void> {
    if (batch.queue === JOBS_QUEUE_NAME) {
      // Each message's outcome is recorded on its job (runJobMessage never throws): all are acknowledged.
      for (const message of (batch as MessageBatch<JobMessage>).messages) await runJobMessage(env, JOB_HANDLERS, message.body);
      return;
    }
    await handleWebhookBatch(batch as MessageBatch<WebhookMessage>, env);
  },

  /** Every minute: stalled durable jobs are sent again, the mirror's jobs started when due. Daily: audit entries past their retention go. */
  async scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
    if (controller.cron === REDRIVE_CRON) {
      await redriveStalled(env);
      // The mirror's sync and deletion recheck, when due (docs/operator/mirror.md).
      await scheduleMirror(env);
      return;
    }
    const pruned = await pruneAuditLog(env);
    console.log(JSON.stringify({ scheduled: "audit-retention", pruned }));
  },
} satisfies ExportedHandler<Env, WebhookMessage | JobMessage>;

// Worker entry: request id → route → one place that renders errors → one JSON log line per request.
import { database } from "./db/client";
import { limitsFrom, type Env } from "./env";
import { orgRoutes } from "./admin/org-routes";
import { bootstrapRoutes } from "./cli/bootstrap-routes";
import { authenticate } from "./identity/authenticate";
import type { Caller } from "./identity/rights";
import type { RequestContext } from "./http/context";
import { errorResponse, json } from "./http/respond";
import { buildRouter, registryRoutes, type RouteMethods } from "./http/routes";
import { packageKind, packageListFilters } from "./packages/package-kind";
import { templateIdentity, templateKind, templateListFilters } from "./templates/template-kind";
import { vcsTemplateRoutes } from "./admin/template-routes";
import { packageAdminRoutes } from "./admin/package-routes";
import { registryKindRoutes } from "./registry/registry-routes";
import { uploadRoutes } from "./artifacts/upload-routes";
import { ApiError } from "./http/api-error";
import { apiDocsAdminRoutes, apiDocsRoutes } from "./api-docs/routes";
import { usageRoutes } from "./usage/usage-routes";
import { packageUsageDecorator } from "./usage/usage-stats";
import { htmlErrorResponse, wantsHtml, webRoutes } from "./web/web-routes";
import { hasSessionCookie } from "./web/session";

export { PublishCoordinator } from "./registry/publish-coordinator";

const routes: Array<[string, RouteMethods]> = [
  ["/healthz", { GET: async () => json({ status: "ok" }) }],
  ...bootstrapRoutes,
  ...orgRoutes,
  ...registryRoutes(apiDocsRoutes),
  ...apiDocsAdminRoutes,
  ...registryRoutes(registryKindRoutes(packageKind, { listFilters: packageListFilters, decorate: packageUsageDecorator })),
  ...vcsTemplateRoutes,
  ...packageAdminRoutes,
  ...registryRoutes(
    registryKindRoutes(templateKind, {
      listFilters: templateListFilters,
      identity: templateIdentity,
      namePattern: ":name+",
      lastVersionNeedsForce: true,
    }),
  ),
  ...uploadRoutes([...packageKind.slots, ...templateKind.slots]),
  ...usageRoutes,
  ...webRoutes,
];

const router = buildRouter(routes);

function originFor(env: Env, url: URL): string {
  return (env.PUBLIC_URL ?? url.origin).replace(/\/+$/, "");
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const started = Date.now();
    const requestId = crypto.randomUUID();
    const url = new URL(request.url);
    // Anonymous requests only read: they may be answered by the nearest D1 read replica. Anything
    // carrying a token goes to the primary, so a revoked token is refused at once and a publisher
    // reads its own writes; a browser session cookie counts as a token. (A session exposes prepare() and batch(), all that drizzle uses.)
    const anonymous = request.headers.get("Authorization") === null && !hasSessionCookie(request);
    const db = database(anonymous ? (env.DB.withSession("first-unconstrained") as unknown as D1Database) : env.DB);
    let callerPromise: Promise<Caller> | undefined;
    const context: RequestContext = {
      env,
      ctx,
      db,
      limits: limitsFrom(env),
      requestId,
      origin: originFor(env, url),
      log: {},
      caller() {
        callerPromise ??= authenticate(request, db, ctx).then((caller) => {
          if (caller.kind === "org") context.log.org = caller.org;
          return caller;
        });
        return callerPromise;
      },
    };
    let response: Response;
    let failure: unknown;
    try {
      response = await router.fetch(request, context);
    } catch (error) {
      if (!(error instanceof ApiError)) failure = error;
      response = wantsHtml(request) ? await htmlErrorResponse(request, error, requestId) : errorResponse(error);
    }
    // Responses from R2 or fetch() can have immutable headers; copy before stamping the request id.
    response = new Response(response.body, response);
    response.headers.set("X-Pulumi-Request-ID", requestId);
    const line: Record<string, unknown> = {
      requestId,
      method: request.method,
      route: url.pathname,
      status: response.status,
      durationMs: Date.now() - started,
    };
    if (context.log.org) line.org = context.log.org;
    if (failure) line.error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
    console.log(JSON.stringify(line));
    return response;
  },
} satisfies ExportedHandler<Env>;

// The current API's template readme route (ga-registry.md §4):
// GET …/templates/{source}/{publisher}/{name}/versions/{version}/readme (`lang`, `os`) →
// `{"version", "language"?, "os"?, "content": [ContentNode]}` as JSON, or the same content as markdown
// (Accept: text/markdown), like the package readme route. The README as uploaded is `…/raw/readme` (readmeURL).
import type { IRequest } from "itty-router";
import { notFound } from "../http/api-error";
import type { RequestContext } from "../http/context";
import type { RouteMethods } from "../http/routes";
import { describeIdentity } from "../core/vocabulary/identity";
import { resolveRouteVersion } from "../registry-api/read-routes";
import { edgeCached } from "../api-docs/cache";
import { negotiate, type Format } from "../api-docs/negotiate";
import { ContentQuery, parseDocsQuery, type ParsedDocsQuery } from "../api-docs/query";
import { resolvedContent } from "../api-docs/views";
import { templateKind } from "./template-kind";
import type { RouteParams } from "../core/kind";
import { templateReadmeNodes } from "./template-derived";

async function produce(request: IRequest, context: RequestContext, query: ParsedDocsQuery, format: Format): Promise<Response> {
  const { resolved, identity, version } = await resolveRouteVersion(templateKind, request, context);
  const nodes = await templateReadmeNodes(context.env.ARTIFACTS, resolved.entry);
  if (!nodes) throw notFound(`${describeIdentity(identity, version === "latest" ? "latest" : version.raw)} has no README`);
  const answer = resolvedContent(nodes, resolved.entry.version!.version, query.lang, query.os);
  const headers: Record<string, string> = {
    "Content-Type": format === "json" ? "application/json" : "text/markdown; charset=utf-8",
    // Token-bearing answers (never edge-cached) are revalidated every time: a delete must take effect at once.
    "Cache-Control": resolved.visibility === "public" ? "public, no-cache" : "private, no-store",
    Vary: "Accept, Authorization",
  };
  return new Response(format === "json" ? JSON.stringify(answer.json) : answer.markdown, { headers });
}

async function getTemplateReadme(request: IRequest, context: RequestContext): Promise<Response> {
  // Parameters and format first: a bad one is a 400 (or 406) that never touches storage.
  const query = parseDocsQuery(new URL(request.url).searchParams, ContentQuery);
  const format = negotiate(request.headers.get("Accept"));
  templateKind.identity(request.params as RouteParams);
  return edgeCached(request, context, format, query, (fill) => produce(request, fill, query, format));
}

/** Relative to a registry prefix (wrap with registryRoutes); listed before the template kind's own routes. */
export const templateReadmeRoutes: Array<[string, RouteMethods]> = [["/templates/:source/:publisher/:name+/versions/:version/readme", { GET: getTemplateReadme }]];

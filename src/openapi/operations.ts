// The table the API description is generated from: one entry per operation the gateway serves, each with
// the zod schemas of its parameters, body and answers. Adding a route means adding its entry here (the
// drift test in test/workers/openapi.test.ts fails until the router table and this table agree).
import { z } from "zod";
import { CreateOrg, CreateToken } from "../admin/org-routes";
import { Featured } from "../admin/package-routes";
import { RegisterVcsTemplate } from "../admin/template-routes";
import { LOCAL_UPLOAD_PATH } from "../artifacts/upload-signing";
import { RegisterWebhook } from "../webhooks/webhook-routes";
import { REGISTRY_PREFIXES } from "../http/routes";
import { CompleteBody, DeprecateBody, StartBody } from "../registry-api/bodies";
import { VCS_SOURCES } from "../templates/template-kind";
import { TemplateReadme } from "../templates/template-answer";
import { STACK_NAME_PATTERN, UsageReport } from "../usage/usage-routes";
import * as D from "./api-docs-schemas";
import * as O from "./org-registry-schemas";
import * as S from "./schemas";
import { empty, fails, ok } from "./responses";
import { webRoutes } from "../web/web-routes";
import { policyPackOperations } from "../policy-packs/policy-pack-operations";
import { pluginOperations } from "../plugins/plugin-operations";
import { mirrorOperations } from "../mirror/mirror-operations";
import { policyPackWebRoutes } from "../policy-packs/policy-pack-web";

import type { OperationSpec, ResponseSpec } from "./operation-spec";

export type { Auth, DocumentName, HttpMethod, OperationSpec, ResponseSpec } from "./operation-spec";

/** Router patterns the documents deliberately leave out, with why. */
export const UNDESCRIBED_ROUTES: Record<string, string> = {
  [`${LOCAL_UPLOAD_PATH}*`]:
    "local mode's upload target: clients PUT to the presigned uploadURLs exactly as given (in R2 mode they point at R2 and this route is a 404)",
  // The browsable catalog (src/web): HTML pages and their form posts and assets, for people, not API clients.
  ...Object.fromEntries([...webRoutes, ...policyPackWebRoutes].map(([pattern]) => [pattern, "an HTML page of the browsable catalog (src/web), not an API operation"])),
};

// ---- helpers that keep each entry short ----


/** A registry route is served under both prefixes: the `/api/registry` entry carries Pulumi's operation
 * id, the `/api/preview/registry` one the same id with `Preview` appended (ids must be unique). */
function registry(op: Omit<OperationSpec, "document">): OperationSpec[] {
  const [preview, current] = REGISTRY_PREFIXES;
  return [
    { ...op, document: "client", path: current + op.path },
    {
      ...op,
      document: "client",
      path: preview + op.path,
      operationId: `${op.operationId}Preview`,
      description: `${op.description ? `${op.description}\n\n` : ""}Same as ${op.operationId}, under the prefix older Pulumi CLIs and the TypeScript SDK call.`,
    },
  ];
}

/** What registryKindRoutes serves for each kind: list, start, complete, get, delete a version or the whole item (both prefixes). */
function kindOperations(k: {
  collection: "packages" | "templates";
  tag: string;
  ids: Record<"list" | "versions" | "start" | "complete" | "get" | "remove" | "removeItem", string>;
  path: (version: "read" | "exact" | "none") => z.ZodObject;
  listQuery: z.ZodObject;
  deleteQuery?: z.ZodObject;
  list: z.ZodType;
  versions: z.ZodType;
  started: z.ZodType;
  view: z.ZodType;
  summaries: Record<"start" | "complete" | "remove" | "removeItem", string>;
}): OperationSpec[] {
  const noun = k.collection.slice(0, -1);
  const base = `/${k.collection}/{source}/{publisher}/{name}/versions`;
  const tags = ["Registry", k.tag];
  const writes = fails(400, 401, 403, 404, 409, 413);
  return [
    ...registry({
      method: "get",
      path: `/${k.collection}`,
      operationId: k.ids.list,
      summary: `List ${k.collection}, one entry per ${noun} at its latest version`,
      tags,
      auth: "optional",
      query: k.listQuery,
      responses: { 200: ok(`a page of ${k.collection}`, k.list), ...fails(400, 401) },
    }),
    ...registry({
      method: "get",
      path: base,
      operationId: k.ids.versions,
      summary: `The live versions of one ${noun}, newest first`,
      description: `Visible exactly when the ${noun} is (the same 404 as a get). A VCS-backed template has no versions: 400.`,
      tags,
      auth: "optional",
      pathParams: k.path("none"),
      query: S.PageQuery,
      responses: { 200: ok("a page of versions", k.versions), ...fails(400, 401, 404) },
    }),
    ...registry({
      method: "post",
      path: base,
      operationId: k.ids.start,
      summary: k.summaries.start,
      tags,
      auth: "org",
      pathParams: k.path("none"),
      body: StartBody,
      responses: { 202: ok("the publish operation", k.started), ...writes },
    }),
    ...registry({
      method: "post",
      path: `${base}/{version}/complete`,
      operationId: k.ids.complete,
      summary: k.summaries.complete,
      tags,
      auth: "org",
      pathParams: k.path("exact"),
      body: CompleteBody,
      responses: { 201: ok("published", S.Completed), ...writes },
    }),
    ...registry({
      method: "get",
      path: `${base}/{version}`,
      operationId: k.ids.get,
      summary: `One ${noun} version, or \`latest\``,
      tags,
      auth: "optional",
      pathParams: k.path("read"),
      responses: { 200: ok("the version", k.view), ...fails(400, 401, 404) },
    }),
    ...registry({
      method: "delete",
      path: `${base}/{version}`,
      operationId: k.ids.remove,
      summary: k.summaries.remove,
      tags,
      auth: "org",
      pathParams: k.path("exact"),
      ...(k.deleteQuery ? { query: k.deleteQuery } : {}),
      responses: { 204: empty("deleted"), ...fails(400, 401, 403, 404) },
    }),
    ...registry({
      method: "delete",
      path: `/${k.collection}/{source}/{publisher}/{name}`,
      operationId: k.ids.removeItem,
      summary: k.summaries.removeItem,
      description: `Every live version is deleted at once (their numbers are retired); one audit entry and one \`${noun}.deleted\` event without a version. 404 when the ${noun} has no live versions.`,
      tags,
      auth: "org",
      pathParams: k.path("none"),
      responses: { 204: empty("deleted"), ...fails(400, 401, 403, 404) },
    }),
  ];
}

/** PUT and DELETE of `…/versions/{version}/deprecation` and `…/deprecation` (both prefixes): publisher rights as for delete. */
function deprecationOperations(collection: "packages" | "templates", path: (version: "read" | "exact" | "none") => z.ZodObject): OperationSpec[] {
  const noun = collection === "packages" ? "Package" : "Template";
  const tags = ["Registry", `${noun}s`, "Deprecation"];
  const base = `/${collection}/{source}/{publisher}/{name}`;
  const whole = `the whole ${noun.toLowerCase()} (every version; shown in preference to a version's own)`;
  return [
    ...(
      [
        [`${base}/versions/{version}/deprecation`, `${noun}Version`, "one version", path("exact")],
        [`${base}/deprecation`, noun, whole, path("none")],
      ] as const
    ).flatMap(([route, id, what, pathParams]) => [
      ...registry({
        method: "put",
        path: route,
        operationId: `Deprecate${id}`,
        summary: `Deprecate ${what}, with a message and optionally a replacement in this registry`,
        description: "Deprecating again replaces the message and replacement and keeps deprecatedAt. Deprecated versions stay readable; `latest` prefers a version that is not deprecated.",
        tags,
        auth: "org",
        pathParams,
        body: DeprecateBody,
        responses: { 204: empty("deprecated"), ...fails(400, 401, 403, 404, 413) },
      }),
      ...registry({
        method: "delete",
        path: route,
        operationId: `Undeprecate${id}`,
        summary: `Lift the deprecation of ${what}`,
        tags,
        auth: "org",
        pathParams,
        responses: { 204: empty("not deprecated (also when it was not)"), ...fails(400, 401, 403, 404) },
      }),
    ]),
  ];
}

/** An artifact download of a version (the kind's `downloads`): visible exactly when the version is. */
function download(collection: "packages" | "templates", file: string, operationId: string, summary: string, answer: ResponseSpec): OperationSpec[] {
  return registry({
    method: "get",
    path: `/${collection}/{source}/{publisher}/{name}/versions/{version}/${file}`,
    operationId,
    summary,
    tags: ["Registry", collection === "packages" ? "Packages" : "Templates"],
    auth: "optional",
    pathParams: (collection === "packages" ? S.packagePath : S.templatePath)("read"),
    responses: { 200: answer, ...fails(400, 401, 404) },
  });
}

/** A docs route: JSON by default, the same content as markdown on `Accept: text/markdown`; pinned versions are immutable. */
function docs(route: string, operationId: string, summary: string, query: z.ZodObject, answer: z.ZodType, extraPath: Record<string, z.ZodType> = {}): OperationSpec[] {
  return registry({
    method: "get",
    path: `${PKG}/versions/{version}/${route}`,
    operationId,
    summary,
    description:
      "Visible exactly when the version is. A pinned version's answer is immutable (long Cache-Control, ETag); `latest` is resolved every time. JSON answers carry `Link: <same URL>; rel=\"alternate\"; type=\"text/markdown\"`. Documentation is derived after publishing: while the version's `docs.status` is `pending` these routes answer 503 with `Retry-After`, and 422 when it is `failed`.",
    tags: ["Registry", "PackageDocs"],
    auth: "optional",
    pathParams: S.packagePath("read").extend(extraPath),
    query,
    responses: {
      200: { description: "the answer", json: answer, markdown: true },
      304: empty("not modified (If-None-Match)"),
      ...fails(400, 401, 404, 406, 422, 503),
    },
  });
}

// Request bodies are the handlers' own schemas, named here for the document.
S.component("StartPublishRequest", StartBody);
S.component("CompletePublishRequest", CompleteBody);
S.component("UsageReport", UsageReport);
S.component("CreateOrganizationRequest", CreateOrg);
S.component("CreateTokenRequest", CreateToken);
S.component("SetFeaturedRequest", Featured);
S.component("RegisterVcsTemplateRequest", RegisterVcsTemplate);
S.component("DeprecateRequest", DeprecateBody);
S.component("RegisterWebhookRequest", RegisterWebhook);

const PKG = "/packages/{source}/{publisher}/{name}";
const orgPath = z.object({ org: S.segment() });
const webhookPath = z.object({ org: S.segment(), id: S.segment() });
const stackPath = z.object({
  org: S.segment(),
  project: z.string().regex(STACK_NAME_PATTERN),
  stack: z.string().regex(STACK_NAME_PATTERN),
});

export const operations: OperationSpec[] = [
  // ---- health, bootstrap, the description itself ----
  {
    document: "client",
    method: "get",
    path: "/healthz",
    operationId: "GetHealth",
    summary: "Liveness; touches no storage",
    tags: ["Health"],
    auth: "none",
    responses: { 200: ok("alive", S.Health) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/user",
    operationId: "GetCurrentUser",
    summary: "The org a token belongs to, shaped as the Pulumi CLI's current user",
    tags: ["CLI"],
    auth: "org",
    responses: { 200: ok("the token's org as a user", S.User), ...fails(401) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/user/organizations/default",
    operationId: "GetDefaultOrganization",
    summary: "The default org for `pulumi` commands: the token's org",
    tags: ["CLI"],
    auth: "org",
    responses: { 200: ok("the token's org", S.DefaultOrganization), ...fails(401) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/capabilities",
    operationId: "GetCapabilities",
    summary: "Service capabilities the CLI asks for at login (none beyond the registry)",
    tags: ["CLI"],
    auth: "org",
    responses: { 200: ok("capabilities", S.Capabilities), ...fails(401) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/openapi/pulumi-spec.json",
    operationId: "GetOpenApiSpec",
    summary: "This document",
    tags: ["Miscellaneous"],
    auth: "none",
    responses: { 200: ok("an OpenAPI 3.1 document of every client route", S.OpenApiDocument) , 304: empty("not modified (If-None-Match)") },
  },

  // ---- packages ----
  ...kindOperations({
    collection: "packages",
    tag: "Packages",
    ids: { list: "ListPackages", versions: "ListPackageVersions", start: "PostPublishPackageVersion", complete: "PostPublishPackageVersionComplete", get: "GetPackageVersion", remove: "DeletePublishPackageVersion", removeItem: "DeletePackage" },
    path: S.packagePath,
    listQuery: S.PackageListQuery,
    list: S.PackageList,
    versions: S.PackageVersionList,
    started: S.StartPackagePublish,
    view: S.PackageMetadata,
    summaries: {
      start: "Start publishing a package version: presigned upload URLs for its schema, README and installation text",
      complete: "Complete a publish: metadata is read from the uploaded schema, docs are derived, and the version appears atomically",
      remove: "Delete a package version; its number is retired",
      removeItem: "Delete a package: every version, their numbers retired",
    },
  }),
  ...deprecationOperations("packages", S.packagePath),
  ...download("packages", "schema", "GetPackageSchema", "The version's schema as uploaded", ok("the schema", S.PackageSchema)),
  ...download("packages", "raw/schema", "GetPackageRawSchema", "The version's schema as uploaded (schemaURL)", ok("the schema", S.PackageSchema)),
  ...download("packages", "raw/readme", "GetPackageRawReadme", "The version's README as uploaded (readmeURL)", { description: "the README", markdown: true }),
  ...download("packages", "raw/installation", "GetPackageRawInstallation", "The version's installation text as uploaded", { description: "the installation text", markdown: true }),

  // ---- package documentation (JSON, or markdown with Accept: text/markdown) ----
  ...docs("readme", "GetPackageReadme", "The README as content nodes, in the asked language and OS", D.ContentQuery, D.ContentAnswer),
  ...docs("installation", "GetPackageInstallation", "The installation text as content nodes (404 when the version has none)", D.ContentQuery, D.ContentAnswer),
  ...docs("nav", "GetPackageNav", "The package's modules, and with depth=full their resources and functions; URLs to the README and to each token's docs", D.NavQuery, D.NavAnswer),
  ...docs("docs/{token}", "GetPackageDocs", "One resource or function: per-language names and types of its inputs and outputs, and every type they reach", D.DocsQuery, D.DocsAnswer, {
    token: z.string().describe("a type token such as random:index/randomPassword:RandomPassword, percent-encoded or with only the slashes encoded"),
  }),
  ...docs("examples", "GetPackageExamples", "Code examples from the schema's descriptions, in one language", D.ExamplesQuery, D.ExamplesAnswer),

  // ---- templates ----
  ...kindOperations({
    collection: "templates",
    tag: "Templates",
    ids: { list: "ListTemplates", versions: "ListTemplateVersions", start: "PostPublishTemplateVersion", complete: "PostPublishTemplateVersionComplete", get: "GetTemplateVersion", remove: "DeleteTemplateVersion", removeItem: "DeleteTemplate" },
    path: S.templatePath,
    listQuery: S.TemplateListQuery,
    deleteQuery: S.TemplateDeleteQuery,
    list: S.TemplateList,
    versions: S.TemplateVersionList,
    started: S.StartTemplatePublish,
    view: S.Template,
    summaries: {
      start: "Start publishing a template version: a presigned upload URL for its archive",
      complete: "Complete a template publish: the archive is checked and the version appears atomically",
      remove: "Delete a template version; the last one only with force=true",
      removeItem: "Delete a template: every version (no force needed), their numbers retired",
    },
  }),
  ...deprecationOperations("templates", S.templatePath),
  ...download("templates", "archive", "GetTemplateArchive", "The version's archive (gzip tar)", { description: "the archive", bytes: "application/gzip" }),
  ...download("templates", "raw/readme", "GetTemplateRawReadme", "The root README.md of the version's archive, as stored (readmeURL)", { description: "the README", markdown: true }),
  ...registry({
    method: "get",
    path: "/templates/{source}/{publisher}/{name}/versions/{version}/readme",
    operationId: "GetTemplateReadme",
    summary: "The root README.md of the version's archive as content nodes, in the asked language and OS",
    description:
      "JSON by default, the same content as markdown on `Accept: text/markdown`, like the package readme route. Visible exactly when the version is; 404 when the archive has no root README. Before this route existed this path answered the raw file, which is now `…/raw/readme` (readmeURL).",
    tags: ["Registry", "Templates"],
    auth: "optional",
    pathParams: S.templatePath("read"),
    query: D.ContentQuery,
    responses: { 200: { description: "the README", json: TemplateReadme, markdown: true }, ...fails(400, 401, 404, 406) },
  }),

  // ---- usage ----
  {
    document: "client",
    method: "put",
    path: "/api/orgs/{org}/registry/usage/{project}/{stack}",
    operationId: "PutStackPackageUsage",
    summary: "Replace the list of packages one stack uses (an empty list removes the stack)",
    tags: ["Registry", "Usage"],
    auth: "org",
    pathParams: stackPath,
    body: UsageReport,
    responses: { 204: empty("recorded"), ...fails(400, 401, 403, 413) },
  },
  {
    document: "client",
    method: "delete",
    path: "/api/orgs/{org}/registry/usage/{project}/{stack}",
    operationId: "DeleteStackPackageUsage",
    summary: "Forget a stack's package usage",
    tags: ["Registry", "Usage"],
    auth: "org",
    pathParams: stackPath,
    responses: { 204: empty("removed (also when nothing was recorded)"), ...fails(400, 401, 403) },
  },

  {
    document: "client",
    method: "get",
    path: "/api/orgs/{org}/packages/usage",
    operationId: "ListPackageUsage",
    summary: "Which of the org's stacks use a package, from their usage reports",
    description: "Any token of the org. Keyset-paged by project, stack and package.",
    tags: ["Registry", "Usage"],
    auth: "org",
    pathParams: orgPath,
    query: O.PackageUsageQuery,
    responses: { 200: ok("a page of stacks", O.PackageUsage), ...fails(400, 401, 403) },
  },

  // ---- an org's audit log and webhooks (admin tokens of the org) ----
  {
    document: "client",
    method: "get",
    path: "/api/orgs/{org}/registry/audit",
    operationId: "ListOrganizationAuditEntries",
    summary: "The audit log entries about the org, newest first",
    description: "An admin token of the org. One entry per accepted change; refused requests write none.",
    tags: ["Registry", "Audit"],
    auth: "org",
    pathParams: orgPath,
    query: O.AuditQuery,
    responses: { 200: ok("a page of entries", O.AuditPage), ...fails(400, 401, 403) },
  },
  {
    document: "client",
    method: "post",
    path: "/api/orgs/{org}/registry/webhooks",
    operationId: "CreateOrganizationWebhook",
    summary: "Register a webhook endpoint for registry events; the signing secret is shown once",
    description: "An admin token of the org. https URLs only (and no credentials in them); at most 20 per org (409).",
    tags: ["Registry", "Webhooks"],
    auth: "org",
    pathParams: orgPath,
    body: RegisterWebhook,
    responses: { 201: ok("registered, with its secret", O.CreatedWebhook), ...fails(400, 401, 403, 409, 413) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/orgs/{org}/registry/webhooks",
    operationId: "ListOrganizationWebhooks",
    summary: "The org's webhook endpoints, never their secrets",
    tags: ["Registry", "Webhooks"],
    auth: "org",
    pathParams: orgPath,
    responses: { 200: ok("every endpoint", O.WebhookList), ...fails(400, 401, 403) },
  },
  {
    document: "client",
    method: "delete",
    path: "/api/orgs/{org}/registry/webhooks/{id}",
    operationId: "DeleteOrganizationWebhook",
    summary: "Remove a webhook endpoint and its delivery history",
    tags: ["Registry", "Webhooks"],
    auth: "org",
    pathParams: webhookPath,
    responses: { 204: empty("removed"), ...fails(400, 401, 403, 404) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/orgs/{org}/registry/webhooks/{id}/deliveries",
    operationId: "ListOrganizationWebhookDeliveries",
    summary: "An endpoint's delivery attempts, newest first",
    tags: ["Registry", "Webhooks"],
    auth: "org",
    pathParams: webhookPath,
    query: S.PageQuery,
    responses: { 200: ok("a page of attempts", O.WebhookDeliveries), ...fails(400, 401, 403, 404) },
  },

  // ---- admin API (its own document) ----
  {
    document: "admin",
    method: "get",
    path: "/api/openapi/admin.json",
    operationId: "GetAdminOpenApiSpec",
    summary: "This document",
    tags: ["Miscellaneous"],
    auth: "none",
    responses: { 200: ok("an OpenAPI 3.1 document of the admin API", S.OpenApiDocument) , 304: empty("not modified (If-None-Match)") },
  },
  {
    document: "admin",
    method: "post",
    path: "/api/admin/orgs",
    operationId: "CreateOrganization",
    summary: "Create an organization",
    tags: ["Organizations"],
    auth: "admin",
    body: CreateOrg,
    responses: { 201: ok("created", S.Organization), ...fails(400, 401, 403, 404, 409, 413) },
  },
  {
    document: "admin",
    method: "get",
    path: "/api/admin/orgs",
    operationId: "ListOrganizations",
    summary: "List organizations",
    tags: ["Organizations"],
    auth: "admin",
    responses: { 200: ok("every organization", S.OrganizationList), ...fails(401, 403, 404) },
  },
  {
    document: "admin",
    method: "post",
    path: "/api/admin/orgs/{org}/tokens",
    operationId: "CreateOrganizationToken",
    summary: "Create a token for an org (also with an admin token of that org); the secret is shown once",
    tags: ["Tokens"],
    auth: "admin",
    pathParams: z.object({ org: S.segment() }),
    body: CreateToken,
    responses: { 201: ok("created, with its secret", S.CreatedAccessToken), ...fails(400, 401, 403, 404, 413) },
  },
  {
    document: "admin",
    method: "get",
    path: "/api/admin/orgs/{org}/tokens",
    operationId: "ListOrganizationTokens",
    summary: "An org's live tokens, never their secrets",
    tags: ["Tokens"],
    auth: "admin",
    pathParams: z.object({ org: S.segment() }),
    responses: { 200: ok("live tokens", S.AccessTokenList), ...fails(400, 401, 403, 404) },
  },
  {
    document: "admin",
    method: "delete",
    path: "/api/admin/orgs/{org}/tokens/{id}",
    operationId: "DeleteOrganizationToken",
    summary: "Revoke a token; it is refused from the next request on",
    tags: ["Tokens"],
    auth: "admin",
    pathParams: z.object({ org: S.segment(), id: S.segment() }),
    responses: { 204: empty("revoked"), ...fails(400, 401, 403, 404) },
  },
  {
    document: "admin",
    method: "put",
    path: "/api/admin/packages/{source}/{publisher}/{name}/featured",
    operationId: "SetPackageFeatured",
    summary: "Mark a package featured, or not (`isFeatured`)",
    tags: ["Packages"],
    auth: "admin",
    pathParams: S.packagePath("none"),
    body: Featured,
    responses: { 204: empty("set"), ...fails(400, 401, 403, 404, 413) },
  },
  {
    document: "admin",
    method: "delete",
    path: "/api/admin/packages/{source}/{publisher}/{name}",
    operationId: "OperatorDeletePackage",
    summary: "Delete every live version of any package; a mirrored package is released from its upstream",
    description: "Moderation by the operator, whichever org owns the package. A mirrored package is never mirrored again afterwards: its org may publish to it like to any local package (docs/operator/mirror.md). A mirrored package without live versions is released alone.",
    tags: ["Packages"],
    auth: "admin",
    pathParams: S.packagePath("none"),
    responses: {
      200: ok("the versions retired, and the upstream released", z.object({ retired: z.array(z.string()), released: z.string().optional().describe("the upstream id the package was mirrored from") })),
      ...fails(400, 401, 403, 404),
    },
  },
  {
    document: "admin",
    method: "delete",
    path: "/api/admin/packages/{source}/{publisher}/{name}/versions/{version}",
    operationId: "OperatorDeletePackageVersion",
    summary: "Delete one version of any package (its number stays taken); the last one needs no force",
    description: "Moderation by the operator, whichever org owns the package: how a mirrored version the upstream withdrew goes at once, before the recheck gets to it.",
    tags: ["Packages"],
    auth: "admin",
    pathParams: S.packagePath("exact"),
    responses: { 204: empty("deleted"), ...fails(400, 401, 403, 404) },
  },
  {
    document: "admin",
    method: "post",
    path: "/api/admin/packages/{source}/{publisher}/{name}/versions/{version}/docs",
    operationId: "BackfillPackageDocs",
    summary: "Derive one version's documentation again, in durable steps after this answer",
    description: "Starts a new attempt of the version's docs job whatever the last one ended in. Docs already served stay served until the new ones replace them; a version without docs reports `pending` until then.",
    tags: ["Packages"],
    auth: "admin",
    pathParams: S.packagePath("exact"),
    responses: { 202: ok("the derivation was started", D.DocsJobReport), ...fails(400, 401, 403, 404) },
  },
  {
    document: "admin",
    method: "get",
    path: "/api/admin/packages/{source}/{publisher}/{name}/versions/{version}/docs",
    operationId: "GetPackageDocsJob",
    summary: "Where one version's documentation derivation stands",
    tags: ["Packages"],
    auth: "admin",
    pathParams: S.packagePath("exact"),
    responses: { 200: ok("the version's docs status and its job", D.DocsJobReport), ...fails(400, 401, 403, 404) },
  },
  {
    document: "admin",
    method: "get",
    path: "/api/admin/audit",
    operationId: "ListAuditEntries",
    summary: "Every audit log entry, newest first",
    description: "The operator's ADMIN_TOKEN only. The same filters as an org's audit log.",
    tags: ["Audit"],
    auth: "admin",
    query: O.AuditQuery,
    responses: { 200: ok("a page of entries", O.AuditPage), ...fails(400, 401, 403, 404) },
  },
  {
    document: "admin",
    method: "post",
    path: "/api/admin/templates",
    operationId: "RegisterVcsTemplate",
    summary: "Register a template that lives in a GitHub or GitLab repository",
    tags: ["Templates"],
    auth: "admin",
    body: RegisterVcsTemplate,
    responses: { 201: ok("registered", S.Template), ...fails(400, 401, 403, 404, 409, 413) },
  },
  {
    document: "admin",
    method: "delete",
    path: "/api/admin/templates/{source}/{publisher}/{name}",
    operationId: "DeleteVcsTemplate",
    summary: "Remove a VCS-backed template",
    tags: ["Templates"],
    auth: "admin",
    pathParams: z.object({ source: z.enum(VCS_SOURCES), publisher: S.segment(), name: z.string().describe("owner/repo/path, its slashes sent as they are or percent-encoded (%2F)") }),
    responses: { 204: empty("removed"), ...fails(400, 401, 403, 404) },
  },

  // ---- policy packs (src/policy-packs) ----
  ...policyPackOperations,
  ...pluginOperations,
  ...mirrorOperations,
];

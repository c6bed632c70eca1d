// The API description's entries for policy packs (registry routes under both prefixes, and the org
// routes the stock CLI calls), spread into the OpenAPI operation table by src/openapi/operations.ts.
import { z } from "zod";
import { REGISTRY_PREFIXES } from "../http/routes";
import { Completed, component, segment } from "../openapi/schemas";
import { CompleteBody, DeprecateBody, StartBody } from "../registry-api/bodies";
import * as P from "./policy-pack-schemas";
import { empty, fails, ok } from "../openapi/responses";
import type { OperationSpec } from "../openapi/operation-spec";

/** An entry of the OpenAPI operation table, in the client document. */
type PackOperation = OperationSpec & { document: "client" };


const TAGS = ["Registry", "PolicyPacks"];
const ORG_TAGS = ["PolicyPacks", "Organizations"];

const versionParam = z.string().describe("a SemVer 2.0 version (no 'v'), or 'latest' where reading");
const packPath = (version: "read" | "exact" | "none") =>
  z.object({
    source: z.enum(["private"]),
    publisher: segment(),
    name: segment(),
    ...(version === "none" ? {} : { version: version === "read" ? versionParam : z.string().describe("a SemVer 2.0 version (no 'v')") }),
  });
const orgPath = z.object({ org: segment() });
const orgPackPath = z.object({ org: segment(), name: segment() });
const orgVersionPath = z.object({
  org: segment(),
  name: segment(),
  versionTag: z.string().regex(P.VERSION_TAG_PATTERN).describe("the version's SemVer tag, or the integer version of a pack published without a tag"),
});

/** The registry start body: the core's `{version, publishedAt?}` and the kind's start extension, in one object. */
export const StartPackBody = component("StartPolicyPackPublishRequest", StartBody.extend(P.PackStartFields.shape));

/** Under `/api/registry` with the id as given, under `/api/preview/registry` with `Preview` appended. */
function registry(op: Omit<PackOperation, "document">): PackOperation[] {
  const [preview, current] = REGISTRY_PREFIXES;
  return [
    { ...op, document: "client", path: current + op.path },
    { ...op, document: "client", path: preview + op.path, operationId: `${op.operationId}Preview`, description: `${op.description ? `${op.description}\n\n` : ""}Same as ${op.operationId}, under the older prefix.` },
  ];
}

const BASE = "/policypacks/{source}/{publisher}/{name}";
const writes = fails(400, 401, 403, 404, 409, 413);

const registryOperations: PackOperation[] = [
  ...registry({
    method: "get",
    path: "/policypacks",
    operationId: "ListPolicyPacks",
    summary: "List the policy packs the caller may see, one entry per pack at its latest version",
    description: "Every pack is private to its org: anonymous callers get an empty list. `access` accepts Pulumi's values; all list the caller's org's packs (there are no policy groups here).",
    tags: TAGS,
    auth: "optional",
    query: P.PolicyPackListQuery,
    responses: { 200: ok("a page of policy packs", P.PolicyPackList), ...fails(400, 401) },
  }),
  ...registry({
    method: "post",
    path: "/policypacks",
    operationId: "PostListPolicyPacks",
    summary: "List policy packs, the filters and page given as a JSON body",
    tags: TAGS,
    auth: "optional",
    body: P.PolicyPackListBody,
    responses: { 200: ok("a page of policy packs", P.PolicyPackList), ...fails(400, 401, 413) },
  }),
  ...registry({
    method: "get",
    path: `${BASE}/versions`,
    operationId: "ListPolicyPackVersions",
    summary: "The live versions of one policy pack, newest first",
    tags: TAGS,
    auth: "optional",
    pathParams: packPath("none"),
    query: z.object({ limit: z.int().min(1).optional(), continuationToken: z.string().regex(/^[A-Za-z0-9_-]+$/).optional() }),
    responses: { 200: ok("a page of versions", P.PolicyPackVersionList), ...fails(400, 401, 404) },
  }),
  ...registry({
    method: "post",
    path: `${BASE}/versions`,
    operationId: "PostPublishPolicyPackVersion",
    summary: "Start publishing a policy pack version: its policies and enforcement levels, and a presigned upload URL for its archive",
    tags: TAGS,
    auth: "org",
    pathParams: packPath("none"),
    body: StartPackBody,
    responses: { 202: ok("the publish operation", P.StartPolicyPackPublish), ...writes },
  }),
  ...registry({
    method: "post",
    path: `${BASE}/versions/{version}/complete`,
    operationId: "PostPublishPolicyPackVersionComplete",
    summary: "Complete a policy pack publish: the archive is checked (root PulumiPolicy.yaml) and the version appears atomically",
    tags: TAGS,
    auth: "org",
    pathParams: packPath("exact"),
    body: CompleteBody,
    responses: { 201: ok("published", Completed), ...writes },
  }),
  ...registry({
    method: "get",
    path: `${BASE}/versions/{version}`,
    operationId: "GetPolicyPackVersion",
    summary: "One policy pack version, or `latest`, with its policies",
    tags: TAGS,
    auth: "optional",
    pathParams: packPath("read"),
    responses: { 200: ok("the version", P.PolicyPackVersion), ...fails(400, 401, 404) },
  }),
  ...registry({
    method: "delete",
    path: `${BASE}/versions/{version}`,
    operationId: "DeletePolicyPackVersion",
    summary: "Delete a policy pack version; its number is retired",
    tags: TAGS,
    auth: "org",
    pathParams: packPath("exact"),
    responses: { 204: empty("deleted"), ...fails(400, 401, 403, 404) },
  }),
  ...registry({
    method: "delete",
    path: BASE,
    operationId: "DeletePolicyPack",
    summary: "Delete a whole policy pack: every live version at once",
    tags: TAGS,
    auth: "org",
    pathParams: packPath("none"),
    responses: { 204: empty("deleted"), ...fails(400, 401, 403, 404) },
  }),
  ...registry({
    method: "get",
    path: `${BASE}/versions/{version}/archive`,
    operationId: "GetPolicyPackArchive",
    summary: "The version's archive (gzip tar)",
    tags: TAGS,
    auth: "optional",
    pathParams: packPath("read"),
    responses: { 200: { description: "the archive", bytes: "application/gzip" }, ...fails(400, 401, 404) },
  }),
  ...(
    [
      [`${BASE}/versions/{version}/deprecation`, "PolicyPackVersion", "one version", packPath("exact")],
      [`${BASE}/deprecation`, "PolicyPack", "the whole pack", packPath("none")],
    ] as const
  ).flatMap(([path, id, what, pathParams]) => [
    ...registry({
      method: "put",
      path,
      operationId: `Deprecate${id}`,
      summary: `Deprecate ${what}, with a message and optionally a replacement`,
      tags: [...TAGS, "Deprecation"],
      auth: "org",
      pathParams,
      body: DeprecateBody,
      responses: { 204: empty("deprecated"), ...fails(400, 401, 403, 404, 413) },
    }),
    ...registry({
      method: "delete",
      path,
      operationId: `Undeprecate${id}`,
      summary: `Lift the deprecation of ${what}`,
      tags: [...TAGS, "Deprecation"],
      auth: "org",
      pathParams,
      responses: { 204: empty("not deprecated (also when it was not)"), ...fails(400, 401, 403, 404) },
    }),
  ]),
];

const ORG = "/api/orgs/{org}/policypacks";

const orgOperations: PackOperation[] = [
  {
    document: "client",
    method: "post",
    path: ORG,
    operationId: "CreatePolicyPack",
    summary: "Start publishing a policy pack version as `pulumi policy publish` does: a presigned uploadURI for its tarball",
    description: "Needs a publisher or admin token of {org}. Without versionTag (older @pulumi/policy) the version published is `N.0.0`, N the integer answered.",
    tags: ORG_TAGS,
    auth: "org",
    pathParams: orgPath,
    body: P.OrgPublishBody,
    responses: { 200: ok("the publish started", P.OrgPublishAnswer), ...writes },
  },
  {
    document: "client",
    method: "get",
    path: ORG,
    operationId: "ListOrgPolicyPacks",
    summary: "The org's policy packs with their integer versions and tags (not paginated)",
    tags: ORG_TAGS,
    auth: "org",
    pathParams: orgPath,
    responses: { 200: ok("the org's packs", P.OrgPackList), ...fails(400, 401, 403) },
  },
  {
    document: "client",
    method: "post",
    path: `${ORG}/{name}/versions/{versionTag}/complete`,
    operationId: "CompletePublishPolicyPack",
    summary: "Complete the publish this org started for the version; no body",
    tags: ORG_TAGS,
    auth: "org",
    pathParams: orgVersionPath,
    responses: { 204: empty("published"), ...writes },
  },
  {
    document: "client",
    method: "delete",
    path: `${ORG}/{name}`,
    operationId: "DeleteOrgPolicyPack",
    summary: "Delete a whole policy pack",
    tags: ORG_TAGS,
    auth: "org",
    pathParams: orgPackPath,
    responses: { 204: empty("deleted"), ...fails(400, 401, 403, 404) },
  },
  {
    document: "client",
    method: "delete",
    path: `${ORG}/{name}/versions/{versionTag}`,
    operationId: "DeleteOrgPolicyPackVersion",
    summary: "Delete one version of a policy pack",
    tags: ORG_TAGS,
    auth: "org",
    pathParams: orgVersionPath,
    responses: { 204: empty("deleted"), ...fails(400, 401, 403, 404) },
  },
  {
    document: "client",
    method: "get",
    path: `${ORG}/{name}/versions/{versionTag}/schema`,
    operationId: "GetPolicyPackConfigSchema",
    summary: "The configuration schemas of a version's policies, by policy name",
    tags: ORG_TAGS,
    auth: "org",
    pathParams: orgVersionPath,
    responses: { 200: ok("the schemas", P.ConfigSchemaAnswer), ...fails(400, 401, 403, 404) },
  },
];

export const policyPackOperations: PackOperation[] = [...registryOperations, ...orgOperations];

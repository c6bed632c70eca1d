// zod schemas of policy packs: the bodies the CLI and registry clients send, and the answers (the
// RegistryPolicyPack view, the org routes' shapes), named for the API description.
import { z } from "zod";
import { component, continuationToken, Deprecation, pagedList, segment, text, timestamp } from "../openapi/schemas";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];
export const SEVERITIES = ["", "low", "medium", "high", "critical"] as const;
export const ACCESS_FILTERS = ["private", "added", "available", "enabled"] as const;
export const ACCESS_LEVELS = ["full", "view-only", "deny"] as const;
/** Pulumi's rule for a policy pack's version tag (and, here, for the integer form of it). */
export const VERSION_TAG_PATTERN = /^[a-zA-Z0-9-_.]{1,100}$/;

const MAX_POLICIES = 500;
const short = (max: number) => z.string({ error: "must be a string" }).max(max, `must be at most ${max} characters`);
const jsonObject = () => z.record(z.string(), z.unknown(), { error: "must be a JSON object" });

export const Policy = component(
  "PolicyPackPolicy",
  z.object({
    name: short(200).regex(/^[A-Za-z0-9._-]+$/, "must be URL-safe (letters, digits, '.', '_', '-')").min(1, "is required"),
    displayName: short(500).optional(),
    description: short(4000).optional(),
    enforcementLevel: z.enum(ENFORCEMENT_LEVELS, { error: `must be one of ${ENFORCEMENT_LEVELS.join(", ")}` }),
    message: short(4000).optional(),
    configSchema: jsonObject().optional().describe("the JSON schema of the policy's configuration"),
    severity: z.enum(SEVERITIES, { error: "must be one of '', low, medium, high, critical" }).optional(),
    framework: jsonObject().optional(),
    tags: z.array(short(200)).max(50).optional(),
    remediationSteps: short(4000).optional(),
    url: short(2000).optional(),
  }),
);
export type PolicyInput = z.infer<typeof Policy>;

/** Policies, each name once (a policy's name is its key, e.g. for `/schema`). */
const policies = z
  .array(Policy, { error: "must be an array of policies" })
  .max(MAX_POLICIES, `must list at most ${MAX_POLICIES} policies`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicates policy '${p.name}'; name each policy once` });
      seen.add(p.name);
    });
  });

/** What a policy pack version carries beyond its archive; stored with the publish operation. */
const packFields = {
  displayName: short(500).optional(),
  description: short(4000).optional(),
  readme: short(60_000).optional(),
  provider: short(200).optional(),
  tags: z.array(short(200), { error: "must be an array of strings" }).max(100, "must list at most 100 tags").optional(),
  repository: short(2000).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
};

/** The kind's extension of the registry start body (`{version, publishedAt?}` + these). */
export const PackStartFields = z.object({ ...packFields, policies: policies.default([]) });
export type PackStartFields = z.infer<typeof PackStartFields>;

/** `POST /api/orgs/{org}/policypacks`: the body `pulumi policy publish` sends. */
export const OrgPublishBody = component(
  "CreatePolicyPackRequest",
  z.object({
    ...packFields,
    name: z.string({ error: "is required and must be a string" }),
    displayName: short(500),
    versionTag: z.string({ error: "must be a string" }).regex(VERSION_TAG_PATTERN, `must match ${VERSION_TAG_PATTERN.source}`).optional(),
    policies: policies,
    runtime: z.unknown().optional().describe("ignored: the runtime is read from the archive's PulumiPolicy.yaml"),
  }),
);
export type OrgPublishBody = z.infer<typeof OrgPublishBody>;

export const OrgPublishAnswer = component(
  "CreatePolicyPackResponse",
  z.strictObject({
    version: z.int().min(1).describe("the version's position in the pack's publish order"),
    uploadURI: z.url().describe("presigned PUT URL for the pack's gzip tarball; send it without Authorization"),
    requiredHeaders: z.record(z.string(), z.string()).optional(),
  }),
);

export const OrgPackList = component(
  "ListOrgPolicyPacksResponse",
  z.strictObject({
    policyPacks: z.array(
      z.strictObject({
        name: text(),
        displayName: text(),
        versions: z.array(z.int().min(1)).describe("the live versions' integer numbers, ascending"),
        versionTags: z.array(text()).describe("the live versions' tags, in the same order"),
      }),
    ),
  }),
);

export const ConfigSchemaAnswer = component(
  "GetPolicyPackConfigSchemaResponse",
  z.strictObject({ configSchema: z.record(z.string(), z.record(z.string(), z.unknown())).describe("each policy's configuration schema, by policy name (policies without one are left out)") }),
);

export const RegistryPolicyPack = component(
  "RegistryPolicyPack",
  z.strictObject({
    id: text().describe("the pack's catalog id: one per pack, the same for all its versions"),
    source: z.enum(["private"]),
    publisher: text().describe("the owning org"),
    name: text(),
    version: text(),
    displayName: text(),
    accessLevel: z.enum(ACCESS_LEVELS).describe("full: the caller may publish and delete; view-only: it may read"),
    enforcementLevels: z.array(z.enum(ENFORCEMENT_LEVELS)).describe("the enforcement levels this version's policies declare"),
    description: text().optional(),
    runtime: z.strictObject({ name: text(), options: z.record(z.string(), z.unknown()).optional() }),
    downloadURL: z.url().describe("the pack archive (gzip tar)"),
    visibility: z.enum(["private"]),
    createdAt: timestamp(),
    deprecation: Deprecation.optional(),
  }),
);
export type RegistryPolicyPack = z.infer<typeof RegistryPolicyPack>;

/** A policy as a version stores and shows it (Pulumi's AppPolicy). */
export const StoredPolicy = Policy;

export const PolicyPackVersion = component(
  "GetRegistryPolicyPackVersionResponse",
  z.strictObject({ policyPack: RegistryPolicyPack, policies: z.array(StoredPolicy) }),
);

export const PolicyPackList = pagedList("ListPolicyPacksResponse", "policyPacks", RegistryPolicyPack, "one entry per pack, at its latest version");
export const PolicyPackVersionList = pagedList("ListPolicyPackVersionsResponse", "policyPacks", RegistryPolicyPack, "one entry per live version, newest first");

export const StartPolicyPackPublish = component(
  "StartPolicyPackPublishResponse",
  z.strictObject({
    operationID: text(),
    uploadURLs: z.strictObject({ archive: z.url() }).describe("presigned PUT URL for the pack's gzip tar"),
    requiredHeaders: z.record(z.string(), z.string()).optional(),
  }),
);

/** The list's filters, as query parameters or as the POST form's JSON body. */
export const ListFilterFields = {
  access: z.enum(ACCESS_FILTERS, { error: `must be one of ${ACCESS_FILTERS.join(", ")}` }).optional(),
  orgLogin: segment().optional(),
};
export const PolicyPackListQuery = z.object({
  ...ListFilterFields,
  limit: z.int().min(1).optional().describe("page size, default 100; values above 500 are treated as 500"),
  continuationToken: continuationToken.optional(),
});
export const PolicyPackListBody = component(
  "ListPolicyPacksRequest",
  z.object({
    access: z.enum(ACCESS_FILTERS, { error: `must be one of ${ACCESS_FILTERS.join(", ")}` }).optional(),
    orgLogin: z.string({ error: "must be a string" }).optional(),
    ids: z.array(z.string()).optional().describe("not supported: a 400"),
    limit: z.int({ error: "must be an integer" }).min(1, "must be at least 1").optional(),
    continuationToken: z.string({ error: "must be a string" }).optional(),
  }),
);

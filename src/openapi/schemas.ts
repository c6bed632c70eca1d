// zod schemas of what the gateway answers (and of path and query parameters), named for the API description.
// Request bodies are not here: the handlers' own zod schemas are used for them (see operations.ts).
import { z } from "zod";
import { PACKAGE_SOURCES, TEMPLATE_SOURCES } from "../identity/rights";
import { ROLES } from "../identity/tokens";
import { PACKAGE_TYPES } from "../db/schema";
import { PACKAGE_SORTS, PACKAGE_USAGE_FILTERS, VISIBILITIES } from "../packages/package-kind";
import { PACKAGE_CATEGORIES } from "../packages/schema-metadata";
import { SEGMENT_PATTERN } from "../registry/names";
import { BACKINGS } from "../templates/template-kind";

/** Named schemas appear under `components.schemas` with their id (and as `$ref`s wherever used). */
export const named = new Map<z.ZodType, string>();

export function component<S extends z.ZodType>(id: string, schema: S): S {
  const existing = named.get(schema);
  if (existing !== undefined && existing !== id) throw new Error(`schema named both ${existing} and ${id}`);
  named.set(schema, id);
  return schema;
}

/** Optional fields are omitted when unknown, never null or "". */
export const text = () => z.string().min(1);
export const timestamp = () => z.iso.datetime({ offset: true }).describe("RFC 3339 UTC timestamp");
const url = () => z.url().describe("absolute URL");

export const ErrorBody = component(
  "Error",
  z
    .strictObject({
      code: z.int().min(400).max(599).describe("equals the HTTP status"),
      message: text().describe("what went wrong, for a person"),
      errors: z
        .array(
          z.strictObject({
            resource: text(),
            attribute: text().optional(),
            errorType: text(),
            customMessage: text().optional(),
          }),
        )
        .optional()
        .describe("field-level validation failures"),
    })
    .describe("Every error answer"),
);

// ---- parameters ----

export const segment = () => z.string().regex(SEGMENT_PATTERN);
export const continuationToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/)
  .describe("opaque; from the previous page; bound to the filters and sort it was issued for");

export const PageQuery = z.object({
  limit: z.int().min(1).optional().describe("page size, default 100; values above 500 are treated as 500"),
  continuationToken: continuationToken.optional(),
});

const searchParam = () =>
  z
    .string()
    .max(200)
    .describe("free text: up to 20 whitespace-separated terms, all of which must match (case-insensitive substrings)");

export const PackageListQuery = z.object({
  name: segment().optional().describe("package name, matched on its canonical form"),
  publisher: segment().optional(),
  orgLogin: segment().optional().describe("the owning organization"),
  visibility: z.enum(VISIBILITIES).optional(),
  search: searchParam().optional().describe("free text: up to 20 whitespace-separated terms, each a case-insensitive substring of the name, publisher, title, description or category"),
  packageType: z.enum(PACKAGE_TYPES).optional().describe("packages whose latest version is of this type"),
  category: z.enum(PACKAGE_CATEGORIES).optional().describe("packages whose latest version is in this category (its schema's `category/<x>` keyword; an extension of this registry)"),
  usage: z
    .enum(PACKAGE_USAGE_FILTERS)
    .optional()
    .describe("by the caller's org's stacks: used by any, by none, or used by some stack not on the latest version; needs an org token (401 anonymously)"),
  sort: z
    .enum(PACKAGE_SORTS)
    .optional()
    .describe("default name; createdAt is when the latest version was published; usageTotal is how many of the caller's org's stacks use it (needs an org token, 401 anonymously)"),
  asc: z.boolean().optional().describe("default true for name and publisher, false for createdAt and usageTotal"),
  ...PageQuery.shape,
});

export const TemplateListQuery = z.object({
  name: z.string().optional(),
  orgLogin: segment().optional(),
  search: searchParam().optional(),
  backing: z.array(z.enum(BACKINGS)).optional().describe("repeatable; default registry"),
  ...PageQuery.shape,
});

export const TemplateDeleteQuery = z.object({
  force: z.boolean().optional().describe("needed to delete a template's last version"),
});

const versionParam = z.string().describe("a SemVer 2.0 version (no 'v'), or 'latest' where reading");
const exactVersionParam = z.string().describe("a SemVer 2.0 version (no 'v')");

export const packagePath = (version: "read" | "exact" | "none") =>
  z.object({
    source: z.enum(PACKAGE_SOURCES),
    publisher: segment(),
    name: segment(),
    ...(version === "none" ? {} : { version: version === "read" ? versionParam : exactVersionParam }),
  });

export const templatePath = (version: "read" | "exact" | "none") =>
  z.object({
    source: z.enum(TEMPLATE_SOURCES),
    publisher: segment(),
    name: z.string().describe("one segment; for github and gitlab templates owner/repo/path, its slashes sent as they are or percent-encoded (%2F), as an OpenAPI client encodes them"),
    ...(version === "none" ? {} : { version: version === "read" ? versionParam : exactVersionParam }),
  });

// ---- packages ----

export const Deprecation = component(
  "Deprecation",
  z
    .strictObject({
      message: text(),
      replacement: text().optional().describe("source/publisher/name[@version] of something in this registry"),
      deprecatedAt: timestamp(),
    })
    .describe("present when the version, or the whole package or template, is deprecated; a whole-item deprecation is shown in preference to the version's own"),
);

export const UsageStats = component(
  "UsageStats",
  z
    .strictObject({
      totalStacks: z.int().min(0),
      onLatest: z.int().min(0),
      onOlder: z.int().min(0),
      versionUnresolved: z.int().min(0),
    })
    .describe("stacks of the caller's org using the package; only for callers with an org token"),
);

export const PackageMetadata = component(
  "PackageMetadata",
  z.strictObject({
    name: text(),
    publisher: text(),
    publisherDisplayName: text().optional(),
    source: z.enum(PACKAGE_SOURCES),
    version: text(),
    title: text().optional(),
    description: text().optional(),
    logoUrl: text().optional(),
    repoUrl: text().optional(),
    category: z.enum(PACKAGE_CATEGORIES).optional(),
    isFeatured: z.boolean(),
    packageTypes: z.array(z.enum(["native", "component", "bridged"])).min(1).optional(),
    packageStatus: z.enum(["ga", "public_preview"]),
    readmeURL: url(),
    schemaURL: url(),
    pluginDownloadURL: text().optional(),
    createdAt: timestamp(),
    visibility: z.enum(VISIBILITIES),
    parameterization: z
      .strictObject({
        baseProvider: z.strictObject({ name: text(), publisher: text(), source: text(), version: text() }),
        parameter: z.base64().describe("standard base64"),
      })
      .optional(),
    deprecation: Deprecation.optional(),
    usageStats: UsageStats.optional(),
  }),
);

export const PackageList = component(
  "ListPackagesResponse",
  z.strictObject({
    packages: z.array(PackageMetadata).describe("one entry per package, at its latest version"),
    continuationToken: continuationToken.optional().describe("absent on the last page"),
  }),
);

export const PackageVersionList = component(
  "ListPackageVersionsResponse",
  z.strictObject({
    packages: z.array(PackageMetadata).describe("one entry per live version, newest first"),
    continuationToken: continuationToken.optional().describe("absent on the last page"),
  }),
);

export const StartPackagePublish = component(
  "StartPackagePublishResponse",
  z.strictObject({
    operationID: text(),
    uploadURLs: z
      .strictObject({ schema: url(), index: url(), installationConfiguration: url() })
      .describe("presigned PUT URLs, valid as long as the operation; send the raw bytes with a Content-Length and no Authorization"),
    requiredHeaders: z.record(z.string(), z.string()).optional(),
  }),
);

export const StartTemplatePublish = component(
  "StartTemplatePublishResponse",
  z.strictObject({
    operationID: text(),
    uploadURLs: z.strictObject({ archive: url() }).describe("presigned PUT URL for the gzip tar archive"),
    requiredHeaders: z.record(z.string(), z.string()).optional(),
  }),
);

export const Completed = component("PublishCompleteResponse", z.strictObject({}).describe("the version is published"));

// ---- templates ----

export const Template = component(
  "Template",
  z.strictObject({
    name: text(),
    publisher: text(),
    source: z.enum(TEMPLATE_SOURCES),
    version: text().optional().describe("absent for VCS-backed templates, which have no versions"),
    displayName: text(),
    description: text().optional(),
    runtime: z.strictObject({ name: text(), options: z.record(z.string(), z.unknown()).optional() }).optional(),
    language: text().describe("typescript, javascript, python, go, dotnet, java, yaml or unknown; as registered for VCS-backed templates"),
    readmeURL: url().optional(),
    downloadURL: url(),
    repoSlug: text().optional().describe("VCS-backed templates only"),
    visibility: z.enum(VISIBILITIES),
    updatedAt: timestamp(),
    metadata: z.record(z.string(), z.string()).optional(),
    config: z
      .record(z.string(), z.strictObject({ description: z.string().optional(), default: z.unknown().optional(), secret: z.boolean().optional() }))
      .optional(),
    url: text().describe("registry://templates/{source}/{publisher}/{name}[@{version}]"),
    deprecation: Deprecation.optional(),
  }),
);

export const TemplateList = component(
  "ListTemplatesResponse",
  z.strictObject({
    templates: z.array(Template),
    continuationToken: continuationToken.optional().describe("absent on the last page"),
    diagnostics: z.array(z.string()).optional(),
    vcsTemplateSourceTotals: z
      .array(z.strictObject({ orgLogin: segment(), total: z.int().min(1) }))
      .optional()
      .describe("when the list asks for backing=vcs: how many VCS-backed templates match the filters, per owning org"),
  }),
);

export const TemplateVersionList = component(
  "ListTemplateVersionsResponse",
  z.strictObject({
    templates: z.array(Template).describe("one entry per live version, newest first"),
    continuationToken: continuationToken.optional().describe("absent on the last page"),
  }),
);

// ---- around the registry ----

export const Health = component("Health", z.strictObject({ status: z.literal("ok") }));

export const User = component(
  "User",
  z.strictObject({
    name: text(),
    githubLogin: text(),
    organizations: z.array(z.strictObject({ githubLogin: text(), name: text() })),
  }),
);

export const DefaultOrganization = component("DefaultOrganization", z.strictObject({ GitHubLogin: text() }));

export const Capabilities = component("Capabilities", z.strictObject({ capabilities: z.array(z.unknown()) }));

export const OpenApiDocument = component("OpenApiDocument", z.looseObject({ openapi: z.string() }).describe("an OpenAPI 3.1 document"));

export const PackageSchema = component(
  "PackageSchema",
  z.looseObject({ name: text() }).describe("the Pulumi package schema, as uploaded"),
);

// ---- admin ----

export const Organization = component(
  "Organization",
  z.strictObject({ login: segment(), displayName: text(), createdAt: timestamp() }),
);

export const OrganizationList = component("ListOrganizationsResponse", z.strictObject({ orgs: z.array(Organization) }));

const tokenFields = {
  id: text(),
  org: segment(),
  role: z.enum(ROLES),
  description: text().optional(),
  createdAt: timestamp(),
  expiresAt: timestamp().optional(),
  lastUsedAt: timestamp().optional().describe("to within 5 minutes"),
  parentTokenId: text().optional().describe("the token that minted this one; revoking it revokes this one"),
  keyId: text().optional().describe("the TOKEN_KEYS key this token's MAC was made with; absent for tokens minted before MACs"),
};

export const AccessToken = component("AccessToken", z.strictObject(tokenFields).describe("never carries the secret or its hash"));

export const CreatedAccessToken = component(
  "CreatedAccessToken",
  z.strictObject({ ...tokenFields, token: text().describe("the secret, shown this once") }),
);

export const AccessTokenList = component("ListAccessTokensResponse", z.strictObject({ tokens: z.array(AccessToken) }));

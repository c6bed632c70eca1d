// zod schemas of what the gateway answers (and of path and query parameters), named for the API description.
// Request bodies are not here: the handlers' own zod schemas are used for them (see operations.ts).
import { z } from "zod";
import { PACKAGE_SOURCES, TEMPLATE_SOURCES } from "../identity/rights";
import { VISIBILITIES } from "../core/visibility";
import { ROLES } from "../identity/tokens";
import { PACKAGE_TYPES } from "../db/schema";
import { PACKAGE_SORTS, PACKAGE_USAGE_FILTERS } from "../packages/package-kind";
import { PACKAGE_CATEGORIES } from "../packages/schema-metadata";
import { BACKINGS } from "../templates/template-kind";
import { PackageMetadata } from "../packages/package-answer";
import { Template } from "../templates/template-answer";
import { component, segment, text, timestamp, url } from "./schema-kit";

// The answer pieces kinds declare next to their views, and the kit they are built with, under the names
// the rest of src/openapi/ has always used.
export { component, named, segment, text, timestamp } from "./schema-kit";
export { Deprecation } from "./schema-kit";
export { PackageMetadata, UsageStats } from "../packages/package-answer";
export { Template } from "../templates/template-answer";

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

/** A keyset page of `item`s under `field`, with the continuation token every list answers. */
export function pagedList<F extends string, T extends z.ZodType>(id: string, field: F, item: T, what: string) {
  return component(
    id,
    z.strictObject({
      [field]: z.array(item).describe(what),
      continuationToken: continuationToken.optional().describe("absent on the last page"),
    } as Record<F, z.ZodArray<T>> & { continuationToken: z.ZodOptional<typeof continuationToken> }),
  );
}

export const PackageList = pagedList("ListPackagesResponse", "packages", PackageMetadata, "one entry per package, at its latest version");
export const PackageVersionList = pagedList("ListPackageVersionsResponse", "packages", PackageMetadata, "one entry per live version, newest first");

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

export const TemplateVersionList = pagedList("ListTemplateVersionsResponse", "templates", Template, "one entry per live version, newest first");

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

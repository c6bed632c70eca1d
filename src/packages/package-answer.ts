// What the API answers for a package version (PackageMetadata), as a zod schema: the OpenAPI document is built
// from it, and the package view and the pages are typed by it.
import { z } from "zod";
import { PACKAGE_SOURCES } from "../identity/rights";
import { VISIBILITIES } from "../core/visibility";
import { component, Deprecation, text, timestamp, url } from "../openapi/schema-kit";
import { PACKAGE_CATEGORIES } from "./schema-metadata";

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

export const DOCS_STATUSES = ["pending", "ready", "failed"] as const;

export const DocsState = component(
  "DocsState",
  z
    .strictObject({
      status: z
        .enum(DOCS_STATUSES)
        .describe(
          "`pending` while the documentation is derived from the schema after publishing (the docs routes answer 503 with Retry-After meanwhile), `ready` once the docs routes serve it, `failed` when it could not be derived (the docs routes answer 422)",
        ),
    })
    .describe("where the version's documentation stands"),
);

const FetchedArtifact = z.strictObject({
  url: url().describe("where the mirror fetched it"),
  size: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe("hex SHA-256 of the bytes as fetched"),
  fetchedAt: timestamp().optional(),
});

export const Provenance = component(
  "Provenance",
  z
    .strictObject({
      upstream: text().describe("the id of the upstream (the operator's MIRROR_UPSTREAMS)"),
      url: url().describe("the upstream's registry API"),
      fetchedAt: timestamp(),
      artifacts: z.record(z.string(), FetchedArtifact).describe("each artifact fetched, by slot: schema, index (the README), installationConfiguration"),
      plugins: z.record(z.string(), FetchedArtifact).optional().describe("each plugin archive fetched, keyed <os>-<arch>"),
    })
    .describe("only on a version mirrored from another registry: where and when it was fetched, and the SHA-256 of each artifact as fetched"),
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
    checksums: z
      .record(z.enum(["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64", "windows-arm64"]), z.string().regex(/^[0-9a-f]{64}$/))
      .optional()
      .describe("hex SHA-256 of each attached provider plugin archive, keyed <os>-<arch> as in a Pulumi.yaml `checksums` block; computed by the registry"),
    createdAt: timestamp(),
    visibility: z.enum(VISIBILITIES),
    parameterization: z
      .strictObject({
        baseProvider: z.strictObject({ name: text(), publisher: text(), source: text(), version: text() }),
        parameter: z.base64().describe("standard base64"),
      })
      .optional(),
    docs: DocsState,
    provenance: Provenance.optional(),
    deprecation: Deprecation.optional(),
    usageStats: UsageStats.optional(),
  }),
);

/** A package version as the API answers it. */
export type PackageAnswer = z.infer<typeof PackageMetadata>;
/** What the package kind's view makes of an entry; the API adds the deprecation in force and, for org callers, usage. */
export type PackageView = Omit<PackageAnswer, "deprecation" | "usageStats">;

// The API description's entries for provider plugin archives of a package version (under both registry
// prefixes), spread into the OpenAPI operation table by src/openapi/operations.ts.
import { z } from "zod";
import { REGISTRY_PREFIXES } from "../http/routes";
import { component, packagePath } from "../openapi/schemas";
import { CompleteBody } from "../registry-api/bodies";
import { PLATFORMS } from "./platforms";
import { fails } from "../openapi/responses";
import type { OperationSpec } from "../openapi/operation-spec";

/** An entry of the OpenAPI operation table, in the client document. */
type PluginOperation = OperationSpec & { document: "client" };

const TAGS = ["Registry", "Plugins"];
const Platform = z.enum(PLATFORMS).describe("<os>-<arch>, as the Pulumi CLI names a plugin archive");
const sha256 = () => z.string().regex(/^[0-9a-f]{64}$/).describe("hex SHA-256 of the archive, computed by the registry");

export const AttachPluginsRequest = component(
  "AttachPluginsRequest",
  z.strictObject({ platforms: z.array(Platform).min(1).describe("distinct; none of them attached yet") }),
);
const AttachPluginsStarted = component(
  "AttachPluginsStartedResponse",
  z.strictObject({
    operationID: z.string(),
    uploadURLs: z.record(Platform, z.url()).describe("a presigned PUT URL per platform, valid as long as the operation"),
  }),
);
const AttachPluginsCompleted = component(
  "AttachPluginsCompleteResponse",
  z.strictObject({ plugins: z.array(z.strictObject({ platform: Platform, size: z.int().min(0), sha256: sha256() })) }),
);
const PluginList = component(
  "ListPluginsResponse",
  z.strictObject({
    plugins: z.array(
      z.strictObject({
        platform: Platform,
        file: z.string().describe("pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz"),
        size: z.int().min(0),
        sha256: sha256(),
        attachedAt: z.iso.datetime({ offset: true }),
        url: z.url(),
      }),
    ),
  }),
);

function registry(op: Omit<PluginOperation, "document">): PluginOperation[] {
  const [preview, current] = REGISTRY_PREFIXES;
  return [
    { ...op, document: "client", path: current + op.path },
    { ...op, document: "client", path: preview + op.path, operationId: `${op.operationId}Preview`, description: `${op.description ? `${op.description}\n\n` : ""}Same as ${op.operationId}, under the older prefix.` },
  ];
}

const BASE = "/packages/{source}/{publisher}/{name}/versions/{version}/plugins";

export const pluginOperations: PluginOperation[] = [
  ...registry({
    method: "get",
    path: BASE,
    operationId: "ListPackageVersionPlugins",
    summary: "The provider plugin archives attached to a package version: platform, size, SHA-256, download URL",
    description: "Visible exactly when the version is; an empty list when none is attached. docs/guide/plugins.md.",
    tags: TAGS,
    auth: "optional",
    pathParams: packagePath("read"),
    responses: { 200: { description: "the attached archives, in platform order", json: PluginList }, ...fails(400, 401, 404) },
  }),
  ...registry({
    method: "post",
    path: BASE,
    operationId: "PostAttachPackageVersionPlugins",
    summary: "Start attaching provider plugin archives to a published version: a presigned upload URL per platform",
    description: "Serialized with every other write to the version. A platform is attached once and never replaced (409).",
    tags: TAGS,
    auth: "org",
    pathParams: packagePath("exact"),
    body: AttachPluginsRequest,
    responses: { 202: { description: "the attach operation", json: AttachPluginsStarted }, ...fails(400, 401, 403, 404, 409, 413) },
  }),
  ...registry({
    method: "post",
    path: `${BASE}/complete`,
    operationId: "PostAttachPackageVersionPluginsComplete",
    summary: "Complete an attach: each archive is hashed and checked (gzip tar, safe paths, the executable at its root), then attached",
    description: "Any refused archive refuses the whole attach and leaves nothing behind. Emits the `package.plugin_attached` webhook event.",
    tags: TAGS,
    auth: "org",
    pathParams: packagePath("exact"),
    body: CompleteBody,
    responses: { 201: { description: "attached", json: AttachPluginsCompleted }, ...fails(400, 401, 403, 404, 409, 413) },
  }),
  ...registry({
    method: "get",
    path: `${BASE}/{file}`,
    operationId: "GetPackageVersionPluginArchive",
    summary: "One plugin archive, under the file name the Pulumi CLI appends to pluginDownloadURL; or the version's SHA256SUMS and SHA256SUMS.minisig",
    description:
      "An archive: exact Content-Length, no Content-Encoding, immutable caching for public packages. `SHA256SUMS` (sha256sum format, one line per archive, sorted by file name) and `SHA256SUMS.minisig` (minisign's prehashed signature with the key at /.well-known/plugin-signing.pub) are re-issued by each attach: revalidate them (ETag).",
    tags: TAGS,
    auth: "optional",
    pathParams: packagePath("read").extend({ file: z.string().describe("pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz") }),
    responses: { 200: { description: "the archive (application/gzip), or SHA256SUMS / its signature (text/plain)", bytes: "application/gzip" }, 304: { description: "not modified (SHA256SUMS, If-None-Match)" }, ...fails(400, 401, 404) },
  }),
  {
    document: "client",
    method: "get",
    path: "/api/v4/projects/{project}/releases/{tag}/downloads/{file}",
    operationId: "GetPluginArchiveGitlabSource",
    summary: "A plugin archive as the Pulumi CLI's gitlab:// source requests it (a private package's pluginDownloadURL), with Authorization: Bearer <registry token>",
    description: "`project` is `<source>~<publisher>~<name>`, `tag` is `v<version>`; also SHA256SUMS and SHA256SUMS.minisig. A private package is absent (404) without a token of its org. docs/guide/plugins.md.",
    tags: TAGS,
    auth: "optional",
    pathParams: z.object({ project: z.string().describe("<source>~<publisher>~<name>"), tag: z.string().describe("v<version>"), file: z.string() }),
    responses: { 200: { description: "the archive", bytes: "application/gzip" }, ...fails(400, 401, 404) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/v4/projects/{project}/releases/permalink/latest",
    operationId: "GetPluginLatestReleaseGitlabSource",
    summary: "The latest version's tag, as the Pulumi CLI's gitlab:// source asks for it",
    tags: TAGS,
    auth: "optional",
    pathParams: z.object({ project: z.string().describe("<source>~<publisher>~<name>") }),
    responses: { 200: { description: "the latest release", json: z.strictObject({ tag_name: z.string().describe("v<version>") }) }, ...fails(400, 401, 404) },
  },
  {
    document: "client",
    method: "get",
    path: "/.well-known/plugin-signing.pub",
    operationId: "GetPluginSigningKey",
    summary: "The minisign public key that signs every version's plugin SHA256SUMS (`minisign -V -p plugin-signing.pub -m SHA256SUMS`)",
    tags: TAGS,
    auth: "none",
    responses: { 200: { description: "a minisign public key file", bytes: "text/plain" }, ...fails(404) },
  },
  {
    document: "client",
    method: "get",
    path: "/.well-known/plugin-signing/{file}",
    operationId: "GetPluginSigningKeyById",
    summary: "A plugin signing public key by its minisign key id (`<KEYID>.pub`): the current one and those retired by a rotation",
    tags: TAGS,
    auth: "none",
    pathParams: z.object({ file: z.string().regex(/^[0-9A-F]{16}\.pub$/) }),
    responses: { 200: { description: "a minisign public key file", bytes: "text/plain" }, ...fails(404) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/mirror/plugins/{source}/{publisher}/{name}/{file}",
    operationId: "GetMirroredPluginArchive",
    summary: "A plugin archive where PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES sends the CLI's github:// source: the version is read from the file name",
    description:
      "Pulls the package version and then the archive through from the mirror's upstream when they are not stored yet; served like GetPackageVersionPluginArchive. docs/operator/mirror.md gives the override line.",
    tags: TAGS,
    auth: "optional",
    pathParams: z.object({ source: z.string(), publisher: z.string(), name: z.string(), file: z.string().describe("pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz") }),
    responses: { 200: { description: "the archive", bytes: "application/gzip" }, ...fails(400, 401, 404, 502, 503) },
  },
  {
    document: "client",
    method: "get",
    path: "/api/mirror/get.pulumi.com/{file}",
    operationId: "GetMirroredPluginArchiveGetPulumi",
    summary: "A plugin archive where PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES sends the CLI's get.pulumi.com fallback: package pulumi/pulumi/<name>, name and version from the file name",
    description: "Pulled through from the mirror's upstream when not stored yet; served like GetPackageVersionPluginArchive. docs/operator/mirror.md.",
    tags: TAGS,
    auth: "optional",
    pathParams: z.object({ file: z.string().describe("pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz") }),
    responses: { 200: { description: "the archive", bytes: "application/gzip" }, ...fails(400, 401, 404, 502, 503) },
  },
];

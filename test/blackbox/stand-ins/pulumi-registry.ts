// A stand-in for an upstream Pulumi-compatible registry API (Pulumi's hosted one, or another deployment of this
// registry): packages added from a schema object and a README, answered in Pulumi's shapes (spec/api.md §3-4,
// spec/ga-registry.md §1), with artifacts behind readmeURL/schemaURL the way Pulumi's point at an artifact host.
import semver from "semver";
import { apiError, json, StandInServers, type Answer, type Fault, type FaultHandle, type FaultOptions, type LoggedRequest } from "./http-stand-in";
import { providerReadme, type ProviderSchema } from "./provider-schema";

/** Pulumi's PackageMetadata, field names exactly so; `deprecation` as this registry answers it (src/packages/package-answer.ts). */
export interface PackageMetadata {
  name: string;
  publisher: string;
  publisherDisplayName?: string;
  source: string;
  version: string;
  title?: string;
  description?: string;
  logoUrl?: string;
  repoUrl?: string;
  category?: string;
  isFeatured: boolean;
  packageTypes?: Array<"native" | "component" | "bridged">;
  packageStatus: "ga" | "public_preview";
  readmeURL: string;
  schemaURL: string;
  pluginDownloadURL?: string;
  createdAt: string;
  visibility: "public" | "private";
  deprecation?: Deprecation;
  [extra: string]: unknown;
}

export interface Deprecation {
  message: string;
  replacement?: string;
  deprecatedAt: string;
}

export interface AddPackageInput {
  /** `pulumi` unless given. */
  source?: string;
  publisher: string;
  /** The package's name and version are the schema's. See providerSchema(). */
  schema: ProviderSchema;
  /** README markdown; providerReadme(name, version) when omitted. */
  readme?: string;
  /** Installation markdown, served by the `installation` docs route; that route answers 404 without it. */
  installation?: string;
  /** RFC 3339; now when omitted. */
  createdAt?: string;
  isFeatured?: boolean;
  publisherDisplayName?: string;
  /** Extra or overriding PackageMetadata fields (e.g. `parameterization`, `checksums`); merged last. */
  metadata?: Record<string, unknown>;
}

export interface RegistryStandInOptions {
  /** When set, every route requires `Authorization: token <token>` (else 401), and versions answer visibility "private". */
  token?: string;
  /**
   * Serve readmeURL/schemaURL from a second listener (another origin), as Pulumi's artifact host is: those URLs then
   * need no token (they stand for presigned URLs), so a test can check the token is not sent there. By default the
   * artifacts are on the API's own origin, under `/artifacts/`, behind the same token as every other route.
   */
  separateArtifactOrigin?: boolean;
}

export interface RegistryStandIn {
  /** The registry API base, e.g. `http://127.0.0.1:PORT/api/registry` (also served under `/api/preview/registry`). */
  url: string;
  origin: string;
  /** Where readmeURL/schemaURL point: `origin` unless `separateArtifactOrigin`. */
  artifactOrigin: string;
  /** Adds one version; answers its PackageMetadata as the stand-in serves it. Throws on a duplicate version. */
  addPackage(input: AddPackageInput): PackageMetadata;
  /** Deletes a version (`pkg` is `source/publisher/name`); latest is recomputed; the last one's removal removes the package. */
  removeVersion(pkg: string, version: string): void;
  /** Deprecates a version, or with no version the whole package (shown in preference to a version's own). */
  deprecate(pkg: string, deprecation: { version?: string; message: string; replacement?: string; deprecatedAt?: string }): void;
  undeprecate(pkg: string, version?: string): void;
  /** The exact bytes served at a version's schemaURL and readmeURL. */
  artifacts(pkg: string, version: string): { schema: Buffer; readme: string; installation?: string };
  /** The version `latest` currently answers, or undefined. */
  latest(pkg: string): string | undefined;
  fault(fault: Fault, options?: FaultOptions): FaultHandle;
  clearFaults(): void;
  /** Every request so far, oldest first (hosts "api" and "artifacts"). */
  requests: LoggedRequest[];
  close(): Promise<void>;
}

interface StoredVersion {
  version: string;
  /** PackageMetadata without the URLs, visibility and deprecation, which are added when answering. */
  base: Record<string, unknown>;
  schema: Buffer;
  readme: string;
  installation?: string;
  deprecation?: Deprecation;
}

interface StoredPackage {
  source: string;
  publisher: string;
  name: string;
  versions: Map<string, StoredVersion>;
  deprecation?: Deprecation;
}

const CATEGORIES = ["cloud", "database", "infrastructure", "monitoring", "network", "utility", "vcs"];
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

/** Lower-cased, runs of `-`, `_`, `.` folded to `-` (api.md §1). */
const canonical = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

function metadataFromSchema(schema: ProviderSchema, source: string): Partial<PackageMetadata> {
  const keywords = Array.isArray(schema.keywords) ? schema.keywords.filter((k): k is string => typeof k === "string") : [];
  const category = keywords.map((k) => /^category\/(.+)$/.exec(k)?.[1]).find((c) => c !== undefined && CATEGORIES.includes(c)) ?? "cloud";
  const types = new Set<"native" | "component" | "bridged">();
  if (keywords.includes("kind/native")) types.add("native");
  if (keywords.includes("kind/component")) types.add("component");
  if (keywords.includes("bridged") || source === "opentofu") types.add("bridged");
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const out: Partial<PackageMetadata> = { category };
  if (text(schema.displayName)) out.title = text(schema.displayName);
  if (text(schema.description)) out.description = text(schema.description);
  if (text(schema.logoUrl)) out.logoUrl = text(schema.logoUrl);
  if (text(schema.repository)) out.repoUrl = text(schema.repository);
  if (types.size > 0) out.packageTypes = [...types];
  if (text(schema.pluginDownloadURL)) out.pluginDownloadURL = text(schema.pluginDownloadURL);
  return out;
}

/** Opaque `[A-Za-z0-9_-]` tokens bound to what they were issued for. */
function issueToken(scope: string, after: string): string {
  return Buffer.from(JSON.stringify({ s: scope, a: after })).toString("base64url");
}

function readToken(token: string, scope: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { s?: unknown; a?: unknown };
    return parsed.s === scope && typeof parsed.a === "string" ? parsed.a : undefined;
  } catch {
    return undefined;
  }
}

function parseLimit(raw: string | null): number | Answer {
  if (raw === null) return DEFAULT_LIMIT;
  if (!/^-?\d+$/.test(raw) || Number(raw) < 1) return apiError(400, `invalid limit '${raw}'`);
  return Math.min(Number(raw), MAX_LIMIT);
}

/** Highest-precedence live version, skipping deprecated ones unless all are; non-prereleases first (as this registry's pickLatest). */
function pickLatest(pkg: StoredPackage): StoredVersion | undefined {
  const all = [...pkg.versions.values()];
  const live = all.some((v) => !v.deprecation) ? all.filter((v) => !v.deprecation) : all;
  const stable = live.filter((v) => semver.prerelease(v.version) === null);
  const pool = stable.length > 0 ? stable : live;
  return pool.sort((a, b) => semver.rcompare(a.version, b.version))[0];
}

export async function startRegistryStandIn(options: RegistryStandInOptions = {}): Promise<RegistryStandIn> {
  const servers = new StandInServers();
  const packages = new Map<string, StoredPackage>();
  const keyOf = (source: string, publisher: string, name: string) => `${source}/${publisher}/${canonical(name)}`;
  const visibility = options.token === undefined ? "public" : "private";
  // Filled in once the listeners are up; routes only run after that.
  let origin = "";
  let artifactOrigin = "";

  const authorized = (authorization: string | undefined) => options.token === undefined || authorization === `token ${options.token}`;
  const artifactPath = (pkg: StoredPackage, version: string, file: string) =>
    `${artifactOrigin}/artifacts/${pkg.source}/${pkg.publisher}/${pkg.name}/${encodeURIComponent(version)}/${file}`;

  const answerOf = (pkg: StoredPackage, stored: StoredVersion): PackageMetadata => {
    const deprecation = pkg.deprecation ?? stored.deprecation;
    return {
      ...stored.base,
      readmeURL: artifactPath(pkg, stored.version, "readme.md"),
      schemaURL: artifactPath(pkg, stored.version, "schema.json"),
      visibility,
      ...(deprecation ? { deprecation } : {}),
    } as PackageMetadata;
  };

  const findPackage = (source: string, publisher: string, name: string) => packages.get(keyOf(source, publisher, name));
  const findVersion = (pkg: StoredPackage, version: string): StoredVersion | undefined => {
    if (version === "latest") return pickLatest(pkg);
    const exact = pkg.versions.get(version);
    if (exact) return exact;
    if (!semver.valid(version)) return undefined;
    return [...pkg.versions.values()].find((v) => semver.compare(v.version, version) === 0);
  };
  const mustFind = (path: string) => {
    const [source, publisher, name, ...rest] = path.split("/");
    const pkg = source && publisher && name && rest.length === 0 ? findPackage(source, publisher, name) : undefined;
    if (!pkg) throw new Error(`stand-in has no package '${path}'`);
    return pkg;
  };

  const versionAnswer = (pkg: StoredPackage, stored: StoredVersion): Answer => {
    const answer = answerOf(pkg, stored);
    return { ...json(200, answer), wrongBody: () => JSON.stringify({ ...answer, version: "0.0.0-wrong" }) };
  };

  const docsRoute = (pkg: StoredPackage, stored: StoredVersion, which: "readme" | "installation", accept: string | undefined, url: string): Answer => {
    const markdown = which === "readme" ? stored.readme : stored.installation;
    if (markdown === undefined) return apiError(404, `package version '${pkg.source}/${pkg.publisher}/${pkg.name}@${stored.version}' has no installation text`);
    if (accept?.includes("text/markdown")) return { status: 200, headers: { "Content-Type": "text/markdown; charset=utf-8" }, body: markdown, wrongBody: () => `# wrong ${which}\n` };
    const navUrl = url.replace(/\/(readme|installation)(\?.*)?$/, "/nav");
    return json(200, { content: [{ kind: "text", markdown }], version: stored.version, navUrl });
  };

  const api = async (request: { url: string; method: string; headers: Record<string, string | string[] | undefined> }): Promise<Answer> => {
    const authorization = request.headers.authorization as string | undefined;
    if (!authorized(authorization)) return apiError(401, authorization ? "invalid token" : "this registry needs a token");
    const url = new URL(request.url, origin);
    const prefix = /^\/api\/(?:preview\/)?registry\/packages(?=\/|$)/.exec(url.pathname);
    if (!prefix) return apiError(404, `no route for ${url.pathname}`);
    if (request.method !== "GET" && request.method !== "HEAD") return apiError(405, `${request.method} is not served by the stand-in`);
    let segments: string[];
    try {
      segments = url.pathname.slice(prefix[0].length).split("/").filter((s) => s !== "").map(decodeURIComponent);
    } catch {
      return apiError(400, "malformed path");
    }
    const limit = parseLimit(url.searchParams.get("limit"));
    const continuation = url.searchParams.get("continuationToken");

    if (segments.length === 0) {
      // List: one entry per package at its latest, sorted by name (then source, publisher).
      if (typeof limit !== "number") return limit;
      const name = url.searchParams.get("name");
      const publisher = url.searchParams.get("publisher");
      const source = url.searchParams.get("source");
      const scope = `list:${name ?? ""}:${publisher ?? ""}:${source ?? ""}`;
      const sortKey = (pkg: StoredPackage) => `${canonical(pkg.name)}\u0000${pkg.source}\u0000${pkg.publisher}`;
      let after: string | undefined;
      if (continuation !== null) {
        after = readToken(continuation, scope);
        if (after === undefined) return apiError(400, "invalid continuationToken");
      }
      const entries = [...packages.values()]
        .filter((pkg) => (name === null || canonical(pkg.name) === canonical(name)) && (publisher === null || pkg.publisher === publisher) && (source === null || pkg.source === source))
        .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))
        .filter((pkg) => after === undefined || sortKey(pkg) > after);
      const page = entries.slice(0, limit);
      const body: { packages: PackageMetadata[]; continuationToken?: string } = { packages: page.map((pkg) => answerOf(pkg, pickLatest(pkg)!)) };
      if (entries.length > limit) body.continuationToken = issueToken(scope, sortKey(page[page.length - 1]!));
      return json(200, body);
    }

    const [source, publisher, name, versionsWord, version, extra, ...more] = segments;
    if (!source || !publisher || !name || versionsWord !== "versions" || more.length > 0) return apiError(404, `no route for ${url.pathname}`);
    const pkg = findPackage(source, publisher, name);

    if (version === undefined) {
      // The versions of one package, newest first.
      if (!pkg) return apiError(404, `package '${source}/${publisher}/${name}' not found`);
      if (typeof limit !== "number") return limit;
      const scope = `versions:${keyOf(source, publisher, name)}`;
      let after: string | undefined;
      if (continuation !== null) {
        after = readToken(continuation, scope);
        if (after === undefined) return apiError(400, "invalid continuationToken");
      }
      const all = [...pkg.versions.values()].sort((a, b) => semver.rcompare(a.version, b.version)).filter((v) => after === undefined || semver.compare(v.version, after) < 0);
      const page = all.slice(0, limit);
      const body: { packages: PackageMetadata[]; continuationToken?: string } = { packages: page.map((v) => answerOf(pkg, v)) };
      if (all.length > limit) body.continuationToken = issueToken(scope, page[page.length - 1]!.version);
      return json(200, body);
    }

    const stored = pkg ? findVersion(pkg, version) : undefined;
    if (!pkg || !stored) return apiError(404, `package version '${source}/${publisher}/${name}@${version}' not found`);
    if (extra === undefined) return versionAnswer(pkg, stored);
    if (extra === "readme" || extra === "installation") return docsRoute(pkg, stored, extra, request.headers.accept as string | undefined, url.toString());
    return apiError(404, `no route for ${url.pathname}`);
  };

  const artifacts = async (request: { url: string; method: string; headers: Record<string, string | string[] | undefined> }, host: string): Promise<Answer> => {
    // On the API's origin the artifacts need the token like every route; on a separate origin they stand for presigned URLs.
    const authorization = request.headers.authorization as string | undefined;
    if (host === "api" && !authorized(authorization)) return apiError(401, authorization ? "invalid token" : "this registry needs a token");
    const url = new URL(request.url, artifactOrigin);
    const match = /^\/artifacts\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/(readme\.md|schema\.json)$/.exec(url.pathname);
    const pkg = match ? findPackage(match[1]!, match[2]!, match[3]!) : undefined;
    const stored = pkg && match ? pkg.versions.get(decodeURIComponent(match[4]!)) : undefined;
    if (!match || !stored) return { status: 404, headers: { "Content-Type": "text/plain" }, body: "not found" };
    if (match[5] === "readme.md") return { status: 200, headers: { "Content-Type": "text/markdown; charset=utf-8" }, body: stored.readme, wrongBody: () => `# wrong readme\n\nNot ${stored.version}.\n` };
    const wrongSchema = () => {
      const schema = JSON.parse(stored.schema.toString("utf8")) as Record<string, unknown>;
      return JSON.stringify({ ...schema, version: "0.0.0-wrong" });
    };
    return { status: 200, headers: { "Content-Type": "application/json" }, body: stored.schema, wrongBody: wrongSchema };
  };

  const main = await servers.listen("api", (request, host) => (new URL(request.url, "http://x").pathname.startsWith("/artifacts/") ? artifacts(request, host) : api(request)));
  origin = main.origin;
  artifactOrigin = origin;
  if (options.separateArtifactOrigin) artifactOrigin = (await servers.listen("artifacts", (request, host) => artifacts(request, host))).origin;

  return {
    url: `${origin}/api/registry`,
    origin,
    artifactOrigin,
    requests: servers.requests,
    addPackage(input) {
      const source = input.source ?? "pulumi";
      const { name, version } = input.schema;
      if (!semver.valid(version) || version.startsWith("v")) throw new Error(`stand-in: '${version}' is not SemVer`);
      const key = keyOf(source, input.publisher, name);
      let pkg = packages.get(key);
      if (!pkg) {
        pkg = { source, publisher: input.publisher, name, versions: new Map() };
        packages.set(key, pkg);
      }
      if (findVersion(pkg, version)) throw new Error(`stand-in: ${key}@${version} exists`);
      const stored: StoredVersion = {
        version,
        base: {
          name,
          publisher: input.publisher,
          ...(input.publisherDisplayName ? { publisherDisplayName: input.publisherDisplayName } : {}),
          source,
          version,
          ...metadataFromSchema(input.schema, source),
          isFeatured: input.isFeatured ?? false,
          packageStatus: version.startsWith("0.") ? "public_preview" : "ga",
          createdAt: input.createdAt ?? new Date().toISOString(),
          ...input.metadata,
        },
        schema: Buffer.from(JSON.stringify(input.schema)),
        readme: input.readme ?? providerReadme(name, version),
        ...(input.installation !== undefined ? { installation: input.installation } : {}),
      };
      pkg.versions.set(version, stored);
      return answerOf(pkg, stored);
    },
    removeVersion(path, version) {
      const pkg = mustFind(path);
      const stored = findVersion(pkg, version);
      if (!stored || version === "latest") throw new Error(`stand-in has no ${path}@${version}`);
      pkg.versions.delete(stored.version);
      if (pkg.versions.size === 0) packages.delete(keyOf(pkg.source, pkg.publisher, pkg.name));
    },
    deprecate(path, { version, message, replacement, deprecatedAt }) {
      const pkg = mustFind(path);
      const deprecation: Deprecation = { message, ...(replacement ? { replacement } : {}), deprecatedAt: deprecatedAt ?? new Date().toISOString() };
      if (version === undefined) {
        pkg.deprecation = deprecation;
        return;
      }
      const stored = findVersion(pkg, version);
      if (!stored) throw new Error(`stand-in has no ${path}@${version}`);
      stored.deprecation = deprecation;
    },
    undeprecate(path, version) {
      const pkg = mustFind(path);
      if (version === undefined) {
        delete pkg.deprecation;
        return;
      }
      const stored = findVersion(pkg, version);
      if (!stored) throw new Error(`stand-in has no ${path}@${version}`);
      delete stored.deprecation;
    },
    artifacts(path, version) {
      const stored = findVersion(mustFind(path), version);
      if (!stored) throw new Error(`stand-in has no ${path}@${version}`);
      return { schema: stored.schema, readme: stored.readme, ...(stored.installation !== undefined ? { installation: stored.installation } : {}) };
    },
    latest(path) {
      const [source, publisher, name] = path.split("/");
      const pkg = source && publisher && name ? findPackage(source, publisher, name) : undefined;
      return pkg ? pickLatest(pkg)?.version : undefined;
    },
    fault: (fault, faultOptions) => servers.fault(fault, faultOptions),
    clearFaults: () => servers.clearFaults(),
    close: () => servers.close(),
  };
}

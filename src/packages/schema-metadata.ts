// Reads a package version's registry metadata from its uploaded Pulumi schema in one streaming pass (spec §3).
//
// Strategy: schemas reach hundreds of MiB and a Worker has 128 MB, so the body is read chunk by chunk by a
// structural byte scanner (src/api-docs/schema-scan.ts) that validates the whole document's grammar
// without building values; only the bytes of the top-level members below are copied, and each is parsed
// by the native JSON.parse when it ends. The whole document is still checked to be one JSON object.
// Decisions:
// - The whole document must be valid JSON before its content is judged, so a truncated upload is
//   always reported as such. Duplicate top-level keys: the last one wins, as with JSON.parse.
// - A schema without a `name` is a 400: every Pulumi schema has one, and it is the only proof the
//   upload is the package being published. A schema without a `version` is accepted.
// - Kept members are rejected, not truncated, when their value spans more than 64 KiB of JSON text:
//   silently cutting a description or URL would publish metadata nobody wrote.
// - Bounds that keep memory flat whatever the body holds: any single string over 16 Mi characters,
//   any number over 4096 characters, or nesting deeper than 256 levels is a 400.
// - `parameterization: null` counts as absent; any other malformed `parameterization` is a 400,
//   because the CLI decodes it strictly and could not use the published version.
import { SchemaScanner, ScanError } from "../api-docs/schema-scan";
import { badRequest } from "../http/api-error";
import { chunksOf } from "../http/bytes";
import { printable } from "../core/vocabulary/names";
import { packageStatusFor, parseVersion, requireVersion } from "../core/vocabulary/versions";

export interface SchemaIdentity {
  source: string;
  publisher: string;
  name: string;
  version: string;
}

export interface PackageMetadataFields {
  title?: string;
  description?: string;
  logoUrl?: string;
  repoUrl?: string;
  category: string;
  packageTypes?: string[];
  packageStatus: "ga" | "public_preview";
  pluginDownloadURL?: string;
  parameterization?: {
    baseProvider: { name: string; publisher: string; source: string; version: string };
    parameter: string;
  };
}

const KEPT_MEMBERS = [
  "name",
  "version",
  "displayName",
  "description",
  "logoUrl",
  "repository",
  "keywords",
  "pluginDownloadURL",
  "parameterization",
] as const;
type KeptMember = (typeof KEPT_MEMBERS)[number];
const KEPT = new Set<string>(KEPT_MEMBERS);

const MAX_KEPT_MEMBER_BYTES = 64 * 1024;
/** Bytes of the upload decoded at a time to check that they are UTF-8 (schemaScan.write). */
const UTF8_CHECK_BYTES = 32 * 1024;

export const PACKAGE_CATEGORIES = ["cloud", "database", "infrastructure", "monitoring", "network", "utility", "vcs"] as const;
const CATEGORIES = new Set<string>(PACKAGE_CATEGORIES);
const DEFAULT_CATEGORY = "cloud";

export async function extractSchemaMetadata(
  stream: ReadableStream<Uint8Array>,
  identity: SchemaIdentity,
  /** Also sees every chunk, after it was checked (the docs outline reads along). */
  tee?: { write(chunk: Uint8Array): Promise<void> },
): Promise<PackageMetadataFields> {
  const scan = new SchemaScan();
  // A rejected schema may have tens of MB left unread: leaving the loop early cancels the stream (chunksOf).
  for await (const chunk of chunksOf(stream)) {
    scan.write(chunk);
    await tee?.write(chunk);
  }
  scan.end();
  return metadataFrom(scan.members, identity);
}

/**
 * The structural scan (src/api-docs/schema-scan.ts) with the kept members' bytes copied as they pass,
 * then parsed natively. UTF-8 is validated ahead of the scan so that bad bytes get a clear message.
 */
class SchemaScan {
  readonly members = new Map<KeptMember, unknown>();
  private readonly utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  private readonly scanner: SchemaScanner;
  /** The kept member being read: its key, where its value starts, and the bytes of it seen in earlier chunks. */
  private kept: { key: KeptMember; start: number; pieces: Uint8Array[] } | undefined;
  private chunk: Uint8Array = new Uint8Array(0);
  private chunkStart = 0;

  constructor() {
    this.scanner = new SchemaScanner({
      onMemberStart: (key, start) => {
        this.kept = key !== undefined && KEPT.has(key) ? { key: key as KeptMember, start, pieces: [] } : undefined;
      },
      onMember: (key, start, end) => {
        const kept = this.kept;
        this.kept = undefined;
        if (!kept) return;
        checkKeptSpan(kept.key, end - start);
        const from = Math.max(start, this.chunkStart) - this.chunkStart;
        kept.pieces.push(this.chunk.subarray(from, end - this.chunkStart));
        this.members.set(kept.key, parseMember(kept.pieces));
      },
    });
  }

  write(chunk: Uint8Array): void {
    // Decoded in pieces: the text is thrown away, and a string of a whole 1 MiB chunk (chunksOf) would be a large
    // object, which V8 frees only in a full collection.
    for (let at = 0; at < chunk.byteLength; at += UTF8_CHECK_BYTES) {
      const piece = chunk.subarray(at, at + UTF8_CHECK_BYTES);
      this.checkUtf8(() => this.utf8.decode(piece, { stream: true }));
    }
    this.chunk = chunk;
    this.chunkStart = this.scanner.s.pos;
    this.run(() => this.scanner.write(chunk));
    const kept = this.kept;
    if (kept) {
      // Still arriving: keep what this chunk holds of it (a copy: the chunk's buffer may be reused).
      const end = this.chunkStart + chunk.byteLength;
      checkKeptSpan(kept.key, end - kept.start);
      kept.pieces.push(chunk.slice(Math.max(kept.start, this.chunkStart) - this.chunkStart));
    }
  }

  end(): void {
    this.checkUtf8(() => this.utf8.decode());
    this.run(() => this.scanner.end());
  }

  private checkUtf8(decode: () => void): void {
    try {
      decode();
    } catch {
      throw badRequest("schema is not valid JSON: it is not UTF-8 text");
    }
  }

  /** Scan errors are the client's: 400s (clipped, as they may quote bytes). */
  private run(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof ScanError) throw badRequest(printable(err.message));
      throw err;
    }
  }
}

function checkKeptSpan(key: string, bytes: number): void {
  if (bytes > MAX_KEPT_MEMBER_BYTES) throw badRequest(`schema '${key}' is larger than ${MAX_KEPT_MEMBER_BYTES / 1024} KiB`);
}

/** A kept member's value, from its bytes (already checked to be one JSON value by the scan). */
function parseMember(pieces: Uint8Array[]): unknown {
  const decoder = new TextDecoder();
  let text = "";
  for (const piece of pieces) text += decoder.decode(piece, { stream: true });
  return JSON.parse(text + decoder.decode());
}

function metadataFrom(members: Map<KeptMember, unknown>, identity: SchemaIdentity): PackageMetadataFields {
  checkName(members.get("name"), identity);
  checkVersion(members.get("version"), identity);
  const keywords = stringsOf(members.get("keywords"));
  const metadata: PackageMetadataFields = {
    title: optionalText(members.get("displayName")),
    description: optionalText(members.get("description")),
    logoUrl: optionalText(members.get("logoUrl")),
    repoUrl: optionalText(members.get("repository")),
    category: categoryOf(keywords),
    packageTypes: packageTypesOf(keywords, identity),
    packageStatus: packageStatusFor(identity.version),
    pluginDownloadURL: optionalText(members.get("pluginDownloadURL")),
    parameterization: parameterizationOf(members.get("parameterization"), identity),
  };
  // Optional fields are omitted when unknown, never present as undefined, null or "".
  for (const key of Object.keys(metadata) as (keyof PackageMetadataFields)[]) {
    if (metadata[key] === undefined) delete metadata[key];
  }
  return metadata;
}

function checkName(name: unknown, identity: SchemaIdentity): void {
  if (name === undefined) throw badRequest("schema has no 'name'");
  if (typeof name !== "string") throw badRequest("schema 'name' must be a string");
  if (name !== identity.name) {
    throw badRequest(`schema name '${printable(name)}' does not match the package name '${identity.name}'`);
  }
}

function checkVersion(version: unknown, identity: SchemaIdentity): void {
  if (version === undefined) return;
  if (typeof version !== "string") throw badRequest("schema 'version' must be a string");
  const parsed = parseVersion(version);
  if (!parsed) throw badRequest(`schema version '${printable(version)}' is not a valid SemVer 2.0 version`);
  if (parsed.precedenceKey !== requireVersion(identity.version).precedenceKey) {
    throw badRequest(`schema version '${printable(version)}' does not match the published version '${identity.version}'`);
  }
}

function optionalText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function categoryOf(keywords: string[]): string {
  for (const keyword of keywords) {
    if (!keyword.startsWith("category/")) continue;
    const category = keyword.slice("category/".length);
    if (CATEGORIES.has(category)) return category;
  }
  return DEFAULT_CATEGORY;
}

function packageTypesOf(keywords: string[], identity: SchemaIdentity): string[] | undefined {
  const has = new Set(keywords);
  const types: string[] = [];
  if (has.has("kind/native")) types.push("native");
  if (has.has("kind/component")) types.push("component");
  if (has.has("bridged") || has.has("kind/bridged") || identity.source === "opentofu") types.push("bridged");
  return types.length > 0 ? types : undefined;
}

function parameterizationOf(value: unknown, identity: SchemaIdentity): PackageMetadataFields["parameterization"] {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || !isObject(value.baseProvider)) {
    throw badRequest("schema 'parameterization' must be an object with 'baseProvider' and 'parameter'");
  }
  const { name, version } = value.baseProvider;
  if (typeof name !== "string" || name === "") {
    throw badRequest("schema 'parameterization.baseProvider.name' must be a non-empty string");
  }
  if (typeof version !== "string" || !parseVersion(version)) {
    throw badRequest("schema 'parameterization.baseProvider.version' must be a SemVer 2.0 version");
  }
  if (typeof value.parameter !== "string") throw badRequest("schema 'parameterization.parameter' must be a base64 string");
  return {
    baseProvider: { name, publisher: identity.publisher, source: identity.source, version },
    parameter: toStandardBase64(value.parameter),
  };
}

/** Accepts standard or URL-safe base64, padded or not; answers standard base64 with padding (what the CLI decodes). */
function toStandardBase64(input: string): string {
  const body = input.replace(/={1,2}$/, "");
  const padded = body.length !== input.length;
  if (!/^[A-Za-z0-9+/_-]*$/.test(body) || body.length % 4 === 1 || (padded && input.length % 4 !== 0)) {
    throw badRequest("schema 'parameterization.parameter' is not valid base64");
  }
  const standard = body.replace(/-/g, "+").replace(/_/g, "/");
  return btoa(atob(standard + "=".repeat((4 - (standard.length % 4)) % 4)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

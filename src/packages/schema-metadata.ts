// Reads a package version's registry metadata from its uploaded Pulumi schema in one streaming pass (spec §3).
//
// Strategy: schemas reach tens of MB and a Worker has 128 MB, so the body is tokenized chunk by chunk
// and only the top-level members below are assembled; everything else (`resources`, `types`, …) is
// dropped value by value as it completes. The whole document is still checked to be one JSON object.
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
import { TokenParser, TokenParserError, Tokenizer, TokenizerError, TokenType, type ParsedTokenInfo } from "@streamparser/json";
import { badRequest } from "../http/api-error";
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
const MAX_STRING_CHARS = 16 * 1024 * 1024;
const MAX_NUMBER_CHARS = 4096;
const MAX_DEPTH = 256;

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
  const reader = stream.getReader();
  let consumed = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      scan.write(value);
      await tee?.write(value);
    }
    scan.end();
    consumed = true;
  } finally {
    // A rejected schema may have tens of MB left unread; stop pulling them. Whether the cancel itself
    // succeeds changes nothing for the caller, who gets the rejection.
    if (!consumed) await reader.cancel().catch(() => undefined);
  }
  return metadataFrom(scan.members, identity);
}

/** Tokenizer whose number accumulation is bounded (numbers are otherwise unbounded in length). */
class BoundedTokenizer extends Tokenizer {
  numberTooLong = false;

  protected override parseNumber(numberStr: string): number {
    // The tokenizer swallows errors thrown here for partial numbers, so the overflow is flagged and
    // checked after every write instead.
    if (numberStr.length > MAX_NUMBER_CHARS) {
      this.numberTooLong = true;
      return Number.NaN;
    }
    return super.parseNumber(numberStr);
  }
}

class SchemaScan {
  readonly members = new Map<KeptMember, unknown>();
  // Validates UTF-8 ahead of the tokenizer so that bad bytes get a clear message, and so that any
  // other error escaping the tokenizer is known to be a bug rather than bad input.
  private readonly utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  // Partial tokens let the outline see a string's length while it is still arriving.
  private readonly tokenizer = new BoundedTokenizer({ emitPartialTokens: true });
  private readonly parser = new TokenParser({ paths: KEPT_MEMBERS.map((m) => `$.${m}`), keepStack: false });
  private readonly outline = new OutlineGuard();
  private lastOffset = 0;

  constructor() {
    this.tokenizer.onToken = (token) => this.onToken(token);
    this.parser.onValue = ({ key, value }) => {
      // Only kept members are selected; the check just narrows the key's type.
      if (typeof key === "string" && KEPT.has(key)) this.members.set(key as KeptMember, value);
    };
  }

  write(chunk: Uint8Array): void {
    this.checkUtf8(() => this.utf8.decode(chunk, { stream: true }));
    this.run(() => this.tokenizer.write(chunk));
  }

  end(): void {
    this.checkUtf8(() => this.utf8.decode());
    this.run(() => this.tokenizer.end(), "unexpected end of input");
    if (!this.outline.started) throw badRequest("schema is not valid JSON: the document is empty");
    if (!this.outline.closed) throw badRequest("schema is not valid JSON: unexpected end of input");
  }

  private onToken(token: ParsedTokenInfo): void {
    if (this.tokenizer.numberTooLong) throw numberTooLong();
    if (token.partial) {
      this.outline.checkPartial(token);
      return;
    }
    this.lastOffset = token.offset;
    this.parser.write(token);
    this.outline.track(token);
  }

  private checkUtf8(decode: () => void): void {
    try {
      decode();
    } catch {
      throw badRequest("schema is not valid JSON: it is not UTF-8 text");
    }
  }

  /**
   * Maps the parser's errors to 400s (clipped: they can quote a whole string token); an ApiError from
   * the outline, or anything else, passes unchanged.
   */
  private run(step: () => void, tokenizerMessage?: string): void {
    try {
      step();
    } catch (err) {
      if (err instanceof TokenizerError) {
        throw badRequest(`schema is not valid JSON: ${tokenizerMessage ?? printable(err.message)}`);
      }
      if (err instanceof TokenParserError) {
        throw badRequest(`schema is not valid JSON: ${printable(err.message)} near byte ${this.lastOffset}`);
      }
      throw err;
    }
    if (this.tokenizer.numberTooLong) throw numberTooLong();
  }
}

/**
 * Follows the document's outline token by token — depth, and which top-level member is being read —
 * to require an object at the top and to enforce the bounds that keep memory flat.
 * The token parser has already accepted each token, so the sequence is well-formed so far.
 */
class OutlineGuard {
  started = false;
  closed = false;
  private depth = 0;
  private expectingKey = false;
  /** The kept member whose value is being read, if any. */
  private kept: string | undefined;
  private valueStart: number | undefined;

  track({ token, value, offset }: ParsedTokenInfo): void {
    if (!this.started) {
      if (token !== TokenType.LEFT_BRACE) throw badRequest("schema must be a JSON object at the top level");
      this.started = true;
    }
    const length = typeof value === "string" && token === TokenType.STRING ? value.length : 0;
    if (length > MAX_STRING_CHARS) throw stringTooLong();
    if (this.depth === 1) this.trackTopLevel(token, offset, length, value);
    else if (this.kept !== undefined && this.valueStart !== undefined) this.checkKeptSpan(offset + length);

    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      this.depth += 1;
      if (this.depth > MAX_DEPTH) throw badRequest(`schema nests deeper than ${MAX_DEPTH} levels`);
      if (this.depth === 1) this.expectingKey = true;
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      this.depth -= 1;
      if (this.depth === 0) this.closed = true;
    }
  }

  checkPartial({ token, value, offset }: ParsedTokenInfo): void {
    if (token !== TokenType.STRING || typeof value !== "string") return;
    if (value.length > MAX_STRING_CHARS) throw stringTooLong();
    // A kept member's value that is a string still arriving has no start yet: it starts here.
    if (this.kept !== undefined) this.checkKeptSpan(offset + value.length, this.valueStart ?? offset);
  }

  private trackTopLevel(token: TokenType, offset: number, length: number, value: ParsedTokenInfo["value"]): void {
    if (token === TokenType.STRING && this.expectingKey) {
      this.expectingKey = false;
      this.kept = typeof value === "string" && KEPT.has(value) ? value : undefined;
      this.valueStart = undefined;
      return;
    }
    if (token === TokenType.COLON) return;
    if (token === TokenType.COMMA || token === TokenType.RIGHT_BRACE) {
      // The separator after a member marks exactly where its value's text ends.
      if (this.kept !== undefined && this.valueStart !== undefined) this.checkKeptSpan(offset);
      this.kept = undefined;
      this.expectingKey = token === TokenType.COMMA;
      return;
    }
    if (this.kept !== undefined) {
      this.valueStart = offset;
      this.checkKeptSpan(offset + length);
    }
  }

  private checkKeptSpan(end: number, start = this.valueStart ?? end): void {
    if (end - start > MAX_KEPT_MEMBER_BYTES) {
      throw badRequest(`schema '${this.kept}' is larger than ${MAX_KEPT_MEMBER_BYTES / 1024} KiB`);
    }
  }
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

function stringTooLong() {
  return badRequest(`schema contains a string longer than ${MAX_STRING_CHARS / (1024 * 1024)} Mi characters`);
}

function numberTooLong() {
  return badRequest(`schema contains a number longer than ${MAX_NUMBER_CHARS} characters`);
}

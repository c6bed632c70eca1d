// What a template's listing says about it, derived from its Pulumi.yaml (spec §5, "Template fields").
import { parse } from "yaml";
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";

export type TemplateLanguage = "typescript" | "javascript" | "python" | "go" | "dotnet" | "java" | "yaml" | "unknown";

export interface TemplateConfigValue {
  description?: string;
  default?: unknown;
  secret?: boolean;
}

export interface TemplateMetadata {
  displayName: string;
  description?: string;
  runtime?: { name: string; options?: Record<string, unknown> };
  language: TemplateLanguage;
  metadata?: Record<string, string>;
  config?: Record<string, TemplateConfigValue>;
}

type Mapping = Record<string, unknown>;

/** Enough for any real Pulumi.yaml; low enough that an alias bomb fails instead of expanding. */
const MAX_ALIAS_COUNT = 100;

const NAMED_RUNTIMES: Partial<Record<string, TemplateLanguage>> = {
  python: "python",
  go: "go",
  dotnet: "dotnet",
  java: "java",
  yaml: "yaml",
};

export function templateMetadataFrom(pulumiYamlText: string, facts: { name: string; hasTypeScript: boolean }): TemplateMetadata {
  let project: unknown;
  try {
    // Core schema, and no known-but-optional tags (!!binary would become bytes, !!set a Set): every
    // value is plain JSON data. Unknown tags degrade to their plain value. logLevel "error" keeps
    // errors fatal ("silent" would drop them) without printing warnings about those tags.
    project = parse(pulumiYamlText, {
      schema: "core",
      resolveKnownTags: false,
      maxAliasCount: MAX_ALIAS_COUNT,
      logLevel: "error",
      uniqueKeys: true,
    });
  } catch (error) {
    // Any failure of the parser, including a stack overflow on absurd nesting, is the file's fault.
    const detail = error instanceof Error ? error.message : String(error);
    throw badRequest(`Pulumi.yaml is not valid YAML: ${printable(detail.split("\n")[0] ?? "")}`);
  }
  if (!isMapping(project)) throw badRequest("Pulumi.yaml is not a YAML mapping");
  const template = project.template;
  if (template === undefined || template === null) throw badRequest("Pulumi.yaml has no 'template:' section");
  if (!isMapping(template)) throw badRequest("Pulumi.yaml 'template:' section is not a mapping");

  const runtime = runtimeFrom(project.runtime);
  const result: TemplateMetadata = {
    displayName: optionalString(template.displayName, "template.displayName") ?? facts.name,
    language: languageOf(runtime?.name, facts.hasTypeScript),
  };
  const description = optionalString(template.description, "template.description") ?? optionalString(project.description, "description");
  if (description !== undefined) result.description = description;
  if (runtime) result.runtime = runtime;
  const metadata = metadataFrom(template.metadata);
  if (metadata) result.metadata = metadata;
  const config = configFrom(template.config);
  if (config) result.config = config;
  return result;
}

function languageOf(runtime: string | undefined, hasTypeScript: boolean): TemplateLanguage {
  if (runtime === undefined) return "unknown";
  if (runtime === "nodejs") return hasTypeScript ? "typescript" : "javascript";
  return NAMED_RUNTIMES[runtime] ?? "unknown";
}

function runtimeFrom(value: unknown): TemplateMetadata["runtime"] {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value === "" ? undefined : { name: value };
  if (!isMapping(value)) throw badRequest("Pulumi.yaml 'runtime' must be a string or a mapping");
  const name = value.name;
  if (typeof name !== "string" || name === "") throw badRequest("Pulumi.yaml 'runtime.name' must be a non-empty string");
  const options = value.options;
  if (options === undefined || options === null) return { name };
  if (!isMapping(options)) throw badRequest("Pulumi.yaml 'runtime.options' must be a mapping");
  return Object.keys(options).length > 0 ? { name, options } : { name };
}

/** The Pulumi CLI decodes metadata values strictly as strings, so anything else would break its listing. */
function metadataFrom(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) throw badRequest("Pulumi.yaml 'template.metadata' must be a mapping of strings");
  const entries = Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof item !== "string") throw badRequest(`Pulumi.yaml 'template.metadata.${printable(key)}' must be a string`);
  }
  // fromEntries defines properties, so a key named __proto__ stays a key.
  return entries.length > 0 ? (Object.fromEntries(entries) as Record<string, string>) : undefined;
}

function configFrom(value: unknown): Record<string, TemplateConfigValue> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) throw badRequest("Pulumi.yaml 'template.config' must be a mapping");
  const entries = Object.entries(value).map(([key, item]): [string, TemplateConfigValue] => {
    const field = `template.config.${printable(key)}`;
    // `key:` with nothing after it is a config value with no details.
    if (item === null) return [key, {}];
    if (!isMapping(item)) throw badRequest(`Pulumi.yaml '${field}' must be a mapping`);
    const out: TemplateConfigValue = {};
    const description = optionalString(item.description, `${field}.description`);
    if (description !== undefined) out.description = description;
    if (item.default !== undefined && item.default !== null) out.default = item.default;
    if (item.secret !== undefined && item.secret !== null) {
      if (typeof item.secret !== "boolean") throw badRequest(`Pulumi.yaml '${field}.secret' must be true or false`);
      out.secret = item.secret;
    }
    return [key, out];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** A string field: absent, null or "" is undefined; any other non-string is a 400 naming the field. */
function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw badRequest(`Pulumi.yaml '${field}' must be a string`);
  return value;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

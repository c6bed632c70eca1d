// Interim per-language naming rules (replaced by branch issue-8-lang's module on merge): the interface the docs pipeline consumes.
export const LANGUAGES = ["typescript", "python", "go", "csharp", "java", "yaml"] as const;
export type Language = (typeof LANGUAGES)[number];

export interface TypeSpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  $ref?: string;
  oneOf?: TypeSpec[];
  plain?: boolean;
}
export interface PackageNaming {
  name: string;
  version?: string;
  language: Record<string, unknown>;
  moduleFormat?: string;
}
export type LocalRefKind = "object" | "enum" | "resource" | undefined;
export interface TypeContext {
  input: boolean;
  required: boolean;
  refKind(token: string): LocalRefKind;
}
export interface TypeRef {
  token: string;
  package?: string;
  version?: string;
}

const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const snake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();

function tokenParts(token: string): { pkg: string; module: string; name: string } {
  const [pkg = "", module = "", name = ""] = token.split(":");
  return { pkg, module, name };
}

export function moduleOf(pkg: PackageNaming, token: string): string {
  const { module } = tokenParts(token);
  const format = new RegExp(`^${pkg.moduleFormat ?? "(.*)"}$`);
  const match = format.exec(module);
  const found = match?.[1] ?? module;
  return found === "" ? "index" : found;
}

export function memberName(lang: Language, _pkg: PackageNaming, token: string, kind: "resource" | "function"): string {
  const { name } = tokenParts(token);
  switch (lang) {
    case "python":
      return kind === "function" ? snake(name) : pascal(name);
    case "go":
    case "csharp":
      return pascal(name);
    case "java":
      return kind === "function" ? camel(name) : pascal(name);
    case "yaml":
      return kind === "function" ? token : token;
    default:
      return kind === "function" ? camel(name) : pascal(name);
  }
}

export function typeDisplayName(lang: Language, _pkg: PackageNaming, token: string, ctx: { input: boolean }): string {
  const { name } = tokenParts(token);
  const base = pascal(name);
  if (lang === "yaml") return base;
  if (lang === "python") return ctx.input ? `${base}Args` : base;
  return ctx.input ? `${base}Args` : base;
}

export function propertyName(lang: Language, pkg: PackageNaming, name: string, _spec?: TypeSpec): string {
  switch (lang) {
    case "python": {
      const mapCase = (pkg.language.python as { propertyOverrides?: Record<string, string> } | undefined)?.propertyOverrides;
      return mapCase?.[name] ?? snake(name);
    }
    case "go":
    case "csharp":
      return pascal(name);
    default:
      return name;
  }
}

const SCALARS: Record<Language, Record<string, string>> = {
  typescript: { string: "string", integer: "number", number: "number", boolean: "boolean", any: "any" },
  python: { string: "str", integer: "int", number: "float", boolean: "bool", any: "Any" },
  go: { string: "string", integer: "int", number: "float64", boolean: "bool", any: "interface{}" },
  csharp: { string: "string", integer: "int", number: "double", boolean: "bool", any: "object" },
  java: { string: "String", integer: "Integer", number: "Double", boolean: "Boolean", any: "Object" },
  yaml: { string: "String", integer: "Integer", number: "Number", boolean: "Boolean", any: "Any" },
};

function bareType(lang: Language, pkg: PackageNaming, spec: TypeSpec, ctx: TypeContext): string {
  if (spec.$ref) {
    if (spec.$ref.startsWith("pulumi.json#/")) return spec.$ref.slice("pulumi.json#/".length);
    const token = decodeURIComponent(spec.$ref.replace(/^.*#\/(types|resources)\//, ""));
    return typeDisplayName(lang, pkg, token, { input: ctx.input && ctx.refKind(token) === "object" });
  }
  if (spec.oneOf?.length) {
    const parts = spec.oneOf.map((s) => bareType(lang, pkg, s, ctx));
    return lang === "python" ? `Union[${parts.join(", ")}]` : parts.join(" | ");
  }
  if (spec.type === "array" && spec.items) {
    const inner = bareType(lang, pkg, spec.items, ctx);
    return { typescript: `${inner}[]`, python: `Sequence[${inner}]`, go: `[]${inner}`, csharp: `ImmutableArray<${inner}>`, java: `List<${inner}>`, yaml: `List<${inner}>` }[lang];
  }
  if (spec.type === "object") {
    const inner = spec.additionalProperties ? bareType(lang, pkg, spec.additionalProperties, ctx) : SCALARS[lang].any!;
    return { typescript: `{[key: string]: ${inner}}`, python: `Mapping[str, ${inner}]`, go: `map[string]${inner}`, csharp: `ImmutableDictionary<string, ${inner}>`, java: `Map<String,${inner}>`, yaml: `Map<${inner}>` }[lang];
  }
  return SCALARS[lang][spec.type ?? "any"] ?? SCALARS[lang].any!;
}

export function typeName(lang: Language, pkg: PackageNaming, spec: TypeSpec, ctx: TypeContext): string {
  return bareType(lang, pkg, spec, ctx);
}

export function typeRef(_pkg: PackageNaming, spec: TypeSpec): TypeRef | undefined {
  const ref = spec.$ref ?? spec.items?.$ref ?? spec.additionalProperties?.$ref;
  if (!ref || ref.startsWith("pulumi.json#")) return undefined;
  const m = /^(?:\/([^/]+)\/v([^/]+)\/schema\.json)?#\/(?:types|resources)\/(.+)$/.exec(ref);
  if (!m) return undefined;
  const out: TypeRef = { token: decodeURIComponent(m[3]!) };
  if (m[1]) out.package = m[1];
  if (m[2]) out.version = m[2];
  return out;
}

export function enumValueName(_lang: Language, _pkg: PackageNaming, _enumTypeToken: string, value: { name?: string; value: unknown }): string {
  return value.name ?? pascal(String(value.value));
}

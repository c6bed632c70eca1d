// Per-language names and types for package docs: one pure module per language, dispatched from here.
// The renderer and pipeline call only these functions and never learn a language's rules.
import { csharp } from "./csharp";
import { go } from "./go";
import { java } from "./java";
import { python } from "./python";
import { moduleOf as moduleOfToken, toShape, typeRef as typeRefOf } from "./tokens";
import { LANGUAGES } from "./types";
import type { FunctionTypeNames, Language, LanguageRules, PackageNaming, TypeContext, TypeRef, TypeSpec } from "./types";
import { typescript } from "./typescript";
import { yaml } from "./yaml";

export { LANGUAGES } from "./types";
export type { FunctionTypeNames, Language, LocalRefKind, PackageNaming, TypeContext, TypeRef, TypeSpec } from "./types";

const RULES: Record<Language, LanguageRules> = { typescript, python, go, csharp, java, yaml };

/**
 * The settings of a schema's `language` block that the naming rules read (languages/*.ts), and nothing else:
 * the naming options travel with every docs page and filter (nav.json, search-head.json, the manifest), so a
 * schema's other settings, however large, stay out. Strings are kept up to MAX_SETTING_CHARS; a map keeps its
 * string entries in order while its JSON stays within MAX_SETTING_MAP_BYTES.
 */
const NAMING_SETTINGS: Record<string, { strings: string[]; maps: string[]; flags: string[] }> = {
  nodejs: { strings: ["packageName", "compatibility"], maps: ["moduleToPackage"], flags: ["disableUnionOutputTypes"] },
  python: { strings: ["packageName", "inputTypes"], maps: ["moduleNameOverrides"], flags: [] },
  go: { strings: ["importBasePath", "rootPackageName"], maps: ["moduleToPackage", "packageImportAliases"], flags: [] },
  csharp: { strings: ["rootNamespace"], maps: ["namespaces"], flags: [] },
  java: { strings: ["basePackage"], maps: ["packages"], flags: [] },
};
export const MAX_SETTING_CHARS = 1024;
export const MAX_SETTING_MAP_BYTES = 256 * 1024;

export function namingLanguage(block: unknown): Record<string, unknown> {
  const obj = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const out: Record<string, unknown> = {};
  for (const [lang, wanted] of Object.entries(NAMING_SETTINGS)) {
    const settings = obj(obj(block)?.[lang]);
    if (!settings) continue;
    const kept: Record<string, unknown> = {};
    for (const key of wanted.strings) {
      const v = settings[key];
      if (typeof v === "string" && v.length <= MAX_SETTING_CHARS) kept[key] = v;
    }
    for (const key of wanted.flags) if (typeof settings[key] === "boolean") kept[key] = settings[key];
    for (const key of wanted.maps) {
      const map = obj(settings[key]);
      if (!map) continue;
      const entries: Record<string, string> = {};
      let bytes = 2;
      for (const [k, v] of Object.entries(map)) {
        if (typeof v !== "string") continue;
        bytes += k.length + v.length + 6;
        if (bytes > MAX_SETTING_MAP_BYTES) break;
        entries[k] = v;
      }
      kept[key] = entries;
    }
    out[lang] = kept;
  }
  return out;
}

/** Reads what naming needs from a schema's top level (name, version, publisher, repository, language, meta) and its resources. */
export function packageNaming(
  schema: Record<string, unknown>,
  resources: ReadonlyArray<{ token: string; isComponent?: boolean }> = [],
): PackageNaming {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const obj = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const version = str(schema.version);
  const publisher = str(schema.publisher);
  const repository = str(schema.repository);
  const moduleFormat = str(obj(schema.meta)?.moduleFormat);
  return {
    name: str(schema.name) ?? "",
    language: namingLanguage(schema.language),
    ...(version ? { version } : {}),
    ...(publisher ? { publisher } : {}),
    ...(repository ? { repository } : {}),
    ...(moduleFormat ? { moduleFormat } : {}),
    resources,
  };
}

/** Flat module path for nav: "compute", "storage/buckets", or "index" (after meta.moduleFormat). */
export function moduleOf(pkg: PackageNaming, token: string): string {
  return moduleOfToken(pkg, token);
}

/** A resource or function as a user writes it in that language (e.g. `skyline.compute.Instance`, `compute.LookupInstance`); `spec` is the resource's schema entry, for `language.csharp.name`. */
export function memberName(
  lang: Language,
  pkg: PackageNaming,
  token: string,
  kind: "resource" | "function",
  spec?: { language?: Record<string, unknown> },
): string {
  return RULES[lang].memberName(pkg, token, kind, spec);
}

/** An object type's or enum's name in that language (Python and Go add `Args` to input object types). */
export function typeDisplayName(lang: Language, pkg: PackageNaming, token: string, ctx: { input: boolean; kind?: "object" | "enum" }): string {
  const kind = ctx.kind ?? "object";
  return RULES[lang].typeDisplayName(pkg, token, { input: ctx.input && kind === "object" });
}

/** A property's name in that language, honouring `language.csharp.name` and Python's `mapCase: false`. */
export function propertyName(lang: Language, pkg: PackageNaming, name: string, spec?: { language?: Record<string, unknown> }): string {
  return RULES[lang].propertyName(pkg, name, spec);
}

/** A property's type as that language's docs tables show it (no Input/Output wrappers there). */
export function typeName(lang: Language, pkg: PackageNaming, spec: TypeSpec, ctx: TypeContext): string {
  return RULES[lang].typeName(pkg, toShape(pkg, spec, ctx), ctx);
}

/** `typeName` in every language, the language-neutral shape computed once (derivation's hot path). */
export function typeNames(pkg: PackageNaming, spec: TypeSpec, ctx: TypeContext): Record<Language, string> {
  const shape = toShape(pkg, spec, ctx);
  const out = {} as Record<Language, string>;
  for (const lang of LANGUAGES) out[lang] = RULES[lang].typeName(pkg, shape, ctx);
  return out;
}

/** A property's type as the SDK declares it, with that language's Input/Output wrappers (`pulumi.Input<string>`, `pulumi.StringPtrInput`, `Output<String>`). */
export function sdkTypeName(lang: Language, pkg: PackageNaming, spec: TypeSpec, ctx: TypeContext): string {
  return RULES[lang].sdkTypeName(pkg, toShape(pkg, spec, ctx), ctx, spec.plain === true);
}

/** The object, enum or resource a type refers to (looking through arrays, maps and unions), including other packages'. */
export function typeRef(pkg: PackageNaming, spec: TypeSpec): TypeRef | undefined {
  return typeRefOf(pkg, spec);
}

/** An enum member's name in that language (`AccessTier.Hot`, `HOT`, `AccessTierHot`, the value itself in YAML). */
export function enumValueName(lang: Language, pkg: PackageNaming, enumTypeToken: string, value: { name?: string; value: unknown }): string {
  return RULES[lang].enumValueName(pkg, enumTypeToken, value);
}

/** The names of a function's argument and result types (`GetInstanceArgs`/`GetInstanceResult`, Go `LookupInstanceArgs`; Python has no args class; YAML neither). */
export function functionTypeNames(lang: Language, pkg: PackageNaming, token: string): FunctionTypeNames {
  return RULES[lang].functionTypes(pkg, token);
}

/** Where a token's module is imported from: npm path, Python module, Go import path, C# namespace, Java package, YAML token. */
export function moduleImport(lang: Language, pkg: PackageNaming, token: string): string {
  return RULES[lang].moduleImport(pkg, token);
}

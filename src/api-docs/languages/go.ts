// Go names and types, as pulumi/pulumi's go generator spells them: Title-cased members, one Go package per
// module (importBasePath, moduleToPackage, packageImportAliases), `getX` → `LookupX` on collision, and the
// `pulumi.StringInput` / `XPtrOutput` family of input and output types.
import { camel, enumRawName, foreignPackage, charClass, makeIdentifier, type IdentifierRules, isProviderToken, languageBlock, parseToken, perModule, relaxedEnum, stringMap, stringSetting, unhyphenate, upperFirst } from "./tokens";
import type { LanguageRules, PackageNaming, RefShape, Shape } from "./types";

/** Go's Title: drops a leading `$`, upper-cases the first letter, removes hyphens camel-style. */
export function goTitle(s: string): string {
  if (s.startsWith("$")) return goTitle(s.slice(1));
  return unhyphenate(upperFirst(s));
}

function goInfo(pkg: PackageNaming): Record<string, unknown> {
  return languageBlock(pkg.language, "go");
}

/** The module path Go's generator derives when `importBasePath` is absent (repository, publisher, or example.com). */
function defaultModulePath(pkg: PackageNaming): string {
  const major = /^v?(\d+)/.exec(pkg.version ?? "")?.[1];
  const vPath = major !== undefined && Number(major) > 1 ? `/v${major}` : "";
  let root = `example.com/pulumi-${pkg.name}`;
  if (pkg.publisher) root = `github.com/${pkg.publisher}/pulumi-${pkg.name}`;
  if (pkg.repository) {
    const url = URL.canParse(pkg.repository) ? new URL(pkg.repository) : undefined;
    if (url) root = url.host + url.pathname.replace(/\/$/, "");
  }
  return `${root}/sdk${vPath}`;
}

/** The import path of the package's root Go package. */
export function importBasePath(pkg: PackageNaming): string {
  return stringSetting(goInfo(pkg), "importBasePath") ?? `${defaultModulePath(pkg)}/go/${pkg.name}`;
}

function goPackage(name: string): string {
  return name.replace(/-/g, "");
}

/** The root Go package's name: rootPackageName, else the last element of importBasePath, else the package name. */
function rootPackageName(pkg: PackageNaming): string {
  const info = goInfo(pkg);
  const explicit = stringSetting(info, "rootPackageName");
  if (explicit) return explicit;
  const base = stringSetting(info, "importBasePath");
  if (base) return goPackage(base.slice(base.lastIndexOf("/") + 1));
  return goPackage(pkg.name);
}

/** A token's Go module directory ("" for the root): moduleToPackage override, lower-cased. */
function goModuleOf(pkg: PackageNaming, mod: string): string {
  const override = stringMap(goInfo(pkg), "moduleToPackage")[mod];
  return (override ?? mod).toLowerCase();
}
const goModule = perModule(goModuleOf);

/** The identifier a program refers to a token's Go package by: its import alias, else the module with `/` and `-` removed. */
const packageAlias = perModule((pkg: PackageNaming, canonical: string): string => {
  const mod = goModuleOf(pkg, canonical);
  const base = importBasePath(pkg);
  const importPath = mod === "" ? base : `${base}/${mod}`;
  const alias = stringMap(goInfo(pkg), "packageImportAliases")[importPath];
  if (alias) return alias;
  if (mod === "") return rootPackageName(pkg);
  return mod.replace(/[/-]/g, "");
});

function typeNameOf(token: string): string {
  return isProviderToken(token) ? "Provider" : goTitle(parseToken(token).name);
}

/** Names a custom resource's Go code defines in its package; a function colliding with one is renamed. */
function resourceNames(name: string, isComponent: boolean): string[] {
  const names = [name, `${name}Input`, `${name}Output`, `${name}Args`, `${camel(name)}Args`, `New${name}`];
  if (!isComponent) names.push(`${name}State`, `${camel(name)}State`, `Get${name}`);
  return names;
}

// The names each Go package's resources define, computed once per resource list (not per function),
// and again if the same list is named under other options.
const takenNames = new WeakMap<object, { pkg: PackageNaming; byModule: Map<string, Set<string>> }>();

function namesTakenIn(pkg: PackageNaming, mod: string): ReadonlySet<string> {
  const resources = pkg.resources;
  if (!resources || resources.length === 0) return new Set();
  let entry = takenNames.get(resources);
  if (!entry || entry.pkg !== pkg) {
    const byModule = new Map<string, Set<string>>();
    for (const r of resources) {
      if (isProviderToken(r.token)) continue;
      const rMod = goModule(pkg, r.token);
      let names = byModule.get(rMod);
      if (!names) byModule.set(rMod, (names = new Set()));
      for (const n of resourceNames(typeNameOf(r.token), r.isComponent === true)) names.add(n);
    }
    takenNames.set(resources, (entry = { pkg, byModule }));
  }
  return entry.byModule.get(mod) ?? new Set();
}

/** A function's Go name: Title-cased, `Get…`/`New…` renamed to `Lookup…`/`Create…` when a resource in its package already uses the name. */
export function goFunctionName(pkg: PackageNaming, token: string): string {
  const name = goTitle(parseToken(token).name);
  const taken = namesTakenIn(pkg, goModule(pkg, token));
  if (taken.has(name) || taken.has(`${name}Args`) || taken.has(`${name}Result`)) {
    if (name.startsWith("New")) return `Create${name.slice(3)}`;
    if (name.startsWith("Get")) return `Lookup${name.slice(3)}`;
  }
  return name;
}

function refName(ref: RefShape, input: boolean): string {
  const base = typeNameOf(ref.token);
  const name = ref.target === "object" && input ? `${base}Args` : base;
  if (!ref.external) return name;
  const owner = foreignPackage(ref.external, ref.token);
  return `${packageAlias(owner, ref.token)}.${name}`;
}

/** Whether nil is a valid value (no pointer needed for an optional). */
function isNilType(shape: Shape): boolean {
  switch (shape.kind) {
    case "array":
    case "map":
    case "archive":
    case "asset":
    case "json":
    case "any":
      return true;
    case "ref":
      return shape.target === "resource";
    case "union": {
      const relaxed = relaxedEnum(shape);
      return relaxed ? isNilType(relaxed.primitive) : false;
    }
    default:
      return false;
  }
}

function plainType(shape: Shape, input: boolean): string {
  switch (shape.kind) {
    case "string":
      return "string";
    case "integer":
      return "int";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "archive":
      return "pulumi.Archive";
    case "asset":
      return "pulumi.AssetOrArchive";
    case "any":
    case "json":
      return "interface{}";
    case "array":
      return `[]${plainType(shape.items, input)}`;
    case "map":
      return `map[string]${plainType(shape.items, input)}`;
    case "ref":
      return shape.target === "resource" ? `*${refName(shape, input)}` : refName(shape, input);
    case "union": {
      const relaxed = relaxedEnum(shape);
      return relaxed ? plainType(relaxed.primitive, input) : "interface{}";
    }
  }
}

/** The docs-table spelling: plain Go types with pointers stripped, unions joined by `|`. */
function display(shape: Shape, input: boolean): string {
  switch (shape.kind) {
    case "array":
      return `[]${display(shape.items, input)}`;
    case "map":
      return `map[string]${display(shape.items, input)}`;
    case "union":
      return shape.items.map((s) => display(s, input)).join(" | ");
    case "ref":
      return refName(shape, input);
    default:
      return plainType(shape, input);
  }
}

const SCALAR_WRAPPER: Partial<Record<Shape["kind"], string>> = {
  string: "pulumi.String",
  integer: "pulumi.Int",
  number: "pulumi.Float64",
  boolean: "pulumi.Bool",
  archive: "pulumi.Archive",
  asset: "pulumi.AssetOrArchive",
};

function trimSuffix(s: string, suffix: string): string {
  return s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
}

/** The `…Input` interface type of a schema type (e.g. `pulumi.StringArrayInput`, `BucketWebsiteInput`). */
function inputType(shape: Shape): string {
  switch (shape.kind) {
    case "array":
      return `${trimSuffix(inputType(shape.items), "Input")}ArrayInput`;
    case "map":
      return `${trimSuffix(inputType(shape.items), "Input")}MapInput`;
    case "ref":
      return `${refName(shape, false)}Input`;
    case "union": {
      const relaxed = relaxedEnum(shape);
      return relaxed ? inputType(relaxed.primitive) : "pulumi.Input";
    }
    default: {
      const wrapper = SCALAR_WRAPPER[shape.kind];
      return wrapper ? `${wrapper}Input` : "pulumi.Input";
    }
  }
}

/** The `…Output` type of a schema type (e.g. `pulumi.StringMapOutput`, `BucketWebsiteOutput`). */
function outputType(shape: Shape): string {
  switch (shape.kind) {
    case "array": {
      const element = trimSuffix(outputType(shape.items), "Output");
      return element === "pulumi.Any" ? "pulumi.ArrayOutput" : `${element}ArrayOutput`;
    }
    case "map": {
      const element = trimSuffix(outputType(shape.items), "Output");
      return element === "pulumi.Any" ? "pulumi.MapOutput" : `${element}MapOutput`;
    }
    case "ref":
      return `${refName(shape, false)}Output`;
    case "union": {
      const relaxed = relaxedEnum(shape);
      return relaxed ? outputType(relaxed.primitive) : "pulumi.AnyOutput";
    }
    default: {
      const wrapper = SCALAR_WRAPPER[shape.kind];
      return wrapper ? `${wrapper}Output` : "pulumi.AnyOutput";
    }
  }
}

const GO_IDENTIFIER: IdentifierRules = {
  isStart: charClass({ digits: false, extra: "_", unicode: /\p{L}/u }),
  isPart: charClass({ digits: true, extra: "_", unicode: /[\p{L}\p{Nd}]/u }),
};

const GO_KEYWORDS = new Set([
  "break", "default", "func", "interface", "select", "case", "defer", "go", "map", "struct", "chan", "else",
  "goto", "package", "switch", "const", "fallthrough", "if", "range", "type", "continue", "for", "import", "return", "var",
]);

/** A valid Go identifier; a keyword gets a leading `_`. */
function goIdentifier(name: string): string {
  const out = makeIdentifier(name, GO_IDENTIFIER);
  return GO_KEYWORDS.has(out) ? `_${out}` : out;
}

/** Enum-member casing: first letter upper-cased, each `-x` becomes `_X`. */
function enumTitle(s: string): string {
  if (s.startsWith("$")) return goTitle(s.slice(1));
  return upperFirst(s)
    .replace(/-+$/, "")
    .replace(/-(.)/gu, (_m, next: string) => `_${next.toUpperCase()}`);
}

export const go: LanguageRules = {
  memberName(pkg, token, kind) {
    const name = kind === "function" ? goFunctionName(pkg, token) : typeNameOf(token);
    return `${packageAlias(pkg, token)}.${name}`;
  },
  typeDisplayName(_pkg, token, ctx) {
    return ctx.input ? `${typeNameOf(token)}Args` : typeNameOf(token);
  },
  propertyName(_pkg, name) {
    return goTitle(name);
  },
  typeName(_pkg, shape, ctx) {
    return display(shape, ctx.input);
  },
  sdkTypeName(_pkg, shape, ctx, plain) {
    if (plain) {
      const t = plainType(shape, ctx.input);
      return ctx.required || isNilType(shape) || t === "interface{}" || t.startsWith("*") ? t : `*${t}`;
    }
    if (ctx.input) {
      const elem = inputType(shape);
      if (ctx.required || isNilType(shape) || elem === "pulumi.Input") return elem;
      return `${trimSuffix(elem, "Input")}PtrInput`;
    }
    const elem = outputType(shape);
    if (ctx.required || isNilType(shape) || elem === "pulumi.AnyOutput") return elem;
    return `${trimSuffix(elem, "Output")}PtrOutput`;
  },
  enumValueName(_pkg, enumTypeToken, value) {
    let safe = goIdentifier(enumTitle(enumRawName(value))).replace(/_+/g, "_");
    if (safe.includes("_") && !safe.startsWith("_")) safe = `_${safe}`;
    return typeNameOf(enumTypeToken) + safe;
  },
  functionTypes(pkg, token) {
    const name = goFunctionName(pkg, token);
    return { args: `${name}Args`, result: `${name}Result` };
  },
  moduleImport(pkg, token) {
    const mod = goModule(pkg, token);
    return mod === "" ? importBasePath(pkg) : `${importBasePath(pkg)}/${mod}`;
  },
};

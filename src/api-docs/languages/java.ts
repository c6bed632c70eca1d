// Java names and types, as pulumi/pulumi-java's generator spells them: `com.pulumi.<pkg>.<module>` packages
// (basePackage, `language.java.packages`), `<Module>Functions.getX` static functions, `inputs.XArgs` /
// `outputs.X` / `enums.X` nested types, and `Output<T>` everywhere a value may be unknown.
import { canonicalModule, enumRawName, isProviderToken, languageBlock, lowerFirst, memberTypeName, moduleParts, parseToken, relaxedEnum, stringMap, stringSetting, titleWords, upperFirst } from "./tokens";
import type { LanguageRules, PackageNaming, RefShape, Shape } from "./types";

const RESERVED_WORDS = new Set([
  "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
  "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "if", "goto",
  "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
  "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
  "throw", "throws", "transient", "try", "void", "volatile", "while", "_", "false", "null", "true", "var",
]);

// Getter names that would clash with java.lang.Object or the generated builders.
const RESERVED_METHODS = new Set(["notify", "notifyAll", "toString", "clone", "equals", "hashCode", "getClass", "wait", "finalize", "builder"]);

/** A valid Java identifier: hyphens dropped (azure-native → azurenative), other illegal characters to `_`, reserved words suffixed with `_`. */
export function javaIdent(name: string): string {
  let out = "";
  let first = true;
  for (const c of name) {
    if (first && c === "$") out += c;
    else if (c === "-") {
      // dropped
    } else if (!/[\p{L}\p{Nd}_$]/u.test(c)) out += "_";
    else {
      if (first && !/[\p{L}_$]/u.test(c)) out += "_";
      out += c;
    }
    first = false;
  }
  return RESERVED_WORDS.has(out) ? `${out}_` : out;
}

function info(pkg: PackageNaming): Record<string, unknown> {
  return languageBlock(pkg.language, "java");
}

/** The base package, `language.java.basePackage` or `com.pulumi`. */
function basePackage(pkg: PackageNaming): string {
  return (stringSetting(info(pkg), "basePackage") ?? "com.pulumi").replace(/\.$/, "");
}

/** The Java package of a token: base package, package name, then the module (`language.java.packages` override). */
export function javaPackage(pkg: PackageNaming, token: string): string {
  const root = `${basePackage(pkg)}.${javaIdent(pkg.name)}`;
  const mod = canonicalModule(pkg, token);
  if (mod === "") return root;
  const mapped = stringMap(info(pkg), "packages")[mod] ?? mod;
  return [root, ...moduleParts(mapped.replace(/\./g, "/")).map(javaIdent)].join(".");
}

function className(token: string): string {
  return isProviderToken(token) ? "Provider" : javaIdent(memberTypeName(token));
}

/** The class holding a module's functions: `S3Functions`, or `<Package>Functions` for the index. */
function functionsClass(pkg: PackageNaming, token: string): string {
  const parts = javaPackage(pkg, token).split(".");
  return `${upperFirst(parts[parts.length - 1] ?? pkg.name)}Functions`;
}

function ownerOf(pkg: PackageNaming, ref: RefShape): PackageNaming {
  return ref.external ? { name: ref.external.package, language: {} } : pkg;
}

function scalar(kind: Shape["kind"]): string | undefined {
  switch (kind) {
    case "string":
      return "String";
    case "integer":
      return "Integer";
    case "number":
      return "Double";
    case "boolean":
      return "Boolean";
    case "any":
      return "Object";
    case "json":
      return "JsonElement";
    case "archive":
      return "Archive";
    case "asset":
      return "AssetOrArchive";
    default:
      return undefined;
  }
}

/** A named type: this package's bare (the docs strip `Args`), another package's fully qualified. */
function refName(pkg: PackageNaming, ref: RefShape, input: boolean, sdk: boolean): string {
  const base = className(ref.token);
  const name = sdk && input && ref.target === "object" ? `${base}Args` : base;
  if (!ref.external) return name;
  const sub = ref.target === "object" ? (input ? ".inputs" : ".outputs") : ref.target === "enum" ? ".enums" : "";
  return `${javaPackage(ownerOf(pkg, ref), ref.token)}${sub}.${name}`;
}

function render(pkg: PackageNaming, shape: Shape, input: boolean, sdk: boolean): string {
  switch (shape.kind) {
    case "array":
      return `List<${render(pkg, shape.items, input, sdk)}>`;
    case "map":
      return `Map<String,${render(pkg, shape.items, input, sdk)}>`;
    case "union": {
      if (!sdk) return shape.items.map((s) => render(pkg, s, input, sdk)).join(" | ");
      const relaxed = relaxedEnum(shape);
      if (!input && relaxed) return render(pkg, relaxed.primitive, input, sdk);
      const parts = [...new Set(shape.items.map((s) => render(pkg, s, input, sdk)))];
      if (parts.length === 1) return parts[0] ?? "Object";
      return parts.length === 2 ? `Either<${parts.join(",")}>` : "Object";
    }
    case "ref":
      return refName(pkg, shape, input, sdk);
    default:
      return scalar(shape.kind) ?? "Object";
  }
}

export const java: LanguageRules = {
  memberName(pkg, token, kind) {
    if (kind === "function") return `${functionsClass(pkg, token)}.${lowerFirst(javaIdent(parseToken(token).name))}`;
    return `${javaPackage(pkg, token)}.${className(token)}`;
  },
  typeDisplayName(_pkg, token) {
    return className(token);
  },
  propertyName(_pkg, name) {
    const field = javaIdent(name);
    return RESERVED_METHODS.has(field) ? `${field}_` : field;
  },
  typeName(pkg, shape, ctx) {
    return render(pkg, shape, ctx.input, false);
  },
  sdkTypeName(pkg, shape, ctx, plain) {
    const inner = render(pkg, shape, ctx.input, true);
    if (plain) return ctx.required || ctx.input ? inner : `Optional<${inner}>`;
    // Builders take `Output<T>` for every input; getters of optional outputs return `Output<Optional<T>>`.
    return ctx.input || ctx.required ? `Output<${inner}>` : `Output<Optional<${inner}>>`;
  },
  enumValueName(_pkg, _enumTypeToken, value) {
    return titleWords(javaIdent(enumRawName(value))).replace(/_+/g, "_");
  },
  moduleImport(pkg, token) {
    return javaPackage(pkg, token);
  },
};

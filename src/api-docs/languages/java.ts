// Java names and types, as pulumi/pulumi-java's generator spells them: `com.pulumi.<pkg>.<module>` packages
// (basePackage, `language.java.packages`), `<Module>Functions.getX` static functions, `inputs.XArgs` /
// `outputs.X` / `enums.X` nested types, and `Output<T>` everywhere a value may be unknown.
import { boundedMemo, enumRawName, ownerOf, charClass, type IdentifierRules, isProviderToken, languageBlock, lowerFirst, makeIdentifier, memberTypeName, parseToken, perModule, relaxedEnum, scalarName, stringMap, stringSetting, titleWords, upperFirst } from "./tokens";
import type { LanguageRules, PackageNaming, RefShape, ScalarNames, Shape } from "./types";

const RESERVED_WORDS = new Set([
  "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
  "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "if", "goto",
  "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
  "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
  "throw", "throws", "transient", "try", "void", "volatile", "while", "_", "false", "null", "true", "var",
]);

// Getter names that would clash with java.lang.Object or the generated builders.
const RESERVED_METHODS = new Set(["notify", "notifyAll", "toString", "clone", "equals", "hashCode", "getClass", "wait", "finalize", "builder"]);

const JAVA_IDENTIFIER: IdentifierRules = {
  isStart: charClass({ digits: false, extra: "_$", unicode: /\p{L}/u }),
  isPart: charClass({ digits: true, extra: "_$", unicode: /[\p{L}\p{Nd}]/u }),
  keepFirst: "$",
  drop: "-",
};

/** A valid Java identifier: hyphens dropped (azure-native → azurenative), other illegal characters to `_`, reserved words suffixed with `_`. */
export function javaIdent(name: string): string {
  const out = makeIdentifier(name, JAVA_IDENTIFIER);
  return RESERVED_WORDS.has(out) ? `${out}_` : out;
}

/** A property's getter name: an identifier, `_` after names Object or the builders already use (memoized). */
const javaGetter = boundedMemo(20_000, (name) => {
  const field = javaIdent(name);
  return RESERVED_METHODS.has(field) ? `${field}_` : field;
});

function info(pkg: PackageNaming): Record<string, unknown> {
  return languageBlock(pkg.language, "java");
}

/** The base package, `language.java.basePackage` or `com.pulumi`. */
function basePackage(pkg: PackageNaming): string {
  return (stringSetting(info(pkg), "basePackage") ?? "com.pulumi").replace(/\.$/, "");
}

/** Dotted Java package parts, each made a valid identifier (a `/` in a module becomes `_`). */
function packageParts(name: string): string[] {
  return name.split(".").map(javaIdent);
}

/** The Java package of a token: base package, package name, then the module; `language.java.packages` maps either. */
export const javaPackage = perModule((pkg: PackageNaming, mod: string): string => {
  const packages = stringMap(info(pkg), "packages");
  const root = [basePackage(pkg), ...packageParts(packages[pkg.name] ?? pkg.name)];
  if (mod === "") return root.join(".");
  return [...root, ...packageParts(packages[mod] ?? mod)].join(".");
});

function className(token: string): string {
  return isProviderToken(token) ? "Provider" : javaIdent(memberTypeName(token));
}

/** The class holding a module's functions: Title(module) + `Functions` (`ComputeFunctions`), or `<Package>Functions` for the index. */
const functionsClass = perModule((pkg: PackageNaming, mod: string): string => javaIdent(`${upperFirst(mod === "" ? pkg.name : mod)}Functions`));

/** How the language spells each scalar and builtin type. */
const SCALARS: ScalarNames = {
  string: "String",
  integer: "Integer",
  number: "Double",
  boolean: "Boolean",
  any: "Object",
  json: "JsonElement",
  archive: "Archive",
  asset: "AssetOrArchive",
};

const scalar = (kind: Shape["kind"]) => scalarName(SCALARS, kind);

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
  propertyName(_pkg, name, spec) {
    // `language.java.name` renames the builder's setter and field, which is what a program writes.
    const override = stringSetting(languageBlock(spec?.language, "java"), "name");
    if (override) return javaIdent(override);
    return javaGetter(name);
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
  functionTypes(_pkg, token) {
    const name = className(token);
    return { args: `${name}Args`, result: `${name}Result` };
  },
  moduleImport(pkg, token) {
    return javaPackage(pkg, token);
  },
};

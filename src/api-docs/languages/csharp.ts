// C# names and types, as pulumi/pulumi's dotnet generator spells them: namespaces from rootNamespace and
// `language.csharp.namespaces`, Title-cased members, `Input<T>`/`InputList<T>`/`InputMap<T>` inputs and
// `Output<T>` outputs, `Inputs.XArgs`/`Outputs.X` nested types.
import { boundedMemo, enumRawName, ownerOf, charClass, ID_START, type IdentifierRules, isProviderToken, languageBlock, makeIdentifier, memberTypeName, perModule, relaxedEnum, scalarName, stringMap, stringSetting, titleWords, upperFirst } from "./tokens";
import type { LanguageRules, PackageNaming, RefShape, ScalarNames, Shape } from "./types";

const KEYWORDS = new Set([
  "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
  "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
  "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
  "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
  "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
  "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
  "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
]);

function info(pkg: PackageNaming): Record<string, unknown> {
  return languageBlock(pkg.language, "csharp");
}

/** `language.csharp.rootNamespace`, else `Pulumi`. */
export function rootNamespace(pkg: PackageNaming): string {
  return stringSetting(info(pkg), "rootNamespace") ?? "Pulumi";
}

/** A package or module name as a namespace: the `namespaces` override, else each `/` part Title-cased with hyphens removed. */
function namespaceName(namespaces: Record<string, string>, name: string): string {
  const override = namespaces[name];
  if (override !== undefined) return override;
  return name
    .split("/")
    .map((part) => part.split("-").map(upperFirst).join(""))
    .join(".");
}

/** A token's namespace below the root namespace, e.g. `Skyline.Storage.Buckets`. */
const relativeNamespace = perModule((pkg: PackageNaming, mod: string): string => {
  const namespaces = stringMap(info(pkg), "namespaces");
  const pkgNs = namespaceName(namespaces, pkg.name);
  return mod === "" ? pkgNs : `${pkgNs}.${namespaceName(namespaces, mod)}`;
});

/** A token's full namespace, e.g. `Pulumi.Skyline.Storage.Buckets`. */
function fullNamespace(pkg: PackageNaming, token: string): string {
  return `${rootNamespace(pkg)}.${relativeNamespace(pkg, token)}`;
}

function className(token: string): string {
  return isProviderToken(token) ? "Provider" : memberTypeName(token);
}

const CS_IDENTIFIER: IdentifierRules = {
  isStart: charClass({ digits: false, extra: "_", unicode: ID_START }),
  isPart: charClass({ digits: true, extra: "_", unicode: /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\p{Cf}]/u }),
  keepFirst: "@",
};

/** A valid C# identifier; a keyword is escaped with `@`. */
function csIdentifier(name: string): string {
  const out = makeIdentifier(name, CS_IDENTIFIER);
  return KEYWORDS.has(out) ? `@${out}` : out;
}

/** A property's C# name: Title-cased, made an identifier (memoized: names repeat across a schema). */
const csPropertyName = boundedMemo(20_000, (name) => csIdentifier(upperFirst(name)));

/** How the language spells each scalar and builtin type. */
const SCALARS: ScalarNames = {
  string: "string",
  integer: "int",
  number: "double",
  boolean: "bool",
  any: "object",
  json: "System.Text.Json.JsonElement",
  archive: "Archive",
  asset: "AssetOrArchive",
};

const scalar = (kind: Shape["kind"]) => scalarName(SCALARS, kind);

/** The docs-table spelling: this package's object types bare (the docs strip `Pulumi.X.Y.Inputs.` and `Args`), enums and resources by full name. */
function refDisplay(pkg: PackageNaming, ref: RefShape, input: boolean): string {
  const owner = ownerOf(pkg, ref);
  const name = className(ref.token);
  if (ref.target === "object") {
    return ref.external ? `${fullNamespace(owner, ref.token)}.${input ? "Inputs" : "Outputs"}.${name}` : name;
  }
  return `${fullNamespace(owner, ref.token)}.${name}`;
}

function display(pkg: PackageNaming, shape: Shape, input: boolean): string {
  switch (shape.kind) {
    case "array":
      return `List<${display(pkg, shape.items, input)}>`;
    case "map":
      return `Dictionary<string, ${display(pkg, shape.items, input)}>`;
    case "union":
      return shape.items.map((s) => display(pkg, s, input)).join(" | ");
    case "ref":
      return refDisplay(pkg, shape, input);
    default:
      return scalar(shape.kind) ?? "object";
  }
}

/** The SDK spelling of a type inside its wrapper (`Inputs.XArgs`, `Outputs.X`, `ImmutableArray<…>` for outputs). */
function sdkInner(pkg: PackageNaming, shape: Shape, input: boolean): string {
  switch (shape.kind) {
    case "array":
      return input ? `List<${sdkInner(pkg, shape.items, input)}>` : `ImmutableArray<${sdkInner(pkg, shape.items, input)}>`;
    case "map":
      return input
        ? `Dictionary<string, ${sdkInner(pkg, shape.items, input)}>`
        : `ImmutableDictionary<string, ${sdkInner(pkg, shape.items, input)}>`;
    case "union": {
      const relaxed = relaxedEnum(shape);
      if (!input && relaxed) return sdkInner(pkg, relaxed.primitive, input);
      const parts = [...new Set(shape.items.map((s) => sdkInner(pkg, s, input)))];
      if (parts.length === 1) return parts[0] ?? "object";
      return parts.length === 2 ? `Union<${parts.join(", ")}>` : "object";
    }
    case "ref": {
      const name = className(shape.token);
      if (shape.target !== "object") return `${fullNamespace(ownerOf(pkg, shape), shape.token)}.${name}`;
      const qualifier = input ? "Inputs" : "Outputs";
      const local = `${qualifier}.${input ? `${name}Args` : name}`;
      return shape.external ? `${fullNamespace(ownerOf(pkg, shape), shape.token)}.${local}` : local;
    }
    default:
      return scalar(shape.kind) ?? "object";
  }
}

function sdkInput(pkg: PackageNaming, shape: Shape): string {
  switch (shape.kind) {
    case "array":
      return `InputList<${sdkInner(pkg, shape.items, true)}>`;
    case "map":
      return `InputMap<${sdkInner(pkg, shape.items, true)}>`;
    case "json":
      return "InputJson";
    case "union": {
      const parts = [...new Set(shape.items.map((s) => sdkInner(pkg, s, true)))];
      if (parts.length === 1) return `Input<${parts[0] ?? "object"}>`;
      return parts.length === 2 ? `InputUnion<${parts.join(", ")}>` : "object";
    }
    default:
      return `Input<${sdkInner(pkg, shape, true)}>`;
  }
}

export const csharp: LanguageRules = {
  memberName(pkg, token, kind, spec) {
    // A resource may rename its C# class (`language.csharp.name`), as Kubernetes does for clashing kinds.
    const override = kind === "resource" ? stringSetting(languageBlock(spec?.language, "csharp"), "name") : undefined;
    return `${relativeNamespace(pkg, token)}.${override ? upperFirst(override) : className(token)}`;
  },
  typeDisplayName(_pkg, token) {
    return className(token);
  },
  propertyName(_pkg, name, spec) {
    const override = stringSetting(languageBlock(spec?.language, "csharp"), "name");
    return override ?? csPropertyName(name);
  },
  typeName(pkg, shape, ctx) {
    return display(pkg, shape, ctx.input);
  },
  sdkTypeName(pkg, shape, ctx, plain) {
    if (ctx.input && !plain) return sdkInput(pkg, shape);
    const inner = sdkInner(pkg, shape, ctx.input);
    // Optional values are nullable, except ImmutableArray, a struct whose default is empty.
    const nullable = !ctx.required && !(shape.kind === "array" && !ctx.input) ? `${inner}?` : inner;
    return plain ? nullable : `Output<${nullable}>`;
  },
  enumValueName(_pkg, enumTypeToken, value) {
    let safe = titleWords(csIdentifier(enumRawName(value))).replace(/_+/g, "_");
    if (safe.startsWith("_")) safe = className(enumTypeToken) + safe;
    return safe === "Equals" ? "EqualsValue" : safe;
  },
  functionTypes(_pkg, token) {
    const name = className(token);
    return { args: `${name}Args`, result: `${name}Result` };
  },
  moduleImport(pkg, token) {
    return fullNamespace(pkg, token);
  },
};

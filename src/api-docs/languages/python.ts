// Python names and types, as pulumi/pulumi's python generator (PyName, pyPack, moduleNameOverrides) and
// its docs helper spell them.
import { boundedMemo, enumRawName, foreignPackage, charClass, ID_PART, ID_START, type IdentifierRules, isDigit, isProviderToken, isUpper, languageBlock, makeIdentifier, memberTypeName, moduleParts, perModule, relaxedEnum, scalarName, stringMap, stringSetting } from "./tokens";
import type { LanguageRules, PackageNaming, RefShape, ScalarNames, Shape } from "./types";

// Names the generator keeps on its legacy casing because they already shipped that way.
const LEGACY_NAMES = new Set(["openXJsonSerDe", "GetPublicIPs", "GetUptimeCheckIPs"]);

// Python 2 and 3 keywords, which the generator suffixes with `_` (PEP 8).
const KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
  "elif", "else", "except", "exec", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
  "nonlocal", "not", "or", "pass", "print", "raise", "return", "try", "while", "with", "yield",
]);

const PY_IDENTIFIER: IdentifierRules = {
  isStart: charClass({ digits: false, extra: "_", unicode: ID_START }),
  isPart: charClass({ digits: true, extra: "_", unicode: ID_PART }),
};
const isPyStart = PY_IDENTIFIER.isStart;
const isPyPart = PY_IDENTIFIER.isPart;

/** Appends `_` to a Python keyword, as EnsureKeywordSafe does. */
function keywordSafe(name: string): string {
  return KEYWORDS.has(name) ? `${name}_` : name;
}

/** camelCase → snake_case with acronyms kept whole ("SHA256Hash" → "sha256_hash", "publicIPs" → "public_ips"). */
export const pyName = boundedMemo(20_000, computePyName);

function computePyName(name: string): string {
  const legacy = LEGACY_NAMES.has(name);
  type State = "first" | "upper" | "acronym" | "lowerOrNumber";
  let state: State = "first";
  const components: string[] = [];
  let current: string[] = [];
  for (let char of name) {
    if (!isPyPart(char)) char = "_";
    switch (state) {
      case "first":
        if (!isPyStart(char)) current.push("_");
        if (isUpper(char)) {
          state = "upper";
          current.push(char.toLowerCase());
        } else {
          state = "lowerOrNumber";
          current.push(char);
        }
        break;
      case "upper":
        if (isUpper(char)) {
          state = "acronym";
          current.push(char.toLowerCase());
        } else {
          state = "lowerOrNumber";
          current.push(char);
        }
        break;
      case "acronym":
        if (isUpper(char)) {
          current.push(char.toLowerCase());
        } else if (isDigit(char) || (char === "s" && !legacy)) {
          // Digits (and a plural "s") right after an acronym stay in the acronym's word.
          state = "lowerOrNumber";
          current.push(char);
        } else {
          const last = current.pop() ?? "";
          components.push(current.join(""));
          current = [last, char];
          state = "lowerOrNumber";
        }
        break;
      case "lowerOrNumber":
        if (isUpper(char)) {
          components.push(current.join(""));
          current = [char.toLowerCase()];
          state = "upper";
        } else {
          current.push(char);
        }
        break;
    }
  }
  if (current.length > 0) components.push(current.join(""));
  return keywordSafe(components.join("_"));
}

/** The distribution and import name: `language.python.packageName`, else `pulumi_<name>`. */
export function pythonPackage(pkg: PackageNaming): string {
  return stringSetting(languageBlock(pkg.language, "python"), "packageName") ?? `pulumi_${pkg.name.replace(/-/g, "_")}`;
}

/** The identifier a program imports the package as: `import pulumi_azure_native as azure_native`. */
export function packageIdentifier(name: string): string {
  return name.replace(/-/g, "_");
}

/** A token's Python module path: `moduleNameOverrides[module]`, else each part lower-cased and PyName'd. */
const moduleOfToken = perModule((pkg: PackageNaming, mod: string): readonly string[] => {
  const override = stringMap(languageBlock(pkg.language, "python"), "moduleNameOverrides")[mod];
  if (override !== undefined) return moduleParts(override);
  return moduleParts(mod.toLowerCase()).map(pyName);
});

/** Whether `ArgsDict` TypedDicts sit beside Args classes (`inputTypes` "classes-and-dicts", the default). */
function typedDicts(pkg: PackageNaming): boolean {
  return stringSetting(languageBlock(pkg.language, "python"), "inputTypes") !== "classes";
}

function className(token: string): string {
  return isProviderToken(token) ? "Provider" : keywordSafe(memberTypeName(token));
}

function objectName(token: string, input: boolean): string {
  return input ? `${className(token)}Args` : className(token);
}

/** How the language spells each scalar and builtin type. */
const SCALARS: ScalarNames = {
  string: "str",
  integer: "int",
  number: "float",
  boolean: "bool",
  any: "Any",
  json: "Any",
  archive: "pulumi.Archive",
  asset: "Union[pulumi.Asset, pulumi.Archive]",
};

const scalar = (kind: Shape["kind"]) => scalarName(SCALARS, kind);

/** Another package's type, qualified by its Python package and module. */
function foreignName(ref: RefShape, input: boolean): string {
  const owner = foreignPackage(ref.external ?? { package: "" }, ref.token);
  const path = [pythonPackage(owner), ...moduleOfToken(owner, ref.token)];
  if (ref.target === "object") return [...path, ...(input ? [] : ["outputs"]), objectName(ref.token, input)].join(".");
  return [...path, className(ref.token)].join(".");
}

function refDisplay(ref: RefShape, input: boolean): string {
  if (ref.external) return foreignName(ref, input);
  return ref.target === "object" ? objectName(ref.token, input) : className(ref.token);
}

/** The docs-table spelling: Optional[] and Input[] stripped, unions joined by `|`. */
function display(shape: Shape, input: boolean): string {
  switch (shape.kind) {
    case "array":
      return `Sequence[${display(shape.items, input)}]`;
    case "map":
      return `Mapping[str, ${display(shape.items, input)}]`;
    case "union":
      return shape.items.map((s) => display(s, input)).join(" | ");
    case "ref":
      return refDisplay(shape, input);
    default:
      return scalar(shape.kind) ?? "Any";
  }
}

/** The spelling inside an SDK signature (forward references quoted, outputs under `outputs.`). */
function sdkInner(pkg: PackageNaming, shape: Shape, input: boolean, plain: boolean): string {
  const wrap = (s: string) => (plain || !input || s === "Any" ? s : `pulumi.Input[${s}]`);
  switch (shape.kind) {
    case "array":
      return wrap(`Sequence[${sdkInner(pkg, shape.items, input, plain || shape.plainItems)}]`);
    case "map":
      return wrap(`Mapping[str, ${sdkInner(pkg, shape.items, input, plain || shape.plainItems)}]`);
    case "union": {
      const relaxed = relaxedEnum(shape);
      if (!input && relaxed) return sdkInner(pkg, relaxed.primitive, input, plain);
      if (!input) return "Any";
      const parts = [...new Set(shape.items.map((s) => sdkInner(pkg, s, input, true)))];
      return wrap(parts.length === 1 ? (parts[0] ?? "Any") : `Union[${parts.join(", ")}]`);
    }
    case "ref": {
      if (shape.external) return wrap(`'${foreignName(shape, input)}'`);
      if (shape.target !== "object") return wrap(`'${className(shape.token)}'`);
      if (!input) return `'outputs.${className(shape.token)}'`;
      const args = `'${objectName(shape.token, true)}'`;
      return wrap(typedDicts(pkg) ? `Union[${args}, '${className(shape.token)}ArgsDict']` : args);
    }
    default:
      return wrap(scalar(shape.kind) ?? "Any");
  }
}

export const python: LanguageRules = {
  memberName(pkg, token, kind) {
    const root = packageIdentifier(pkg.name);
    if (isProviderToken(token)) return `${root}.Provider`;
    const name = kind === "function" ? pyName(memberTypeName(token)) : className(token);
    return [root, ...moduleOfToken(pkg, token), name].join(".");
  },
  typeDisplayName(_pkg, token, ctx) {
    return objectName(token, ctx.input);
  },
  propertyName(_pkg, name, spec) {
    // `mapCase: false` (a pre-3.0 schema setting) asks for the schema's own spelling.
    return languageBlock(spec?.language, "python").mapCase === false ? name : pyName(name);
  },
  typeName(_pkg, shape, ctx) {
    return display(shape, ctx.input);
  },
  sdkTypeName(pkg, shape, ctx, plain) {
    const inner = sdkInner(pkg, shape, ctx.input, plain);
    if (ctx.input) return ctx.required ? inner : `Optional[${inner}]`;
    if (plain) return ctx.required ? inner : `Optional[${inner}]`;
    return `pulumi.Output[${ctx.required ? inner : `Optional[${inner}]`}]`;
  },
  enumValueName(_pkg, enumTypeToken, value) {
    let safe = makeIdentifier(pyName(enumRawName(value)).toUpperCase(), PY_IDENTIFIER);
    if (safe.startsWith("_")) safe = pyName(memberTypeName(enumTypeToken)).toUpperCase() + safe;
    return safe.replace(/_+/g, "_");
  },
  functionTypes(_pkg, token) {
    // Python functions take keyword arguments; only the result is a class.
    return { result: `${memberTypeName(token)}Result` };
  },
  moduleImport(pkg, token) {
    return [pythonPackage(pkg), ...moduleOfToken(pkg, token)].join(".");
  },
};

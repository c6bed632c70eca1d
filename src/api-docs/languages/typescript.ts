// TypeScript/JavaScript names and types, as pulumi/pulumi's nodejs generator and its docs helper spell them.
import { camel, enumRawName, ownerOf, charClass, ID_PART, ID_START, type IdentifierRules, isProviderToken, languageBlock, makeIdentifier, memberTypeName, moduleParts, parseToken, perModule, scalarName, stringMap, stringSetting, upperFirst } from "./tokens";
import type { LanguageRules, PackageNaming, RefShape, ScalarNames, Shape, TypeContext } from "./types";

/** The identifier a program binds the package to: `import * as azure_native from "@pulumi/azure-native"`. */
export function packageIdentifier(name: string): string {
  return jsIdentifier(name);
}

/** The npm package: `language.nodejs.packageName`, else `@pulumi/<name>`. */
export function npmPackage(pkg: PackageNaming): string {
  return stringSetting(languageBlock(pkg.language, "nodejs"), "packageName") ?? `@pulumi/${pkg.name}`;
}

/** The module path parts of a token, after `language.nodejs.moduleToPackage`. */
const moduleOfToken = perModule((pkg: PackageNaming, mod: string): readonly string[] => {
  const override = stringMap(languageBlock(pkg.language, "nodejs"), "moduleToPackage")[mod];
  // Each segment is a namespace; dotted parts (Kubernetes' `networking.k8s.io`) stay, each made an identifier.
  return moduleParts(override ?? mod).map((segment) => segment.split(".").map(jsIdentifier).join("."));
});

const JS_IDENTIFIER: IdentifierRules = {
  isStart: charClass({ digits: false, extra: "$_", unicode: ID_START }),
  isPart: charClass({ digits: true, extra: "$_", unicode: ID_PART }),
};

const RESERVED_WORDS = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "export",
  "extends", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "return", "super", "switch",
  "this", "throw", "try", "typeof", "var", "void", "while", "with", "yield", "enum", "await", "implements",
  "interface", "package", "private", "protected", "public", "null", "true", "false",
]);

/** Replaces characters JavaScript does not allow in identifiers with `_`; a reserved word gets a leading `_`. */
function jsIdentifier(name: string): string {
  const out = makeIdentifier(name, JS_IDENTIFIER);
  return RESERVED_WORDS.has(out) ? `_${out}` : out;
}

function typeNameOf(token: string): string {
  return memberTypeName(token);
}

/** The alias the SDK imports another package under: `pulumi` + its name Pascal-cased (`pulumiSkylineWebapp`). */
export function externalModuleName(name: string): string {
  const words = name.split(/[^\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_.]/u);
  return `pulumi${words.map(upperFirst).join("")}`;
}

/** Whether input object types carry `Args` (not in the tfbridge20 and kubernetes20 compatibility modes). */
function inputTypesHaveArgs(pkg: PackageNaming): boolean {
  const compatibility = stringSetting(languageBlock(pkg.language, "nodejs"), "compatibility");
  return compatibility !== "tfbridge20" && compatibility !== "kubernetes20";
}

/**
 * How a named type is written: in the SDK as `inputs.mod.XArgs` / `outputs.mod.X` / `enums.mod.Y`; in a
 * docs table this package's types bare (the docs strip those qualifiers and `Args`). Another package's
 * types stay qualified by its import alias (`pulumiKms.types.input.KeyReference`).
 */
function refName(pkg: PackageNaming, ref: RefShape, input: boolean, sdk: boolean): string {
  const base = isProviderToken(ref.token) ? "Provider" : typeNameOf(ref.token);
  if (!ref.external && !sdk) return base;
  const owner = ownerOf(pkg, ref);
  const mod = moduleOfToken(owner, ref.token);
  const alias = ref.external ? [externalModuleName(owner.name)] : [];
  switch (ref.target) {
    case "resource":
      return ref.external ? [...alias, ...mod, base].join(".") : base;
    case "enum":
      return [...(ref.external ? alias : ["enums"]), ...mod, base].join(".");
    case "object": {
      const name = sdk && input && inputTypesHaveArgs(owner) ? `${base}Args` : base;
      const root = ref.external ? [...alias, "types", input ? "input" : "output"] : [input ? "inputs" : "outputs"];
      return [...root, ...mod, name].join(".");
    }
  }
}

/** How the language spells each scalar and builtin type. */
const SCALARS: ScalarNames = {
  string: "string",
  integer: "number",
  number: "number",
  boolean: "boolean",
  any: "any",
  json: "any",
  archive: "pulumi.asset.Archive",
  asset: "pulumi.asset.Asset | pulumi.asset.Archive",
};

const scalar = (kind: Shape["kind"]) => scalarName(SCALARS, kind);

function arrayOf(element: string): string {
  return element.includes(" | ") ? `(${element})[]` : `${element}[]`;
}

/** The docs-table spelling: no Input/Output wrappers (the docs strip them), unions joined by `|`. */
function display(pkg: PackageNaming, shape: Shape, input: boolean): string {
  switch (shape.kind) {
    case "array":
      return arrayOf(display(pkg, shape.items, input));
    case "map":
      return `{[key: string]: ${display(pkg, shape.items, input)}}`;
    case "union":
      return shape.items.map((s) => display(pkg, s, input)).join(" | ");
    case "ref":
      return refName(pkg, shape, input, false);
    default:
      return scalar(shape.kind) ?? "any";
  }
}

/** The SDK spelling of an input: `pulumi.Input<…>` around every non-plain level. */
function sdkInput(pkg: PackageNaming, shape: Shape, plain: boolean): string {
  const wrap = (s: string) => (plain || s === "any" ? s : `pulumi.Input<${s}>`);
  switch (shape.kind) {
    case "array":
      return wrap(arrayOf(sdkInput(pkg, shape.items, plain || shape.plainItems)));
    case "map":
      return wrap(`{[key: string]: ${sdkInput(pkg, shape.items, plain || shape.plainItems)}}`);
    case "union":
      return wrap(shape.items.map((s) => sdkInner(pkg, s, true)).join(" | "));
    default:
      return wrap(sdkInner(pkg, shape, true));
  }
}

/** The type inside the wrappers, qualified as the SDK's own files write it (`inputs.storage.X`, `enums.storage.Y`). */
function sdkInner(pkg: PackageNaming, shape: Shape, input: boolean): string {
  switch (shape.kind) {
    case "array":
      return arrayOf(sdkInner(pkg, shape.items, input));
    case "map":
      return `{[key: string]: ${sdkInner(pkg, shape.items, input)}}`;
    case "union":
      return shape.items.map((s) => sdkInner(pkg, s, input)).join(" | ");
    case "ref":
      return refName(pkg, shape, input, true);
    default:
      return scalar(shape.kind) ?? "any";
  }
}

export const typescript: LanguageRules = {
  memberName(pkg, token, kind) {
    const root = packageIdentifier(pkg.name);
    if (isProviderToken(token)) return `${root}.Provider`;
    const name = kind === "function" ? camel(upperFirst(parseToken(token).name)) : typeNameOf(token);
    return [root, ...moduleOfToken(pkg, token), name].join(".");
  },
  typeDisplayName(_pkg, token) {
    return typeNameOf(token);
  },
  propertyName(_pkg, name) {
    return name;
  },
  typeName(pkg, shape, ctx: TypeContext) {
    return display(pkg, shape, ctx.input);
  },
  sdkTypeName(pkg, shape, ctx, plain) {
    if (ctx.input) return sdkInput(pkg, shape, plain);
    // Outputs keep their unions, unless the package asks for none (disableUnionOutputTypes: `any`).
    const noUnions = languageBlock(pkg.language, "nodejs").disableUnionOutputTypes === true;
    const inner = noUnions && shape.kind === "union" ? "any" : sdkInner(pkg, shape, false);
    if (plain) return inner;
    return `pulumi.Output<${ctx.required ? inner : `${inner} | undefined`}>`;
  },
  enumValueName(_pkg, enumTypeToken, value) {
    let safe = jsIdentifier(upperFirst(enumRawName(value))).replace(/_+/g, "_");
    if (safe.startsWith("_")) safe = typeNameOf(enumTypeToken) + safe;
    return safe;
  },
  functionTypes(_pkg, token) {
    const name = upperFirst(camel(upperFirst(parseToken(token).name)));
    return { args: `${name}Args`, result: `${name}Result` };
  },
  moduleImport(pkg, token) {
    return [npmPackage(pkg), ...moduleOfToken(pkg, token)].join("/");
  },
};

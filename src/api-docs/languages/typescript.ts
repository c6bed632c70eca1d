// TypeScript/JavaScript names and types, as pulumi/pulumi's nodejs generator and its docs helper spell them.
import { camel, canonicalModule, enumRawName, isProviderToken, languageBlock, memberTypeName, moduleParts, parseToken, relaxedEnum, stringMap, stringSetting, upperFirst } from "./tokens";
import type { LanguageRules, PackageNaming, RefShape, Shape, TypeContext } from "./types";

/** The identifier a program binds the package to: `import * as azure_native from "@pulumi/azure-native"`. */
export function packageIdentifier(name: string): string {
  return jsIdentifier(name);
}

/** The npm package: `language.nodejs.packageName`, else `@pulumi/<name>`. */
export function npmPackage(pkg: PackageNaming): string {
  return stringSetting(languageBlock(pkg.language, "nodejs"), "packageName") ?? `@pulumi/${pkg.name}`;
}

/** The module path parts of a token, after `language.nodejs.moduleToPackage`. */
function moduleOfToken(pkg: PackageNaming, token: string): string[] {
  const mod = canonicalModule(pkg, token);
  const override = stringMap(languageBlock(pkg.language, "nodejs"), "moduleToPackage")[mod];
  return moduleParts(override ?? mod);
}

function isJsStart(c: string): boolean {
  return c === "$" || c === "_" || /[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}]/u.test(c);
}

function isJsPart(c: string): boolean {
  return isJsStart(c) || /[\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u.test(c);
}

/** Replaces characters JavaScript does not allow in identifiers with `_` (the generator's cleanName). */
function jsIdentifier(name: string): string {
  let out = "";
  let first = true;
  for (const c of name) {
    if (!isJsPart(c)) out += "_";
    else {
      if (first && !isJsStart(c)) out += "_";
      out += c;
    }
    first = false;
  }
  return out;
}

function typeNameOf(token: string): string {
  return memberTypeName(token);
}

/** How a named type is written in a docs table: this package's types bare, another package's qualified. */
function refName(pkg: PackageNaming, ref: RefShape, input: boolean, sdk: boolean): string {
  const name = isProviderToken(ref.token) ? "Provider" : typeNameOf(ref.token);
  const foreign = ref.external !== undefined;
  const owner: PackageNaming = foreign ? { name: ref.external?.package ?? "", language: {} } : pkg;
  const mod = moduleOfToken(owner, ref.token);
  if (!foreign && !sdk) return name;
  const root = foreign ? packageIdentifier(owner.name) : undefined;
  const qualify = (...parts: string[]) => [...(root ? [root] : []), ...parts, name].join(".");
  switch (ref.target) {
    case "resource":
      return foreign ? qualify(...mod) : name;
    case "enum":
      return foreign ? qualify("types", "enums", ...mod) : ["enums", ...mod, name].join(".");
    case "object":
      return foreign ? qualify("types", input ? "input" : "output", ...mod) : [input ? "inputs" : "outputs", ...mod, name].join(".");
  }
}

function scalar(kind: Shape["kind"]): string | undefined {
  switch (kind) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "any":
    case "json":
      return "any";
    case "archive":
      return "pulumi.asset.Archive";
    case "asset":
      return "pulumi.asset.Asset | pulumi.asset.Archive";
    default:
      return undefined;
  }
}

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
    const relaxed = relaxedEnum(shape);
    const inner = sdkInner(pkg, relaxed && !plain ? relaxed.primitive : shape, false);
    if (plain) return inner;
    return `pulumi.Output<${ctx.required ? inner : `${inner} | undefined`}>`;
  },
  enumValueName(_pkg, enumTypeToken, value) {
    let safe = jsIdentifier(upperFirst(enumRawName(value))).replace(/_+/g, "_");
    if (safe.startsWith("_")) safe = typeNameOf(enumTypeToken) + safe;
    return safe;
  },
  moduleImport(pkg, token) {
    return [npmPackage(pkg), ...moduleOfToken(pkg, token)].join("/");
  },
};

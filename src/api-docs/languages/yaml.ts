// Pulumi YAML names and types, as pulumi/pulumi-yaml's docs helper shows them: collapsed type tokens
// (`skyline:compute:Instance`), schema property names as written, `String`/`Number`/`List<String>`/
// `Map<String>`, objects as `Property Map`, enums as their quoted values, resources by their token.
import { lowerFirst, parseToken, scalarName, upperFirst } from "./tokens";
import type { LanguageRules, ScalarNames, Shape, TypeContext } from "./types";

/**
 * Shortens a token as YAML programs write it: `pkg:mod/name:Name` → `pkg:mod:Name` (also for functions,
 * `pkg:mod/getX:getX` → `pkg:mod:getX`, and nested modules), `pkg:index:Name` → `pkg:Name`. Pulumi YAML
 * resolves the short form back by trying `mod/<name with a lower-case first letter>`.
 */
export function collapseYamlToken(token: string): string {
  const parts = token.split(":");
  if (parts.length !== 3) return token;
  const [pkgName, rawMod, name] = parts as [string, string, string];
  let mod = rawMod;
  const slash = mod.lastIndexOf("/");
  if (slash >= 0 && lowerFirst(mod.slice(slash + 1)) === lowerFirst(name)) mod = mod.slice(0, slash);
  if (mod === "index" || mod === "") return `${pkgName}:${name}`;
  return `${pkgName}:${mod}:${name}`;
}

/** An enum value as YAML docs print it: strings quoted, numbers bare. */
function literal(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** How the language spells each scalar and builtin type. */
const SCALARS: ScalarNames = {
  string: "String",
  integer: "Number",
  number: "Number",
  boolean: "Boolean",
  any: "Any",
  json: "JSON",
  archive: "Archive",
  asset: "Asset",
};

const scalar = (kind: Shape["kind"]) => scalarName(SCALARS, kind);

function render(shape: Shape, ctx: TypeContext): string {
  switch (shape.kind) {
    case "array":
      return `List<${render(shape.items, ctx)}>`;
    case "map":
      return `Map<${render(shape.items, ctx)}>`;
    case "union":
      return shape.items.map((s) => render(s, ctx)).join(" | ");
    case "ref": {
      if (shape.target === "object") return "Property Map";
      if (shape.target === "resource") return collapseYamlToken(shape.token);
      // Another package's enum values are unknown here; its members are still written as strings.
      const values = shape.external ? undefined : ctx.enumValues?.(shape.token);
      return values && values.length > 0 ? values.map(literal).join(" | ") : "String";
    }
    default:
      return scalar(shape.kind) ?? "Any";
  }
}

export const yaml: LanguageRules = {
  memberName(_pkg, token) {
    return collapseYamlToken(token);
  },
  typeDisplayName(_pkg, token) {
    return upperFirst(parseToken(token).name);
  },
  propertyName(_pkg, name) {
    return name;
  },
  typeName(_pkg, shape, ctx) {
    return render(shape, ctx);
  },
  sdkTypeName(_pkg, shape, ctx) {
    // YAML has no SDK wrappers: a value is written the same whether it is known or an output.
    return render(shape, ctx);
  },
  enumValueName(_pkg, _enumTypeToken, value) {
    // YAML has no enum names: a program writes the value itself.
    return literal(value.value);
  },
  functionTypes() {
    // A YAML program passes `arguments` and reads `return`; neither has a type name.
    return {};
  },
  moduleImport(_pkg, token) {
    return collapseYamlToken(token);
  },
};

// Pulumi YAML names and types, as Pulumi's docs show them: collapsed type tokens (`skyline:compute:Instance`),
// schema property names as written, `String`/`List<String>`/`Map<String>`, objects as `Property Map`.
import { parseToken, upperFirst } from "./tokens";
import type { LanguageRules, Shape, TypeContext } from "./types";

/** Shortens a token as YAML programs write it: `pkg:mod/name:Name` → `pkg:mod:Name`, `pkg:index:Name` → `pkg:Name`. */
export function collapseYamlToken(token: string): string {
  const parts = token.split(":");
  if (parts.length !== 3) return token;
  const [pkgName, rawMod, name] = parts as [string, string, string];
  let mod = rawMod;
  const slash = mod.split("/");
  if (slash.length === 2 && upperFirst(slash[1] ?? "") === name) mod = slash[0] ?? mod;
  if (mod === "index" || mod === "") return `${pkgName}:${name}`;
  return `${pkgName}:${mod}:${name}`;
}

function scalar(kind: Shape["kind"]): string | undefined {
  switch (kind) {
    case "string":
      return "String";
    case "integer":
      return "Integer";
    case "number":
      return "Number";
    case "boolean":
      return "Boolean";
    case "any":
    case "json":
      return "Any";
    case "archive":
      return "Archive";
    case "asset":
      return "Asset";
    default:
      return undefined;
  }
}

function render(shape: Shape, ctx: TypeContext): string {
  switch (shape.kind) {
    case "array":
      return `List<${render(shape.items, ctx)}>`;
    case "map":
      return `Map<${render(shape.items, ctx)}>`;
    case "union":
      return [...new Set(shape.items.map((s) => render(s, ctx)))].join(" | ");
    case "ref": {
      if (shape.target === "object") return "Property Map";
      if (shape.target === "resource") return "Resource";
      const values = shape.external ? undefined : ctx.enumValues?.(shape.token);
      return values && values.length > 0 ? values.map((v) => JSON.stringify(v)).join(" | ") : "String";
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
    // YAML programs write the enum's value itself.
    return typeof value.value === "string" ? value.value : JSON.stringify(value.value);
  },
  moduleImport(_pkg, token) {
    return collapseYamlToken(token);
  },
};

// How a resource is declared in each language, with every input property and a placeholder value of
// its type: the `constructorSyntax` of the docs answer and the "Constructor syntax" section of a
// resource's page. Pure: built from the stored doc and its supporting types (names per language were
// computed by the language modules at derivation), nothing read or guessed beyond them.
import type { StoredDoc, StoredProperty, StoredType } from "./derive";
import { LANGUAGES, type Language } from "./languages";

/** A property's value shape, read from its TypeScript type (the docs' canonical spelling) and its type reference. */
type Shape =
  | { kind: "string" | "number" | "integer" | "boolean" | "any" }
  | { kind: "array" | "map"; of: Shape }
  | { kind: "object" | "enum"; type: StoredType };

/** Nested object types are expanded this deep; deeper (or recursive) ones show an empty value of their type. */
const MAX_DEPTH = 3;

function shapeOf(ts: string, go: string, ref: StoredProperty["typeRef"], types: Map<string, StoredType>): Shape {
  let t = ts.trim();
  if (t.endsWith("[]")) {
    const inner = t.slice(0, -2).replace(/^\((.*)\)$/, "$1");
    return { kind: "array", of: shapeOf(inner, go.replace(/^\[\]/, ""), ref, types) };
  }
  const map = /^\{\s*\[key: string\]: (.*)\}$/.exec(t);
  if (map) return { kind: "map", of: shapeOf(map[1]!, go.replace(/^map\[string\]/, ""), ref, types) };
  if (t.includes(" | ")) t = t.split(" | ")[0]!.trim();
  if (t === "string") return { kind: "string" };
  if (t === "boolean") return { kind: "boolean" };
  if (t === "number") return { kind: /\bint\b/.test(go) ? "integer" : "number" };
  const type = ref && !ref.package ? types.get(ref.token) : undefined;
  if (type) return { kind: type.kind === "enum" ? "enum" : "object", type };
  return { kind: "any" };
}

interface Context {
  types: Map<string, StoredType>;
  doc: StoredDoc;
  /** Object types being expanded (a type that contains itself stops there). */
  path: Set<string>;
}

const quote = (s: string) => JSON.stringify(s);
/** A value after `=`: on the same line, or (a C# collection initializer) from the next. */
const spaced = (value: string) => (value.startsWith("\n") ? value : ` ${value}`);
const pad = (n: number) => "    ".repeat(n);
const lastDot = (name: string) => name.slice(0, Math.max(0, name.lastIndexOf(".")));
const leaf = (name: string) => name.slice(name.lastIndexOf(".") + 1);

/** Each input property as `[name, value]` in one language, values already written for `indent`. */
type Writer = (shape: Shape, indent: number, c: Context) => string;

function objectEntries(type: StoredType, lang: Language, indent: number, c: Context, write: Writer): Array<[string, string]> | undefined {
  if (c.path.has(type.token) || c.path.size >= MAX_DEPTH) return undefined;
  c.path.add(type.token);
  const out = (type.properties ?? []).map((p) => [p.name[lang], write(propShape(p, c), indent, c)] as [string, string]);
  c.path.delete(type.token);
  return out;
}

const propShape = (p: StoredProperty, c: Context) => shapeOf(p.type.typescript, p.type.go, p.typeRef, c.types);

function enumValue(type: StoredType): { value: unknown; names: Record<Language, string> } | undefined {
  const v = type.values?.[0];
  return v ? { value: v.value, names: v.name } : undefined;
}

const typescriptValue: Writer = (s, indent, c) => {
  switch (s.kind) {
    case "string": return quote("string");
    case "number": case "integer": return "0";
    case "boolean": return "false";
    case "any": return "{}";
    case "array": return `[${typescriptValue(s.of, indent, c)}]`;
    case "map": return `{\n${pad(indent + 1)}${quote("string")}: ${typescriptValue(s.of, indent + 1, c)},\n${pad(indent)}}`;
    case "enum": return JSON.stringify(enumValue(s.type)?.value ?? "string");
    case "object": {
      const entries = objectEntries(s.type, "typescript", indent + 1, c, typescriptValue);
      return entries?.length ? `{\n${entries.map(([k, v]) => `${pad(indent + 1)}${k}: ${v},`).join("\n")}\n${pad(indent)}}` : "{}";
    }
  }
};

const pythonValue: Writer = (s, indent, c) => {
  switch (s.kind) {
    case "string": return quote("string");
    case "number": return "0.0";
    case "integer": return "0";
    case "boolean": return "False";
    case "any": return "{}";
    case "array": return `[${pythonValue(s.of, indent, c)}]`;
    case "map": return `{\n${pad(indent + 1)}${quote("string")}: ${pythonValue(s.of, indent + 1, c)},\n${pad(indent)}}`;
    case "enum": return JSON.stringify(enumValue(s.type)?.value ?? "string");
    case "object": {
      const entries = objectEntries(s.type, "python", indent + 1, c, pythonValue);
      return entries?.length ? `{\n${entries.map(([k, v]) => `${pad(indent + 1)}${quote(k)}: ${v},`).join("\n")}\n${pad(indent)}}` : "{}";
    }
  }
};

/** Go's SDK wraps scalars (`pulumi.String`) and names collection types after their element. */
function goScalar(kind: string): string | undefined {
  return { string: "String", number: "Float64", integer: "Int", boolean: "Bool", any: "Any" }[kind];
}

function goValue(alias: string): Writer {
  const write: Writer = (s, indent, c) => {
    const scalar = goScalar(s.kind);
    switch (s.kind) {
      case "string": return `pulumi.String(${quote("string")})`;
      case "number": return "pulumi.Float64(0)";
      case "integer": return "pulumi.Int(0)";
      case "boolean": return "pulumi.Bool(false)";
      case "any": return "pulumi.Any(nil)";
      case "array": case "map": {
        const el = s.of;
        const elScalar = goScalar(el.kind);
        const typeName = elScalar ? `pulumi.${elScalar}` : `${alias}.${el.kind === "object" || el.kind === "enum" ? el.type.name.go : "Any"}`;
        const inner = write(el, indent + 1, c);
        return s.kind === "array" ? `${typeName}Array{\n${pad(indent + 1)}${inner},\n${pad(indent)}}` : `${typeName}Map{\n${pad(indent + 1)}${quote("string")}: ${inner},\n${pad(indent)}}`;
      }
      case "enum": {
        const v = enumValue(s.type);
        return v ? `${alias}.${v.names.go}` : `${alias}.${s.type.name.go}(${quote("string")})`;
      }
      case "object": {
        const entries = objectEntries(s.type, "go", indent + 1, c, write) ?? [];
        return `&${alias}.${s.type.name.go}Args{${entries.length ? `\n${entries.map(([k, v]) => `${pad(indent + 1)}${k}: ${v},`).join("\n")}\n${pad(indent)}` : ""}}`;
      }
    }
    return scalar ?? "nil";
  };
  return write;
}

function csharpValue(namespace: string): Writer {
  const write: Writer = (s, indent, c) => {
    switch (s.kind) {
      case "string": return quote("string");
      case "number": return "0";
      case "integer": return "0";
      case "boolean": return "false";
      case "any": return "null";
      case "array": return `new[]\n${pad(indent)}{\n${pad(indent + 1)}${write(s.of, indent + 1, c)},\n${pad(indent)}}`;
      case "map": return `\n${pad(indent)}{\n${pad(indent + 1)}{ ${quote("string")}, ${write(s.of, indent + 1, c)} },\n${pad(indent)}}`;
      case "enum": {
        const v = enumValue(s.type);
        return v ? `${namespace}.${s.type.name.csharp}.${v.names.csharp}` : quote("string");
      }
      case "object": {
        const entries = objectEntries(s.type, "csharp", indent + 1, c, write) ?? [];
        return `new ${namespace}.Inputs.${s.type.name.csharp}Args\n${pad(indent)}{${entries.length ? `\n${entries.map(([k, v]) => `${pad(indent + 1)}${k} =${spaced(v)},`).join("\n")}\n${pad(indent)}` : " "}}`;
      }
    }
  };
  return write;
}

const javaValue: Writer = (s, indent, c) => {
  switch (s.kind) {
    case "string": return quote("string");
    case "number": return "0.0";
    case "integer": return "0";
    case "boolean": return "false";
    case "any": return "null";
    case "array": return javaValue(s.of, indent, c);
    case "map": return `Map.of(${quote("string")}, ${javaValue(s.of, indent, c)})`;
    case "enum": {
      const v = enumValue(s.type);
      return v ? `${s.type.name.java}.${v.names.java}` : quote("string");
    }
    case "object": {
      const entries = objectEntries(s.type, "java", indent + 1, c, javaValue) ?? [];
      return `${s.type.name.java}Args.builder()${entries.map(([k, v]) => `\n${pad(indent + 1)}.${k}(${v})`).join("")}\n${pad(indent + 1)}.build()`;
    }
  }
};

/** YAML nests by two spaces; `indent` counts levels. A nested value starts with a newline. */
const yamlPad = (n: number) => "  ".repeat(n);
const yamlValue: Writer = (s, indent, c) => {
  switch (s.kind) {
    case "string": return "string";
    case "number": return "0.0";
    case "integer": return "0";
    case "boolean": return "false";
    case "any": return "{}";
    case "array": {
      const inner = yamlValue(s.of, indent + 1, c);
      // A mapping inside a list item starts on the dash's line.
      return inner.startsWith("\n") ? `\n${yamlPad(indent)}- ${inner.slice(1).trimStart()}` : `\n${yamlPad(indent)}- ${inner}`;
    }
    case "map": return `\n${yamlPad(indent)}string: ${yamlValue(s.of, indent + 1, c).replace(/^\n/, "\n")}`;
    case "enum": {
      const v = enumValue(s.type)?.value;
      return typeof v === "string" ? v : JSON.stringify(v ?? "string");
    }
    case "object": {
      const entries = objectEntries(s.type, "yaml", indent + 1, c, yamlValue) ?? [];
      return entries.length ? entries.map(([k, v]) => `\n${yamlPad(indent)}${k}:${v.startsWith("\n") ? v : ` ${v}`}`).join("") : "{}";
    }
  }
};

/** The lower-camel name a program gives the resource's variable (`bucketResource`), as Pulumi's docs do. */
function variableName(doc: StoredDoc): string {
  const name = leaf(doc.name.typescript) || "resource";
  return `${name[0]!.toLowerCase()}${name.slice(1)}Resource`;
}

/** One language's declaration of `doc`, a resource; functions have none (callers omit the field). */
export function constructorSyntaxFor(doc: StoredDoc, types: StoredType[], lang: Language): string {
  const c: Context = { types: new Map(types.map((t) => [t.token, t])), doc, path: new Set() };
  const v = variableName(doc);
  const props = doc.inputs.map((p) => ({ p, shape: propShape(p, c) }));
  switch (lang) {
    case "typescript": {
      const body = props.map(({ p, shape }) => `${pad(1)}${p.name.typescript}: ${typescriptValue(shape, 1, c)},`);
      return `const ${v} = new ${doc.name.typescript}(${quote(v)}${body.length ? `, {\n${body.join("\n")}\n}` : ""});`;
    }
    case "python": {
      const body = props.map(({ p, shape }) => `${pad(1)}${p.name.python}=${pythonValue(shape, 1, c)},`);
      return `${v.replace(/[A-Z]/g, (m) => "_" + m.toLowerCase())} = ${doc.name.python}(${quote(v)}${body.length ? `,\n${body.join("\n")}\n` : ""})`;
    }
    case "go": {
      const alias = lastDot(doc.name.go) || "pkg";
      const write = goValue(alias);
      const body = props.map(({ p, shape }) => `${pad(1)}${p.name.go}: ${write(shape, 1, c)},`);
      return `${v}, err := ${alias}.New${leaf(doc.name.go)}(ctx, ${quote(v)}, &${alias}.${leaf(doc.name.go)}Args{${body.length ? `\n${body.join("\n")}\n` : ""}})`;
    }
    case "csharp": {
      const namespace = lastDot(doc.name.csharp);
      const write = csharpValue(namespace);
      const body = props.map(({ p, shape }) => `${pad(1)}${p.name.csharp} =${spaced(write(shape, 1, c))},`);
      return `var ${v} = new ${doc.name.csharp}(${quote(v)}, new()\n{${body.length ? `\n${body.join("\n")}\n` : ""}});`;
    }
    case "java": {
      const cls = leaf(doc.name.java);
      const body = props.map(({ p, shape }) => `\n${pad(1)}.${p.name.java}(${javaValue(shape, 1, c)})`);
      return `var ${v} = new ${cls}(${quote(v)}, ${cls}Args.builder()${body.join("")}\n${pad(1)}.build());`;
    }
    case "yaml": {
      const body = props.map(({ p, shape }) => {
        const value = yamlValue(shape, 3, c);
        return `\n${yamlPad(2)}${p.name.yaml}:${value.startsWith("\n") ? value : ` ${value}`}`;
      });
      return `${v}:\n${yamlPad(1)}type: ${doc.name.yaml}${body.length ? `\n${yamlPad(1)}properties:${body.join("")}` : ""}`;
    }
  }
}

/** Every language's declaration (the docs answer's `constructorSyntax`, a ContentNode per language). */
export function constructorSyntax(doc: StoredDoc, types: StoredType[]): Record<Language, string> | undefined {
  if (doc.kind !== "resource") return undefined;
  return Object.fromEntries(LANGUAGES.map((l) => [l, constructorSyntaxFor(doc, types, l)])) as Record<Language, string>;
}

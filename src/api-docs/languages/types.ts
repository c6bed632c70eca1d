// The shared vocabulary of the per-language naming rules: what a schema type looks like, what
// naming needs from the package, and the one normalized type shape every language renders.

export const LANGUAGES = ["typescript", "python", "go", "csharp", "java", "yaml"] as const;
export type Language = (typeof LANGUAGES)[number];

/** A schema type reference as written in a Pulumi package schema. */
export interface TypeSpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  $ref?: string;
  oneOf?: TypeSpec[];
  plain?: boolean;
}

/** What naming needs from the schema's top level, read once. */
export interface PackageNaming {
  name: string;
  version?: string;
  /** The schema's `language` block. */
  language: Record<string, unknown>;
  /** `meta.moduleFormat`, a regular expression whose first group is the module of a token. */
  moduleFormat?: string;
  /** The schema's `publisher`, used for Go's default import path. */
  publisher?: string;
  /** The schema's `repository`, used for Go's default import path. */
  repository?: string;
  /** The package's resources; Go renames `getX` functions to `LookupX` when they would collide with them. */
  resources?: ReadonlyArray<{ token: string; isComponent?: boolean }>;
}

/** How a $ref that points into this package resolves (the pipeline supplies it). */
export type LocalRefKind = "object" | "enum" | "resource" | undefined;

export interface TypeContext {
  input: boolean;
  required: boolean;
  refKind(token: string): LocalRefKind;
  /** The values of a local enum, for languages (YAML) whose docs list them instead of a type name. */
  enumValues?(token: string): readonly unknown[] | undefined;
}

export interface TypeRef {
  token: string;
  package?: string;
  version?: string;
}

/** Where a named type lives: this package, or another one (a `/pkg/vX/schema.json#/...` reference). */
export interface RefTarget {
  token: string;
  target: "object" | "enum" | "resource";
  /** Set when the reference points into another package. */
  external?: { package: string; version?: string };
}

/** A schema type reduced to the cases every language distinguishes. */
export type Shape =
  | { kind: "string" | "integer" | "number" | "boolean" | "any" | "json" | "archive" | "asset" }
  | { kind: "array" | "map"; items: Shape; plainItems: boolean }
  | { kind: "union"; items: Shape[] }
  | ({ kind: "ref" } & RefTarget);

/** A language's spelling of every scalar and builtin type. */
export type ScalarNames = Record<"string" | "integer" | "number" | "boolean" | "any" | "json" | "archive" | "asset", string>;

/** A reference shape (a named object, enum or resource). */
export type RefShape = Extract<Shape, { kind: "ref" }>;

/** The classes a function's arguments and result are declared as; absent where the language has none. */
export interface FunctionTypeNames {
  args?: string;
  result?: string;
}

/** One language's rules; index.ts dispatches to these. */
export interface LanguageRules {
  memberName(pkg: PackageNaming, token: string, kind: "resource" | "function", spec?: { language?: Record<string, unknown> }): string;
  typeDisplayName(pkg: PackageNaming, token: string, ctx: { input: boolean }): string;
  propertyName(pkg: PackageNaming, name: string, spec?: { language?: Record<string, unknown> }): string;
  typeName(pkg: PackageNaming, shape: Shape, ctx: TypeContext): string;
  sdkTypeName(pkg: PackageNaming, shape: Shape, ctx: TypeContext, plain: boolean): string;
  enumValueName(pkg: PackageNaming, enumTypeToken: string, value: { name?: string; value: unknown }): string;
  moduleImport(pkg: PackageNaming, token: string): string;
  functionTypes(pkg: PackageNaming, token: string): FunctionTypeNames;
}

// What a package page shows beside its README that only the schema knows: license, homepage,
// repository, and the names each language's package manager installs it by (`language.*`). Read
// once, by the docs derivation's first pass, and kept small in the docs manifest, so the package
// page gets them with the manifest it reads anyway.

export interface PackageFacts {
  license?: string;
  homepage?: string;
  repository?: string;
  /** Only what the schema's language sections name: nothing is guessed from Pulumi's defaults. */
  install: {
    /** `language.nodejs.packageName` (the npm package). */
    nodejs?: string;
    /** `language.python.packageName` (the PyPI package). */
    python?: string;
    /** `language.go.importBasePath` (the Go module path). */
    go?: string;
    /** `language.csharp.packageName`, else `language.csharp.rootNamespace` + "." + the package's name in PascalCase. */
    csharp?: string;
    /** `language.java.groupId` (else `basePackage`) and the artifact, the package's name. */
    java?: { groupId: string; artifactId: string };
  };
}

/** Publisher text shown as it is: each value is cut to this many characters, so the manifest stays small. */
const MAX_FACT_CHARS = 300;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, MAX_FACT_CHARS) : undefined);
const pascal = (name: string) => name.split(/[-_.]/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");

/** The facts from a schema's top-level members (`name`, `license`, `homepage`, `repository`, `language`). */
export function packageFacts(top: Json): PackageFacts {
  const name = text(top.name) ?? "";
  const language = isObject(top.language) ? top.language : {};
  const section = (l: string): Json => (isObject(language[l]) ? language[l] : {});
  const install: PackageFacts["install"] = {};
  const nodejs = text(section("nodejs").packageName);
  if (nodejs) install.nodejs = nodejs;
  const python = text(section("python").packageName);
  if (python) install.python = python;
  const go = text(section("go").importBasePath);
  if (go) install.go = go;
  const csharp = section("csharp");
  const dotnet = text(csharp.packageName) ?? (text(csharp.rootNamespace) && name ? `${text(csharp.rootNamespace)}.${pascal(name)}` : undefined);
  if (dotnet) install.csharp = dotnet;
  const java = section("java");
  const groupId = text(java.groupId) ?? text(java.basePackage);
  if (groupId && name) install.java = { groupId, artifactId: name };
  const facts: PackageFacts = { install };
  for (const key of ["license", "homepage", "repository"] as const) {
    const value = text(top[key]);
    if (value) facts[key] = value;
  }
  return facts;
}

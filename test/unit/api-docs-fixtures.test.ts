import { describe, expect, it } from "vitest";
import { moduleOf, packageNaming } from "../../src/api-docs/languages";
import { skylineInstallation, skylineReadme, skylineSchema, skylineSchemaJson, webappSchema } from "../fixtures/api-docs";

// The shared docs fixtures promise a shape the route tests rely on; these checks keep that promise.

type Json = Record<string, unknown>;

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

const schema = skylineSchema as unknown as Json & { types: Json; resources: Json; functions: Json };

describe("the skyline provider fixture", () => {
  it("is the JSON it exports as bytes", () => {
    expect(JSON.parse(skylineSchemaJson)).toEqual(skylineSchema);
  });

  it("every local $ref points at a type or resource it defines", () => {
    const local = refsIn(schema).filter((r) => r.startsWith("#/"));
    expect(local.length).toBeGreaterThan(10);
    for (const ref of local) {
      const [, section, encoded] = /^#\/(types|resources)\/(.+)$/.exec(ref) ?? [];
      expect(section, ref).toBeDefined();
      const table = section === "types" ? schema.types : schema.resources;
      expect(table[decodeURIComponent(encoded ?? "")], ref).toBeDefined();
    }
  });

  it("spans several modules, a nested one and the index", () => {
    const naming = packageNaming(schema);
    const modules = new Set([...Object.keys(schema.resources), ...Object.keys(schema.functions)].map((t) => moduleOf(naming, t)));
    expect([...modules].sort()).toEqual(["compute", "index", "storage", "storage/buckets"]);
  });

  it("references another package's type and has secret, deprecated and replaceOnChanges properties", () => {
    expect(refsIn(schema).some((r) => r.startsWith("/kms/v1.4.0/schema.json#/types/"))).toBe(true);
    const text = JSON.stringify(schema);
    expect(text).toContain('"secret":true');
    expect(text).toContain('"deprecationMessage"');
    expect(text).toContain('"replaceOnChanges":true');
  });

  it("has examples in at least three languages inside its descriptions", () => {
    const description = String((schema.resources["skyline:compute/instance:Instance"] as Json).description);
    expect(description).toContain("{{% examples %}}");
    expect(description).toContain("{{% example %}}");
    for (const lang of ["typescript", "python", "go", "csharp", "java", "yaml"]) expect(description).toContain("```" + lang + "\n");
  });
});

describe("the component fixture", () => {
  it("references the provider's types and resources by versioned schema URL", () => {
    const refs = refsIn(webappSchema);
    expect(refs.filter((r) => r.startsWith("/skyline/v2.3.0/schema.json#/")).length).toBe(3);
  });
});

describe("the README and installation fixtures", () => {
  it("use Pulumi's language and OS chooser shortcodes, each closed", () => {
    expect(skylineReadme).toContain('{{< chooser language "typescript,python,go" >}}');
    expect(skylineReadme).toContain('{{< chooser os "linux,macos,windows" >}}');
    const opened = skylineReadme.match(/\{\{% choosable /g)?.length ?? 0;
    expect(opened).toBe(6);
    expect(skylineReadme.match(/\{\{% \/choosable %\}\}/g)?.length).toBe(opened);
    expect(skylineReadme.match(/\{\{< \/chooser >\}\}/g)?.length).toBe(2);
    expect(skylineInstallation).toContain('{{< chooser language "typescript,python,yaml" >}}');
  });
});

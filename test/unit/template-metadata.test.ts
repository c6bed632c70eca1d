import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/api-error";
import { templateMetadataFrom } from "../../src/templates/template-metadata";

const JS = { name: "my-template", hasTypeScript: false };
const TS = { name: "my-template", hasTypeScript: true };

function rejection(yaml: string, message: RegExp): ApiError {
  let error: unknown;
  try {
    templateMetadataFrom(yaml, JS);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ApiError);
  const apiError = error as ApiError;
  expect(apiError.status).toBe(400);
  expect(apiError.message).toMatch(message);
  return apiError;
}

describe("template metadata from Pulumi.yaml", () => {
  it("takes displayName, description, runtime, metadata and config from the template section", () => {
    const yaml = `
name: demo
description: the project
runtime: nodejs
template:
  displayName: Demo App
  description: A demo
  metadata:
    cloud: aws
    tier: "1"
  config:
    aws:region:
      description: The AWS region
      default: us-west-2
    password:
      secret: true
    count:
      default: 3
      ignored: yes
`;
    expect(templateMetadataFrom(yaml, TS)).toEqual({
      displayName: "Demo App",
      description: "A demo",
      runtime: { name: "nodejs" },
      language: "typescript",
      metadata: { cloud: "aws", tier: "1" },
      config: {
        "aws:region": { description: "The AWS region", default: "us-west-2" },
        password: { secret: true },
        count: { default: 3 },
      },
    });
  });

  it("displayName falls back to the template's name", () => {
    expect(templateMetadataFrom("runtime: go\ntemplate:\n  description: x\n", JS).displayName).toBe("my-template");
  });

  it("an empty displayName falls back to the name too", () => {
    expect(templateMetadataFrom("template:\n  displayName: ''\n", JS).displayName).toBe("my-template");
  });

  it("description falls back to the project's description", () => {
    expect(templateMetadataFrom("description: from project\ntemplate: {}\n", JS).description).toBe("from project");
  });

  it("optional fields are omitted, not null or empty, when absent", () => {
    const result = templateMetadataFrom("template:\n  description: ''\n  metadata: {}\n  config: {}\n", JS);
    expect(result).toEqual({ displayName: "my-template", language: "unknown" });
    expect(Object.keys(result).sort()).toEqual(["displayName", "language"]);
  });

  it("runtime as a mapping keeps name and options", () => {
    const result = templateMetadataFrom("runtime:\n  name: python\n  options:\n    toolchain: uv\ntemplate: {}\n", JS);
    expect(result.runtime).toEqual({ name: "python", options: { toolchain: "uv" } });
    expect(result.language).toBe("python");
  });

  it("runtime as a mapping without options has no options field", () => {
    expect(templateMetadataFrom("runtime: {name: dotnet}\ntemplate: {}\n", JS).runtime).toEqual({ name: "dotnet" });
  });

  it("nodejs is typescript when the archive has TypeScript, else javascript", () => {
    expect(templateMetadataFrom("runtime: nodejs\ntemplate: {}\n", TS).language).toBe("typescript");
    expect(templateMetadataFrom("runtime: nodejs\ntemplate: {}\n", JS).language).toBe("javascript");
  });

  it.each(["python", "go", "dotnet", "java", "yaml"])("runtime %s is its own language", (runtime) => {
    expect(templateMetadataFrom(`runtime: ${runtime}\ntemplate: {}\n`, JS).language).toBe(runtime);
  });

  it("an unknown or absent runtime is language unknown", () => {
    expect(templateMetadataFrom("runtime: cobol\ntemplate: {}\n", JS).language).toBe("unknown");
    expect(templateMetadataFrom("template: {}\n", TS).language).toBe("unknown");
  });

  it("a config value with nothing after its key has no details", () => {
    expect(templateMetadataFrom("template:\n  config:\n    region:\n", JS).config).toEqual({ region: {} });
  });

  it("a config key named __proto__ stays a key", () => {
    const config = templateMetadataFrom("template:\n  config:\n    __proto__:\n      description: sneaky\n", JS).config;
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(Object.keys(config ?? {})).toEqual(["__proto__"]);
  });

  it("custom tags give plain values, never objects of their own", () => {
    const result = templateMetadataFrom("template:\n  config:\n    a:\n      default: !!binary aGk=\n", JS);
    expect(result.config).toEqual({ a: { default: "aGk=" } });
  });

  it("text that is not YAML is a 400 saying so", () => {
    rejection("template: [unclosed\n", /^Pulumi\.yaml is not valid YAML: /);
  });

  it("duplicate keys are a 400", () => {
    rejection("template: {}\ntemplate: {}\n", /not valid YAML/);
  });

  it("a document that is not a mapping is a 400", () => {
    rejection("- a\n- b\n", /not a YAML mapping/);
  });

  it("no template section is a 400", () => {
    rejection("name: demo\nruntime: nodejs\n", /has no 'template:' section/);
  });

  it("an empty template section is a 400 for the missing section", () => {
    rejection("name: demo\ntemplate:\n", /has no 'template:' section/);
  });

  it("a template section that is not a mapping is a 400", () => {
    rejection("template: yes please\n", /'template:' section is not a mapping/);
  });

  it("a metadata value that is not a string is a 400 naming the key", () => {
    rejection("template:\n  metadata:\n    tier: 1\n", /'template\.metadata\.tier' must be a string/);
  });

  it("a runtime that is neither string nor mapping is a 400", () => {
    rejection("runtime: [nodejs]\ntemplate: {}\n", /'runtime' must be a string or a mapping/);
  });

  it("a runtime mapping without a name is a 400", () => {
    rejection("runtime: {options: {}}\ntemplate: {}\n", /'runtime\.name'/);
  });

  it("a non-boolean secret is a 400 naming the config key", () => {
    rejection("template:\n  config:\n    pw:\n      secret: maybe\n", /'template\.config\.pw\.secret'/);
  });

  it("a displayName that is not a string is a 400", () => {
    rejection("template:\n  displayName: [a]\n", /'template\.displayName' must be a string/);
  });

  it("an alias bomb is a 400, not an expansion", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "template: {}",
    ].join("\n");
    rejection(bomb, /not valid YAML: .*alias/i);
  });

  it("a few aliases, as real files use, are fine", () => {
    const yaml = "base: &base {description: shared}\ntemplate:\n  config:\n    a: *base\n    b: *base\n";
    expect(templateMetadataFrom(yaml, JS).config).toEqual({ a: { description: "shared" }, b: { description: "shared" } });
  });
});

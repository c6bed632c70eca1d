// Generates a Pulumi schema shaped like a real (bridged) provider, of a chosen size, for publish and docs benchmarks:
// fewer, fatter entries than docs-schema.mjs — a few thousand resources per 100 MiB, each with tens of properties
// carrying prose descriptions, `stateInputs` repeating them, long markdown descriptions with `{{% examples %}}`
// blocks in six languages, nested object types and enums, functions, and a top-level `language` section.
// Everything is synthetic (no real schema is copied). Deterministic: the same arguments give the same bytes.
// Usage from code: writeProviderSchema(name, version, targetBytes, write) → { bytes, resources, firstToken }.

const WORDS = ("the a resource manages configuration of an instance within region account network policy rule " +
  "that is used to attach when value must be set only if this enabled default identifier name tag key " +
  "attribute provides create update delete import existing block nested list map string").split(" ");

/** Deterministic prose of about `chars` characters (a linear congruential generator seeded by `seed`). */
function prose(seed, chars) {
  let x = (seed * 2654435761) >>> 0;
  let out = "";
  while (out.length < chars) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += (out ? " " : "") + WORDS[x % WORDS.length];
    if (x % 17 === 0) out += ".";
  }
  return out[0].toUpperCase() + out.slice(1) + ".";
}

const json = (v) => JSON.stringify(v);
const snake = (s) => s.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()).replace(/^_/, "");

function exampleMarkdown(name, mod, res, i) {
  const args = `{ name: "example-${i}", enabled: true }`;
  const blocks = [
    ["typescript", `import * as pulumi from "@pulumi/pulumi";\nimport * as ${name} from "@pulumi/${name}";\n\nconst example = new ${name}.${mod}.${res}("example", ${args});\nexport const id = example.id;`],
    ["python", `import pulumi\nimport pulumi_${name} as ${name}\n\nexample = ${name}.${mod}.${res}("example",\n    name="example-${i}",\n    enabled=True)\npulumi.export("id", example.id)`],
    ["go", `package main\n\nimport (\n\t"github.com/acme/pulumi-${name}/sdk/go/${name}/${mod}"\n\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n)\n\nfunc main() {\n\tpulumi.Run(func(ctx *pulumi.Context) error {\n\t\t_, err := ${mod}.New${res}(ctx, "example", &${mod}.${res}Args{\n\t\t\tName: pulumi.String("example-${i}"),\n\t\t})\n\t\treturn err\n\t})\n}`],
    ["csharp", `using Pulumi;\nusing ${name[0].toUpperCase() + name.slice(1)} = Pulumi.${name};\n\nreturn await Deployment.RunAsync(() =>\n{\n    var example = new ${res}("example", new() { Name = "example-${i}" });\n});`],
    ["java", `package generated_program;\n\nimport com.pulumi.Pulumi;\n\npublic class App {\n    public static void main(String[] args) {\n        Pulumi.run(ctx -> {\n            var example = new ${res}("example", ${res}Args.builder()\n                .name("example-${i}")\n                .build());\n        });\n    }\n}`],
    ["yaml", `resources:\n  example:\n    type: ${name}:${mod}:${res}\n    properties:\n      name: example-${i}\n      enabled: true`],
  ];
  const example = (title) =>
    `{{% example %}}\n### ${title}\n\n${blocks.map(([lang, code]) => "```" + lang + "\n" + code + "\n```").join("\n")}\n{{% /example %}}\n`;
  return `{{% examples %}}\n## Example Usage\n\n${example("Basic Usage")}${example("With Tags")}{{% /examples %}}`;
}

function property(seed, i, ref) {
  const kind = i % 7;
  const p = { description: prose(seed + i, 60 + (i % 5) * 40) };
  if (ref && kind === 0) Object.assign(p, { $ref: ref });
  else if (ref && kind === 1) Object.assign(p, { type: "array", items: { $ref: ref } });
  else if (kind === 2) Object.assign(p, { type: "integer" });
  else if (kind === 3) Object.assign(p, { type: "boolean" });
  else if (kind === 4) Object.assign(p, { type: "object", additionalProperties: { type: "string" } });
  else Object.assign(p, { type: "string" });
  if (i % 11 === 5) p.willReplaceOnChanges = true;
  if (i % 23 === 7) p.deprecationMessage = "Deprecated: use the newer block instead.";
  return p;
}

function properties(seed, count, refs) {
  const out = {};
  for (let i = 0; i < count; i++) out[`prop${["Name", "Arn", "Config", "Tags", "Region", "Spec"][i % 6]}${i}`] = property(seed, i, refs[i % refs.length]);
  return out;
}

function resourceEntry(name, mod, i) {
  const res = `Resource${i}`;
  const token = `${name}:${mod}/${res.charAt(0).toLowerCase() + res.slice(1)}:${res}`;
  const typeBase = `${name}:${mod}/${res}`;
  const refs = [`#/types/${typeBase}Spec:${res}Spec`, `#/types/${typeBase}Kind:${res}Kind`, `#/types/${typeBase}Spec:${res}Spec`];
  const inputs = properties(i, 10 + (i % 9), refs);
  const outputs = { ...inputs, ...properties(i + 7, 6, [refs[0]]) };
  const entry = {
    description: `${prose(i, 700)}\n\n${exampleMarkdown(name, mod, res, i)}\n\n## Import\n\n${prose(i + 3, 300)}\n\n\`\`\`sh\n$ pulumi import ${name}:${mod}/${snake(res)}:${res} example example-${i}\n\`\`\``,
    properties: outputs,
    required: Object.keys(outputs).slice(0, 5),
    inputProperties: inputs,
    requiredInputs: Object.keys(inputs).slice(0, 3),
    stateInputs: { description: `Input properties used for looking up and filtering ${res} resources.`, properties: inputs, type: "object" },
  };
  const types = {
    [`${typeBase}Spec:${res}Spec`]: { type: "object", properties: properties(i + 11, 8, [`#/types/${typeBase}SpecRule:${res}SpecRule`]), required: ["propName0"] },
    [`${typeBase}SpecRule:${res}SpecRule`]: { type: "object", properties: properties(i + 13, 5, [`#/types/${typeBase}Kind:${res}Kind`]), language: { nodejs: { requiredOutputs: ["propName0"] } } },
    [`${typeBase}Kind:${res}Kind`]: {
      type: "string",
      description: prose(i + 17, 160),
      enum: ["Standard", "Premium", "Dedicated", "Shared"].map((v) => ({ name: v, value: v.toLowerCase(), description: prose(i + v.length, 80) })),
    },
  };
  return { token, entry, types };
}

function functionEntry(name, mod, i) {
  return {
    token: `${name}:${mod}/getResource${i}:getResource${i}`,
    entry: {
      description: `${prose(i + 29, 600)}\n\n${exampleMarkdown(name, mod, `getResource${i}`, i)}`,
      inputs: { properties: properties(i + 31, 4, [`#/types/${name}:${mod}/Resource${i}Spec:Resource${i}Spec`]), type: "object", required: ["propName0"] },
      outputs: { properties: properties(i + 37, 12, [`#/types/${name}:${mod}/Resource${i}Spec:Resource${i}Spec`]), type: "object", required: ["propName0", "propArn1"] },
    },
  };
}

/** The schema handed to `write` piece by piece (sizes too large to hold as one string). */
export function writeProviderSchema(name, version, targetBytes, write) {
  let size = 0;
  const push = (s) => {
    write(s);
    size += Buffer.byteLength(s);
  };
  const modules = Array.from({ length: 60 }, (_, i) => `mod${i}`);
  const language = {
    csharp: { namespaces: Object.fromEntries(modules.map((m) => [m, m[0].toUpperCase() + m.slice(1)])), packageReferences: { Pulumi: "3.*" } },
    go: { importBasePath: `github.com/acme/pulumi-${name}/sdk/go/${name}`, generateResourceContainerTypes: true },
    nodejs: { packageName: `@acme/${name}`, dependencies: { "@pulumi/pulumi": "^3.0.0" } },
    python: { packageName: `pulumi_${name}`, requires: { pulumi: ">=3.0.0,<4.0.0" } },
  };
  push(`{"name":${json(name)},"version":${json(version)},"displayName":"Provider ${name}","description":"A provider-shaped benchmark schema",` +
    `"keywords":["category/cloud","kind/bridged"],"homepage":"https://example.com/${name}","repository":"https://github.com/acme/pulumi-${name}",` +
    `"license":"Apache-2.0","meta":{"moduleFormat":"(.*)(?:/[^/]*)"},"language":${json(language)},"config":{"variables":{"region":{"type":"string","description":"The region."}}},` +
    `"provider":{"description":"The provider type.","inputProperties":{"region":{"type":"string"}}},"resources":{`);
  // Resources ~70% of the bytes, their types ~20%, functions the rest; types are written after the functions.
  const typeParts = [];
  let typeBytes = 0;
  let n = 0;
  while (size + typeBytes < targetBytes * 0.88) {
    const { token, entry, types } = resourceEntry(name, modules[n % modules.length], n);
    push(`${n ? "," : ""}${json(token)}:${json(entry)}`);
    for (const [t, v] of Object.entries(types)) {
      const part = `${json(t)}:${json(v)}`;
      typeParts.push(part);
      typeBytes += Buffer.byteLength(part) + 1;
    }
    n++;
  }
  push(`},"functions":{`);
  for (let i = 0; i < n && size + typeBytes < targetBytes - 4096; i += 3) {
    const { token, entry } = functionEntry(name, modules[i % modules.length], i);
    push(`${i ? "," : ""}${json(token)}:${json(entry)}`);
  }
  push(`},"types":{`);
  typeParts.forEach((p, i) => push((i ? "," : "") + p));
  push(`}}`);
  return { bytes: size, resources: n, firstToken: `${name}:${modules[0]}/resource0:Resource0` };
}

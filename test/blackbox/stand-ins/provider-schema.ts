// A small Pulumi provider schema of a chosen name and version: a provider, a few resources and functions, a type.

export interface ProviderSchemaOptions {
  name: string;
  version: string;
  displayName?: string;
  description?: string;
  /** e.g. ["category/cloud", "kind/native"] (the default). */
  keywords?: string[];
  repository?: string;
  publisher?: string;
  /** Omitted from the schema when not given. */
  pluginDownloadURL?: string;
  /** How many resources (`<name>:index:Widget0`, …) and functions (`<name>:index:getWidget0`, …); 2 each by default. */
  resources?: number;
  functions?: number;
}

export type ProviderSchema = Record<string, unknown> & { name: string; version: string };

export function providerSchema(options: ProviderSchemaOptions): ProviderSchema {
  const { name, version } = options;
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < (options.resources ?? 2); i++) {
    resources[`${name}:index:Widget${i}`] = {
      description: `A widget of ${name} (number ${i}).`,
      properties: { arn: { type: "string", description: "The widget's id." }, size: { type: "integer" }, settings: { $ref: `#/types/${name}:index:Settings` } },
      required: ["arn", "size"],
      inputProperties: { size: { type: "integer", description: "How big." }, settings: { $ref: `#/types/${name}:index:Settings` } },
      requiredInputs: ["size"],
    };
  }
  const functions: Record<string, unknown> = {};
  for (let i = 0; i < (options.functions ?? 2); i++) {
    functions[`${name}:index:getWidget${i}`] = {
      description: `Looks a widget up (number ${i}).`,
      inputs: { properties: { arn: { type: "string" } }, required: ["arn"] },
      outputs: { properties: { size: { type: "integer" } }, required: ["size"] },
    };
  }
  return {
    name,
    version,
    displayName: options.displayName ?? `${name[0]!.toUpperCase()}${name.slice(1)}`,
    description: options.description ?? `A provider for ${name}.`,
    keywords: options.keywords ?? ["category/cloud", "kind/native"],
    homepage: `https://example.com/${name}`,
    repository: options.repository ?? `https://github.com/example/pulumi-${name}`,
    publisher: options.publisher ?? "Example",
    license: "Apache-2.0",
    ...(options.pluginDownloadURL !== undefined ? { pluginDownloadURL: options.pluginDownloadURL } : {}),
    meta: { moduleFormat: "(.*)" },
    config: { variables: { region: { type: "string", description: "Where widgets live." } } },
    types: {
      [`${name}:index:Settings`]: { type: "object", description: "Widget settings.", properties: { color: { type: "string" }, enabled: { type: "boolean" } } },
    },
    provider: { description: `The ${name} provider.`, inputProperties: { region: { type: "string" } } },
    resources,
    functions,
    language: { nodejs: { packageName: `@example/${name}` }, python: { packageName: `pulumi_${name.replaceAll("-", "_")}` } },
  };
}

export function providerReadme(name: string, version: string): string {
  return `# ${name}\n\nThe ${name} provider, version ${version}.\n\n## Example\n\n\`\`\`typescript\nnew ${name}.Widget0("w", { size: 1 });\n\`\`\`\n`;
}

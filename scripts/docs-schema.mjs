// Generates a provider-shaped Pulumi schema of a chosen size for docs benchmarks: modules, resources whose
// object/enum input types appear later in the file, chains of nested types, functions, and examples in descriptions.

export function docsSchema(name, version, targetBytes) {
  const parts = [];
  const out = writeDocsSchema(name, version, targetBytes, (s) => parts.push(s));
  return { schema: Buffer.from(parts.join("")), ...out };
}

/** The same schema handed to `write` piece by piece (for sizes too large to hold as one string). */
export function writeDocsSchema(name, version, targetBytes, write) {
  let size = 0;
  const push = (s) => {
    write(s);
    size += Buffer.byteLength(s);
  };
  const modules = 50;
  const mod = (i) => `m${i % modules}`;
  const example = (i) =>
    `{{% examples %}}\\n## Example Usage\\n{{% example %}}\\n### Basic R${i}\\n\\n\`\`\`typescript\\nnew ${name}.${mod(i)}.R${i}(\\"r\\", { size: 1 });\\n\`\`\`\\n\`\`\`python\\n${name}.${mod(i)}.R${i}(\\"r\\", size=1)\\n\`\`\`\\n\`\`\`go\\n${mod(i)}.NewR${i}(ctx, \\"r\\", &${mod(i)}.R${i}Args{Size: pulumi.Int(1)})\\n\`\`\`\\n{{% /example %}}\\n{{% /examples %}}`;
  push(`{"name":${JSON.stringify(name)},"version":${JSON.stringify(version)},"displayName":"Docs ${name}","description":"A large provider","keywords":["category/cloud","kind/native"],"meta":{"moduleFormat":"(.*)(?:/[^/]*)"},"resources":{`);
  // Resources take about 60% of the bytes; each refers to two object types and an enum defined below.
  let n = 0;
  const resource = (i) => {
    const t = (s) => `"#/types/${name}:${mod(i)}%2F${s}${i}:${s}${i}"`;
    return `${i ? "," : ""}"${name}:${mod(i)}/r${i}:R${i}":{"description":"Resource ${i} manages a thing.\\n\\n${example(i)}","inputProperties":{"size":{"type":"integer","description":"How big."},"name":{"type":"string","replaceOnChanges":true},"config":{"$ref":${t("Config")}},"tier":{"$ref":${t("Tier")}},"tags":{"type":"object","additionalProperties":{"type":"string"}},"legacy":{"type":"string","deprecationMessage":"Do not use."}},"requiredInputs":["size"],"properties":{"arn":{"type":"string"},"size":{"type":"integer"},"config":{"$ref":${t("Config")}}},"required":["arn","size"]}`;
  };
  while (size < targetBytes * 0.6) push(resource(n++));
  push(`},"functions":{`);
  for (let i = 0; i < Math.max(1, Math.floor(n / 10)); i++) {
    push(`${i ? "," : ""}"${name}:${mod(i)}/getR${i}:getR${i}":{"description":"Looks up R${i}.","inputs":{"properties":{"id":{"type":"string"}},"required":["id"]},"outputs":{"properties":{"arn":{"type":"string"}},"required":["arn"]}}`);
  }
  push(`},"types":{`);
  let first = true;
  for (let i = 0; i < n && size < targetBytes - 200; i++) {
    const sep = first ? "" : ",";
    first = false;
    push(`${sep}"${name}:${mod(i)}/Config${i}:Config${i}":{"type":"object","properties":{"rules":{"type":"array","items":{"$ref":"#/types/${name}:${mod(i)}%2FRule${i}:Rule${i}"}},"enabled":{"type":"boolean","description":"Whether it is on."}},"required":["enabled"]}`);
    push(`,"${name}:${mod(i)}/Rule${i}:Rule${i}":{"type":"object","properties":{"port":{"type":"integer"},"cidr":{"type":"string","description":"A CIDR block."}}}`);
    push(`,"${name}:${mod(i)}/Tier${i}:Tier${i}":{"type":"string","enum":[{"name":"Basic","value":"basic"},{"name":"Premium","value":"premium","description":"The fast one."}]}`);
  }
  // Pad to the target with unreferenced types.
  for (let j = 0; size < targetBytes - 100; j++) push(`,"${name}:pad/P${j}:P${j}":{"type":"object","properties":{"v":{"type":"string","description":"padding to reach the target size of the benchmark schema"}}}`);
  push(`}}`);
  return { bytes: size, resources: n, firstToken: `${name}:${mod(0)}/r0:R0` };
}

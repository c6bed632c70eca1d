// Generates Pulumi-schema-shaped JSON of a chosen size, with many resources around the top-level fields.

export function largeSchema(name: string, version: string, targetBytes: number): Buffer {
  const parts: string[] = [];
  let size = 0;
  const push = (s: string) => {
    parts.push(s);
    size += Buffer.byteLength(s);
  };
  push(`{"name":${JSON.stringify(name)},"displayName":"Big ${name}","resources":{`);
  let i = 0;
  const half = targetBytes / 2;
  const resource = (n: number) =>
    `${n ? "," : ""}"${name}:index/res${n}:Res${n}":{"description":"Resource number ${n} with some descriptive text \\u00e9\\n","properties":{"arn":{"type":"string"},"tags":{"type":"object","additionalProperties":{"type":"string"}},"count":{"type":"integer"}},"inputProperties":{"size":{"type":"number"}}}`;
  while (size < half) push(resource(i++));
  push(`},"version":${JSON.stringify(version)},"keywords":["category/cloud","kind/native"],"repository":"https://example.com/${name}","types":{`);
  for (let j = 0; size < targetBytes - 200; j++) push(`${j ? "," : ""}"${name}:index/T${j}":{"type":"object","properties":{"v${j}":{"type":"string"}}}`);
  push(`},"pluginDownloadURL":"https://example.com/plugins","description":"A large schema"}`);
  return Buffer.from(parts.join(""));
}

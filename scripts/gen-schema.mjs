// Writes a generated benchmark schema to a file: node scripts/gen-schema.mjs <provider|dense> <MiB> <file> [name]
// `provider` is scripts/provider-schema.mjs's real-provider shape, `dense` scripts/docs-schema.mjs's many small entries.
import { closeSync, openSync, writeSync } from "node:fs";
import { writeDocsSchema } from "./docs-schema.mjs";
import { writeProviderSchema } from "./provider-schema.mjs";

export function writeSchemaFile(shape, mib, file, name = "bench") {
  const fd = openSync(file, "w");
  let pending = [];
  let pendingBytes = 0;
  const flush = () => {
    writeSync(fd, pending.join(""));
    pending = [];
    pendingBytes = 0;
  };
  const write = (s) => {
    pending.push(s);
    pendingBytes += s.length;
    if (pendingBytes > 4 << 20) flush();
  };
  const generate = shape === "provider" ? writeProviderSchema : shape === "dense" ? writeDocsSchema : undefined;
  if (!generate) throw new Error(`unknown shape ${shape} (provider or dense)`);
  const out = generate(name, "1.0.0", mib * 1024 * 1024, write);
  flush();
  closeSync(fd);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [shape, mib, file, name] = process.argv.slice(2);
  console.log(JSON.stringify(writeSchemaFile(shape, Number(mib), file, name)));
}

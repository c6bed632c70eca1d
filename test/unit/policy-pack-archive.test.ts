import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/api-error";
import { inspectPackArchive, projectFacts } from "../../src/policy-packs/pack-archive";
import { gzip, gzipTar, header, streamOf, tar, type TarEntry, zeroBomb } from "./tar-fixtures";

const MiB = 1024 * 1024;
const BOUNDS = { archiveUnpackedBytes: 100 * MiB, archiveEntries: 10_000 };
const POLICY_YAML = "runtime: nodejs\ndescription: Guards for storage buckets\n";
const root: TarEntry = { name: "PulumiPolicy.yaml", data: POLICY_YAML };
const code: TarEntry = { name: "index.ts", data: "export const policies = [];\n" };

async function inspect(entries: TarEntry[], bounds = BOUNDS) {
  return inspectPackArchive(await gzipTar(entries), bounds);
}

async function rejection(promise: Promise<unknown>, message: RegExp): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(400);
  expect((error as ApiError).message).toMatch(message);
  return error as ApiError;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("policy pack archive: what it yields", () => {
  it("a pack yields the runtime and description of its root PulumiPolicy.yaml and its counts", async () => {
    const facts = await inspect([root, code, { name: "package.json", data: "{}" }]);
    expect(facts).toEqual({ runtime: { name: "nodejs" }, description: "Guards for storage buckets", entries: 3, unpackedBytes: POLICY_YAML.length + 28 + 2 });
  });

  it("a runtime given as a mapping keeps its options", async () => {
    const facts = await inspect([{ name: "PulumiPolicy.yaml", data: "runtime:\n  name: python\n  options:\n    toolchain: uv\n" }]);
    expect(facts.runtime).toEqual({ name: "python", options: { toolchain: "uv" } });
    expect(facts.description).toBeUndefined();
  });

  it("./PulumiPolicy.yaml and directory entries are accepted (tar tools other than the CLI write them)", async () => {
    const facts = await inspect([{ name: "./", type: "5" }, { name: "./PulumiPolicy.yaml", data: POLICY_YAML }]);
    expect(facts.runtime.name).toBe("nodejs");
  });

  it("a long name in a pax header or a GNU long name applies to the next entry", async () => {
    const long = `${"d/".repeat(60)}policy.ts`;
    await expect(inspect([root, { name: long, data: "x" }])).resolves.toMatchObject({ entries: 2 });
    await expect(inspect([root, { name: long, data: "x", longName: "gnu" }])).resolves.toMatchObject({ entries: 2 });
  });

  it("the stream is read chunk by chunk, whatever the chunk size", async () => {
    const bytes = await gzip(tar([code, root]));
    for (const size of [1, 7, 512, 4096]) {
      await expect(inspectPackArchive(streamOf(bytes, size), BOUNDS)).resolves.toMatchObject({ runtime: { name: "nodejs" } });
    }
  });
});

describe("policy pack archive: what is refused", () => {
  it("an archive without PulumiPolicy.yaml at its root is a 400", async () => {
    await rejection(inspect([code]), /policy pack archive has no PulumiPolicy\.yaml at its root/);
    await rejection(inspect([{ name: "pack/PulumiPolicy.yaml", data: POLICY_YAML }]), /no PulumiPolicy\.yaml at its root/);
  });

  it("a template's Pulumi.yaml does not stand in for PulumiPolicy.yaml", async () => {
    await rejection(inspect([{ name: "Pulumi.yaml", data: "name: x\nruntime: nodejs\n" }]), /no PulumiPolicy\.yaml/);
  });

  it.each([
    ["description: no runtime\n", /names no 'runtime'/],
    ["runtime: [nodejs]\n", /'runtime' must be a name or a mapping/],
    ["runtime:\n  options: {}\n", /'runtime' must be a name or a mapping/],
    ["runtime:\n  name: go\n  options: [1]\n", /'runtime.options' must be a mapping/],
    ["runtime: nodejs\ndescription: [a]\n", /'description' must be a string/],
    ["- runtime: nodejs\n", /not a YAML mapping/],
    ["runtime: nodejs\nruntime: go\n", /not valid YAML/],
    ["a: &a [*a, *a]\nruntime: [", /not valid YAML/],
  ])("PulumiPolicy.yaml %j is a 400", async (yaml, message) => {
    await rejection(inspect([{ name: "PulumiPolicy.yaml", data: yaml }]), message);
  });

  it("PulumiPolicy.yaml that is not UTF-8 is a 400", () => {
    expect(() => projectFacts(new Uint8Array([0x72, 0xff, 0xfe]))).toThrow(/not valid UTF-8/);
  });

  it("data that is not gzip, and an empty upload, are 400s saying so", async () => {
    await rejection(inspectPackArchive(streamOf(tar([root])), BOUNDS), /is not gzip-compressed/);
    await rejection(inspectPackArchive(streamOf(new Uint8Array(0)), BOUNDS), /is not gzip-compressed/);
  });

  it("gzip of something that is not tar is a 400", async () => {
    await rejection(inspectPackArchive(streamOf(await gzip(utf8("plain text, not a tar archive\n".repeat(40)))), BOUNDS), /not a tar archive/);
  });

  it("a corrupt gzip stream is a 400", async () => {
    const bytes = await gzip(tar([root, { name: "a.bin", data: crypto.getRandomValues(new Uint8Array(20_000)) }]));
    bytes.fill(0x55, 20, 200);
    await rejection(inspectPackArchive(streamOf(bytes), BOUNDS), /gzip|tar/);
  });

  it.each(["../x", "a/../../x", "..\\x"])("an entry named %s is a 400 naming the '..'", async (name) => {
    await rejection(inspect([root, { name, data: "x" }]), /'\.\.' path segment/);
  });

  it.each(["/etc/passwd", "C:/x", "\\x"])("an absolute entry name %s is a 400", async (name) => {
    await rejection(inspect([root, { name, data: "x" }]), /absolute path/);
  });

  it("a '..' in a pax path is a 400 even when the header name is harmless", async () => {
    await rejection(inspect([root, { name: "ok.txt", data: "x", pax: { path: "../escape" } }]), /'\.\.' path segment/);
  });

  it.each([
    ["1", "hard link"],
    ["2", "symbolic link"],
    ["3", "character device"],
    ["6", "FIFO"],
  ])("an entry of type %s (%s) is a 400", async (type, what) => {
    await rejection(inspect([root, { name: "l", type, linkname: "PulumiPolicy.yaml" }]), new RegExp(`is a ${what}`));
  });

  it("more entries than the bound is a 400; exactly the bound is accepted", async () => {
    const files = Array.from({ length: 4 }, (_, i) => ({ name: `f${i}.ts`, data: "x" }));
    await rejection(inspect([root, ...files], { ...BOUNDS, archiveEntries: 4 }), /more than 4 entries/);
    await expect(inspect([root, ...files.slice(1)], { ...BOUNDS, archiveEntries: 4 })).resolves.toMatchObject({ entries: 4 });
  });

  it("a gzip bomb stops at the unpacked bound without inflating the rest", async () => {
    const bomb = zeroBomb("zeros.bin", 200 * MiB);
    await rejection(inspectPackArchive(bomb.stream, BOUNDS), /more than 104857600 bytes.*'zeros\.bin'/);
    expect(bomb.produced()).toBeLessThan(16 * MiB);
  });

  it("a PulumiPolicy.yaml over 1 MiB is a 400", async () => {
    await rejection(inspect([{ name: "PulumiPolicy.yaml", data: `# ${"x".repeat(MiB)}\nruntime: nodejs\n` }]), /PulumiPolicy\.yaml' is \d+ bytes; PulumiPolicy\.yaml may be at most 1048576/);
  });

  it("an archive that ends inside an entry or a header is a 400 saying it is truncated", async () => {
    const bytes = tar([root, { name: "big.ts", data: "y".repeat(3000) }], { end: false });
    await rejection(inspectPackArchive(streamOf(await gzip(bytes.subarray(0, bytes.length - 1500))), BOUNDS), /truncated.*'big\.ts'/);
    await rejection(inspectPackArchive(streamOf(await gzip(bytes.subarray(0, 1024 + 100))), BOUNDS), /truncated/);
  });

  it("a header with a wrong checksum is a 400", async () => {
    const block = header({ name: "PulumiPolicy.yaml", type: "0", size: 0 });
    block[0] = 0x51;
    await rejection(inspectPackArchive(streamOf(await gzip(block)), BOUNDS), /checksum/);
  });
});

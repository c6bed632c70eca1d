import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/api-error";
import { inspectArchive } from "../../src/templates/archive";
import { FILE_LIST_MAX_FILES, FILE_LIST_MAX_NAME_CHARS, FileListBuilder, parseFileList } from "../../src/templates/file-list";
import { concat, gzip, gzipTar, header, streamOf, tar, type TarEntry, zeroBomb } from "./tar-fixtures";

const MiB = 1024 * 1024;
const LIMITS = { archiveUnpackedBytes: 100 * MiB, archiveEntries: 10_000 };
const PULUMI_YAML = "name: demo\nruntime: nodejs\ntemplate:\n  displayName: Demo\n";
const root: TarEntry = { name: "Pulumi.yaml", data: PULUMI_YAML };

async function inspect(entries: TarEntry[], limits = LIMITS) {
  return inspectArchive(await gzipTar(entries), limits);
}

async function rejection(promise: Promise<unknown>, message: RegExp): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  const apiError = error as ApiError;
  expect(apiError.status).toBe(400);
  expect(apiError.message).toMatch(message);
  return apiError;
}

describe("template archive: what it yields", () => {
  it("a valid archive yields Pulumi.yaml, counts and no TypeScript for plain JavaScript", async () => {
    const facts = await inspect([root, { name: "index.js", data: "console.log(1)\n" }, { name: "package.json", data: "{}" }]);
    expect(facts.pulumiYaml).toBe(PULUMI_YAML);
    expect(facts.readme).toBeUndefined();
    expect(facts.hasTypeScript).toBe(false);
    expect(facts.entries).toBe(3);
    expect(facts.unpackedBytes).toBe(PULUMI_YAML.length + 15 + 2);
  });

  it("./Pulumi.yaml counts as the root Pulumi.yaml", async () => {
    const facts = await inspect([{ name: "./Pulumi.yaml", data: PULUMI_YAML }]);
    expect(facts.pulumiYaml).toBe(PULUMI_YAML);
  });

  it("a root Pulumi.yml is accepted when there is no Pulumi.yaml", async () => {
    const facts = await inspect([{ name: "Pulumi.yml", data: PULUMI_YAML }]);
    expect(facts.pulumiYaml).toBe(PULUMI_YAML);
  });

  it.each(["README.md", "readme.md", "Readme.MD"])("a root %s is returned as the README", async (name) => {
    const facts = await inspect([root, { name, data: "# Demo\n" }]);
    expect(new TextDecoder().decode(facts.readme)).toBe("# Demo\n");
  });

  it("a README.md below the root is not the template's README", async () => {
    const facts = await inspect([root, { name: "docs/README.md", data: "# Docs\n" }]);
    expect(facts.readme).toBeUndefined();
  });

  it.each(["index.ts", "src/types.d.ts", "app/tsconfig.json"])("%s makes hasTypeScript true", async (name) => {
    const facts = await inspect([root, { name, data: "{}" }]);
    expect(facts.hasTypeScript).toBe(true);
  });

  it("directory entries are tolerated and skipped", async () => {
    const facts = await inspect([{ name: "./", type: "5" }, root, { name: "src/", type: "5" }, { name: "src/index.ts", data: "x" }]);
    expect(facts.hasTypeScript).toBe(true);
    expect(facts.pulumiYaml).toBe(PULUMI_YAML);
  });

  it("a long name carried in a pax header is applied to the next entry", async () => {
    const long = `${"d".repeat(120)}/index.ts`;
    const facts = await inspect([root, { name: long, data: "x" }]);
    expect(facts.hasTypeScript).toBe(true);
    expect(facts.entries).toBe(2);
  });

  it("a GNU long name ('L') is applied to the next entry", async () => {
    const facts = await inspect([root, { name: `${"g".repeat(120)}/main.ts`, data: "x", longName: "gnu" }]);
    expect(facts.hasTypeScript).toBe(true);
  });

  it("a pax global header from git archive (comment only) is accepted", async () => {
    const comment = new TextEncoder().encode("52 comment=0123456789abcdef0123456789abcdef01234567\n");
    const archive = concat([header({ name: "pax_global_header", type: "g", size: comment.length }), comment, new Uint8Array(512 - comment.length), tar([root])]);
    const facts = await inspectArchive(streamOf(await gzip(archive)), LIMITS);
    expect(facts.pulumiYaml).toBe(PULUMI_YAML);
  });

  it("an archive ending after a complete entry without end blocks is accepted", async () => {
    const facts = await inspectArchive(await gzipTar([root], { end: false }), LIMITS);
    expect(facts.entries).toBe(1);
  });

  it("the stream is read chunk by chunk, whatever the chunk size", async () => {
    const bytes = await gzip(tar([root, { name: "README.md", data: "r".repeat(3000) }]));
    const facts = await inspectArchive(streamOf(bytes, 7), LIMITS);
    expect(facts.readme?.length).toBe(3000);
  });
});

describe("template archive: rejections", () => {
  it("data that is not gzip is a 400", async () => {
    await rejection(inspectArchive(streamOf(tar([root])), LIMITS), /not gzip-compressed/);
  });

  it("an empty upload is a 400 saying it is not gzip", async () => {
    await rejection(inspectArchive(streamOf(new Uint8Array(0)), LIMITS), /not gzip-compressed/);
  });

  it("a corrupt gzip stream is a 400", async () => {
    const bytes = await gzip(tar([root, { name: "a.txt", data: "a".repeat(5000) }]));
    const corrupt = bytes.slice();
    corrupt.fill(0xff, 10, 40);
    await rejection(inspectArchive(streamOf(corrupt), LIMITS), /gzip/);
  });

  it("gzip of something that is not a tar is a 400", async () => {
    const text = new TextEncoder().encode("this is a plain text file, not a tar archive\n".repeat(40));
    await rejection(inspectArchive(streamOf(await gzip(text)), LIMITS), /not a tar archive/);
  });

  it("a header with a wrong checksum is a 400 saying it is not tar", async () => {
    const bytes = tar([root]);
    bytes[0] = "Q".charCodeAt(0);
    await rejection(inspectArchive(streamOf(await gzip(bytes)), LIMITS), /not a tar archive.*checksum/);
  });

  it.each(["../x", "a/../../x", "a/..", "..\\x", "a\\..\\..\\x"])("an entry named %s is a 400 naming the '..' and the entry", async (name) => {
    const error = await rejection(inspect([root, { name, data: "x" }]), /'\.\.'/);
    expect(error.message).toContain(name);
  });

  it.each(["/abs", "/etc/passwd", "C:/x", "c:x", "\\x\\y"])("an absolute entry name %s is a 400 naming the entry", async (name) => {
    const error = await rejection(inspect([root, { name, data: "x" }]), /absolute path/);
    expect(error.message).toContain(name);
  });

  it("a '..' in a pax path is a 400 even when the header name is harmless", async () => {
    await rejection(inspect([root, { name: "safe.txt", data: "x", pax: { path: "../evil.txt" } }]), /'\.\.\/evil\.txt'.*'\.\.'/);
  });

  it("a NUL in a pax path is a 400", async () => {
    await rejection(inspect([root, { name: "safe.txt", data: "x", pax: { path: "a\0b" } }]), /NUL/);
  });

  it.each([
    ["2", "symbolic link"],
    ["1", "hard link"],
    ["3", "character device"],
    ["4", "block device"],
    ["6", "FIFO"],
  ])("an entry of type '%s' is a 400 naming the entry and its type (%s)", async (type, kind) => {
    const error = await rejection(inspect([root, { name: "special", type, linkname: "Pulumi.yaml" }]), new RegExp(kind));
    expect(error.message).toContain("'special'");
  });

  it("an unknown entry type is a 400", async () => {
    await rejection(inspect([root, { name: "sparse", type: "S" }]), /unsupported type 'S'/);
  });

  it("more entries than the limit is a 400", async () => {
    const entries = [root, ...Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt`, data: "x" }))];
    await rejection(inspect(entries, { ...LIMITS, archiveEntries: 5 }), /more than 5 entries.*'f4\.txt'/);
  });

  it("exactly the entry limit is accepted", async () => {
    const entries = [root, ...Array.from({ length: 4 }, (_, i) => ({ name: `f${i}.txt`, data: "x" }))];
    expect((await inspect(entries, { ...LIMITS, archiveEntries: 5 })).entries).toBe(5);
  });

  it("unpacked bytes over the limit are a 400 naming the entry that crosses it", async () => {
    const big = new Uint8Array(600 * 1024);
    await rejection(
      inspect([root, { name: "a.bin", data: big }, { name: "b.bin", data: big }], { ...LIMITS, archiveUnpackedBytes: MiB }),
      /more than 1048576 bytes.*'b\.bin'/,
    );
  });

  it("a gzip bomb stops at the bound without inflating the rest", async () => {
    const bomb = zeroBomb("zeros.bin", 200 * MiB);
    const started = Date.now();
    await rejection(inspectArchive(bomb.stream, LIMITS), /more than 104857600 bytes.*'zeros\.bin'/);
    expect(bomb.produced()).toBeLessThan(16 * MiB);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a Pulumi.yaml over 1 MiB is a 400", async () => {
    await rejection(inspect([{ name: "Pulumi.yaml", data: `# ${"x".repeat(MiB)}\n` }]), /Pulumi\.yaml may be at most/);
  });

  it("a README over 5 MiB is a 400", async () => {
    await rejection(inspect([root, { name: "README.md", data: new Uint8Array(5 * MiB + 1) }]), /README may be at most/);
  });

  it("an archive that ends inside an entry is a 400 saying it is truncated", async () => {
    const bytes = tar([root, { name: "big.txt", data: "y".repeat(3000) }], { end: false });
    await rejection(inspectArchive(streamOf(await gzip(bytes.subarray(0, bytes.length - 1500))), LIMITS), /truncated.*'big\.txt'/);
  });

  it("an archive that ends inside a header is a 400 saying it is truncated", async () => {
    const bytes = tar([root, { name: "b.txt", data: "b" }], { end: false });
    await rejection(inspectArchive(streamOf(await gzip(bytes.subarray(0, 1024 + 100))), LIMITS), /truncated/);
  });

  it("a cut-off gzip stream is a 400", async () => {
    const bytes = await gzip(tar([root, { name: "a.txt", data: crypto.getRandomValues(new Uint8Array(20_000)) }]));
    await rejection(inspectArchive(streamOf(bytes.subarray(0, bytes.length / 2)), LIMITS), /truncated|gzip/);
  });

  it("an archive without Pulumi.yaml is a 400", async () => {
    await rejection(inspect([{ name: "index.js", data: "x" }]), /no Pulumi\.yaml at its root/);
  });

  it("a Pulumi.yaml only in a subdirectory is a 400", async () => {
    await rejection(inspect([{ name: "app/Pulumi.yaml", data: PULUMI_YAML }]), /no Pulumi\.yaml at its root/);
  });

  it("an empty tar is a 400 for the missing Pulumi.yaml", async () => {
    await rejection(inspect([]), /no Pulumi\.yaml at its root/);
  });

  it("a pax global header that sets path is a 400", async () => {
    const body = new TextEncoder().encode("20 path=Pulumi.yaml\n");
    const archive = concat([header({ name: "g", type: "g", size: body.length }), body, new Uint8Array(512 - body.length), tar([root])]);
    await rejection(inspectArchive(streamOf(await gzip(archive)), LIMITS), /global header/);
  });
});

// Why this reader is our own and not a library's (docs/template-archives.md): a reader that applies a
// pax global `path` to later entries, or reports unknown typeflags as regular files, would check other
// names and types than the ones Go's archive/tar (the Pulumi CLI) extracts.
describe("template archive: what a normalizing tar reader would let through", () => {
  it("a pax global path cannot mask a '..' entry name: 400", async () => {
    const body = new TextEncoder().encode("17 path=safe.txt\n");
    const rootBlocks = tar([root], { end: false });
    const archive = concat([rootBlocks, header({ name: "g", type: "g", size: body.length }), body, new Uint8Array(512 - body.length), tar([{ name: "../../evil.sh", data: "x" }])]);
    await rejection(inspectArchive(streamOf(await gzip(archive)), LIMITS), /global header/);
  });

  it("a GNU sparse entry ('S'), which expands on extraction beyond its stored size, is a 400", async () => {
    await rejection(inspect([root, { name: "huge.bin", type: "S", data: "x" }]), /unsupported type 'S'/);
  });
});

describe("the file list kept from the walk", () => {
  it("names and sizes of regular files in archive order, with totals; directories and meta headers are not files", async () => {
    const facts = await inspect([root, { name: "src/", type: "5" }, { name: "src/index.ts", data: "abc" }, { name: "a".repeat(150), data: "xy", longName: "pax" }]);
    expect(facts.files).toEqual({ files: [["Pulumi.yaml", PULUMI_YAML.length], ["src/index.ts", 3], ["a".repeat(150), 2]], total: 3, totalBytes: PULUMI_YAML.length + 5 });
  });

  it("stops listing at the file cap or the name-length cap, and keeps counting", () => {
    const byCount = new FileListBuilder();
    for (let i = 0; i < FILE_LIST_MAX_FILES + 3; i++) byCount.add(`f${i}`, 1);
    expect(byCount.done().files).toHaveLength(FILE_LIST_MAX_FILES);
    expect(byCount.done().total).toBe(FILE_LIST_MAX_FILES + 3);
    const byNames = new FileListBuilder();
    const long = "n".repeat(FILE_LIST_MAX_NAME_CHARS / 4);
    for (let i = 0; i < 6; i++) byNames.add(`${long}${i}`.slice(-FILE_LIST_MAX_NAME_CHARS / 4), 10);
    // A short name after the cap is crossed is not listed either: the list is a prefix of the archive.
    byNames.add("short", 1);
    const done = byNames.done();
    expect(done.files).toHaveLength(4);
    expect(done.total).toBe(7);
    expect(done.totalBytes).toBe(61);
  });

  it("a stored list that is not one reads as no list", () => {
    expect(parseFileList("{")).toBeUndefined();
    expect(parseFileList(JSON.stringify({ files: "x", total: 1, totalBytes: 1 }))).toBeUndefined();
    expect(parseFileList(JSON.stringify({ files: [["a", 1], [2, "b"]], total: 2, totalBytes: 3 }))).toEqual({ files: [["a", 1]], total: 2, totalBytes: 3 });
  });
});

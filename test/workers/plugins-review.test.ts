// Review findings on provider plugin archives: each test reproduces a defect found by a hostile review.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, countObjects, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage, put } from "./publish-helpers";
import { attachPlugins, completeAttach, pluginArchive, pluginsPath, startAttach } from "./plugin-helpers";
import { concat, gzip, header, tar } from "../unit/tar-fixtures";

let acme: OrgTokens;
beforeAll(async () => {
  acme = await orgWithTokens("acme");
});

describe("plugin review findings", () => {
  it("a version with build metadata: the CLI's escaped file name (%2B) is served, on the https and gitlab sources", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/plus", "1.0.0+build.5", { waitForDocs: false });
    const archive = await pluginArchive("plus");
    expect((await attachPlugins(acme.publisher, "pulumi/acme/plus", "1.0.0+build.5", { "linux-amd64": archive })).status).toBe(201);
    const version = await callJson(`/api/registry/packages/pulumi/acme/plus/versions/${encodeURIComponent("1.0.0+build.5")}`);
    const url = version.body.pluginDownloadURL as string;
    const file = encodeURIComponent("pulumi-resource-plus-v1.0.0+build.5-linux-amd64.tar.gz");
    const r = await call(`${url}/${file}`);
    expect(r.status).toBe(200);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(archive);
  });

  it("a version with build metadata on the gitlab source: the escaped tag and file name are served", async () => {
    await publishPackage(acme.publisher, "private/acme/plusp", "1.0.0+b", { waitForDocs: false });
    const archive = await pluginArchive("plusp");
    expect((await attachPlugins(acme.publisher, "private/acme/plusp", "1.0.0+b", { "linux-amd64": archive })).status).toBe(201);
    const file = encodeURIComponent("pulumi-resource-plusp-v1.0.0+b-linux-amd64.tar.gz");
    const r = await call(`/api/v4/projects/private~acme~plusp/releases/v1.0.0%2Bb/downloads/${file}`, { headers: { Authorization: `Bearer ${acme.reader}` } });
    expect(r.status).toBe(200);
  });

  it("an attach naming the version with other build metadata (same precedence) is refused as absent", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/meta", "1.0.0", { waitForDocs: false });
    const r = await startAttach(acme.publisher, "pulumi/acme/meta", "1.0.0+other", ["linux-amd64"]);
    // Same precedence, another spelling: refused as absent, so no archive or SHA256SUMS line names a version that does not exist.
    expect(r.status).toBe(404);
    expect((await callJson(`${pluginsPath("pulumi/acme/meta", "1.0.0")}/SHA256SUMS`)).status).toBe(404);
    expect(await countObjects("packages/pulumi/acme/meta/1.0.0+other/")).toBe(0);
  });

  it("two completes of the same operation at once: the archive of the one that committed stays", async () => {
    await publishPackage(acme.publisher, "pulumi/acme/twice", "1.0.0", { waitForDocs: false });
    const archive = await pluginArchive("twice", "linux-amd64", [{ name: "pad.bin", data: crypto.getRandomValues(new Uint8Array(60000)) }]);
    const started = await startAttach(acme.publisher, "pulumi/acme/twice", "1.0.0", ["linux-amd64"]);
    await put(started.body.uploadURLs["linux-amd64"], archive);
    const [a, b] = await Promise.all([
      completeAttach(acme.publisher, "pulumi/acme/twice", "1.0.0", started.body.operationID),
      completeAttach(acme.publisher, "pulumi/acme/twice", "1.0.0", started.body.operationID),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const served = await call(`${pluginsPath("pulumi/acme/twice", "1.0.0")}/pulumi-resource-twice-v1.0.0-linux-amd64.tar.gz`);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(archive);
  });
});

/** A ustar header turned into star's (trailer "tar\0" at 508: Go reads a 131-byte prefix), its checksum redone. */
function starHeader(prefix131: string, after: string, name: string, mode: number, size: number): Uint8Array {
  const block = header({ name, type: "0", size, mode });
  const enc = new TextEncoder();
  block.set(enc.encode(prefix131), 345);
  block.set(enc.encode(after), 476);
  block.set(enc.encode("tar\0"), 508);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.set(enc.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return block;
}

describe("plugin archives read as Go's archive/tar (the CLI's extractor) reads them", () => {
  beforeAll(async () => {
    await publishPackage(acme.publisher, "pulumi/acme/goread", "1.0.0", { waitForDocs: false });
  });

  async function attachRaw(bytes: Uint8Array, platform = "linux-amd64") {
    const started = await startAttach(acme.publisher, "pulumi/acme/goread", "1.0.0", [platform]);
    await put(started.body.uploadURLs[platform], bytes);
    return completeAttach(acme.publisher, "pulumi/acme/goread", "1.0.0", started.body.operationID);
  }
  const exe = tar([{ name: "pulumi-resource-goread", data: "#!/bin/sh\n", mode: 0o755 }], { end: false });

  it("a star header whose 131-byte prefix ends in '..' (Go: ../escape) is refused", async () => {
    const prefix = "./".repeat(64) + "/..";
    expect(prefix.length).toBe(131);
    const data = new TextEncoder().encode("x");
    const bytes = concat([exe, starHeader(prefix, "x", "escape", 0o644, 1), data, new Uint8Array(511), new Uint8Array(1024)]);
    const r = await attachRaw(await gzip(bytes));
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/'\.\.'/);
  });

  it("a pax GNU.sparse.name (Go renames the entry to it) is refused", async () => {
    const map = new Uint8Array(512);
    map.set(new TextEncoder().encode("1\n0\n1\n"));
    const bytes = concat([
      exe,
      tar([{ name: "readme", data: concat([map, new TextEncoder().encode("x")]), pax: { "GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "../escape", "GNU.sparse.realsize": "1" } }]),
    ]);
    const r = await attachRaw(await gzip(bytes), "linux-arm64");
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/GNU sparse/);
  });

  it("an empty executable is refused (the CLI would install a plugin that cannot run)", async () => {
    const r = await attachRaw(await gzip(tar([{ name: "pulumi-resource-goread", data: "", mode: 0o755 }])), "darwin-amd64");
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/pulumi-resource-goread is empty/);
  });
});

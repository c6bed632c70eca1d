// Review findings on provider plugin archives: each test reproduces a defect found by a hostile review.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, countObjects, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage, put } from "./publish-helpers";
import { attachPlugins, completeAttach, pluginArchive, pluginsPath, startAttach } from "./plugin-helpers";

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

// Docs format 3 read beside what older releases stored: the isolate's manifests (format 3 keeps the schema's whole
// top-level `language` block in manifest.json) bounded by bytes, and format 2 docs without the nav-head objects or the search index.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_CACHED_MANIFESTS_BYTES, MAX_CACHED_MANIFEST_BYTES, manifestCacheSize, readDocuments, readManifest, type Manifest } from "../../src/api-docs/storage";
import { skylineInstallation, skylineReadme, skylineSchemaJson } from "../fixtures/api-docs";
import { SKYLINE_FORMAT2 } from "../fixtures/api-docs-format2";
import { call, orgWithTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { SEARCH_OBJECTS } from "../../src/api-docs/search-index";

/** A format 3 manifest whose naming options carry a `language` block of about `bytes` bytes. */
async function bigManifest(prefix: string, bytes: number): Promise<void> {
  const language = { csharp: { namespaces: Object.fromEntries(Array.from({ length: Math.ceil(bytes / 40) }, (_, i) => [`module${i}`, `Namespace.Of.Module${i}.X`])) } };
  const manifest = { format: 3, fences: [], indexBytes: 0, packBytes: 0, examples: 0, hasInstallation: false, naming: { name: "big", language } };
  await env.ARTIFACTS.put(`${prefix}manifest.json`, JSON.stringify(manifest));
}

describe("the isolate's manifests", () => {
  it("are kept within a byte budget, however large a schema makes its language block", async () => {
    const each = 700 * 1024;
    const count = Math.ceil((2 * MAX_CACHED_MANIFESTS_BYTES) / each);
    for (let i = 0; i < count; i++) {
      const prefix = `late-review/manifests/${i}/`;
      await bigManifest(prefix, each);
      const read = await readManifest(env.ARTIFACTS, prefix);
      expect(read?.naming?.name).toBe("big");
      expect(manifestCacheSize().bytes).toBeLessThanOrEqual(MAX_CACHED_MANIFESTS_BYTES);
    }
    expect(manifestCacheSize().entries).toBeGreaterThan(0);
    // One larger than an entry may be is served, and not kept.
    const before = manifestCacheSize();
    await bigManifest("late-review/manifests/huge/", 2 * MAX_CACHED_MANIFEST_BYTES);
    expect((await readManifest(env.ARTIFACTS, "late-review/manifests/huge/"))?.naming?.name).toBe("big");
    expect(manifestCacheSize()).toEqual(before);
    // Read again: still served (from R2).
    expect((await readManifest(env.ARTIFACTS, "late-review/manifests/huge/"))?.format).toBe(3);
  });
});

describe("docs an older release stored (format 2, no nav-head.json, nav-modules.tsv or search index)", () => {
  it("serve the API and package pages as docs derived now do", async () => {
    for (const publisher of ["latenew", "lateold"]) {
      const { publisher: token } = await orgWithTokens(publisher);
      await publishPackage(token, `pulumi/${publisher}/skyline`, "2.3.0", { schema: skylineSchemaJson, readme: skylineReadme, installation: skylineInstallation });
    }
    // What that release wrote, and nothing it did not: the objects later releases add are gone from the prefix and the artifact map.
    const row = await env.DB.prepare("SELECT v.id, v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.publisher = 'lateold'").first<{ id: string; artifacts: string }>();
    const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
    const prefix = artifacts["docs.manifest"]!.slice(0, -"manifest.json".length);
    for (const [name, text] of Object.entries(SKYLINE_FORMAT2)) await env.ARTIFACTS.put(prefix + name, text);
    for (const name of ["nav-head.json", "nav-modules.tsv", ...SEARCH_OBJECTS]) {
      await env.ARTIFACTS.delete(prefix + name);
      delete artifacts[`docs.${name.replace(/\..*$/, "")}`];
    }
    await env.DB.prepare("UPDATE versions SET artifacts = ? WHERE id = ?").bind(JSON.stringify(artifacts), row!.id).run();
    // The tree's filter: the old docs scan nav.json, the new ones go through the search index (3 characters or more), with the same answer.
    const pages = ["", "/api", "/api/compute", "/api/compute/Instance", "/api/storage/buckets", "/api/index/Project", "/types/compute/BootDisk/BootDisk", "/api?lang=go", "/api/compute/Instance?lang=python", "/api?lang=python&q=inst", "/api?lang=go&q=GET", "/api?q=sky", "/api?lang=csharp&q=zz"];
    for (const page of pages) {
      const [fresh, old] = await Promise.all(
        ["latenew", "lateold"].map(async (publisher) => {
          const r = await call(`/packages/pulumi/${publisher}/skyline/2.3.0${page}`, { headers: { Accept: "text/html" } });
          // The publish times differ by the moment between the two publishes.
          return { status: r.status, body: (await r.text()).replaceAll(publisher, "{publisher}").replace(/datetime="[^"]*"/g, 'datetime=""') };
        }),
      );
      expect(old!.status, `${page}: ${old!.body.slice(0, 300)}`).toBe(200);
      expect(fresh!.status, page).toBe(200);
      expect(old!.body, page).toBe(fresh!.body);
    }
  }, 120_000);
});

describe("a pack holding both formats' records", () => {
  it("serves each as what it is (isolates of two releases may step one derivation while a deploy rolls out)", async () => {
    // The skyline fixture's first format 2 document (the enum InstanceSize, as that release packed it), then a format 3 record.
    const old = SKYLINE_FORMAT2.pack!.slice(0, 983);
    const stored = JSON.parse(old);
    expect(stored.token).toBe("skyline:compute/InstanceSize:InstanceSize");
    const neutral = JSON.stringify({ entry: "types", token: "skyline:compute/Disk:Disk", kinds: {}, spec: { type: "object", properties: { size: { type: "integer" } } } });
    const prefix = "late-review/mixed/";
    await env.ARTIFACTS.put(`${prefix}pack`, old + neutral);
    const manifest = { format: 3, naming: { name: "skyline", language: {} } } as unknown as Manifest;
    const [first, second] = await readDocuments(env.ARTIFACTS, prefix, manifest, [
      [0, old.length],
      [old.length, neutral.length],
    ]);
    expect(first).toEqual(stored);
    expect(second).toMatchObject({ token: "skyline:compute/Disk:Disk", kind: "object", name: { python: "Disk" }, properties: [{ name: { python: "size" }, required: false }] });
  });
});

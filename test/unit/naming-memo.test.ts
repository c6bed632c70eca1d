// Naming is computed once per module and reused (tokens.ts canonicalModule, perModule): what is reused must be
// exactly what would have been computed. And utf8Length, which the index's and nav's byte offsets rest on, must
// count what TextEncoder writes, lone surrogates included.
import { describe, expect, it } from "vitest";
import { LANGUAGES, memberName, moduleOf, propertyName, typeName, type PackageNaming } from "../../src/api-docs/languages";
import { canonicalModule, namingMemoSize, parseToken } from "../../src/api-docs/languages/tokens";
import { utf8Length } from "../../src/api-docs/utf8";

describe("module naming reused across members", () => {
  it("answers per naming options: the same raw module under two moduleFormats, and two packages' settings", () => {
    const plain: PackageNaming = { name: "acme", language: {} };
    const filed: PackageNaming = { name: "acme", language: {}, moduleFormat: "(.*)(?:/[^/]*)" };
    // Asked in alternation, so a memo keyed on the module alone would answer one with the other's result.
    for (let i = 0; i < 3; i++) {
      expect(canonicalModule(plain, "acme:storage/bucket:Bucket")).toBe("storage/bucket");
      expect(canonicalModule(filed, "acme:storage/bucket:Bucket")).toBe("storage");
    }
    const renamed: PackageNaming = {
      name: "acme",
      language: {
        nodejs: { moduleToPackage: { storage: "blobs" } },
        python: { moduleNameOverrides: { storage: "blob_store" } },
        go: { moduleToPackage: { storage: "objstore" }, importBasePath: "example.com/acme/sdk/go/acme" },
        csharp: { namespaces: { storage: "Blobs", acme: "Acme" } },
        java: { packages: { storage: "blobs" }, basePackage: "com.example" },
      },
      moduleFormat: "(.*)(?:/[^/]*)",
    };
    const token = "acme:storage/bucket:Bucket";
    const expected = {
      typescript: "acme.blobs.Bucket",
      python: "acme.blob_store.Bucket",
      go: "objstore.Bucket",
      csharp: "Acme.Blobs.Bucket",
      java: "com.example.acme.blobs.Bucket",
    };
    const plainNames = { typescript: "acme.storage.Bucket", python: "acme.storage.Bucket", go: "storage.Bucket", csharp: "Acme.Storage.Bucket", java: "com.pulumi.acme.storage.Bucket" };
    for (let i = 0; i < 3; i++) {
      for (const [lang, name] of Object.entries(expected)) expect(memberName(lang as keyof typeof expected, renamed, token, "resource"), lang).toBe(name);
      for (const [lang, name] of Object.entries(plainNames)) expect(memberName(lang as keyof typeof plainNames, filed, token, "resource"), lang).toBe(name);
    }
    // Functions are named from the same module values.
    expect(memberName("java", renamed, "acme:storage/getBucket:getBucket", "function")).toBe("StorageFunctions.getBucket");
    expect(memberName("java", filed, "acme:index/getBucket:getBucket", "function")).toBe("AcmeFunctions.getBucket");
    expect(memberName("go", renamed, "acme:index:getThing", "function")).toBe("acme.GetThing");
    expect(moduleOf(renamed, token)).toBe("storage");
    expect(moduleOf(renamed, "acme:index:Thing")).toBe("index");
    for (const lang of LANGUAGES) expect(typeof memberName(lang, renamed, "pulumi:providers:acme", "resource")).toBe("string");
  });

  it("stays right past the memo's size and for modules too long to keep", () => {
    const plain: PackageNaming = { name: "acme", language: {} };
    const filed: PackageNaming = { name: "acme", language: {}, moduleFormat: "(.*)(?:/[^/]*)" };
    // More distinct modules than the memo keeps (it is cleared and filled again), asked twice each.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        expect(canonicalModule(filed, `acme:m${i}/file:R`)).toBe(`m${i}`);
        expect(canonicalModule(plain, `acme:m${i}/file:R`)).toBe(`m${i}/file`);
      }
    }
    // A module part longer than any real one is taken whole, and named per language without being kept.
    const long = `${"x".repeat(300)}/file`;
    expect(canonicalModule(filed, `acme:${long}:R`)).toBe(long);
    expect(memberName("go", filed, `acme:${long}:R`, "resource")).toBe(`${"x".repeat(300)}file.R`);
    expect(memberName("go", filed, "acme:short/file:R", "resource")).toBe("short.R");
    // A format and a module that spell another pair's key when joined are kept apart.
    const a: PackageNaming = { name: "acme", language: {}, moduleFormat: "(.*)" };
    const b: PackageNaming = { name: "acme", language: {}, moduleFormat: "(.*" };
    expect(canonicalModule(a, "acme:x:R")).toBe("x");
    expect(canonicalModule(b, "acme:)x:R")).toBe(")x");
  });

  it("keeps nothing of a moduleFormat too long to run: a schema's megabyte format is neither kept nor a memo key", () => {
    // Longer than any safe format (200 characters), so it is not run: names are the default format's. Earlier, such
    // a format was never kept; the memo kept it compiled (as the default) under its own text, and keyed every
    // token's module by it: a schema could pin megabytes in the isolate, up to a thousand formats.
    const huge = `(.*)(?:/[^/]*)${"x".repeat(1024 * 1024)}`;
    const hostile: PackageNaming = { name: "acme", language: {}, moduleFormat: huge };
    const plain: PackageNaming = { name: "acme", language: {} };
    const before = namingMemoSize().chars;
    for (let i = 0; i < 50; i++) {
      const token = `acme:m${i}/file:R${i}`;
      expect(canonicalModule(hostile, token)).toBe(canonicalModule(plain, token));
      for (const lang of LANGUAGES) expect(memberName(lang, hostile, token, "resource"), lang).toBe(memberName(lang, plain, token, "resource"));
    }
    // What the memos hold grows by the modules' keys only (a few dozen characters each), never by the format.
    expect(namingMemoSize().chars - before).toBeLessThan(50 * 64);
  });

  it("keeps nothing of a property name or $ref longer than any real one: a schema's long names are computed, not kept", () => {
    // boundedMemo bounds its caches by count (20,000 keys) only: property names and $refs of a served entry (up to
    // MAX_RECORD_LIST_CHARS each list) were kept whole as keys, with their answers, and stayed in the isolate after the
    // answer — each page of a hostile package pinned megabytes more, until the isolate ran out of memory.
    const pkg: PackageNaming = { name: "acme", language: {} };
    const before = namingMemoSize().chars;
    const long = "x".repeat(64 * 1024);
    for (let i = 0; i < 20; i++) {
      const name = `fooBar${i}${long}`;
      // (Compared as booleans: a failure does not print the names.)
      expect(propertyName("python", pkg, name) === `foo_bar${i}${long}`).toBe(true);
      expect(propertyName("csharp", pkg, name) === `FooBar${i}${long}`).toBe(true);
      for (const lang of LANGUAGES) expect(propertyName(lang, pkg, name).endsWith(long), lang).toBe(true);
      // A property whose type is a local object type named by a $ref as long (YAML shows "Property Map").
      const ref = { $ref: `#/types/acme:index:Spec${i}${long}` };
      for (const lang of LANGUAGES) {
        const type = typeName(lang, pkg, ref, { input: false, required: true, refKind: () => "object" });
        expect(lang === "yaml" || type.includes(`Spec${i}${long}`), lang).toBe(true);
      }
    }
    // Short names are still kept (and answered the same).
    expect(propertyName("python", pkg, "fooBar")).toBe("foo_bar");
    expect(namingMemoSize().chars - before).toBeLessThan(20 * 1024);
  });

  it("keeps a bounded number of modules' names however many packages' naming options an isolate holds", () => {
    // perModule kept up to 4096 modules per naming options object, in a WeakMap: bounded per package only. The naming
    // of every manifest an isolate caches (up to 200) stays alive, and a hostile package's thousands of modules were
    // each kept in every language: the memos grew with the number of packages read, beyond what the caches budget.
    const packages: PackageNaming[] = Array.from({ length: 30 }, (_, p) => ({ name: `pkg${p}`, language: {} }));
    const mod = (m: number) => `m${m}${"q".repeat(100)}`;
    for (const [p, pkg] of packages.entries()) {
      for (let m = 0; m < 1000; m++) for (const lang of LANGUAGES) memberName(lang, pkg, `pkg${p}:${mod(m)}:R`, "resource");
    }
    // Every language's module values, for all 30 packages, within a few memos' bound (not 30 × 1000 × 5).
    expect(namingMemoSize().perModule).toBeLessThanOrEqual(8 * 4096);
    // And still right: each package's own module values, after the others'.
    expect(memberName("java", packages[3]!, `pkg3:${mod(7)}:R`, "resource")).toBe(`com.pulumi.pkg3.${mod(7)}.R`);
    expect(memberName("csharp", packages[0]!, `pkg0:${mod(7)}:R`, "resource")).toBe(`Pkg0.M7${"q".repeat(100)}.R`);
    expect(memberName("csharp", packages[1]!, `pkg1:${mod(7)}:R`, "resource")).toBe(`Pkg1.M7${"q".repeat(100)}.R`);
  });

  it("splits tokens as before: colons in the name, a missing module, no package", () => {
    expect(parseToken("acme:mod/sub:Name:with:colons")).toEqual({ pkg: "acme", rawModule: "mod/sub", name: "Name:with:colons" });
    expect(parseToken("acme:Name")).toEqual({ pkg: "acme", rawModule: "", name: "Name" });
    expect(parseToken("Name")).toEqual({ pkg: "", rawModule: "", name: "Name" });
    expect(parseToken("::")).toEqual({ pkg: "", rawModule: "", name: "" });
    expect(parseToken("a:")).toEqual({ pkg: "a", rawModule: "", name: "" });
  });
});

describe("utf8Length", () => {
  it("is the length TextEncoder writes, for every kind of UTF-16 text", () => {
    const encoder = new TextEncoder();
    const samples = [
      "",
      "plain ascii",
      "café",
      "名前",
      "😀 pair",
      "lone high \ud800 in the middle",
      "lone low \udc00 in the middle",
      "high at the end \ud83d",
      "\udc00\ud800 reversed pair",
      "\ud83d\ud83d\ude00 high then pair",
      "mixed é 名 😀 \ud800",
    ];
    for (const s of samples) expect(utf8Length(s), JSON.stringify(s)).toBe(encoder.encode(s).byteLength);
    // Every code unit, alone and beside every other kind.
    const units = [0x41, 0xe9, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xffff];
    for (const a of units) for (const b of units) for (const c of units) {
      const s = String.fromCharCode(a, b, c);
      expect(utf8Length(s), [a, b, c].map((u) => u.toString(16)).join(",")).toBe(encoder.encode(s).byteLength);
    }
  });
});

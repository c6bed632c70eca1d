// The search index's trigram records (search-index.ts, SearchLines): a member's are those of its lowercased token and
// of its names in all six languages. A name the token contains is not cut into trigrams of its own (they are the
// token's), nor is the prefix a text shares with the block's member before (its trigrams are in already); this checks
// that the records are still exactly those of every text, block by block.
import { describe, expect, it } from "vitest";
import { LANGUAGES, memberName, type PackageNaming } from "../../src/api-docs/languages";
import { SEARCH_BLOCK, SearchLines, trigramsOf } from "../../src/api-docs/search-index";

describe("SearchLines", () => {
  it("records, for each block of members, exactly the trigrams of their tokens and of all their names", async () => {
    const naming: PackageNaming = { name: "acme", language: { csharp: { namespaces: { storage: "BlobStore" } }, go: { importBasePath: "example.com/acme/sdk/go/acme" } } } as PackageNaming;
    const members: Array<{ module: string; kind: "resource" | "function"; token: string; names?: Record<string, string> }> = [];
    for (let i = 0; i < 40; i++) {
      members.push({ module: "storage", kind: "resource", token: `acme:storage/bucket${i}:Bucket${i}` });
      members.push({ module: "storage", kind: "function", token: `acme:storage/getBucket${i}:getBucket${i}` });
    }
    // Names the token does not contain: an override, a surrogate pair, and a differently cased module.
    members.push({ module: "zz", kind: "resource", token: "acme:zz:Plain", names: { csharp: "Zebra", python: "Sea🐚Shell" } });
    members.push({ module: "index", kind: "resource", token: "acme:index:MÜNZE" });
    members.sort((a, b) => (a.token < b.token ? -1 : 1));
    const records: Array<[string, string]> = [];
    const lines = new SearchLines(naming, { write: async () => undefined }, { add: async (g, posting) => void records.push([g, posting]) });
    for (const m of members) await lines.add(m.module, m.kind, m.token, m.names);
    await lines.finish();
    // Expected: every text's trigrams, block by block of SEARCH_BLOCK members (postings name blocks, in order).
    const blocks = new Map<string, Set<string>>();
    for (const [g, posting] of records) {
      if (!blocks.has(posting)) blocks.set(posting, new Set());
      blocks.get(posting)!.add(g);
    }
    const got = [...blocks.values()];
    expect(got.length).toBe(Math.ceil(members.length / SEARCH_BLOCK));
    for (let b = 0; b < got.length; b++) {
      const texts = members.slice(b * SEARCH_BLOCK, (b + 1) * SEARCH_BLOCK).flatMap((m) => [m.token.toLowerCase(), ...LANGUAGES.map((l) => (m.names?.[l] ?? memberName(l, naming, m.token, m.kind)).toLowerCase())]);
      expect([...got[b]!].sort(), `block ${b}`).toEqual([...trigramsOf(texts)].sort());
    }
    // (The names not contained in their token are in: C#'s override and the Python name's trigrams.)
    expect(records.some(([g]) => g === "zeb")).toBe(true);
  });
});

// Fences of fences (src/api-docs/fence-tree.ts): the tree over a sorted object's blocks, written to real R2 and
// read back by range, finds every key's block and walks the blocks in order, with a root and nodes of bounded
// size whatever the keys' length.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildFenceTree, FENCE_NODE_BYTES, FENCE_ROOT_BYTES, FenceIndex, withLengths, writeFenceTree, type FenceEntry } from "../../src/api-docs/fence-tree";
import { utf8Length } from "../../src/api-docs/utf8";

/** `n` blocks whose first keys are sorted, the i-th key `len(i)` characters long, each block 100 bytes. */
function blocks(n: number, len: (i: number) => number): FenceEntry[] {
  const keys = Array.from({ length: n }, (_, i) => `k${String(i).padStart(6, "0")}`.padEnd(len(i), "é"));
  return withLengths(keys.map((k, i) => [k, i * 100] as const), n * 100);
}

const rootBytes = (root: FenceEntry[]) => utf8Length(JSON.stringify(root));

/** Where `key` lies by a plain scan: the last block whose first key is not after it. */
function expected(all: FenceEntry[], key: string): FenceEntry | undefined {
  let found: FenceEntry | undefined;
  for (const b of all) if (b[0] <= key) found = b;
  return found;
}

async function write(name: string, all: FenceEntry[], root?: number, node?: number) {
  const built = buildFenceTree(all, root, node);
  const key = `fence-tree-test/${name}`;
  if (built.nodes) await env.ARTIFACTS.put(key, built.nodes);
  return { ...built, index: new FenceIndex(env.ARTIFACTS, key, built.tree) };
}

describe("fence trees", () => {
  it("keeps fences that fit as they are, and writes nothing", async () => {
    const all = blocks(50, () => 10);
    const { tree, nodes } = buildFenceTree(all);
    expect(tree).toEqual({ levels: 0, root: all });
    expect(nodes).toBe("");
    await writeFenceTree(env.ARTIFACTS, "fence-tree-test/small", all);
    expect(await env.ARTIFACTS.head("fence-tree-test/small")).toBeNull();
  });

  for (const [name, n, len, root, node] of [
    ["usual keys, usual sizes", 5000, () => 24, undefined, undefined],
    ["4 KiB keys", 600, () => 4096, undefined, undefined],
    ["keys of every length, tiny nodes (many levels)", 700, (i: number) => 1 + ((i * 37) % 300), 512, 256],
  ] as const) {
    it(`finds every key's block and walks the blocks in order: ${name}`, async () => {
      const all = blocks(n, len);
      const { tree, nodes, index } = await write(name.replace(/\W+/g, "-"), all, root, node);
      expect(tree.levels).toBeGreaterThan(0);
      // The root fits, or holds two fences; each level at most halves the one below.
      expect(rootBytes(tree.root) <= (root ?? FENCE_ROOT_BYTES) || tree.root.length <= 2).toBe(true);
      expect(tree.levels).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
      // Every node: at most FENCE_NODE_BYTES, or two lines.
      const lines = nodes.split("\n").filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      expect(Math.max(...lines.map((l) => utf8Length(l) + 1))).toBeLessThanOrEqual(Math.max(node ?? FENCE_NODE_BYTES, 2 * (Math.max(...all.map((b) => utf8Length(b[0]))) + 40)));

      for (let i = 0; i < n; i += n > 1000 ? 7 : 1) {
        const [key] = all[i]!;
        expect((await index.find(key))?.block, key).toEqual(all[i]);
        // A key just after a block's first sorts into that block.
        expect((await index.find(key + "\u0000"))?.block).toEqual(all[i]);
      }
      expect(await index.find("a")).toBeUndefined();
      expect((await index.find("\uffff"))?.block).toEqual(all[n - 1]);
      for (const probe of ["k0001", "k000100", "k0003999", "k9"]) expect((await index.find(probe))?.block).toEqual(expected(all, probe));

      const walked: FenceEntry[] = [];
      for (let at = await index.first(); at; at = await index.next(at)) walked.push(at.block);
      expect(walked).toEqual(all);
      // From the middle on, too.
      const from = await index.find(all[Math.floor(n / 2)]![0]);
      const rest: FenceEntry[] = [];
      for (let at = from; at; at = await index.next(at)) rest.push(at.block);
      expect(rest).toEqual(all.slice(Math.floor(n / 2)));
    });
  }

  it("an empty list finds nothing", async () => {
    const { index } = await write("empty", []);
    expect(await index.find("x")).toBeUndefined();
    expect(await index.first()).toBeUndefined();
  });
});

// Review of fences of fences (hostile keys, small trees, walks across node boundaries).
describe("fence trees, hostile keys and small trees", () => {
  /** Blocks of the given first keys (sorted as the derivation sorts: JS string order), each 10 bytes. */
  const blocksOf = (keys: string[]): FenceEntry[] => withLengths([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k, i) => [k, i * 10] as const), keys.length * 10);

  async function expectAllFound(name: string, all: FenceEntry[], root?: number, node?: number) {
    const { tree, nodes, index } = await write(name, all, root, node);
    for (const b of all) expect((await index.find(b[0]))?.block, JSON.stringify(b[0])).toEqual(expected(all, b[0]));
    const walked: FenceEntry[] = [];
    for (let at = await index.first(); at; at = await index.next(at)) walked.push(at.block);
    expect(walked).toEqual(all);
    // From every block on, the walk lists the rest once each (across node boundaries and up to the last).
    for (let i = 0; i < all.length; i += Math.max(1, Math.floor(all.length / 40))) {
      const rest: FenceEntry[] = [];
      for (let at = await index.find(all[i]![0]); at; at = await index.next(at)) rest.push(at.block);
      expect(rest, `from ${i}`).toEqual(all.slice(all.findIndex((b) => b[0] === all[i]![0] && b === expected(all, all[i]![0]))));
    }
    return { tree, nodes, index };
  }

  it("keys with tabs, newlines, quotes, control characters, lone and paired surrogates, U+2028 and the empty key", async () => {
    const odd = ["", "\t", "\n", "a\tb", "a\nb", 'q"uote', "back\\slash", "\u0001ctl", "\u007f", "\u2028line", "\ud800lone", "lone\udfff", "😀pair", "\uffff", "Ｆｕｌｌ", "é"];
    const keys = [...odd, ...Array.from({ length: 200 }, (_, i) => `k${i}\t${"\n".repeat(i % 5)}${"x".repeat(i % 50)}`)];
    const all = blocksOf(keys);
    const { tree, nodes } = await expectAllFound("odd-keys", all, 256, 128);
    expect(tree.levels).toBeGreaterThan(1);
    // Every node line is JSON key, offset, length: no raw tab or newline of a key splits it.
    for (const line of nodes.split("\n").filter(Boolean)) expect(line.split("\t")).toHaveLength(3);
    // The written object's bytes are what the offsets say (lone surrogates are escaped by JSON.stringify, not replaced).
    expect((await env.ARTIFACTS.get("fence-tree-test/odd-keys"))!.size).toBe(utf8Length(nodes));
  });

  it("three blocks of huge keys: two levels of two and one, and the walk crosses from the first node to the lone last one", async () => {
    const all = blocksOf(["a", "b", "c"].map((c) => c + "z".repeat(4000)));
    const { tree } = await expectAllFound("three-huge", all);
    expect(tree.levels).toBe(1);
    expect(tree.root).toHaveLength(2);
    expect(tree.root[1]![0]).toBe(all[2]![0]);
  });

  for (const n of [1, 2, 4, 5, 7, 9, 17]) {
    it(`${n} blocks of huge keys (root of at most two, every block found and walked)`, async () => {
      const all = blocksOf(Array.from({ length: n }, (_, i) => String.fromCharCode(97 + i) + "q".repeat(5000)));
      const { tree } = await expectAllFound(`huge-${n}`, all);
      expect(tree.root.length).toBeLessThanOrEqual(Math.max(2, n <= 1 ? 1 : 2));
      if (n <= 2) expect(tree.levels).toBe(0);
      expect(await (await write(`huge-${n}`, all)).index.find("0")).toBeUndefined();
    });
  }

  it("equal first keys across blocks: a key finds the last of them, as the flat list did, and the walk lists each once", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `dup${String(Math.floor(i / 3)).padStart(3, "0")}`);
    const all = withLengths(keys.map((k, i) => [k, i * 10] as const), keys.length * 10);
    const { index } = await write("dups", all, 256, 128);
    for (const k of new Set(keys)) expect((await index.find(k))?.block).toEqual(expected(all, k));
    const walked: FenceEntry[] = [];
    for (let at = await index.first(); at; at = await index.next(at)) walked.push(at.block);
    expect(walked).toEqual(all);
  });

  it("JS string order (UTF-16 units), which the derivation sorts by: a supplementary character sorts before U+FFxx", async () => {
    // Byte order would put U+FF21 before U+1F600; the derivation's sorters and the tree compare UTF-16 units.
    const all = blocksOf(Array.from({ length: 120 }, (_, i) => (i % 2 ? "\uff21" : "😀") + String(i).padStart(3, "0")));
    expect(all[0]![0].startsWith("😀")).toBe(true);
    await expectAllFound("utf16-order", all, 128, 96);
  });
});

describe("fence tree reads", () => {
  it("a lookup reads one node a level, each at most FENCE_NODE_BYTES or two lines, and a second lookup of the same path none", async () => {
    const all = blocks(3000, (i) => 200 + (i % 7) * 300);
    const { tree, nodes } = buildFenceTree(all);
    expect(tree.levels).toBeGreaterThan(1);
    const key = `fence-tree-test/reads-${Math.random()}`;
    await env.ARTIFACTS.put(key, nodes);
    const reads: Array<{ offset: number; length: number }> = [];
    const bucket = new Proxy(env.ARTIFACTS, {
      get(target, prop) {
        if (prop === "get") return (k: string, o?: R2GetOptions) => (reads.push(o!.range as { offset: number; length: number }), target.get(k, o));
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const index = new FenceIndex(bucket, key, tree);
    const longest = Math.max(...all.map((b) => utf8Length(JSON.stringify(b[0]))));
    for (const probe of [all[0]![0], all[1777]![0] + "x", all[2999]![0]]) {
      reads.length = 0;
      expect((await index.find(probe))?.block).toEqual(expected(all, probe));
      // One node a level (fewer when the isolate kept the upper ones from an earlier lookup).
      if (probe === all[0]![0]) expect(reads).toHaveLength(tree.levels);
      else expect(reads.length).toBeLessThanOrEqual(tree.levels);
      for (const r of reads) expect(r.length).toBeLessThanOrEqual(Math.max(FENCE_NODE_BYTES, 2 * (longest + 24)));
      reads.length = 0;
      await index.find(probe);
      expect(reads).toHaveLength(0);
    }
  });
});

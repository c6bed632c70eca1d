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

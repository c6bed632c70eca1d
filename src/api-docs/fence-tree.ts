// Fences of fences: how a reader finds the block of a sorted object (index.tsv, nav-modules.tsv,
// search-trigrams.tsv) that holds a key, reading a bounded amount whatever the object's size and its keys'
// length.
//
// A fence is [the block's first key, its byte offset, its byte length]. A head (manifest.json, nav-head.json,
// search-head.json) used to list every block's fence, so it grew with the object: ~100 KiB of manifest at
// 80,000 resources, and megabytes for a hostile schema's 4 KiB keys. Now, when the fences take more than
// FENCE_ROOT_BYTES, they are grouped into nodes of about FENCE_NODE_BYTES (at least two fences each), the
// nodes written one after another to an object of their own (`*-fences.tsv`), and the nodes' own fences
// grouped again, until one level fits: that level, the root, is what the head keeps. Each level has at most
// half the entries of the one below, so a lookup reads at most log2 of the blocks' count of nodes (one or
// two for usual keys), each at most FENCE_NODE_BYTES or two fences, and keeps them (derived-cache.ts).
//
// A head whose fences fit keeps them as earlier releases wrote them (`levels` 0, no object): small packages'
// docs are byte for byte what they were, and docs derived before this change read the same way.
import { readImmutable } from "./derived-cache";
import { contentText, utf8Length } from "./utf8";

/** [first key of a block, its byte offset, its byte length]. */
export type FenceEntry = [key: string, offset: number, length: number];

export interface FenceTree {
  /** Levels of nodes in the fences object below the root: 0 when the root's entries are the blocks themselves. */
  levels: number;
  root: FenceEntry[];
}

/** The root's fences, as JSON, at most this many bytes (or two fences). */
export const FENCE_ROOT_BYTES = 8 * 1024;
/** A node's lines at most this many bytes (or two lines). */
export const FENCE_NODE_BYTES = 8 * 1024;

const lineOf = ([key, offset, length]: FenceEntry) => `${JSON.stringify(key)}\t${offset}\t${length}\n`;

function parseNode(text: string): FenceEntry[] {
  const out: FenceEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const [key, offset, length] = line.split("\t");
    out.push([JSON.parse(key!) as string, Number(offset), Number(length)]);
  }
  return out;
}

/** Fences given by start offset only (as heads store them): each block ends where the next starts, the last at `end`. */
export function withLengths(starts: ReadonlyArray<readonly [string, number]>, end: number): FenceEntry[] {
  return starts.map(([key, offset], i) => [key, offset, (i + 1 < starts.length ? starts[i + 1]![1] : end) - offset]);
}

/** A head's fences as stored: their list while it fits the root (no tree object), else none and the tree's root. */
export function storedFences<F>(tree: FenceTree, fences: F[]): { fences: F[]; fenceTree?: FenceTree } {
  return tree.levels ? { fences: [], fenceTree: tree } : { fences };
}

const headTrees = new WeakMap<object, FenceTree>();
/**
 * A head's fences as a tree: its own `fenceTree`, or (fences that fit, and heads written before trees) its list
 * of block starts with each block's length, worked out once per head object (the isolate keeps heads).
 */
export function treeOfHead(head: { fenceTree?: FenceTree }, starts: () => ReadonlyArray<readonly [string, number]>, end: number): FenceTree {
  if (head.fenceTree) return head.fenceTree;
  let tree = headTrees.get(head);
  if (!tree) headTrees.set(head, (tree = { levels: 0, root: withLengths(starts(), end) }));
  return tree;
}

/**
 * The tree over `blocks` (in key order): its root, and the text of the fences object (empty when the blocks'
 * own fences fit in the root). Pure, so both derivations (whole and in steps) write the same bytes.
 */
export function buildFenceTree(blocks: FenceEntry[], rootBytes = FENCE_ROOT_BYTES, nodeBytes = FENCE_NODE_BYTES): { tree: FenceTree; nodes: string } {
  const parts: string[] = [];
  let offset = 0;
  let level = blocks;
  let levels = 0;
  const jsonBytes = (entries: FenceEntry[]) => entries.reduce((n, e) => n + utf8Length(JSON.stringify(e)) + 1, 1);
  while (level.length > 2 && jsonBytes(level) > rootBytes) {
    const up: FenceEntry[] = [];
    let node: string[] = [];
    let nodeLength = 0;
    let first = "";
    const close = () => {
      parts.push(...node);
      up.push([first, offset, nodeLength]);
      offset += nodeLength;
      node = [];
      nodeLength = 0;
    };
    for (const entry of level) {
      const line = lineOf(entry);
      const length = utf8Length(line);
      if (node.length >= 2 && nodeLength + length > nodeBytes) close();
      if (!node.length) first = entry[0];
      node.push(line);
      nodeLength += length;
    }
    if (node.length) close();
    level = up;
    levels++;
  }
  return { tree: { levels, root: level }, nodes: parts.join("") };
}

/** Writes the fences object `key` when the blocks' fences do not fit a root (else nothing); the tree a head keeps. */
export async function writeFenceTree(bucket: R2Bucket, key: string, blocks: FenceEntry[]): Promise<FenceTree> {
  const { tree, nodes } = buildFenceTree(blocks);
  if (nodes) await bucket.put(key, nodes, { httpMetadata: { contentType: "text/tab-separated-values; charset=utf-8" } });
  return tree;
}

/** Where a reader stands: the entries it read at each level, root first, and its index in each. */
export interface FencePosition {
  block: FenceEntry;
  path: Array<{ entries: FenceEntry[]; i: number }>;
}

/** The last entry whose key is not after `key`; -1 when `key` sorts before them all. */
function lastAtOrBefore(entries: FenceEntry[], key: string): number {
  let lo = 0;
  let hi = entries.length - 1;
  if (hi < 0 || key < entries[0]![0]) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (entries[mid]![0] <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Reads a fence tree: `key` is the fences object (read by range, each node kept by the isolate). */
export class FenceIndex {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly key: string,
    readonly tree: FenceTree,
  ) {}

  private async node([, offset, length]: FenceEntry): Promise<FenceEntry[]> {
    const entries = await readImmutable(this.bucket, this.key, async (o) => parseNode(await contentText(o)), { offset, length });
    if (!entries) throw new Error(`derived docs object ${this.key} is missing`);
    return entries;
  }

  private async descend(path: FencePosition["path"], pick: (entries: FenceEntry[]) => number): Promise<FencePosition | undefined> {
    for (let h = this.tree.levels - path.length; ; h--) {
      const above = path[path.length - 1];
      const entries = above ? await this.node(above.entries[above.i]!) : this.tree.root;
      const i = pick(entries);
      if (i < 0 || i >= entries.length) return undefined;
      path.push({ entries, i });
      if (h === 0) return { block: entries[i]!, path };
    }
  }

  /** The block whose first key is the last not after `key`: the one that holds `key` if any does. */
  find(key: string): Promise<FencePosition | undefined> {
    return this.descend([], (entries) => lastAtOrBefore(entries, key));
  }

  /** The first block. */
  first(): Promise<FencePosition | undefined> {
    return this.descend([], () => 0);
  }

  /** The block after `at`'s, undefined past the last. */
  async next(at: FencePosition): Promise<FencePosition | undefined> {
    for (let d = at.path.length - 1; d >= 0; d--) {
      const { entries, i } = at.path[d]!;
      if (i + 1 >= entries.length) continue;
      const path = [...at.path.slice(0, d), { entries, i: i + 1 }];
      if (d === at.path.length - 1) return { block: entries[i + 1]!, path };
      return this.descend(path, () => 0);
    }
    return undefined;
  }
}

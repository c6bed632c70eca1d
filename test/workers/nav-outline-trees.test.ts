// review-fences: what pages know of a version's modules when nav-head.json keeps only the root of its fences'
// tree (src/api-docs/nav-outline.ts over src/api-docs/fence-tree.ts), on real R2: blocks of nav-modules.tsv cut
// by count and by bytes, a tree of several levels, and the answers of `find`, `under` and `after` — and an `after`
// continuation over every module — the same as from the whole summary.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { NAV_BLOCK_BYTES, NAV_MODULE_FENCE, navModuleLine, type NavHead, type NavSummary } from "../../src/api-docs/derive";
import { buildFenceTree, withLengths } from "../../src/api-docs/fence-tree";
import { outlineOfHead, outlineOfSummary, type NavOutline } from "../../src/api-docs/nav-outline";
import { utf8Length } from "../../src/api-docs/utf8";

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function summaryOf(names: string[]): NavSummary {
  return { naming: [10, 20], modules: [...names].sort(byString).map((name, i) => ({ name, resources: 1 + (i % 3), functions: i % 2, range: [100 + i * 50, 50] })) };
}

/**
 * nav-modules.tsv and nav-head.json as writeNavObjects writes them (a block every NAV_MODULE_FENCE modules or
 * NAV_BLOCK_BYTES), with `first` modules in the head and the fences' tree built with small roots and nodes so a
 * few hundred modules make several levels. Counts the range reads of each object.
 */
async function headOf(prefix: string, summary: NavSummary, first: number, treeBytes = 300) {
  let tsv = "";
  let offset = 0;
  let since = NAV_MODULE_FENCE;
  const fences: NavHead["fences"] = [];
  for (const m of summary.modules) {
    if (since >= NAV_MODULE_FENCE || offset - fences[fences.length - 1]![1] >= NAV_BLOCK_BYTES) {
      fences.push([m.name, offset]);
      since = 0;
    }
    since++;
    const line = navModuleLine(m);
    offset += utf8Length(line);
    tsv += line;
  }
  const { tree, nodes } = buildFenceTree(withLengths(fences, offset), treeBytes, treeBytes);
  await env.ARTIFACTS.put(prefix + "nav-modules.tsv", tsv);
  if (nodes) await env.ARTIFACTS.put(prefix + "nav-fences.tsv", nodes);
  const head: NavHead = {
    format: 1,
    modules: summary.modules.length,
    resources: summary.modules.reduce((n, m) => n + m.resources, 0),
    functions: summary.modules.reduce((n, m) => n + m.functions, 0),
    naming: summary.naming!,
    span: [100, summary.modules.length * 50],
    first: summary.modules.slice(0, first),
    ...(tree.levels ? { fences: [], fenceTree: tree } : { fences }),
    linesBytes: offset,
  };
  const reads: string[] = [];
  const bucket = new Proxy(env.ARTIFACTS, {
    get(target, prop) {
      if (prop === "get") return (key: string, options?: R2GetOptions) => (reads.push(key), target.get(key, options));
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { head, tree, blocks: fences, reads, outline: outlineOfHead(bucket, prefix, head) };
}

/** Every module after `from` by following `after` pages of at most `max`, as the JSON nav's modulesNextUrl does. */
async function follow(outline: NavOutline, from: string, max: number): Promise<string[]> {
  const out: string[] = [];
  let after = from;
  for (let pages = 0; pages < 10_000; pages++) {
    const { modules, more } = await outline.after(after, max);
    out.push(...modules.map((m) => m.name));
    if (!more) return out;
    // A page that says `more` lists at least one module (else its continuation could not go on).
    expect(modules.length, `after ${after}`).toBeGreaterThan(0);
    after = modules[modules.length - 1]!.name;
  }
  throw new Error("no end");
}

// Short names, runs of 2,000-character names (blocks cut at 16 KiB: ~8 modules), a module exactly at the start of
// the block after a long run, and neighbours of `a/…` that sort between `a` and its children.
const LONG = (p: string, i: number) => `${p}${String(i).padStart(3, "0")}${"L".repeat(2000)}`;
const NAMES = [
  ...Array.from({ length: 150 }, (_, i) => `k${String(i).padStart(4, "0")}`),
  ...Array.from({ length: 40 }, (_, i) => LONG("long/", i)),
  "a",
  "a-x",
  "a.b",
  ...Array.from({ length: 150 }, (_, i) => `a/m${String(i).padStart(3, "0")}`),
  ...Array.from({ length: 30 }, (_, i) => LONG("a/long", i)),
  "a/m007/deep",
  "a0",
  "b/only/child",
  "long0",
  "ü-module",
  "😀",
  "\uff21",
];

describe("nav outline over a fences tree", () => {
  it("builds a tree of several levels over blocks cut by count and by bytes", async () => {
    const { tree, blocks } = await headOf(`navtree/shape-${Math.random()}/`, summaryOf(NAMES), 3);
    expect(tree.levels).toBeGreaterThan(1);
    // Some blocks hold NAV_MODULE_FENCE modules, the long names' fewer.
    const starts = new Set(blocks.map(([name]) => name));
    const sorted = summaryOf(NAMES).modules.map((m) => m.name);
    const sizes = blocks.map(([name], i) => (i + 1 < blocks.length ? sorted.indexOf(blocks[i + 1]![0]) : sorted.length) - sorted.indexOf(name));
    expect(Math.max(...sizes)).toBe(NAV_MODULE_FENCE);
    expect(Math.min(...sizes)).toBeLessThan(10);
    expect(starts.size).toBe(blocks.length);
  });

  for (const first of [0, 3, 200]) {
    it(`find, under and after answer as the whole summary does (head of ${first} first modules)`, async () => {
      const summary = summaryOf(NAMES);
      const whole = outlineOfSummary(summary);
      const { outline, blocks } = await headOf(`navtree/same-${first}-${Math.random()}/`, summary, first);
      const names = summary.modules.map((m) => m.name);
      for (const group of [["a"], ["a/m007/deep", "k0149", "missing"], ["ü-module", "a0", "a-x", "😀", "\uff21"], [LONG("long/", 39), LONG("a/long", 0), "long0"], ["", "\uffff"]]) {
        expect(await outline.find(group), group.join().slice(0, 40)).toEqual(await whole.find(group));
      }
      // Each block's first module, and names just before and after it.
      for (const [start] of blocks) for (const name of [start, start.slice(0, -1), start + "\u0000"]) expect(await outline.find([name])).toEqual(await whole.find([name]));
      for (const [name, max] of [["a", 400], ["a", 300], ["a", 180], ["a", 151], ["a", 150], ["a/m007", 10], ["b", 10], ["b/only", 5], ["k0001", 3], ["nothing", 3], ["long", 45], ["long", 40], ["long", 39]] as const) {
        const got = await outline.under(name, max);
        const want = await whole.under(name, max);
        // Blocks cut short by bytes may list fewer (and then say there are more), never others or out of order.
        expect(want.modules.slice(0, got.modules.length), `${name} ${max}`).toEqual(got.modules);
        if (got.modules.length < want.modules.length) expect(got.more, `${name} ${max}`).toBe(true);
        else expect(got, `${name} ${max}`).toEqual(want);
      }
      // after: from every block start, and from names between modules; then every module once by continuation.
      for (const from of [...blocks.map(([n]) => n), "", "a", "a/", "a/m149", LONG("long/", 7), "long", "zzz", "\uffff"]) {
        const got = await outline.after(from, 50);
        const want = await whole.after(from, 50);
        expect(want.modules.slice(0, got.modules.length), from.slice(0, 20)).toEqual(got.modules);
        if (got.modules.length < want.modules.length) expect(got.more).toBe(true);
        else expect(got.more, from.slice(0, 20)).toBe(want.more);
      }
      for (const max of [1, 7, 128, 300]) expect(await follow(outline, "", max), `max ${max}`).toEqual(names);
      expect(await follow(outline, names[100]!, 300)).toEqual(names.slice(101));
    });
  }

  // Blocks cut by bytes hold fewer modules: `under` reads at most the blocks 300 usual names take and says `more`
  // when it stopped there. When the last block it read ends with the module's last child, the next block's first
  // name (in the fences, not read) already says there is none past them.
  it("under: no `more` when the next unread block starts past the module's children", async () => {
    const mismatched: number[] = [];
    for (let n = 20; n <= 45; n++) {
      const names = ["p", ...Array.from({ length: n }, (_, i) => `p/x${String(i).padStart(3, "0")}${"L".repeat(2000)}`), ...Array.from({ length: 200 }, (_, i) => `q${String(i).padStart(3, "0")}`)];
      const summary = summaryOf(names);
      const { outline } = await headOf(`navtree/under-${n}-${Math.random()}/`, summary, 0, 8 * 1024);
      const got = await outline.under("p", 300);
      const want = await outlineOfSummary(summary).under("p", 300);
      expect(want.modules.slice(0, got.modules.length)).toEqual(got.modules);
      if (got.modules.length === want.modules.length && got.more !== want.more) mismatched.push(n);
    }
    expect(mismatched).toEqual([]);
  });
});

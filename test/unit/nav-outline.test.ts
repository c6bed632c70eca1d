// What pages know of a version's modules from nav-head.json (src/api-docs/nav-outline.ts): modules found by
// name and by ancestor through nav-modules.tsv blocks, the same answers as from the whole summary, and
// only the blocks needed read.
import { describe, expect, it } from "vitest";
import { NAV_MODULE_FENCE, navModuleLine, type NavHead, type NavSummary } from "../../src/api-docs/derive";
import { outlineOfHead, outlineOfSummary } from "../../src/api-docs/nav-outline";

/** A summary of `names` (sorted as the derivation sorts them), each module 1 resource, with made-up ranges. */
function summaryOf(names: string[]): NavSummary {
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { naming: [10, 20], modules: sorted.map((name, i) => ({ name, resources: 1 + (i % 3), functions: i % 2, range: [100 + i * 50, 50] })) };
}

/** The head and nav-modules.tsv the derivation writes for `summary` (derive.ts's writeNavObjects), with `first` modules in the head. */
function headOf(summary: NavSummary, first: number) {
  let tsv = "";
  const fences: NavHead["fences"] = [];
  summary.modules.forEach((m, i) => {
    if (i % NAV_MODULE_FENCE === 0) fences.push([m.name, new TextEncoder().encode(tsv).byteLength]);
    tsv += navModuleLine(m);
  });
  const head: NavHead = {
    format: 1,
    modules: summary.modules.length,
    resources: summary.modules.reduce((n, m) => n + m.resources, 0),
    functions: summary.modules.reduce((n, m) => n + m.functions, 0),
    naming: summary.naming!,
    span: [100, summary.modules.length * 50],
    first: summary.modules.slice(0, first),
    fences,
    linesBytes: new TextEncoder().encode(tsv).byteLength,
  };
  const gets: string[] = [];
  const bucket = {
    async get(key: string, options?: { range?: { offset: number; length: number } }) {
      const r = options!.range!;
      gets.push(`${key}@${r.offset}+${r.length}`);
      const part = new TextEncoder().encode(tsv).slice(r.offset, r.offset + r.length);
      return { size: tsv.length, text: async () => new TextDecoder().decode(part), arrayBuffer: async () => part.buffer };
    },
  } as unknown as R2Bucket;
  return { head, bucket, gets };
}

// Modules that sort between `a` and `a/…` ("a-x", "a.b"), deep descendants, and many others around them.
const NAMES = [
  ...Array.from({ length: 700 }, (_, i) => `k${String(i).padStart(4, "0")}`),
  "a",
  "a-x",
  "a.b",
  ...Array.from({ length: 300 }, (_, i) => `a/m${String(i).padStart(3, "0")}`),
  "a/m007/deep",
  "a0",
  "b/only/child",
  "ü-module",
];

describe("nav outline from nav-head.json", () => {
  it("finds modules and a module's descendants as the whole summary does, past the head's first modules", async () => {
    const summary = summaryOf(NAMES);
    const whole = outlineOfSummary(summary);
    // Several heads: every module in the head, and a head of the first 3 (the rest through blocks); run twice with fresh prefixes.
    for (const [i, first] of [summary.modules.length, 3, 300].entries()) {
      const { head, bucket } = headOf(summary, first);
      const outline = outlineOfHead(bucket, `p${i}-${Math.random()}/`, head);
      expect([outline.modules, outline.resources, outline.functions]).toEqual([whole.modules, whole.resources, whole.functions]);
      for (const names of [["a"], ["a/m007/deep", "k0699", "missing"], ["ü-module", "a0", "a-x"], ["b/only"]]) expect(await outline.find(names), names.join()).toEqual(await whole.find(names));
      for (const [name, max] of [["a", 400], ["a", 300], ["a/m007", 10], ["b", 10], ["b/only", 5], ["k0001", 3], ["nothing", 3], ["a", 20]] as const) {
        expect(await outline.under(name, max), `${name} ${max} (head of ${first})`).toEqual(await whole.under(name, max));
      }
    }
  });

  it("reads one block of nav-modules.tsv to find one module past the head's, and nothing for one in it", async () => {
    const summary = summaryOf(NAMES);
    const { head, bucket, gets } = headOf(summary, 300);
    const outline = outlineOfHead(bucket, `q-${Math.random()}/`, head);
    expect(await outline.find([summary.modules[5]!.name])).toHaveLength(1);
    expect(gets).toEqual([]);
    expect(await outline.find(["k0650"])).toHaveLength(1);
    expect(gets).toHaveLength(1);
    const [, , length] = /@(\d+)\+(\d+)$/.exec(gets[0]!)!.map(Number);
    expect(length).toBeLessThanOrEqual(NAV_MODULE_FENCE * 40);
  });
});

describe("nav-modules.tsv lines", () => {
  // review-fences: docs derived before modules holding a tab were left out of the navigation may have such lines.
  it("a line of other than 5 or 7 fields, or fields that are not counts, is no module", async () => {
    const { parseNavModuleLine } = await import("../../src/api-docs/derive");
    expect(parseNavModuleLine("m\t1\t2\t30\t40\t50\t60")).toEqual({ name: "m", resources: 1, functions: 2, range: [30, 40], members: [50, 60] });
    expect(parseNavModuleLine("m\t1\t2\t30\t40")).toEqual({ name: "m", resources: 1, functions: 2, range: [30, 40] });
    for (const line of ["m355\t7\t7\t0\t99999999\t1\t0\t30\t40\t50\t60", "m350\tx\t1\t0\t30\t40\t50\t60", "m\tx\t1\t30\t40", "m\t1\t2\t30\t-4", "m\t1\t2\t30", ""]) {
      expect(parseNavModuleLine(line), line).toBeUndefined();
    }
  });
});

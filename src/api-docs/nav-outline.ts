// What the API pages know of a version's modules without reading them all: totals, the first modules,
// and a lookup of named modules (and of a module's descendants) by range reads of nav-modules.tsv
// blocks, from nav-head.json (bounded whatever the package: derive.ts's NavHead). Docs derived before
// nav-head.json existed answer the same from nav-summary.json, read whole as those releases did.
import { NAV_MODULE_FENCE, parseNavModuleLine, type NavHead, type NavSummary } from "./derive";
import { readImmutable } from "./derived-cache";
import { FenceIndex, treeOfHead, type FenceEntry } from "./fence-tree";
import type { Range } from "./storage";
import { contentText } from "./utf8";

export type ModuleLine = NavSummary["modules"][number];

export interface NavOutline {
  /** Modules, resources and functions in all. */
  modules: number;
  resources: number;
  functions: number;
  /** Where nav.json's naming options and name overrides lie (absent before they were kept). */
  naming?: Range;
  overrides?: Range;
  /** The modules' objects in nav.json, one span from the first `{` to the last `}` (when ranges are known). */
  span?: Range;
  /** The first NAV_HEAD_MODULES modules, in order (docs without nav-head.json: every module). */
  first: ModuleLine[];
  /** The modules named that exist, in order (each block of nav-modules.tsv they need read once). */
  find(names: readonly string[]): Promise<ModuleLine[]>;
  /** The block of nav-modules.tsv `find` reads for module `name` (its offset); -1 when it reads none (the first modules, or no blocks). */
  blockOf(name: string): Promise<number>;
  /** Module `name` and the modules under it (`name/…`), in order, at most `max`; `more` when there are others past them. */
  under(name: string, max: number): Promise<{ modules: ModuleLine[]; more: boolean }>;
  /** The modules whose names sort after `name`, in order, at most `max`; `more` when there are others past them. */
  after(name: string, max: number): Promise<{ modules: ModuleLine[]; more: boolean }>;
}

const afterIn = (modules: readonly ModuleLine[], name: string, max: number) => {
  const shown = modules.filter((m) => m.name > name);
  return { modules: shown.slice(0, max), more: shown.length > max };
};

const isUnder = (name: string) => (m: ModuleLine) => m.name === name || m.name.startsWith(name + "/");

/** Docs derived before nav-head.json: the whole summary, as those releases read it. */
export function outlineOfSummary(summary: NavSummary): NavOutline {
  const { modules } = summary;
  const first = modules[0]?.range;
  const last = modules[modules.length - 1]?.range;
  const ranged = modules.every((m) => m.range);
  return {
    modules: modules.length,
    resources: modules.reduce((n, m) => n + m.resources, 0),
    functions: modules.reduce((n, m) => n + m.functions, 0),
    ...(summary.naming ? { naming: summary.naming } : {}),
    ...(summary.overrides ? { overrides: summary.overrides } : {}),
    ...(ranged && first && last ? { span: [first[0], last[0] + last[1] - first[0]] as Range } : {}),
    first: modules,
    find: async (names) => modules.filter((m) => names.includes(m.name)),
    under: async (name, max) => {
      const shown = modules.filter(isUnder(name));
      return { modules: shown.slice(0, max), more: shown.length > max };
    },
    after: async (name, max) => afterIn(modules, name, max),
    blockOf: async () => -1,
  };
}

/** The head's first modules with their lines of nav-members.tsv, worked out once per head (the isolate keeps the head object). */
const withMembers = new WeakMap<NavHead, ModuleLine[]>();
function firstWithMembers(head: NavHead): ModuleLine[] {
  const at = head.membersAt;
  if (!at) return head.first;
  let first = withMembers.get(head);
  if (!first) withMembers.set(head, (first = head.first.map((m, i): ModuleLine => ({ ...m, members: [at[i]!, at[i + 1]! - at[i]!] }))));
  return first;
}

/** From nav-head.json: every lookup reads nav-modules.tsv blocks by range, found through the fences' tree (each read kept by the isolate, derived-cache.ts). */
export function outlineOfHead(bucket: R2Bucket, prefix: string, head: NavHead): NavOutline {
  const key = prefix + "nav-modules.tsv";
  const fences = new FenceIndex(bucket, prefix + "nav-fences.tsv", treeOfHead(head, () => head.fences, head.linesBytes));
  const block = async ([, offset, length]: FenceEntry): Promise<ModuleLine[]> => {
    const lines = await readImmutable(bucket, key, async (o) => (await contentText(o)).split("\n").flatMap((l) => parseNavModuleLine(l) ?? []), { offset, length });
    if (!lines) throw new Error(`derived docs object ${key} is missing`);
    return lines;
  };
  const first = firstWithMembers(head);
  const inFirst = (name: string) => head.first.length === head.modules || (head.first.length > 0 && name <= head.first[head.first.length - 1]!.name);
  /**
   * Reads blocks from the one `from` would be in (the first when it sorts before them), at most those `max` + 1
   * modules fill at NAV_MODULE_FENCE a block, while `take` asks for more: `true` when `take` stopped it, else the
   * first module name of the next block not read (its fence: known without reading it), undefined past the last.
   */
  const scan = async (from: string, max: number, take: (m: ModuleLine) => boolean): Promise<true | string | undefined> => {
    const blocksMax = Math.ceil((max + 1) / NAV_MODULE_FENCE) + 1;
    let at = (await fences.find(from)) ?? (await fences.first());
    for (let read = 0; at && read < blocksMax; read++, at = await fences.next(at)) {
      for (const m of await block(at.block)) if (!take(m)) return true;
    }
    return at?.block[0];
  };
  return {
    modules: head.modules,
    resources: head.resources,
    functions: head.functions,
    naming: head.naming,
    ...(head.overrides ? { overrides: head.overrides } : {}),
    span: head.span,
    first,
    async find(names) {
      // Names grouped by block, so names of one block cost one read of it (concurrent reads are not shared).
      const byBlock = new Map<number, { block: FenceEntry; wanted: Set<string> }>();
      const found: Array<ModuleLine | undefined> = [];
      for (const name of new Set(names)) {
        if (inFirst(name)) found.push(first.find((m) => m.name === name));
        else {
          const at = await fences.find(name);
          if (!at) continue;
          const group = byBlock.get(at.block[1]);
          if (group) group.wanted.add(name);
          else byBlock.set(at.block[1], { block: at.block, wanted: new Set([name]) });
        }
      }
      const blocks = await Promise.all([...byBlock.values()].map(async ({ block: b, wanted }) => ({ lines: await block(b), wanted })));
      for (const { lines, wanted } of blocks) found.push(...lines.filter((m) => wanted.has(m.name)));
      return found.filter((m): m is ModuleLine => !!m).sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    async blockOf(name) {
      if (inFirst(name)) return -1;
      return (await fences.find(name))?.block[1] ?? -1;
    },
    async under(name, max) {
      if (head.first.length === head.modules) {
        const shown = first.filter(isUnder(name));
        return { modules: shown.slice(0, max), more: shown.length > max };
      }
      // `name/…` sorts from `name/` up to `name0` ('0' follows '/'): read blocks from there, at most enough for `max` + 1
      // (blocks cut short by NAV_BLOCK_BYTES hold fewer: the answer then lists fewer and says there are more).
      const [self] = await this.find([name]);
      const out: ModuleLine[] = self ? [self] : [];
      const end = name + "0";
      const from = name + "/";
      let past = false;
      const stop = await scan(from, max, (m) => {
        if (m.name < from) return true;
        if (m.name >= end) return !(past = true);
        out.push(m);
        return out.length <= max;
      });
      // Stopped by the blocks' count: more only if the next block starts among the module's children.
      const more = stop !== undefined && stop !== true && !past && stop < end;
      return { modules: out.slice(0, max), more: out.length > max || more };
    },
    async after(name, max) {
      if (head.first.length === head.modules) return afterIn(head.first, name, max);
      // From the block `name` would be in: at most the blocks that hold `max` + 1 modules after it.
      const out: ModuleLine[] = [];
      const stop = await scan(name, max, (m) => {
        if (m.name <= name) return true;
        out.push(m);
        return out.length <= max;
      });
      return { modules: out.slice(0, max), more: out.length > max || stop !== undefined };
    },
  };
}

/** A version's outline as the pages read it: nav-head.json, else (docs derived before it) nav-summary.json whole. */
export async function readOutline(bucket: R2Bucket, prefix: string): Promise<NavOutline> {
  const head = await readImmutable(bucket, prefix + "nav-head.json", (o) => o.json() as Promise<NavHead>);
  if (head) return outlineOfHead(bucket, prefix, head);
  const summary = await readImmutable(bucket, prefix + "nav-summary.json", (o) => o.json() as Promise<NavSummary>);
  return outlineOfSummary(summary ?? { modules: [] });
}

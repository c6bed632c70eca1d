// A schema's meta.moduleFormat is publisher input run by a backtracking engine, and format 3 runs it when a
// docs page is read (every supporting type's name): a format that backtracks exponentially, or as a high power
// of the token, must not be run. Each token below would keep the engine busy for hours if its format ran.
import { describe, expect, it } from "vitest";
import { moduleOf, typeDisplayName, type PackageNaming } from "../../src/api-docs/languages";
import { safeModuleFormat } from "../../src/api-docs/languages/tokens";

const hostile = (moduleFormat: string): PackageNaming => ({ name: "evil", language: {}, moduleFormat });
const A40 = "a".repeat(40);

describe("a hostile meta.moduleFormat", () => {
  it("is not run when a repeated group holds an alternation or a group (what the nested-quantifier check let through)", () => {
    for (const format of ["(?:a|a)*b(.*)", "(a|aa)+b(.*)", "((a)*)*b(.*)", "(?:(?:a)+)+b(.*)"]) {
      expect(safeModuleFormat(format), format).toBe(false);
      expect(moduleOf(hostile(format), `evil:${A40}:X`), format).toBe(A40);
    }
  });

  it("is not run with a run of alternations or many quantifiers", () => {
    const alternations = `${"(a|a)".repeat(38)}b(.*)`;
    const powers = "(.*)(.*)(.*)(.*)(.*)(.*)b";
    for (const format of [alternations, powers]) {
      expect(safeModuleFormat(format), format).toBe(false);
      expect(moduleOf(hostile(format), `evil:${A40}:X`)).toBe(A40);
      expect(typeDisplayName("python", hostile(format), `evil:${A40}:X`, { input: false })).toBeTypeOf("string");
    }
  });

  it("real formats still run", () => {
    for (const format of ["(.*)(?:/[^/]*)", "(.*?)(?:/[^/]*)?", "(.*)", "^(?<module>[^/]+)(?:/.*)?$", "(.*)(?:/[^/]*)$"]) expect(safeModuleFormat(format), format).toBe(true);
    expect(moduleOf(hostile("(.*)(?:/[^/]*)"), "evil:storage/buckets/object:Object")).toBe("storage/buckets");
    expect(moduleOf(hostile("^(.*?)(?:/[^/]*)?$"), "evil:compute/instance:Instance")).toBe("compute");
  });
});

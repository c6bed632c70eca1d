import compare from "semver/functions/compare";
import { describe, expect, it } from "vitest";
import { packageStatusFor, parseVersion, pickLatest } from "../../src/core/vocabulary/versions";

describe("parseVersion", () => {
  it.each(["1.0.0", "0.0.1", "1.2.3-alpha.1", "1.2.3+build.5", "1.2.3-rc.1+sha.abc", "10.20.30"])("accepts %s", (v) => {
    expect(parseVersion(v)?.raw).toBe(v);
  });

  it.each(["v1.0.0", "1.0", "1", "01.0.0", "1.0.0-01", " 1.0.0", "=1.0.0", "1.0.0 ", "", "latest", "1.0.0-", "1.0.0+"])("rejects %j", (v) => {
    expect(parseVersion(v)).toBeNull();
  });

  it("gives versions differing only in build metadata the same precedence key", () => {
    expect(typeof parseVersion("1.2.3")!.precedenceKey).toBe("string");
    expect(parseVersion("1.2.3+a")!.precedenceKey).toBe(parseVersion("1.2.3+b")!.precedenceKey);
    expect(parseVersion("1.2.3")!.precedenceKey).toBe(parseVersion("1.2.3+b")!.precedenceKey);
  });

  it("orders precedence keys exactly as SemVer precedence", () => {
    const list = [
      "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
      "0.9.9", "1.0.1", "1.10.0", "2.0.0-0", "2.0.0-1", "2.0.0-a-b", "2.0.0-a", "2.0.0-a.b", "2.0.0-a-", "2.0.0-A", "2.0.0-Z9",
      "2.0.0-9.a", "2.0.0-10", "10.0.0", "9.99.999", "1.0.0-alpha-x", "1.0.0-alpha.x",
    ];
    for (const a of list) {
      for (const b of list) {
        const ka = parseVersion(a)!.precedenceKey;
        const kb = parseVersion(b)!.precedenceKey;
        expect(Math.sign(ka < kb ? -1 : ka > kb ? 1 : 0), `${a} vs ${b}`).toBe(compare(a, b));
      }
    }
  });
});

describe("pickLatest", () => {
  const v = (s: string) => parseVersion(s)!;

  it("picks the highest release over any prerelease", () => {
    expect(pickLatest([v("1.0.0"), v("2.0.0-rc.1"), v("1.5.0")])?.raw).toBe("1.5.0");
  });

  it("picks the highest prerelease when there is no release", () => {
    expect(pickLatest([v("2.0.0-alpha"), v("2.0.0-rc.1"), v("1.0.0-beta")])?.raw).toBe("2.0.0-rc.1");
  });

  it("is undefined for no versions", () => {
    expect(pickLatest([])).toBeUndefined();
  });

  const d = (s: string) => ({ ...v(s), deprecated: true });

  it("passes over a deprecated highest release for the next non-deprecated release", () => {
    expect(pickLatest([v("1.0.0"), d("2.0.0"), v("1.5.0")])?.raw).toBe("1.5.0");
  });

  it("prefers a non-deprecated prerelease over deprecated releases", () => {
    expect(pickLatest([d("1.0.0"), v("2.0.0-rc.1"), d("1.5.0")])?.raw).toBe("2.0.0-rc.1");
  });

  it("picks by the usual rule among deprecated versions when every version is deprecated", () => {
    expect(pickLatest([d("1.0.0"), d("2.0.0-rc.1"), d("1.5.0")])?.raw).toBe("1.5.0");
  });

  it("returns to a version once it is no longer deprecated", () => {
    expect(pickLatest([v("1.0.0"), { ...v("2.0.0"), deprecated: false }])?.raw).toBe("2.0.0");
  });
});

describe("packageStatusFor", () => {
  it("marks 0.x as public_preview and the rest ga", () => {
    expect(packageStatusFor("0.3.1")).toBe("public_preview");
    expect(packageStatusFor("1.0.0")).toBe("ga");
    expect(packageStatusFor("10.0.0-rc.1")).toBe("ga");
  });
});

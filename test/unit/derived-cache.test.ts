// The isolate's cache of immutable derived docs objects: read once, ranges apart, absent objects never kept,
// oversized ones never kept, and the least recently used dropped past the byte bound.
import { describe, expect, it } from "vitest";
import { derivedCacheSize, readImmutable } from "../../src/api-docs/derived-cache";

function fakeBucket(objects: Record<string, string>) {
  const gets: string[] = [];
  const bucket = {
    async get(key: string, options?: { range?: { offset: number; length: number } }) {
      gets.push(options?.range ? `${key}@${options.range.offset}+${options.range.length}` : key);
      const text = objects[key];
      if (text === undefined) return null;
      const part = options?.range ? text.slice(options.range.offset, options.range.offset + options.range.length) : text;
      return { size: text.length, text: async () => part, json: async () => JSON.parse(part) as unknown };
    },
  };
  return { bucket: bucket as unknown as R2Bucket, gets };
}

const json = (o: R2ObjectBody) => o.json<unknown>();
const text = (o: R2ObjectBody) => o.text();

describe("derived-cache", () => {
  it("reads an object once per isolate, and each range apart", async () => {
    const { bucket, gets } = fakeBucket({ "v1/docs/nav-summary.json": '{"modules":[]}', "v1/docs/pack": "abcdefghij" });
    expect(await readImmutable(bucket, "v1/docs/nav-summary.json", json)).toEqual({ modules: [] });
    expect(await readImmutable(bucket, "v1/docs/nav-summary.json", json)).toEqual({ modules: [] });
    expect(await readImmutable(bucket, "v1/docs/pack", text, { offset: 2, length: 3 })).toBe("cde");
    expect(await readImmutable(bucket, "v1/docs/pack", text, { offset: 2, length: 3 })).toBe("cde");
    expect(await readImmutable(bucket, "v1/docs/pack", text, { offset: 0, length: 2 })).toBe("ab");
    expect(gets).toEqual(["v1/docs/nav-summary.json", "v1/docs/pack@2+3", "v1/docs/pack@0+2"]);
  });

  it("does not keep an absent object (docs derived later are seen) nor one over 256 KiB", async () => {
    const objects: Record<string, string> = {};
    const { bucket, gets } = fakeBucket(objects);
    expect(await readImmutable(bucket, "v2/docs/nav-summary.json", json)).toBeUndefined();
    objects["v2/docs/nav-summary.json"] = '{"modules":[1]}';
    expect(await readImmutable(bucket, "v2/docs/nav-summary.json", json)).toEqual({ modules: [1] });
    objects["v2/docs/big"] = "x".repeat(256 * 1024 + 1);
    await readImmutable(bucket, "v2/docs/big", text);
    await readImmutable(bucket, "v2/docs/big", text);
    expect(gets).toEqual(["v2/docs/nav-summary.json", "v2/docs/nav-summary.json", "v2/docs/big", "v2/docs/big"]);
  });

  it("stays within 8 MiB, dropping the least recently used", async () => {
    const chunk = "y".repeat(200 * 1024);
    const objects = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`v3/docs/o${i}`, chunk]));
    const { bucket, gets } = fakeBucket(objects);
    await readImmutable(bucket, "v3/docs/o0", text);
    for (let i = 1; i < 60; i++) {
      await readImmutable(bucket, `v3/docs/o${i}`, text);
      // o0 is used again and again: it stays; o1 is not, and is dropped.
      await readImmutable(bucket, "v3/docs/o0", text);
    }
    expect(derivedCacheSize().bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    gets.length = 0;
    await readImmutable(bucket, "v3/docs/o0", text);
    await readImmutable(bucket, "v3/docs/o1", text);
    expect(gets).toEqual(["v3/docs/o1"]);
  });
});

// Metadata read from a streamed Pulumi schema (spec §3): every rule, every rejection, and a 50 MB body.
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/api-error";
import { extractSchemaMetadata, type SchemaIdentity } from "../../src/packages/schema-metadata";

const IDENTITY: SchemaIdentity = { source: "pulumi", publisher: "acme", name: "widgets", version: "1.2.3" };
const encoder = new TextEncoder();

/** A stream of `bytes` cut into chunks whose sizes cycle through `sizes`. */
function streamOf(bytes: Uint8Array, sizes: number[] = [bytes.length || 1]): ReadableStream<Uint8Array> {
  let position = 0;
  let turn = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (position >= bytes.length) {
        controller.close();
        return;
      }
      const size = sizes[turn++ % sizes.length] ?? 1;
      controller.enqueue(bytes.slice(position, position + size));
      position += size;
    },
  });
}

/** A stream built lazily from text parts, in chunks of about `chunkBytes`, never holding the whole body. */
function streamOfParts(parts: Iterable<string>, chunkBytes = 65_521): { stream: ReadableStream<Uint8Array>; sent: () => number } {
  const iterator = parts[Symbol.iterator]();
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = "";
      while (text.length < chunkBytes) {
        const next = iterator.next();
        if (next.done) break;
        text += next.value;
      }
      if (text === "") {
        controller.close();
        return;
      }
      const bytes = encoder.encode(text);
      sent += bytes.length;
      controller.enqueue(bytes);
    },
  });
  return { stream, sent: () => sent };
}

function extract(schema: unknown, identity: Partial<SchemaIdentity> = {}, sizes?: number[]) {
  const text = typeof schema === "string" ? schema : JSON.stringify(schema);
  return extractSchemaMetadata(streamOf(encoder.encode(text), sizes), { ...IDENTITY, ...identity });
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected the schema to be rejected");
}

async function expect400(promise: Promise<unknown>, message: RegExp) {
  const err = await rejection(promise);
  expect(err.status).toBe(400);
  expect(err.message).toMatch(message);
}

const base = { name: "widgets", version: "1.2.3" };

describe("schema metadata: fields", () => {
  it("maps displayName, description, logoUrl, repository and pluginDownloadURL", async () => {
    const metadata = await extract({
      ...base,
      displayName: "Widgets",
      description: "Manages widgets.",
      logoUrl: "https://example.com/logo.png",
      repository: "https://github.com/acme/pulumi-widgets",
      pluginDownloadURL: "https://example.com/plugins/",
      keywords: ["category/database", "kind/native"],
    });
    expect(metadata).toEqual({
      title: "Widgets",
      description: "Manages widgets.",
      logoUrl: "https://example.com/logo.png",
      repoUrl: "https://github.com/acme/pulumi-widgets",
      category: "database",
      packageTypes: ["native"],
      packageStatus: "ga",
      pluginDownloadURL: "https://example.com/plugins/",
    });
  });

  it("a minimal schema gets only category and packageStatus", async () => {
    expect(await extract(base)).toEqual({ category: "cloud", packageStatus: "ga" });
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["blank", "   "],
    ["null", null],
    ["a number", 42],
    ["an object", { text: "x" }],
    ["an array", ["x"]],
  ])("optional string fields that are %s are omitted, never null or empty", async (_label, value) => {
    const schema: Record<string, unknown> = { ...base };
    for (const key of ["displayName", "description", "logoUrl", "repository", "pluginDownloadURL"]) schema[key] = value;
    const metadata = await extract(schema);
    for (const key of ["title", "description", "logoUrl", "repoUrl", "pluginDownloadURL"]) {
      expect(metadata).not.toHaveProperty(key);
    }
  });

  it("ignores nested members that share a kept member's name", async () => {
    const metadata = await extract({
      resources: { "widgets:index:Widget": { name: "other", version: "9.9.9", description: "nested", keywords: ["kind/native"] } },
      ...base,
    });
    expect(metadata).toEqual({ category: "cloud", packageStatus: "ga" });
  });

  it("duplicate top-level members: the last one wins, as with JSON.parse", async () => {
    const metadata = await extract('{"name":"widgets","description":"first","description":"second"}');
    expect(metadata.description).toBe("second");
  });
});

describe("schema metadata: category", () => {
  it.each(["cloud", "database", "infrastructure", "monitoring", "network", "utility", "vcs"])(
    "category/%s sets the category",
    async (category) => {
      expect((await extract({ ...base, keywords: ["aws", `category/${category}`] })).category).toBe(category);
    },
  );

  it("the first known category keyword wins; unknown categories are skipped", async () => {
    const metadata = await extract({ ...base, keywords: ["category/spaceships", "category/network", "category/database"] });
    expect(metadata.category).toBe("network");
  });

  it("defaults to cloud without a category keyword, or when keywords is not an array of strings", async () => {
    expect((await extract({ ...base, keywords: ["kind/native"] })).category).toBe("cloud");
    expect((await extract({ ...base, keywords: "category/database" })).category).toBe("cloud");
    expect((await extract({ ...base, keywords: [42, { c: "category/vcs" }, "category/vcs"] })).category).toBe("vcs");
  });
});

describe("schema metadata: packageTypes", () => {
  it.each([
    [["kind/native"], ["native"]],
    [["kind/component"], ["component"]],
    [["bridged"], ["bridged"]],
    [["kind/bridged"], ["bridged"]],
  ])("keywords %j give %j", async (keywords, types) => {
    expect((await extract({ ...base, keywords })).packageTypes).toEqual(types);
  });

  it("an opentofu source is bridged without any keyword", async () => {
    expect((await extract(base, { source: "opentofu" })).packageTypes).toEqual(["bridged"]);
  });

  it("types are deduplicated and ordered native, component, bridged", async () => {
    const keywords = ["bridged", "kind/bridged", "kind/component", "kind/native", "kind/native"];
    expect((await extract({ ...base, keywords }, { source: "opentofu" })).packageTypes).toEqual(["native", "component", "bridged"]);
  });

  it("is omitted when no type applies", async () => {
    expect(await extract({ ...base, keywords: ["kind/other", "native"] })).not.toHaveProperty("packageTypes");
  });
});

describe("schema metadata: packageStatus", () => {
  it.each([
    ["0.5.0", "public_preview"],
    ["0.0.1-alpha.1", "public_preview"],
    ["1.0.0", "ga"],
    ["2.0.0-beta.1", "ga"],
    ["10.0.0", "ga"],
  ])("version %s is %s", async (version, status) => {
    expect((await extract({ name: "widgets" }, { version })).packageStatus).toBe(status);
  });
});

describe("schema metadata: parameterization", () => {
  const parameter = btoa(JSON.stringify({ remote: { url: "registry.opentofu.org/hashicorp/random", version: "3.6.3" } }));
  const withParameter = (p: unknown) => ({ ...base, parameterization: { baseProvider: { name: "terraform-provider", version: "0.8.1" }, parameter: p } });

  it("takes the base provider's name and version, and the publish's publisher and source", async () => {
    const metadata = await extract(withParameter(parameter), { source: "opentofu", publisher: "hashicorp" });
    expect(metadata.parameterization).toEqual({
      baseProvider: { name: "terraform-provider", publisher: "hashicorp", source: "opentofu", version: "0.8.1" },
      parameter,
    });
  });

  it.each([
    ["standard, padded", "+/8=", "+/8="],
    ["standard, unpadded", "+/8", "+/8="],
    ["URL-safe, unpadded", "-_8", "+/8="],
    ["URL-safe, padded", "-_8=", "+/8="],
    ["two padding characters", "QQ==", "QQ=="],
    ["no padding needed", "QUJD", "QUJD"],
    ["empty", "", ""],
  ])("a %s parameter is re-encoded as standard base64 with padding", async (_label, input, output) => {
    expect((await extract(withParameter(input))).parameterization?.parameter).toBe(output);
  });

  it.each(["abc$", "a", "QQ=", "QUI==", "QQ==QQ==", "QU JD", "QUJD====", 42])("parameter %j is a 400", async (input) => {
    await expect400(extract(withParameter(input)), /parameterization\.parameter/);
  });

  it.each([
    ["not an object", "x", /'parameterization' must be an object/],
    ["without baseProvider", { parameter }, /'parameterization' must be an object/],
    ["without a base provider name", { baseProvider: { version: "1.0.0" }, parameter }, /baseProvider\.name/],
    ["with a non-SemVer base provider version", { baseProvider: { name: "p", version: "v1" }, parameter }, /baseProvider\.version/],
    ["without a parameter", { baseProvider: { name: "p", version: "1.0.0" } }, /parameterization\.parameter/],
  ])("a parameterization %s is a 400", async (_label, parameterization, message) => {
    await expect400(extract({ ...base, parameterization }), message);
  });

  it("is omitted when absent or null", async () => {
    expect(await extract(base)).not.toHaveProperty("parameterization");
    expect(await extract({ ...base, parameterization: null })).not.toHaveProperty("parameterization");
  });
});

describe("schema metadata: identity checks", () => {
  it("a schema without a name is a 400", async () => {
    await expect400(extract({ version: "1.2.3" }), /schema has no 'name'/);
  });

  it("a name that is not a string is a 400", async () => {
    await expect400(extract({ name: 7 }), /'name' must be a string/);
    await expect400(extract({ name: null }), /'name' must be a string/);
  });

  it("a name that differs from the package's is a 400 naming both", async () => {
    await expect400(extract({ name: "gadgets" }), /'gadgets'.*'widgets'/);
    await expect400(extract({ name: "Widgets" }), /'Widgets'.*'widgets'/);
  });

  it("a schema without a version is accepted", async () => {
    expect((await extract({ name: "widgets" })).packageStatus).toBe("ga");
  });

  it("versions differing only in build metadata are the same version", async () => {
    await expect(extract({ name: "widgets", version: "1.2.3+build.7" })).resolves.toBeDefined();
    await expect(extract({ name: "widgets", version: "1.2.3" }, { version: "1.2.3+sha.abc" })).resolves.toBeDefined();
  });

  it("a version that differs from the published one is a 400 naming both", async () => {
    await expect400(extract({ name: "widgets", version: "1.2.4" }), /'1\.2\.4'.*'1\.2\.3'/);
    await expect400(extract({ name: "widgets", version: "1.2.3-rc.1" }), /'1\.2\.3-rc\.1'.*'1\.2\.3'/);
  });

  it("an unparsable or non-string schema version is a 400", async () => {
    await expect400(extract({ name: "widgets", version: "v1.2.3" }), /'v1\.2\.3' is not a valid SemVer/);
    await expect400(extract({ name: "widgets", version: "1.2" }), /not a valid SemVer/);
    await expect400(extract({ name: "widgets", version: 1 }), /'version' must be a string/);
  });
});

describe("schema metadata: not JSON", () => {
  it.each([
    ["garbage", "{not json"],
    ["a truncated document", '{"name":"widgets","description":"abc'],
    ["a document cut after a comma", '{"name":"widgets",'],
    ["trailing garbage", '{"name":"widgets"} x'],
    ["a second document", '{"name":"widgets"}{}'],
    ["a trailing comma", '{"name":"widgets",}'],
    ["a bad literal deep inside", '{"name":"widgets","resources":{"a":{"b":[1,2,tru]}}}'],
    ["an empty body", ""],
    ["a blank body", " \n\t "],
    ["a single quote string", "{'name':'widgets'}"],
  ])("%s is a 400 saying the schema is not valid JSON", async (_label, text) => {
    await expect400(extract(text), /^schema is not valid JSON: /);
  });

  it("bytes that are not UTF-8 are a 400", async () => {
    const bytes = new Uint8Array([...encoder.encode('{"name":"widgets","description":"'), 0xff, 0xfe, ...encoder.encode('"}')]);
    await expect400(extractSchemaMetadata(streamOf(bytes), IDENTITY), /not valid JSON: it is not UTF-8/);
  });

  it("UTF-8 is checked in 32 KiB pieces of a chunk: characters across a piece's end pass, a bad byte at either side of it fails", async () => {
    // One 1 MiB chunk, as chunksOf reads an R2 body; the pieces end every 32 KiB inside it.
    const piece = 32 * 1024;
    const body = (at: number, middle: number[]) => {
      const head = encoder.encode('{"name":"widgets","version":"1.2.3","notKept":"');
      const bytes = new Uint8Array(1024 * 1024).fill(0x61);
      bytes.set(head);
      bytes.set(middle, at);
      bytes.set(encoder.encode('"}'), bytes.length - 2);
      return bytes;
    };
    for (const at of [piece - 1, piece - 2, piece - 3, 5 * piece - 1]) {
      // A 4-byte character (U+1F600) across the piece's end.
      await expect(extractSchemaMetadata(streamOf(body(at, [0xf0, 0x9f, 0x98, 0x80])), IDENTITY)).resolves.toMatchObject({ packageStatus: "ga" });
      // A lead byte without its continuation bytes, then one without its lead.
      await expect400(extractSchemaMetadata(streamOf(body(at, [0xf0, 0x61])), IDENTITY), /it is not UTF-8/);
      await expect400(extractSchemaMetadata(streamOf(body(at + 1, [0x80])), IDENTITY), /it is not UTF-8/);
    }
  });

  it("a multi-byte character cut off by the end of the body is a 400", async () => {
    const bytes = encoder.encode('{"name":"widgets","description":"✓');
    await expect400(extractSchemaMetadata(streamOf(bytes.slice(0, bytes.length - 1)), IDENTITY), /not valid JSON/);
  });

  it("trailing whitespace is fine", async () => {
    await expect(extract('{"name":"widgets"}\n  \n')).resolves.toEqual({ category: "cloud", packageStatus: "ga" });
  });

  it.each([["[]"], ['"widgets"'], ["42"], ["null"], ["true"], ['[{"name":"widgets"}]']])(
    "a top level %s that is not an object is a 400",
    async (text) => {
      await expect400(extract(text), /must be a JSON object/);
    },
  );

  it("an invalid document is reported as such even when its name also disagrees", async () => {
    await expect400(extract('{"name":"gadgets","x":'), /not valid JSON/);
  });
});

describe("schema metadata: bounds", () => {
  it("a kept member up to 64 KiB of JSON text is accepted, one byte more is a 400", async () => {
    const fits = "x".repeat(64 * 1024 - 2);
    expect((await extract({ ...base, description: fits })).description).toBe(fits);
    await expect400(extract({ ...base, description: `${fits}x` }), /'description' is larger than 64 KiB/);
  });

  it("an oversized description arriving across many chunks is a 400", async () => {
    await expect400(extract({ ...base, description: "é".repeat(100_000) }, {}, [4093]), /'description' is larger than 64 KiB/);
  });

  it("oversized structured members are a 400, not materialised", async () => {
    const keywords = Array.from({ length: 20_000 }, (_, i) => `keyword-${i}`);
    await expect400(extract({ ...base, keywords }, {}, [1000]), /'keywords' is larger than 64 KiB/);
    const parameterization = { baseProvider: { name: "p", version: "1.0.0", extra: keywords }, parameter: "" };
    await expect400(extract({ ...base, parameterization }, {}, [1000]), /'parameterization' is larger than 64 KiB/);
  });

  it("large members that are not kept are fine", async () => {
    const big = "y".repeat(1024 * 1024);
    expect(await extract({ ...base, resources: { a: { description: big } }, types: { b: [big] } }, {}, [65_536])).toEqual({
      category: "cloud",
      packageStatus: "ga",
    });
  });

  it("a string over 16 Mi characters anywhere is a 400", async () => {
    function* parts() {
      yield '{"name":"widgets","resources":{"a":"';
      for (let i = 0; i < 257; i++) yield "z".repeat(65_536);
      yield '"}}';
    }
    await expect400(extractSchemaMetadata(streamOfParts(parts()).stream, IDENTITY), /string longer than 16 Mi characters/);
  });

  it("a number over 4096 characters is a 400, whether or not it spans chunks", async () => {
    const text = `{"name":"widgets","resources":{"n":${"1".repeat(5000)}}}`;
    await expect400(extract(text), /number longer than 4096 characters/);
    await expect400(extract(text, {}, [97]), /number longer than 4096 characters/);
  });

  it("nesting up to 256 levels is accepted, deeper is a 400", async () => {
    const nested = (levels: number) => `{"name":"widgets","deep":${"[".repeat(levels)}${"]".repeat(levels)}}`;
    await expect(extract(nested(255))).resolves.toBeDefined();
    await expect400(extract(nested(256)), /deeper than 256 levels/);
  });

  it("a rejection stops reading the rest of the body", async () => {
    let pulls = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(encoder.encode(pulls === 1 ? '[{"name":"widgets"},' : '{"a":1},'));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect400(extractSchemaMetadata(stream, IDENTITY), /must be a JSON object/);
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(5);
  });
});

describe("schema metadata: chunk boundaries", () => {
  // Multi-byte UTF-8 (2, 3 and 4 bytes), simple escapes, \u escapes and a surrogate pair, in kept members.
  const text =
    '{ "name" : "widgets", "version":"1.2.3",\n' +
    ' "displayName": "Wïdgets ✓ 日本 😀",\n' +
    ' "description": "Say \\"hi\\" \\\\ tab\\there\\nnew \\u00e9\\u2713 \\ud83d\\ude00 \\/ done",\n' +
    ' "resources": {"x": {"description": "ü\\u00fc😀\\"", "n": [1, -2.5e-3, true, false, null]}},\n' +
    ' "repository": "https://example.com/ü",\n' +
    ' "keywords": ["category/vcs", "kind/comp\\u006fnent"],\n' +
    ' "parameterization": {"baseProvider": {"name": "b\\u0061se", "version": "1.0.0"}, "parameter": "-_8"}\n' +
    "}";
  const parsed = JSON.parse(text);
  const expected = {
    title: parsed.displayName,
    description: parsed.description,
    repoUrl: parsed.repository,
    category: "vcs",
    packageTypes: ["component"],
    packageStatus: "ga",
    parameterization: { baseProvider: { name: "base", publisher: "acme", source: "pulumi", version: "1.0.0" }, parameter: "+/8=" },
  };

  it.each([[[1]], [[2]], [[3]], [[5]], [[7, 1, 2]], [[4, 13, 1]], [[64]], [[100_000]]])(
    "chunk sizes %j split inside characters and escapes without changing the result",
    async (sizes) => {
      expect(await extract(text, {}, sizes)).toEqual(expected);
    },
  );
});

describe("schema metadata: a 50 MB schema", () => {
  const filler = "Lorem ipsum dolor sit amet, consectetur — ünïcødé ✓ 日本語 😀. ".repeat(4);
  const entry = (kind: string, i: number, corrupt = false) =>
    `"acme:index/${kind}${i}:${kind}${i}":{"description":"${filler}\\"quoted\\" \\u00e9\\nline","name":"not-it","version":"9.9.9",` +
    `"properties":{"name":{"type":"string"},"tags":{"type":"object","additionalProperties":{"type":"string"}},` +
    `"list":{"type":"array","items":{"$ref":"#/types/acme:index/typ${i}"}}},"required":["name","tags"],` +
    `"deprecated":${corrupt ? "flase" : "false"},"n":-1.5e3,"z":null}`;

  function* schemaParts(entries: number, corruptLast = false) {
    yield '{"resources":{';
    for (let i = 0; i < entries; i++) yield (i ? "," : "") + entry("res", i);
    yield '},"name":"widgets","displayName":"Widgets","version":"1.2.3","description":"Big.",';
    yield '"keywords":["category/infrastructure","kind/native"],"types":{';
    for (let i = 0; i < entries; i++) yield (i ? "," : "") + entry("typ", i, corruptLast && i === entries - 1);
    yield "}}";
  }

  const ENTRIES = 50_000;
  const FIFTY_MB = 50 * 1024 * 1024;

  it("with 100k resource and type entries around the top-level fields yields the metadata", { timeout: 120_000 }, async () => {
    const { stream, sent } = streamOfParts(schemaParts(ENTRIES));
    const started = performance.now();
    const metadata = await extractSchemaMetadata(stream, IDENTITY);
    const elapsed = performance.now() - started;
    expect(sent()).toBeGreaterThanOrEqual(FIFTY_MB);
    expect(metadata).toEqual({
      title: "Widgets",
      description: "Big.",
      category: "infrastructure",
      packageTypes: ["native"],
      packageStatus: "ga",
    });
    console.log(`schema-metadata: ${(sent() / 1024 / 1024).toFixed(1)} MB parsed in ${elapsed.toFixed(0)} ms`);
  });

  it("invalid only near its end is a 400", { timeout: 120_000 }, async () => {
    const { stream, sent } = streamOfParts(schemaParts(ENTRIES, true));
    await expect400(extractSchemaMetadata(stream, IDENTITY), /^schema is not valid JSON: /);
    expect(sent()).toBeGreaterThanOrEqual(FIFTY_MB);
  });
});

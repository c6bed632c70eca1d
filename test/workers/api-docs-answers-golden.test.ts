// Every docs answer on the test fixtures, byte for byte as the release that stored docs as per-language documents
// (docs format 2) served them: the sha-256 of each answer's body is in test/fixtures/api-docs-answers.ts, taken
// before the stored form changed. Covers the API's docs (JSON and markdown, every member, every language), nav,
// examples, readme and installation, and the web type pages. The same answers are asserted for docs stored in
// format 2 by that release (test/fixtures/api-docs-format2.ts, the objects its derivation wrote) and read now.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, orgWithTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { docsInstallation, docsReadme, docsSchema } from "./api-docs-fixture";
import { skylineInstallation, skylineReadme, skylineSchemaJson, webappSchemaJson } from "../fixtures/api-docs";
import { GOLDEN_ANSWERS } from "../fixtures/api-docs-answers";
import { namingLanguage } from "../../src/api-docs/languages";
import { artifactName, DOCS_OBJECTS } from "../../src/api-docs/storage";
import { SKYLINE_FORMAT2 } from "../fixtures/api-docs-format2";

const LANGS = ["typescript", "python", "go", "csharp", "java", "yaml"] as const;

interface Fixture {
  name: string;
  version: string;
  schema: string;
  readme: string;
  installation?: string;
}

const FIXTURES: Fixture[] = [
  { name: "acmecloud", version: "2.1.0", schema: JSON.stringify(docsSchema), readme: docsReadme, installation: docsInstallation },
  { name: "skyline", version: "2.3.0", schema: skylineSchemaJson, readme: skylineReadme, installation: skylineInstallation },
  { name: "skyline-webapp", version: "0.4.1", schema: webappSchemaJson, readme: "# Skyline Web App\n" },
];

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every answer of one published fixture, by route relative to its version, body with the publisher replaced. */
async function answersOf(publisher: string, f: Fixture, types: string[]): Promise<Record<string, string>> {
  const api = `/api/registry/packages/pulumi/${publisher}/${f.name}/versions/${f.version}`;
  const web = `/packages/pulumi/${publisher}/${f.name}/${f.version}`;
  const out: Record<string, string> = {};
  const record = async (key: string, path: string, headers: Record<string, string> = {}) => {
    const r = await call(path, { headers });
    const body = (await r.text()).replaceAll(publisher, "{publisher}");
    out[`${f.name}${key}`] = `${r.status} ${await sha256(body)}`;
  };
  const md = { Accept: "text/markdown" };
  const nav = await callJson(`${api}/nav?depth=full`);
  const tokens: string[] = nav.body.modules.flatMap((m: { resources: Array<{ token: string }>; functions: Array<{ token: string }> }) => [...m.resources, ...m.functions].map((i) => i.token));
  await record("/nav", `${api}/nav`);
  for (const lang of LANGS) {
    await record(`/nav?depth=full&lang=${lang}`, `${api}/nav?depth=full&lang=${lang}`);
    await record(`/examples?lang=${lang}`, `${api}/examples?lang=${lang}`);
    await record(`/examples?lang=${lang} md`, `${api}/examples?lang=${lang}`, md);
    await record(`/readme?lang=${lang}`, `${api}/readme?lang=${lang}`);
    if (f.installation) await record(`/installation?lang=${lang}`, `${api}/installation?lang=${lang}`);
    for (const token of tokens) {
      const path = `${api}/docs/${encodeURIComponent(token)}?lang=${lang}`;
      await record(`/docs/${token}?lang=${lang}`, path);
      await record(`/docs/${token}?lang=${lang} md`, path, md);
    }
    for (const token of types) {
      const [, mod, name] = token.split(":");
      await record(`/types/${token}?lang=${lang}`, `${web}/types/${mod}/${name}?lang=${lang}`, { Accept: "text/html" });
    }
  }
  return out;
}

const typesOf = (f: Fixture) => Object.keys((JSON.parse(f.schema) as { types?: Record<string, unknown> }).types ?? {});

async function publishAll(publisher: string): Promise<string> {
  const { publisher: token } = await orgWithTokens(publisher);
  for (const f of FIXTURES) await publishPackage(token, `pulumi/${publisher}/${f.name}`, f.version, { schema: f.schema, readme: f.readme, installation: f.installation });
  return token;
}

describe("docs answers on the fixtures", () => {
  beforeAll(async () => {
    await publishAll("goldnew");
  }, 120_000);

  it("are byte-identical to the answers recorded before the stored form changed", async () => {
    const answers: Record<string, string> = {};
    for (const f of FIXTURES) Object.assign(answers, await answersOf("goldnew", f, typesOf(f)));
    if (Object.keys(GOLDEN_ANSWERS).length === 0) console.log(`GOLDEN ${JSON.stringify(answers)}`);
    expect(Object.keys(answers).length).toBeGreaterThan(300);
    expect(answers).toEqual(GOLDEN_ANSWERS);
  }, 120_000);

  it("store each type, resource and function once, language-neutral: the kinds of the types it names, and where its schema entry lies in the schema (format 4)", async () => {
    const row = await env.DB.prepare("SELECT v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.publisher = 'goldnew' AND i.name = 'skyline'").first<{ artifacts: string }>();
    const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
    const manifest = JSON.parse(await (await env.ARTIFACTS.get(artifacts["docs.manifest"]!))!.text());
    expect(manifest.format).toBe(4);
    // The records refer to the version's own schema object.
    expect(manifest.schema).toBe(artifacts.schema);
    // The language block keeps only the settings the naming rules read (languages/index.ts namingLanguage).
    expect(manifest.naming).toEqual({ name: "skyline", version: "2.3.0", language: namingLanguage(JSON.parse(skylineSchemaJson).language), ...(JSON.parse(skylineSchemaJson).meta?.moduleFormat ? { moduleFormat: JSON.parse(skylineSchemaJson).meta.moduleFormat } : {}) });
    const index = await (await env.ARTIFACTS.get(artifacts["docs.index"]!))!.text();
    const line = index.split("\n").find((l) => l.startsWith("skyline:compute/instance:Instance\tresource\t"))!;
    // offset \t length:schemaOffset:schemaLength — the record in the pack, the entry in the schema.
    const [, , offset, ranges] = line.split("\t");
    const [length, schemaOffset, schemaLength] = ranges!.split(":").map(Number) as [number, number, number];
    const record = JSON.parse(await (await env.ARTIFACTS.get(artifacts["docs.pack"]!, { range: { offset: Number(offset), length } }))!.text());
    const schema = JSON.parse(skylineSchemaJson);
    expect(Object.keys(record)).toEqual(["entry", "token", "kinds"]);
    expect(record.entry).toBe("resources");
    expect(record.token).toBe("skyline:compute/instance:Instance");
    // The fixture is pretty-printed: the entry's bytes, whitespace and all, as the schema holds them.
    const entryText = await (await env.ARTIFACTS.get(artifacts.schema!, { range: { offset: schemaOffset, length: schemaLength } }))!.text();
    expect(entryText).toMatch(/^\{\n/);
    const spec = JSON.parse(entryText);
    expect(spec).toEqual(schema.resources["skyline:compute/instance:Instance"]);
    // Every local type it names, with its kind, and nothing else.
    const named = [...JSON.stringify(spec).matchAll(/"\$ref":"#\/types\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
    expect(Object.keys(record.kinds).sort()).toEqual([...new Set(named)].filter((t) => schema.types[t]).sort());
    for (const [token, kind] of Object.entries(record.kinds)) expect(kind).toBe(Array.isArray(schema.types[token].enum) ? "e" : "o");
    // No per-language name is stored, and no entry copied: the pack is the records' headers and the examples' code,
    // a fraction of the schema (format 3's was about its size, format 2's four times it).
    const pack = await env.ARTIFACTS.head(artifacts["docs.pack"]!);
    expect(pack!.size).toBeLessThan(0.25 * skylineSchemaJson.length);
  });

  it("docs stored in format 2 by the previous release are served with the same answers", async () => {
    const { publisher: token } = await orgWithTokens("goldold");
    const skyline = FIXTURES[1]!;
    await publishPackage(token, `pulumi/goldold/${skyline.name}`, skyline.version, { schema: skyline.schema, readme: skyline.readme, installation: skyline.installation });
    // The version's docs objects replaced, before anything read them, by the ones that release wrote.
    const row = await env.DB.prepare("SELECT v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.publisher = 'goldold'").first<{ artifacts: string }>();
    const manifestKey = (JSON.parse(row!.artifacts) as Record<string, string>)["docs.manifest"]!;
    const prefix = manifestKey.slice(0, -"manifest.json".length);
    for (const [name, text] of Object.entries(SKYLINE_FORMAT2)) await env.ARTIFACTS.put(prefix + name, text);
    // The objects that release did not write (nav-head.json, nav-modules.tsv, nav-members.tsv, the search index) go,
    // from R2 and from the version's artifact map, as that release left them.
    const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
    for (const object of DOCS_OBJECTS.filter((o) => !(o in SKYLINE_FORMAT2))) {
      await env.ARTIFACTS.delete(prefix + object);
      delete artifacts[artifactName(object)];
    }
    await env.DB.prepare("UPDATE versions SET artifacts = ? WHERE artifacts = ?").bind(JSON.stringify(artifacts), row!.artifacts).run();
    expect(JSON.parse(await (await env.ARTIFACTS.get(manifestKey))!.text()).format).toBe(2);
    const answers = await answersOf("goldold", skyline, typesOf(skyline));
    const expected = Object.fromEntries(Object.entries(GOLDEN_ANSWERS).filter(([k]) => k.startsWith("skyline/")));
    expect(Object.keys(answers).length).toBeGreaterThan(100);
    expect(answers).toEqual(expected);
  }, 120_000);
});

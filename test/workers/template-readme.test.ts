// The template readme route of the current API (ga-registry.md §4): the README as content nodes (JSON) or
// markdown, under both registry prefixes; the raw file at …/raw/readme (readmeURL); a private template's
// answers the same as an absent one's; bad segments and parameters a 400 {code,message}; versions stored
// before the derived README existed still answer.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, expectError, orgWithTokens, type OrgTokens } from "./helpers";
import { archiveOf, PULUMI_YAML, publishTemplate, VCS_TEMPLATE } from "./template-helpers";

let acme: OrgTokens;
let other: OrgTokens;

const README = `# Web app

Start here.

{{< chooser language "typescript,python" >}}
{{% choosable language typescript %}}
Run \`npm install\`.
{{% /choosable %}}
{{% choosable language python %}}
Run \`pip install -r requirements.txt\`.
{{% /choosable %}}
{{< /chooser >}}
`;

const base = (prefix: string, name = "readme-app") => `${prefix}/templates/private/rdco/${name}/versions`;

beforeAll(async () => {
  acme = await orgWithTokens("rdco");
  other = await orgWithTokens("rdother");
  const withReadme = archiveOf([
    { name: "Pulumi.yaml", data: PULUMI_YAML() },
    { name: "README.md", data: README },
  ]);
  expect((await publishTemplate(acme.publisher, "private/rdco/readme-app", "1.0.0", await withReadme)).status).toBe(201);
  const without = archiveOf([{ name: "Pulumi.yaml", data: PULUMI_YAML() }]);
  expect((await publishTemplate(acme.publisher, "private/rdco/no-readme", "1.0.0", await without)).status).toBe(201);
  expect((await publishTemplate(acme.publisher, "private/rdco/old-app", "1.0.0", await withReadme)).status).toBe(201);
  // old-app as the previous release stored it: the raw README only, no derived content nodes or file list.
  const row = await env.DB.prepare("SELECT v.id, v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = 'old-app'").first<{ id: string; artifacts: string }>();
  const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
  await env.ARTIFACTS.delete([artifacts.files!, artifacts["readme.content"]!]);
  delete artifacts.files;
  delete artifacts["readme.content"];
  await env.DB.prepare("UPDATE versions SET artifacts = ? WHERE id = ?").bind(JSON.stringify(artifacts), row!.id).run();
});

describe.each(["/api/preview/registry", "/api/registry"])("template readme route under %s", (prefix) => {
  it("answers {version, content} as JSON by default, resolving language choosers for lang", async () => {
    const plain = await callJson(`${base(prefix)}/1.0.0/readme`, { token: acme.reader });
    expect(plain.status).toBe(200);
    expect(plain.response.headers.get("Content-Type")).toBe("application/json");
    expect(Object.keys(plain.body).sort()).toEqual(["content", "version"]);
    expect(plain.body.version).toBe("1.0.0");
    expect(plain.body.content[0]).toEqual({ kind: "text", markdown: "# Web app\n\nStart here." });
    expect(plain.body.content[1].kind).toBe("language-chooser");

    const python = await callJson(`${base(prefix)}/latest/readme?lang=python`, { token: acme.reader });
    expect(python.status).toBe(200);
    expect(python.body.language).toBe("python");
    expect(python.body.content).toEqual([{ kind: "text", markdown: "# Web app\n\nStart here.\n\nRun `pip install -r requirements.txt`." }]);
  });

  it("answers markdown on Accept: text/markdown, and 406 for nothing it can produce", async () => {
    const md = await call(`${base(prefix)}/1.0.0/readme?lang=typescript`, { token: acme.reader, headers: { Accept: "text/markdown" } });
    expect(md.status).toBe(200);
    expect(md.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(await md.text()).toBe("# Web app\n\nStart here.\n\nRun `npm install`.\n");
    const refused = await callJson(`${base(prefix)}/1.0.0/readme`, { token: acme.reader, headers: { Accept: "image/png" } });
    expectError(refused, 406);
  });

  it("keeps the README as uploaded at …/raw/readme, which readmeURL names", async () => {
    const view = await callJson(`${base(prefix)}/1.0.0`, { token: acme.reader });
    expect(view.body.readmeURL).toBe(`http://gateway.test/api/registry/templates/private/rdco/readme-app/versions/1.0.0/raw/readme`);
    const raw = await call(`${base(prefix)}/1.0.0/raw/readme`, { token: acme.reader });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(await raw.text()).toBe(README);
  });

  it("a version stored before the derived README existed answers the same content, parsed from its stored file", async () => {
    const fresh = await callJson(`${base(prefix)}/1.0.0/readme?lang=python`, { token: acme.reader });
    const old = await callJson(`${base(prefix, "old-app")}/1.0.0/readme?lang=python`, { token: acme.reader });
    expect(old.status).toBe(200);
    expect(old.body).toEqual(fresh.body);
  });

  it("a private template's readme is the absent 404 to others and to anonymous callers; no README is a 404 too", async () => {
    const absent = await callJson(`${prefix}/templates/private/rdco/nothing-here/versions/1.0.0/readme`, { token: other.reader });
    expectError(absent, 404);
    for (const token of [other.reader, undefined]) {
      const hidden = await callJson(`${base(prefix)}/1.0.0/readme`, { token });
      expectError(hidden, 404);
      // The same words as for an absent template, the name aside.
      const asked = await callJson(`${prefix}/templates/private/rdco/nothing-here/versions/1.0.0/readme`, { token });
      expect(hidden.body.message.replace("readme-app", "X")).toBe(asked.body.message.replace("nothing-here", "X"));
    }
    const none = await callJson(`${base(prefix, "no-readme")}/1.0.0/readme`, { token: acme.reader });
    expectError(none, 404);
    expect(none.body.message).toMatch(/has no README/);
    expectError(await callJson(`${base(prefix)}/9.9.9/readme`, { token: acme.reader }), 404);
  });

  it("a VCS-backed template has no stored README to answer: latest is a 404, a version a 400", async () => {
    const name = `vcs/readme-${prefix.includes("preview") ? "old" : "new"}`;
    expect((await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...VCS_TEMPLATE, publisher: "rdco", name } })).status).toBe(201);
    const latest = await callJson(`${prefix}/templates/github/rdco/${name}/versions/latest/readme`);
    expectError(latest, 404);
    expect(latest.body.message).toMatch(/has no README/);
    expectError(await callJson(`${prefix}/templates/github/rdco/${name}/versions/1.0.0/readme`), 400);
  });

  it("bad segments and parameters are a 400 {code,message} naming what was wrong", async () => {
    for (const [path, words] of [
      [`${prefix}/templates/private/rd%00co/readme-app/versions/1.0.0/readme`, /publisher/],
      [`${prefix}/templates/private/rdco/readme%20app/versions/1.0.0/readme`, /name/],
      [`${prefix}/templates/private/rdco/readme-app/versions/not-a-version/readme`, /version/],
      [`${base(prefix)}/1.0.0/readme?lang=cobol`, /lang/],
      [`${base(prefix)}/1.0.0/readme?os=plan9`, /os/],
    ] as const) {
      const r = await callJson(path, { token: acme.reader });
      expectError(r, 400);
      expect(r.body.message).toMatch(words);
    }
  });
});

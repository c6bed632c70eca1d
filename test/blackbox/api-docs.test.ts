// Package docs over HTTP through wrangler dev: publish a provider-shaped schema, then read nav, follow docsUrlTemplate to every resource, ask for markdown.
import { beforeAll, describe, expect, it } from "vitest";
import { cli, docsReady, gateway, setupOrg } from "./client";
import { docsReadme, docsSchema } from "../workers/api-docs-fixture";

let tokens: { reader: string; publisher: string; admin: string };
let strangers: { reader: string; publisher: string; admin: string };

async function publish(path: string, version: string, schema: string, readme: string) {
  const start = await cli("POST", `/api/registry/packages/${path}/versions`, { token: tokens.publisher, body: { version } });
  expect(start.status, start.text).toBe(202);
  for (const [slot, body] of [["schema", schema], ["index", readme]] as const) {
    const r = await fetch(start.body.uploadURLs[slot], { method: "PUT", body });
    await r.arrayBuffer();
    expect(r.status).toBeLessThan(400);
  }
  const done = await cli("POST", `/api/registry/packages/${path}/versions/${version}/complete`, { token: tokens.publisher, body: { operationID: start.body.operationID } });
  expect(done.status, done.text).toBe(201);
  expect(await docsReady(tokens.publisher, path, version)).toBe("ready");
}

beforeAll(async () => {
  tokens = await setupOrg("bb-docs");
  strangers = await setupOrg("bb-docs-stranger");
  await publish("private/bb-docs/acmecloud", "2.1.0", JSON.stringify(docsSchema), docsReadme);
});

describe("package docs over HTTP", () => {
  const base = "/api/registry/packages/private/bb-docs/acmecloud/versions";

  it("nav with depth=full leads, through docsUrlTemplate, to the docs of every resource and function", async () => {
    const nav = await cli("GET", `${base}/latest/nav?depth=full&lang=go`, { token: tokens.reader });
    expect(nav.status, nav.text).toBe(200);
    expect(nav.headers.get("link")).toContain('rel="alternate"; type="text/markdown"');
    const items = nav.body.modules.flatMap((m: any) => [...m.resources, ...m.functions]);
    expect(items).toHaveLength(5);
    for (const item of items) {
      const url = (nav.body.docsUrlTemplate as string).replace("{token}", encodeURIComponent(item.token));
      const docs = await cli("GET", url, { token: tokens.reader });
      expect(docs.status, `${item.token}: ${docs.text}`).toBe(200);
      expect(docs.body).toMatchObject({ token: item.token, language: "go", version: "2.1.0" });
      expect(docs.body.name.go).toBe(item.name);
    }
  });

  it("answers markdown when asked, the raw README at readmeURL, and the absent 404 to a stranger", async () => {
    const md = await fetch(`${(await cli("GET", `${base}/2.1.0`, { token: tokens.reader })).body.readmeURL}`, { headers: { Authorization: `token ${tokens.reader}` } });
    expect(await md.text()).toBe(docsReadme);
    const readme = await fetch(`${gateway()}${base}/2.1.0/readme?lang=python`, { headers: { Authorization: `token ${tokens.reader}`, Accept: "text/markdown" } });
    expect(readme.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(readme.headers.get("cache-control")).toBe("private, max-age=604800, immutable");
    const text = await readme.text();
    expect(text).toContain("pip install acme_acmecloud");
    expect(text).not.toContain("npm install");
    const stranger = await cli("GET", `${base}/2.1.0/nav`, { token: strangers.reader });
    const absent = await cli("GET", "/api/registry/packages/private/bb-docs/nothing/versions/2.1.0/nav", { token: strangers.reader });
    expect(stranger.status).toBe(404);
    expect(stranger.body.message.replace("acmecloud", "nothing")).toBe(absent.body.message);
  });
});

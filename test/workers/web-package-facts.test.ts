// The package page's install commands per language (from the schema's language sections), license,
// homepage and repository, and the versions page.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, orgWithTokens, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { packageFacts } from "../../src/api-docs/package-facts";
import { installChoices } from "../../src/web/install-commands";

let org: OrgTokens;

const schema = (version: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    name: "tooled",
    version,
    displayName: "Tooled",
    license: "Apache-2.0",
    homepage: "https://tooled.example.com/",
    repository: "https://github.com/example/pulumi-tooled",
    language: {
      nodejs: { packageName: "@example/tooled" },
      python: { packageName: "example_tooled" },
      go: { importBasePath: "github.com/example/pulumi-tooled/sdk/go/tooled" },
      csharp: { rootNamespace: "Example" },
      java: { basePackage: "com.example" },
    },
    resources: { "tooled:index:Thing": { properties: {}, inputProperties: {} } },
    ...extra,
  });

async function page(path: string) {
  const r = await call(path, { headers: { Accept: "text/html" }, redirect: "manual" });
  return { status: r.status, text: await r.text() };
}

const commands = (text: string) => [...text.matchAll(/<div class="command" role="group" aria-label="Install with [^"]+">(?:<span[^>]*>[^<]*<\/span>)?<code>([^<]*)<\/code>/g)].map((m) => m[1]);

beforeAll(async () => {
  org = await orgWithTokens("factco");
  await publishPackage(org.publisher, "pulumi/factco/tooled", "1.0.0", { schema: schema("1.0.0") });
  await publishPackage(org.publisher, "pulumi/factco/tooled", "1.1.0-beta.1", { schema: schema("1.1.0-beta.1") });
  await publishPackage(org.publisher, "pulumi/factco/tooled", "0.9.0", { schema: schema("0.9.0") });
  expect((await callJson("/api/registry/packages/pulumi/factco/tooled/versions/0.9.0/deprecation", { method: "PUT", token: org.publisher, body: { message: "old" } })).status).toBe(204);
  await publishPackage(org.publisher, "pulumi/factco/bare", "1.0.0", { schema: JSON.stringify({ name: "bare", version: "1.0.0", homepage: "javascript:alert(1)" }) });
});

describe("install commands, license, homepage", () => {
  it("the facts name only what the schema's language sections give", () => {
    const facts = packageFacts(JSON.parse(schema("1.0.0")));
    expect(facts).toEqual({
      license: "Apache-2.0",
      homepage: "https://tooled.example.com/",
      repository: "https://github.com/example/pulumi-tooled",
      install: { nodejs: "@example/tooled", python: "example_tooled", go: "github.com/example/pulumi-tooled/sdk/go/tooled", csharp: "Example.Tooled", java: { groupId: "com.example", artifactId: "tooled" } },
    });
    expect(packageFacts({ name: "x", language: { csharp: { packageName: "Acme.X" }, nodejs: { packageName: "" } } }).install).toEqual({ csharp: "Acme.X" });
    expect(installChoices(facts, "1.2.0-rc.1").find((c) => c.language === "python")!.commands[0]!.command).toBe("pip install --pre example_tooled");
  });

  it("the package page shows the TypeScript commands by default and another language's by its tab, without JavaScript", async () => {
    const { text } = await page("/packages/pulumi/factco/tooled");
    expect(commands(text)).toEqual(["npm install @example/tooled@1.0.0", "yarn add @example/tooled@1.0.0"]);
    const tabs = /<nav aria-label="Install language">([\s\S]*?)<\/nav>/.exec(text)![1]!;
    expect([...tabs.matchAll(/href="([^"]+)"[^>]*>([^<]+)</g)].map((m) => [m[2], m[1]])).toEqual([
      ["TypeScript", "/packages/pulumi/factco/tooled/1.0.0?lang=typescript#install"],
      ["Python", "/packages/pulumi/factco/tooled/1.0.0?lang=python#install"],
      ["Go", "/packages/pulumi/factco/tooled/1.0.0?lang=go#install"],
      ["C#", "/packages/pulumi/factco/tooled/1.0.0?lang=csharp#install"],
      ["Java", "/packages/pulumi/factco/tooled/1.0.0?lang=java#install"],
    ]);
    expect(commands((await page("/packages/pulumi/factco/tooled/1.0.0?lang=python")).text)).toEqual(["pip install example_tooled==1.0.0"]);
    expect(commands((await page("/packages/pulumi/factco/tooled/1.0.0?lang=go")).text)).toEqual(["go get github.com/example/pulumi-tooled/sdk/go/tooled@v1.0.0"]);
    expect(commands((await page("/packages/pulumi/factco/tooled/1.0.0?lang=csharp")).text)).toEqual(["dotnet add package Example.Tooled --version 1.0.0"]);
    expect(commands((await page("/packages/pulumi/factco/tooled/1.0.0?lang=java")).text)).toEqual([
      "&lt;dependency&gt;\n  &lt;groupId&gt;com.example&lt;/groupId&gt;\n  &lt;artifactId&gt;tooled&lt;/artifactId&gt;\n  &lt;version&gt;1.0.0&lt;/version&gt;\n&lt;/dependency&gt;",
      'implementation(&quot;com.example:tooled:1.0.0&quot;)',
    ]);
  });

  it("license, homepage and repository are in the details; a homepage that is not https is not linked; no install section without language names", async () => {
    const { text } = await page("/packages/pulumi/factco/tooled");
    expect(text).toContain("<dt>License</dt><dd>Apache-2.0</dd>");
    expect(text).toContain('<dt>Homepage</dt><dd><a href="https://tooled.example.com/" rel="nofollow noopener">');
    const bare = await page("/packages/pulumi/factco/bare");
    expect(bare.text).not.toContain("Homepage");
    expect(bare.text).not.toContain("javascript:");
    expect(bare.text).not.toContain('id="install"');
  });

  it("the versions page lists every live version newest first with dates, pre-release, latest and deprecated marked, each linked", async () => {
    const { status, text } = await page("/packages/pulumi/factco/tooled/versions");
    expect(status).toBe(200);
    const rows = [...text.matchAll(/<tr><td><a href="([^"]+)">([^<]+)<\/a><\/td><td><time datetime="([^"]+)">[^<]+<\/time><\/td><td>([\s\S]*?)<\/td><\/tr>/g)].map((m) => [
      m[2],
      m[1],
      [...m[4]!.matchAll(/class="badge[^"]*">([^<]+)</g)].map((b) => b[1]).join(","),
    ]);
    expect(rows).toEqual([
      ["1.1.0-beta.1", "/packages/pulumi/factco/tooled/1.1.0-beta.1", "pre-release"],
      ["1.0.0", "/packages/pulumi/factco/tooled/1.0.0", "latest"],
      ["0.9.0", "/packages/pulumi/factco/tooled/0.9.0", "deprecated"],
    ]);
    expect((await page("/packages/pulumi/factco/tooled")).text).toContain('<a href="/packages/pulumi/factco/tooled/versions">All 3 versions</a>');
    expect((await page("/packages/pulumi/factco/nothing/versions")).status).toBe(404);
  });
});

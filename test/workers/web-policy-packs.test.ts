// The browse UI's policy pack pages: the signed-in org's packs, a version's page with its policies and
// enforcement levels and a version selector; private to the org like the API.
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, orgWithTokens, signIn, type OrgTokens } from "./helpers";
import { cliPublish } from "./policy-pack-helpers";

let acme: OrgTokens;
let other: OrgTokens;
const html = { Accept: "text/html" };

async function page(path: string, cookie?: string) {
  const r = await call(path, { headers: { ...html, ...(cookie ? { Cookie: cookie } : {}) }, redirect: "manual" });
  return { r, text: await r.text() };
}

beforeAll(async () => {
  acme = await orgWithTokens("polco");
  other = await orgWithTokens("elsewhere");
  await cliPublish(acme.publisher, "polco", "guards", "1.0.0", undefined, { description: "Storage guards" });
  await cliPublish(acme.publisher, "polco", "guards", "1.1.0", undefined, { readme: "# Guards\n\nRead **me**.\n" });
  const dep = await callJson("/api/registry/policypacks/private/polco/guards/versions/1.0.0/deprecation", { method: "PUT", token: acme.publisher, body: { message: "use 1.1.0" } });
  expect(dep.status).toBe(204);
});

describe("policy pack pages", () => {
  it("signed in, the list shows the org's packs and the nav links to it", async () => {
    const cookie = await signIn(acme.reader);
    const { r, text } = await page("/policy-packs", cookie);
    expect(r.status).toBe(200);
    expect(r.headers.get("Cache-Control")).toBe("private, no-store");
    expect(text).toContain('href="/policy-packs/private/polco/guards"');
    expect(text).toContain('<a href="/policy-packs">Policy packs</a>');
  });

  it("anonymous, the list shows nothing private and asks to sign in; another org sees none of polco's packs", async () => {
    const anonymous = await page("/policy-packs");
    expect(anonymous.r.status).toBe(200);
    expect(anonymous.text).not.toContain("guards");
    expect(anonymous.text).toContain("to see your organization&#39;s policy packs");
    const elsewhere = await page("/policy-packs", await signIn(other.reader));
    expect(elsewhere.text).not.toContain("guards");
    expect(elsewhere.text).toContain("Your organization has published no policy packs.");
  });

  it("a version page shows its policies with their enforcement levels, the runtime, the archive link and every live version", async () => {
    const cookie = await signIn(acme.reader);
    const { r, text } = await page("/policy-packs/private/polco/guards", cookie);
    expect(r.status).toBe(200);
    expect(text).toContain("<code>no-public-buckets</code>");
    expect(text).toContain("Mandatory: blocks the update");
    expect(text).toContain("Advisory: reported, never blocks");
    expect(text).toContain("<strong>me</strong>");
    expect(text).toContain('href="http://gateway.test/api/registry/policypacks/private/polco/guards/versions/1.1.0/archive"');
    expect([...text.matchAll(/<option value="([^"]+)"( selected)?>([^<]+)<\/option>/g)].map((m) => `${m[3]}${m[2] ? " *" : ""}`)).toEqual(["1.1.0 *", "1.0.0 (deprecated)"]);
    const old = await page("/policy-packs/private/polco/guards/1.0.0", cookie);
    expect(old.text).toContain("Deprecated: use 1.1.0");
    expect(old.text).toContain("Storage guards");
  });

  it("the selector without JavaScript redirects to the chosen version's page", async () => {
    const { r } = await page("/policy-packs/private/polco/guards?version=1.0.0", await signIn(acme.reader));
    expect(r.status).toBe(303);
    expect(r.headers.get("Location")).toBe("/policy-packs/private/polco/guards/1.0.0");
  });

  it("a pack is a 404 page to anyone outside its org, exactly like an absent one", async () => {
    for (const cookie of [undefined, await signIn(other.reader)]) {
      const hidden = await page("/policy-packs/private/polco/guards", cookie);
      const absent = await page("/policy-packs/private/polco/nothing-here", cookie);
      expect(hidden.r.status).toBe(404);
      expect(absent.r.status).toBe(404);
    }
  });
});

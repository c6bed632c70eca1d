// Headers on every answer: nosniff (publisher bytes included), HSTS over https, and a dead or forged
// session cookie cleared by whatever page sees it, error pages included.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createToken, orgWithTokens, signIn, type OrgTokens } from "./helpers";
import { publishPackage } from "./publish-helpers";
import { goodArchive, publishTemplate } from "./template-helpers";

let acme: OrgTokens;

beforeAll(async () => {
  acme = await orgWithTokens("headers");
  await publishPackage(acme.publisher, "pulumi/headers/sniffy", "1.0.0");
  await publishTemplate(acme.publisher, "private/headers/tpl", "1.0.0", await goodArchive());
});

describe("response headers", () => {
  it("X-Content-Type-Options: nosniff on raw downloads, archives, API answers, pages, errors and health checks", async () => {
    const paths = [
      "/api/registry/packages/pulumi/headers/sniffy/versions/1.0.0/raw/readme",
      "/api/registry/packages/pulumi/headers/sniffy/versions/1.0.0/schema",
      "/api/registry/packages/pulumi/headers/sniffy/versions/1.0.0",
      "/packages/pulumi/headers/sniffy",
      "/packages/pulumi/headers/nothing-here",
      "/api/registry/packages/pulumi/headers/nothing-here/versions/latest",
      "/healthz",
    ];
    for (const path of paths) {
      const r = await call(path);
      expect([path, r.headers.get("X-Content-Type-Options")]).toEqual([path, "nosniff"]);
      await r.body?.cancel();
    }
    const archive = await call("/api/registry/templates/private/headers/tpl/versions/1.0.0/archive", { token: acme.reader });
    expect(archive.status).toBe(200);
    expect(archive.headers.get("X-Content-Type-Options")).toBe("nosniff");
    await archive.body?.cancel();
  });

  it("Cache-Control: private, no-store on answers to a caller with credentials that set none (a private version, a listing read with a token)", async () => {
    for (const path of ["/api/registry/templates/private/headers/tpl/versions/1.0.0", "/api/registry/templates/private/headers/tpl/versions", "/api/registry/packages?limit=5"]) {
      const r = await call(path, { token: acme.reader });
      expect([path, r.status]).toEqual([path, 200]);
      expect([path, r.headers.get("Cache-Control")]).toEqual([path, "private, no-store"]);
      await r.body?.cancel();
    }
    // An answer that says how it may be cached keeps its own (a public download read with a token).
    const schema = await call("/api/registry/packages/pulumi/headers/sniffy/versions/1.0.0/schema", { token: acme.reader });
    expect(schema.headers.get("Cache-Control")).not.toBe("private, no-store");
    await schema.body?.cancel();
  });

  it("Strict-Transport-Security over https, never over http", async () => {
    const secure = await call("https://gateway.test/healthz");
    expect(secure.headers.get("Strict-Transport-Security")).toBe("max-age=31536000");
    expect((await call("https://gateway.test/packages/pulumi/headers/sniffy")).headers.get("Strict-Transport-Security")).toBe("max-age=31536000");
    expect((await call("/healthz")).headers.get("Strict-Transport-Security")).toBeNull();
  });
});

describe("a session cookie that no longer names a live session is cleared", () => {
  async function deadCookie(): Promise<string> {
    await createOrg("crumbs").catch(() => undefined);
    const t = await createToken("crumbs", "reader");
    const cookie = await signIn(t.token);
    await env.DB.prepare("UPDATE tokens SET revoked_at = ? WHERE id = ?").bind(new Date().toISOString(), t.id).run();
    return cookie;
  }
  const cleared = (r: Response) => /^registry_session=;.*Max-Age=0/.test(r.headers.get("Set-Cookie") ?? "");

  it("by a page, and by an error page (404) as well", async () => {
    const cookie = await deadCookie();
    for (const path of ["/", "/packages/pulumi/headers/sniffy", "/packages/pulumi/headers/nothing-here", "/packages/pulumi/headers/sniffy/9.9.9", "/packages/pulumi/headers/sniffy/not-a-version"]) {
      const r = await call(path, { headers: { Cookie: cookie } });
      expect([path, r.status >= 200, cleared(r)]).toEqual([path, true, true]);
      await r.body?.cancel();
    }
  });

  it("a forged cookie is cleared on an error page too", async () => {
    const forged = `registry_session=${"A".repeat(43)}.${"B".repeat(22)}`;
    const r = await call("/packages/pulumi/headers/nothing-here", { headers: { Cookie: forged } });
    expect(r.status).toBe(404);
    expect(cleared(r)).toBe(true);
  });

  it("a live session's cookie is left alone", async () => {
    const cookie = await signIn(acme.reader);
    const r = await call("/packages/pulumi/headers/nothing-here", { headers: { Cookie: cookie } });
    expect(r.status).toBe(404);
    expect(r.headers.get("Set-Cookie")).toBeNull();
  });
});

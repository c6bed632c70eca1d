// The HTML pages inside workerd: escaping, caching, sessions, cross-site refusal, HTML vs JSON errors.
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, call, callJson, countRows, createOrg, createToken, signIn } from "./helpers";
import { publishPackage, schemaFor } from "./publish-helpers";
import { env } from "cloudflare:workers";
import { database } from "../../src/db/client";
import { sha256Hex } from "../../src/identity/secrets";
import { getEntry, versionsPlan } from "../../src/core/catalog/entries";
import { runPlan } from "../../src/core/vocabulary/read-plan";
import { type Viewer } from "../../src/core/vocabulary/viewer";

let publisher: string;
let tokenId: string;
const html = { Accept: "text/html" };

beforeAll(async () => {
  await createOrg("webco", "Web Co");
  const t = await createToken("webco", "publisher");
  publisher = t.token;
  tokenId = t.id;
  await publishPackage(publisher, "pulumi/webco/shown", "1.0.0", { readme: "# Shown\n\nHello **world**.\n" });
  await publishPackage(publisher, "pulumi/webco/shown", "1.1.0-beta.1");
  await publishPackage(publisher, "pulumi/webco/shown", "0.9.0");
  await publishPackage(publisher, "private/webco/hidden", "1.0.0", { readme: "# Hidden readme\n" });
  await publishPackage(publisher, "pulumi/webco/evil", "1.0.0", {
    schema: schemaFor("evil", "1.0.0", { displayName: "<script>alert(1)</script>", description: '"><img src=x onerror=alert(1)>', logoUrl: "javascript:alert(1)" }),
    readme: '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox) [ok](https://example.com/)\n',
  });
});

async function page(path: string, headers: Record<string, string> = {}) {
  const r = await call(path, { headers: { ...html, ...headers } });
  return { r, text: await r.text() };
}


describe("pages", () => {
  it("the home page lists recently published packages with the security headers", async () => {
    const { r, text } = await page("/");
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const csp = r.headers.get("Content-Security-Policy")!;
    for (const d of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'", "img-src 'self' https:"]) expect(csp).toContain(d);
    expect(r.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(r.headers.get("Referrer-Policy")).toBe("same-origin");
    expect(text).toContain('href="/packages/pulumi/webco/shown"');
    expect(text).not.toContain("hidden");
  });

  it("a package page shows every live version newest first, pre-releases marked, and the add command", async () => {
    const { r, text } = await page("/packages/pulumi/webco/shown");
    expect(r.status).toBe(200);
    const options = [...text.matchAll(/<option value="([^"]+)"[^>]*>([^<]+)<\/option>/g)].map((m) => m[2]);
    expect(options).toEqual(["1.1.0-beta.1 (pre-release)", "1.0.0", "0.9.0"]);
    expect(text).toContain("pulumi package add pulumi/webco/shown@1.0.0");
    expect(text).toContain("<strong>world</strong>");
  });

  it("a pinned version's page is that version; the selector's GET form redirects to it", async () => {
    const { text } = await page("/packages/pulumi/webco/shown/0.9.0");
    expect(text).toContain("pulumi package add pulumi/webco/shown@0.9.0");
    const r = await call("/packages/pulumi/webco/shown?version=1.1.0-beta.1", { headers: html, redirect: "manual" });
    expect(r.status).toBe(303);
    expect(r.headers.get("Location")).toBe("/packages/pulumi/webco/shown/1.1.0-beta.1");
  });

  it("stored text is escaped and markdown cannot carry HTML or script URLs", async () => {
    const { text } = await page("/packages/pulumi/webco/evil");
    expect(text).not.toMatch(/<script>alert/);
    expect(text).not.toMatch(/<img src=x/i);
    expect(text).not.toMatch(/href="(javascript|data|vbscript):/i);
    expect(text).not.toContain('src="javascript:');
    expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(text).toContain('href="https://example.com/"');
    // Exactly one script element: the site's own static file.
    expect([...text.matchAll(/<script/g)]).toHaveLength(1);
  });

  it("the package list searches and filters with the API's parameters and pages with its continuation tokens", async () => {
    const { text } = await page("/packages?search=shown");
    expect(text).toContain("/packages/pulumi/webco/shown");
    expect(text).not.toContain("/packages/pulumi/webco/evil");
    // A token from the API list works on the page for the same query, and the page's works on the API.
    const api = await callJson("/api/registry/packages?publisher=webco&limit=24");
    expect(api.body.continuationToken).toBeUndefined();
    const first = await callJson("/api/registry/packages?publisher=webco&limit=1");
    const tokenPage = await page(`/packages?publisher=webco&continuationToken=${first.body.continuationToken}`);
    expect(tokenPage.r.status).toBe(200);
    const bad = await page("/packages?publisher=webco&continuationToken=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(bad.r.status).toBe(400);
    expect(bad.r.headers.get("Content-Type")).toContain("text/html");
  });

  it("the package list filters by package type and category, composed with search and sort; the next-page link keeps them", async () => {
    await publishPackage(publisher, "pulumi/webco/metrics-one", "1.0.0", { schema: schemaFor("metrics-one", "1.0.0", { keywords: ["category/monitoring", "kind/component"] }) });
    await publishPackage(publisher, "pulumi/webco/metrics-two", "1.0.0", { schema: schemaFor("metrics-two", "1.0.0", { keywords: ["category/monitoring", "kind/component"] }) });
    await publishPackage(publisher, "pulumi/webco/metrics-native", "1.0.0", { schema: schemaFor("metrics-native", "1.0.0", { keywords: ["category/monitoring", "kind/native"] }) });
    const listed = (text: string) => [...text.matchAll(/<h3><a href="\/packages\/pulumi\/webco\/([a-z-]+)"/g)].map((m) => m[1]);
    const { r, text } = await page("/packages?category=monitoring&packageType=component&sort=name");
    expect(r.status).toBe(200);
    expect(listed(text)).toEqual(["metrics-one", "metrics-two"]);
    // The selects show what is filtered on, and offer every value the API accepts.
    expect(text).toMatch(/<option value="component" selected>Component<\/option>/);
    expect(text).toMatch(/<option value="monitoring" selected>Monitoring<\/option>/);
    for (const v of ["bridged", "native", "cloud", "database", "infrastructure", "network", "utility", "vcs"]) expect(text).toContain(`<option value="${v}"`);
    expect(listed((await page("/packages?category=monitoring&search=native")).text)).toEqual(["metrics-native"]);
    // The form's "Any" (an empty value) is no filter.
    expect(listed((await page("/packages?category=monitoring&packageType=&visibility=&search=")).text)).toEqual(["metrics-native", "metrics-one", "metrics-two"]);
    // Continuation tokens are the API's, bound to every filter: the API's first page of one goes on to the page's second.
    const first = await callJson("/api/registry/packages?category=monitoring&packageType=component&sort=name&limit=1");
    expect(first.body.packages.map((p: { name: string }) => p.name)).toEqual(["metrics-one"]);
    const token = encodeURIComponent(first.body.continuationToken);
    expect(listed((await page(`/packages?category=monitoring&packageType=component&sort=name&continuationToken=${token}`)).text)).toEqual(["metrics-two"]);
    for (const other of ["category=network&packageType=component&sort=name", "packageType=component&sort=name", "category=monitoring&sort=name"]) {
      expect((await page(`/packages?${other}&continuationToken=${token}`)).r.status, other).toBe(400);
    }
  });

  it("a bad package type or category on the list page is an HTML 400 page", async () => {
    for (const q of ["packageType=natives", "category=clouds", "category=Cloud"]) {
      const { r, text } = await page(`/packages?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
      expect(text).toContain("<h1");
    }
  });

  it("anonymous pages are served through the edge cache and a publish invalidates them", async () => {
    const first = await call("/packages/pulumi/webco/shown", { headers: html });
    await first.text();
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
    let again = await call("/packages/pulumi/webco/shown", { headers: html });
    for (let i = 0; i < 20 && again.headers.get("X-Edge-Cache") !== "hit"; i++) {
      await again.text();
      await new Promise((r) => setTimeout(r, 10));
      again = await call("/packages/pulumi/webco/shown", { headers: html });
    }
    expect(again.headers.get("X-Edge-Cache")).toBe("hit");
    await again.text();
    await publishPackage(publisher, "pulumi/webco/shown", "1.2.0");
    const after = await call("/packages/pulumi/webco/shown", { headers: html });
    expect(after.headers.get("X-Edge-Cache")).toBe("miss");
    expect(await after.text()).toContain("pulumi package add pulumi/webco/shown@1.2.0");
  });

  it("static assets are served under content-hashed URLs as immutable; an unknown hash is a 404", async () => {
    const { text } = await page("/");
    const css = /href="(\/static\/style\.[0-9a-f]{16}\.css)"/.exec(text)![1]!;
    const r = await call(css);
    expect(r.status).toBe(200);
    expect(r.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(r.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
    expect((await call("/static/style.0000000000000000.css")).status).toBe(404);
  });
});

describe("errors", () => {
  it("a browser gets an HTML 404 page; a private package's page is the same page as an absent one's", async () => {
    const hidden = await page("/packages/private/webco/hidden");
    const absent = await page("/packages/private/webco/nothing");
    expect(hidden.r.status).toBe(404);
    expect(absent.r.status).toBe(404);
    const main = (t: string) => /<main[^>]*>([\s\S]*)<\/main>/.exec(t)![1];
    expect(main(hidden.text)).toBe(main(absent.text));
    expect(hidden.r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(hidden.r.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
  });

  it("API routes keep their JSON errors even when a browser asks for HTML", async () => {
    const r = await callJson("/api/registry/packages/private/webco/hidden/versions/latest", { headers: html });
    expect(r.status).toBe(404);
    expect(r.response.headers.get("Content-Type")).toBe("application/json");
    expect(r.body.code).toBe(404);
    const other = await callJson("/nowhere");
    expect(other.response.headers.get("Content-Type")).toBe("application/json");
  });

  it("an unexpected failure is an HTML 500 page naming the request id, without the failure's detail", async () => {
    const { htmlErrorResponse } = await import("../../src/web/web-routes");
    const r = await htmlErrorResponse(new Request(`${BASE}/packages`), new Error("D1 exploded: secret detail"), "req-1234");
    expect(r.status).toBe(500);
    expect(r.headers.get("Cache-Control")).toBe("no-store");
    expect(r.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
    const text = await r.text();
    expect(text).toContain("<code>req-1234</code>");
    expect(text).not.toContain("secret detail");
  });

  it("a method a page does not accept is an HTML 405 with Allow; HEAD of a page is served", async () => {
    const r = await call("/packages", { method: "POST", headers: html });
    expect(r.status).toBe(405);
    expect(r.headers.get("Allow")).toBe("GET, HEAD");
    expect(r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    await r.text();
    const head = await call("/", { method: "HEAD", headers: html });
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(await head.text()).toBe("");
  });

  it("a bad path segment is an HTML 400 for a browser", async () => {
    const { r } = await page("/packages/pulumi/webco/shown/not-a-version");
    expect(r.status).toBe(400);
    expect(r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  });
});

describe("sign-in", () => {
  it("signing in sets a signed, HttpOnly, SameSite=Strict, expiring cookie and stores only a hash", async () => {
    const before = await countRows("web_sessions");
    const r = await call("/sign-in", {
    redirect: "manual",
      method: "POST",
      rawBody: new URLSearchParams({ token: publisher, next: "/packages/private/webco/hidden" }).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, "Sec-Fetch-Site": "same-origin" },
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("Location")).toBe("/packages/private/webco/hidden");
    const cookie = r.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^registry_session=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}; /);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).not.toContain(publisher);
    expect(await countRows("web_sessions")).toBe(before + 1);
    const id = /=([^.]+)\./.exec(cookie)![1]!;
    const { env } = await import("cloudflare:workers");
    const rows = await env.DB.prepare("SELECT id_hash, token_id FROM web_sessions").all<{ id_hash: string; token_id: string }>();
    expect(rows.results.some((row) => row.id_hash.includes(id))).toBe(false);
    expect(rows.results.some((row) => row.token_id === tokenId)).toBe(true);
  });

  it("the cookie is Secure with a __Host- name when the origin is https", async () => {
    const r = await call("https://gateway.test/sign-in", {
      redirect: "manual",
      method: "POST",
      rawBody: new URLSearchParams({ token: publisher }).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://gateway.test" },
    });
    expect(r.status).toBe(303);
    const cookie = r.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^__Host-registry_session=/);
    expect(cookie).toContain("; Secure");
  });

  it("a signed-in person sees their private package; the page is private, no-store and not edge-cached", async () => {
    const cookie = await signIn(publisher);
    const r = await call("/packages/private/webco/hidden", { headers: { ...html, Cookie: cookie } });
    expect(r.status).toBe(200);
    expect(r.headers.get("Cache-Control")).toBe("private, no-store");
    expect(r.headers.get("X-Edge-Cache")).toBeNull();
    const text = await r.text();
    expect(text).toContain("Hidden readme");
    expect(text).toContain("Signed in as <strong>webco</strong>");
  });

  it("a cross-site sign-in is refused and writes nothing", async () => {
    const before = await countRows("web_sessions");
    for (const headers of <Array<Record<string, string>>>[
      { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" },
      { "Sec-Fetch-Site": "same-site", Origin: BASE },
      { Origin: "https://evil.example" },
      {},
    ]) {
      const r = await call("/sign-in", {
    redirect: "manual",
        method: "POST",
        rawBody: new URLSearchParams({ token: publisher }).toString(),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "text/html", ...headers },
      });
      expect(r.status).toBe(403);
      expect(r.headers.get("Set-Cookie")).toBeNull();
      await r.text();
    }
    expect(await countRows("web_sessions")).toBe(before);
  });

  it("a wrong token is a 401 page, sets no cookie and writes nothing", async () => {
    const before = await countRows("web_sessions");
    const r = await call("/sign-in", {
    redirect: "manual",
      method: "POST",
      rawBody: new URLSearchParams({ token: "erg_not-a-real-token" }).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE },
    });
    expect(r.status).toBe(401);
    expect(r.headers.get("Set-Cookie")).toBeNull();
    expect(await r.text()).toContain("not accepted");
    expect(await countRows("web_sessions")).toBe(before);
  });

  it("signing out ends the session: the same cookie no longer shows private packages", async () => {
    const cookie = await signIn(publisher);
    const out = await call("/sign-out", { redirect: "manual", method: "POST", headers: { Cookie: cookie, Origin: BASE, "Sec-Fetch-Site": "same-origin" } });
    expect(out.status).toBe(303);
    expect(out.headers.get("Set-Cookie")).toMatch(/Max-Age=0/);
    const r = await call("/packages/private/webco/hidden", { headers: { ...html, Cookie: cookie } });
    expect(r.status).toBe(404);
    await r.text();
  });

  it("a signed-in page's reads check the session inside SQL: the session's org while it and its token are live, else public only", async () => {
    await createOrg("sqlsess-co");
    const t = await createToken("sqlsess-co", "publisher");
    await publishPackage(t.token, "private/sqlsess-co/secret", "1.0.0");
    const cookie = await signIn(t.token);
    const idHash = await sha256Hex(cookie.slice(cookie.indexOf("=") + 1).split(".")[0]!);
    const key = { kind: "package" as const, source: "private", publisher: "sqlsess-co", canonicalName: "secret" };
    const now = new Date().toISOString();
    const viewer = (at = now, hash = idHash) => ({ kind: "session" as const, idHash: hash, now: at });
    const liveVersions = (v: Viewer) => runPlan(database(env.DB), versionsPlan(database(env.DB), key, v));
    expect((await getEntry(database(env.DB), { ...key, version: "latest" }, viewer()))?.item.name).toBe("secret");
    expect((await liveVersions(viewer())).map((v) => v.version)).toEqual(["1.0.0"]);
    // An unknown session, one past its expiry, and (below) one whose token is revoked: as anonymous.
    expect(await getEntry(database(env.DB), { ...key, version: "latest" }, viewer(now, "0".repeat(64)))).toBeNull();
    expect(await getEntry(database(env.DB), { ...key, version: "latest" }, viewer(new Date(Date.now() + 13 * 3600_000).toISOString()))).toBeNull();
    const { ADMIN } = await import("./helpers");
    expect((await call(`/api/admin/orgs/sqlsess-co/tokens/${t.id}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    expect(await getEntry(database(env.DB), { ...key, version: "latest" }, viewer())).toBeNull();
    expect(await liveVersions(viewer())).toEqual([]);
    const page = await call("/packages/private/sqlsess-co/secret", { headers: { ...html, Cookie: cookie } });
    expect(page.status).toBe(404);
    await page.text();
  });

  it("the home page's featured packages are the featured ones the person may see, by name", async () => {
    await createOrg("feat-co");
    const t = await createToken("feat-co", "publisher");
    for (const path of ["pulumi/feat-co/feat-public", "private/feat-co/feat-private", "pulumi/feat-co/feat-plain"]) await publishPackage(t.token, path, "1.0.0");
    const { ADMIN } = await import("./helpers");
    for (const path of ["pulumi/feat-co/feat-public", "private/feat-co/feat-private"]) {
      expect((await call(`/api/admin/packages/${path}/featured`, { method: "PUT", token: ADMIN, body: { featured: true } })).status).toBe(204);
    }
    const featured = (text: string) => /<section aria-labelledby="featured">([\s\S]*?)<\/section>/.exec(text)![1]!;
    const anonymous = featured((await page(`/?fresh=${Math.random()}`)).text);
    expect(anonymous).toContain("/packages/pulumi/feat-co/feat-public");
    expect(anonymous).not.toContain("feat-private");
    expect(anonymous).not.toContain("feat-plain");
    const signedIn = featured((await page("/", { Cookie: await signIn(t.token) })).text);
    expect(signedIn).toContain("/packages/private/feat-co/feat-private");
    expect(signedIn).toContain("/packages/pulumi/feat-co/feat-public");
  });

  it("revoking the token ends the session on the next page, and the stale cookie is cleared", async () => {
    await createOrg("revoked-co");
    const t = await createToken("revoked-co", "reader");
    const cookie = await signIn(t.token);
    const ok = await call("/", { headers: { ...html, Cookie: cookie } });
    expect(await ok.text()).toContain("Signed in as <strong>revoked-co</strong>");
    const { ADMIN } = await import("./helpers");
    expect((await call(`/api/admin/orgs/revoked-co/tokens/${t.id}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    const next = await call("/", { headers: { ...html, Cookie: cookie } });
    const text = await next.text();
    expect(text).not.toContain("Signed in as");
    expect(next.headers.get("Set-Cookie")).toMatch(/^registry_session=; .*Max-Age=0/);
  });

  it("a forged or tampered cookie is anonymous", async () => {
    const cookie = await signIn(publisher);
    const tampered = cookie.slice(0, -2) + (cookie.endsWith("AA") ? "BB" : "AA");
    const r = await call("/packages/private/webco/hidden", { headers: { ...html, Cookie: tampered } });
    expect(r.status).toBe(404);
    await r.text();
  });

  it("sign-in only redirects to paths on this site", async () => {
    const r = await call("/sign-in", {
    redirect: "manual",
      method: "POST",
      rawBody: new URLSearchParams({ token: publisher, next: "//evil.example/x" }).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE },
    });
    expect(r.headers.get("Location")).toBe("/");
  });

  it("a next with a tab, a newline or a backslash trick redirects home instead of off-site or to a 500", async () => {
    for (const next of ["/\t/evil.example", "/\n/x", "/\r\nSet-Cookie: a=b", "/ /evil.example", "/\\evil.example"]) {
      const r = await call("/sign-in", {
        redirect: "manual",
        method: "POST",
        rawBody: new URLSearchParams({ token: publisher, next }).toString(),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, "Sec-Fetch-Site": "same-origin" },
      });
      expect(r.status, JSON.stringify(next)).toBe(303);
      expect(r.headers.get("Location")).toBe("/");
    }
  });

  it("an anonymous package list sorted by usage is a 401 page, not a 500", async () => {
    const { r } = await page("/packages?sort=usageTotal");
    expect(r.status).toBe(401);
    expect(r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  });

  it("a made-up Authorization header on a page neither skips the edge cache nor changes the page", async () => {
    await page("/packages");
    const { r } = await page("/packages", { Authorization: `token junk-${crypto.randomUUID()}` });
    expect(r.status).toBe(200);
    expect(r.headers.get("X-Edge-Cache")).toBe("hit");
    expect(r.headers.get("X-D1-Queries")).toBe("0");
  });
});

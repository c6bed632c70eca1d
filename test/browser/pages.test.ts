// Walks the registry's pages in a real Chromium: browsing, version and sign-in flows, and stored text
// that tries to run script. Every page is screenshotted (.tmp/screenshots/) and checked with axe-core.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expectAccessible, inspect, launch, screenshot, SCREENSHOTS } from "./browser-helpers";

const base = inject("webUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

async function fresh(options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: base, ...options });
  return { context, page: await context.newPage() };
}

describe("browsing", () => {
  it("home → search → package → template page", async () => {
    const { context, page } = await fresh();
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Find a Pulumi package or template");
    await expect(page.locator("#featured + ul.cards").getByRole("link", { name: "Widgets" }).count()).resolves.toBe(1);
    await inspect(page, "home");

    await page.getByLabel("Search packages").fill("gadgets");
    await page.getByLabel("Search packages").press("Enter");
    await page.waitForURL(/\/packages\?search=gadgets/);
    const results = page.locator("section[aria-label=Results] h3 a");
    await expect(results.allTextContents()).resolves.toEqual(["Gadgets"]);
    await inspect(page, "search");

    await results.first().click();
    await page.waitForURL(/\/packages\/pulumi\/acme\/gadgets$/);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Gadgets");
    await expect(page.locator(".command code").first().textContent()).resolves.toBe("pulumi package add pulumi/acme/gadgets@0.3.0");
    await expect(page.locator("#readme + .markdown h3").textContent()).resolves.toBe("Gadgets");
    await inspect(page, "package");

    await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Templates" }).click();
    await page.waitForURL(/\/templates$/);
    await inspect(page, "templates");
    await page.getByRole("link", { name: "Static website" }).click();
    await page.waitForURL(/\/templates\/github\/acme\/templates\/static-site$/);
    await expect(page.locator(".command code").textContent()).resolves.toBe("pulumi new registry://templates/github/acme/templates/static-site");
    await inspect(page, "template");
    await context.close();
  });

  it("package → API doc of a resource → a linked type → another package's docs", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages/pulumi/acme/acmecloud");
    await inspect(page, "package-with-docs");
    await page.getByRole("link", { name: "Browse the API" }).click();
    await page.waitForURL(/\/packages\/pulumi\/acme\/acmecloud\/2\.1\.0\/api\?lang=typescript$/);
    await inspect(page, "api-index");
    await page.getByRole("navigation", { name: "Modules" }).getByRole("link", { name: "acmecloud.s3.Bucket", exact: true }).click();
    await page.waitForURL(/\/api\/s3\/Bucket\?lang=typescript$/);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("acmecloud.s3.Bucket");
    await expect(page.locator("#inputs + table").textContent()).resolves.toContain("bucketName");
    await inspect(page, "api-resource");
    // A property whose type is an object type of this package: its link lands on that type's section.
    const website = page.locator("#inputs + table tr", { hasText: "website" }).locator("a").first();
    const target = (await website.getAttribute("href"))!;
    expect(target).toMatch(/^#type-/);
    await website.click();
    await page.waitForURL(new RegExp(`${target}$`));
    await expect(page.locator(target).isVisible()).resolves.toBe(true);
    await expect(page.locator(target).textContent()).resolves.toContain("BucketWebsite");
    await screenshot(page, "api-linked-type");
    // A type from another package in this registry links to that type's page there.
    await page.locator("#inputs + table tr", { hasText: "podSpec" }).locator("a").first().click();
    await page.waitForURL(/\/packages\/pulumi\/kubernetes\/kubernetes\/4\.0\.0\/types\/core\/v1\/PodSpec\?lang=typescript$/);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("PodSpec");
    await expect(page.locator("main").textContent()).resolves.toContain("The specification of a pod.");
    await expect(page.locator("#type-definition ~ table").textContent()).resolves.toContain("The container image.");
    await inspect(page, "api-other-package-type");
    await context.close();
  });

  it("a type's own page, in the chosen language, links to the types of its properties", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages/pulumi/acme/acmecloud/2.1.0/types/s3/BucketWebsite/BucketWebsite?lang=python");
    await expect(page.locator("#type-definition ~ table").textContent()).resolves.toContain("routing_rules");
    await inspect(page, "api-type");
    await page.locator("#type-definition ~ table tr", { hasText: "routing_rules" }).locator("a").first().click();
    await page.waitForURL(/\/types\/s3\/RoutingRule\/RoutingRule\?lang=python$/);
    await expect(page.locator("main").textContent()).resolves.toContain("acmecloud:s3/RoutingRule:RoutingRule");
    await context.close();
  });

  it("the package list filters by package type and category, and the filters stay chosen", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages");
    await page.getByLabel("Package type").selectOption("component");
    await page.getByLabel("Category").selectOption("monitoring");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/\/packages\?.*category=monitoring/);
    const results = page.locator("section[aria-label=Results] h3 a");
    await expect(results.allTextContents()).resolves.toEqual(["Monitor"]);
    await expect(page.getByLabel("Package type").inputValue()).resolves.toBe("component");
    await expect(page.getByLabel("Category").inputValue()).resolves.toBe("monitoring");
    await inspect(page, "package-list-filtered");
    // "Any" package type: both monitoring packages.
    await page.getByLabel("Package type").selectOption("");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("packageType") === "");
    await expect(results.allTextContents()).resolves.toEqual(["Metrics", "Monitor"]);
    const bad = await page.goto("/packages?category=clouds");
    expect(bad!.status()).toBe(400);
    await inspect(page, "package-list-bad-filter");
    await context.close();
  });

  it("switching language renames inputs on a docs page and picks the README's chooser text", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages/pulumi/acme/acmecloud/2.1.0/api/s3/Bucket?lang=typescript");
    const language = page.getByRole("navigation", { name: "Language" });
    await language.getByRole("link", { name: "Python" }).click();
    await page.waitForURL(/\?lang=python$/);
    await expect(page.locator("#inputs + table").textContent()).resolves.toContain("bucket_name");
    await expect(language.locator("[aria-current=page]").textContent()).resolves.toBe("Python");
    await inspect(page, "api-resource-python");
    await language.getByRole("link", { name: "Go" }).click();
    await page.waitForURL(/\?lang=go$/);
    await expect(page.locator("#inputs + table").textContent()).resolves.toContain("BucketName");

    await page.goto("/packages/pulumi/acme/acmecloud");
    await expect(page.locator("#readme ~ .markdown").allTextContents().then((t) => t.join(" "))).resolves.toContain("npm install @acme/acmecloud");
    await page.getByRole("navigation", { name: "README language" }).getByRole("link", { name: "Python" }).click();
    await page.waitForURL(/\?lang=python#readme$/);
    const readme = (await page.locator("#readme ~ .markdown").allTextContents()).join(" ");
    expect(readme).toContain("pip install acme_acmecloud");
    expect(readme).not.toContain("npm install");
    await inspect(page, "package-readme-python");
    await context.close();
  });

  it("the version selector on a docs page keeps the page and its language", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages/pulumi/acme/widgets/1.1.0/api?lang=python");
    await page.getByLabel("Version").selectOption("1.0.0");
    await page.waitForURL(/\/packages\/pulumi\/acme\/widgets\/1\.0\.0\/api\?lang=python$/);
    await context.close();
  });

  it("the version selector lists every version newest first with pre-releases marked, and switches version", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages/pulumi/acme/widgets");
    const select = page.getByLabel("Version");
    await expect(select.locator("option").allTextContents()).resolves.toEqual(["2.0.0-beta.1 (pre-release)", "1.1.0", "1.0.0"]);
    await expect(select.inputValue()).resolves.toBe("1.1.0");
    await select.selectOption("1.0.0");
    await page.waitForURL(/\/packages\/pulumi\/acme\/widgets\/1\.0\.0$/);
    await expect(page.locator(".command code").first().textContent()).resolves.toBe("pulumi package add pulumi/acme/widgets@1.0.0");
    await expect(page.locator("#readme + .markdown").textContent()).resolves.toContain("This is 1.0.0.");
    await inspect(page, "package-version");
    await context.close();
  });

  it("without JavaScript the version selector still works through its button", async () => {
    const { context, page } = await fresh({ javaScriptEnabled: false });
    await page.goto("/packages/pulumi/acme/widgets");
    await page.getByLabel("Version").selectOption("2.0.0-beta.1");
    await page.getByRole("button", { name: "Show version" }).click();
    await page.waitForURL(/\/packages\/pulumi\/acme\/widgets\/2\.0\.0-beta\.1$/);
    await expect(page.locator(".badge.warn").textContent()).resolves.toBe("pre-release");
    await screenshot(page, "package-prerelease-nojs");
    await context.close();
  });

  it("a deprecated package shows a banner linking its replacement, and its card a badge", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages?search=gizmos");
    await expect(page.locator("section[aria-label=Results] .card .badge.warn").textContent()).resolves.toBe("deprecated");
    await inspect(page, "package-list-deprecated");
    await page.getByRole("link", { name: "Gizmos" }).click();
    const banner = page.getByRole("region", { name: "Deprecation" });
    await expect(banner.textContent()).resolves.toBe("This package is deprecated. Gizmos became gadgets.Use pulumi/acme/gadgets instead.");
    await inspect(page, "package-deprecated");
    await banner.getByRole("link", { name: "pulumi/acme/gadgets" }).click();
    await page.waitForURL(/\/packages\/pulumi\/acme\/gadgets$/);
    await context.close();
  });

  it("install commands switch language by their tabs without JavaScript; the versions page links every version", async () => {
    const { context, page } = await fresh({ javaScriptEnabled: false });
    await page.goto("/packages/pulumi/acme/acmecloud");
    const install = page.getByRole("region", { name: "Install the SDK" });
    await expect(install.locator(".command code").allTextContents()).resolves.toEqual(["npm install @acme/acmecloud@2.1.0", "yarn add @acme/acmecloud@2.1.0"]);
    await install.getByRole("navigation", { name: "Install language" }).getByRole("link", { name: "Python" }).click();
    await page.waitForURL(/\?lang=python#install$/);
    await expect(install.locator(".command code").allTextContents()).resolves.toEqual(["pip install acme_acmecloud==2.1.0"]);
    await screenshot(page, "package-install-python-nojs");
    await page.goto("/packages/pulumi/acme/widgets");
    await page.getByRole("link", { name: "All 3 versions" }).click();
    await page.waitForURL(/\/packages\/pulumi\/acme\/widgets\/versions$/);
    await expect(page.locator("table.versions tbody tr").allTextContents()).resolves.toHaveLength(3);
    await screenshot(page, "package-versions-nojs");
    await page.getByRole("link", { name: "2.0.0-beta.1" }).click();
    await page.waitForURL(/\/packages\/pulumi\/acme\/widgets\/2\.0\.0-beta\.1$/);
    await context.close();
    // The same pages with JavaScript, for axe (which runs as script in the page).
    const checked = await fresh();
    await checked.page.goto("/packages/pulumi/acme/acmecloud?lang=python");
    await inspect(checked.page, "package-install-python");
    await checked.page.goto("/packages/pulumi/acme/widgets/versions");
    await inspect(checked.page, "package-versions");
    await checked.context.close();
  });

  it("the API tree: modules → members, the current member marked; its filter works without JavaScript and live with it", async () => {
    const { context, page } = await fresh({ javaScriptEnabled: false });
    await page.goto("/packages/pulumi/acme/acmecloud/2.1.0/api/s3/Bucket?lang=typescript");
    const tree = page.getByRole("navigation", { name: "API navigation" });
    await expect(tree.locator("[aria-current=page]").textContent()).resolves.toBe("acmecloud.s3.Bucket");
    await expect(page.locator("#constructor-syntax + .markdown pre code .hljs-keyword").first().textContent()).resolves.toBe("const");
    await screenshot(page, "api-resource-tree-nojs");
    await tree.getByLabel("Filter resources and functions").fill("instance");
    await tree.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/\/api\?q=instance&lang=typescript$/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("1 match for “instance”.");
    await expect(page.getByRole("navigation", { name: "Modules" }).getByRole("link").allTextContents()).resolves.toEqual(["compute", "acmecloud.compute.Instance"]);
    await screenshot(page, "api-filtered-nojs");
    await context.close();

    const live = await fresh();
    await live.page.goto("/packages/pulumi/acme/acmecloud/2.1.0/api?lang=python");
    const liveTree = live.page.getByRole("navigation", { name: "API navigation" });
    await liveTree.getByLabel("Filter resources and functions").fill("get_b");
    await expect(liveTree.locator("li.fn:visible, li.res:visible").allTextContents()).resolves.toEqual(["acmecloud.s3.get_bucket (function)"]);
    await screenshot(live.page, "api-tree-live-filter");
    await live.page.goto("/packages/pulumi/acme/acmecloud/2.1.0/api/s3/Bucket?lang=typescript");
    await inspect(live.page, "api-resource-tree");
    await live.page.goto("/packages/pulumi/acme/acmecloud/2.1.0/api?q=instance&lang=typescript");
    await inspect(live.page, "api-filtered");
    await live.context.close();
  });

  it("a 400 page says what was wrong", async () => {
    const { context, page } = await fresh();
    const r = await page.goto("/packages?publisher=Nobody+Like+This");
    expect(r!.status()).toBe(400);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("no publisher is named 'Nobody Like This'");
    await inspect(page, "bad-request");
    // The display name cards show works as the filter.
    await page.goto("/packages?publisher=Acme+Corp");
    await page.waitForURL(/publisher=acme/);
    await expect(page.locator("section[aria-label=Results] .card").count()).resolves.toBeGreaterThan(3);
    await context.close();
  });

  it("works on a phone: nothing scrolls sideways", async () => {
    const { context, page } = await fresh({ viewport: { width: 390, height: 844 } });
    const paths = ["/", "/packages/pulumi/acme/widgets", "/packages/pulumi/acme/widgets/versions", "/packages/pulumi/acme/acmecloud?lang=java", "/packages/pulumi/acme/acmecloud/2.1.0/api/s3/Bucket?lang=csharp", "/packages/pulumi/acme/gizmos", "/templates/github/acme/templates/static-site"];
    for (const path of paths) {
      await page.goto(path);
      // Code blocks scroll within themselves (long constructor lines keep their indentation): what lies inside a
      // box that scrolls sideways may pass the edge, the box itself may not, nor may the page.
      const wider = await page.evaluate(() => {
        const scrollsInside = (e: Element) => {
          for (let p = e.parentElement; p; p = p.parentElement) if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return true;
          return false;
        };
        const out = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !scrollsInside(e)).map((e) => `${e.tagName}.${e.className}`);
        if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page ${document.documentElement.scrollWidth}px wide`);
        return out;
      });
      expect(wider, path).toEqual([]);
    }
    await screenshot(page, "template-phone");
    await page.goto("/packages/pulumi/acme/widgets");
    await screenshot(page, "package-phone");
    await page.goto("/packages/pulumi/acme/acmecloud?lang=python");
    await screenshot(page, "package-install-phone");
    await page.goto("/packages/pulumi/acme/acmecloud/2.1.0/api/s3/Bucket?lang=go");
    // The constructor's code keeps its lines (no wrapping) and scrolls sideways in its own box; the API tree comes first.
    const code = page.locator("#constructor-syntax ~ * pre").first();
    await expect(code.evaluate((e) => getComputedStyle(e).whiteSpace)).resolves.toBe("pre");
    await expect(code.evaluate((e) => e.scrollWidth > e.clientWidth && e.getBoundingClientRect().right <= window.innerWidth)).resolves.toBe(true);
    const treeTop = await page.getByRole("navigation", { name: "API navigation" }).evaluate((e) => e.getBoundingClientRect().top);
    const inputsTop = await page.locator("#inputs").evaluate((e) => e.getBoundingClientRect().top);
    expect(treeTop).toBeLessThan(inputsTop);
    await screenshot(page, "api-resource-phone");
    await page.goto("/packages/pulumi/acme/gizmos");
    await screenshot(page, "package-deprecated-phone");
    await page.goto("/packages/pulumi/acme/widgets/versions");
    await screenshot(page, "package-versions-phone");
    await context.close();
  });

  it("keyboard: the first Tab reaches the skip link, which moves focus to the content", async () => {
    const { context, page } = await fresh();
    await page.goto("/packages/pulumi/acme/widgets");
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Skip to content");
    await page.keyboard.press("Enter");
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("main");
    await context.close();
  });
});

describe("sign-in", () => {
  it("signing in with an org token shows a private package; signing out shows the same 404 as an absent package", async () => {
    const { context, page } = await fresh();
    const absent = await page.goto("/packages/private/acme/no-such-package");
    expect(absent!.status()).toBe(404);
    const absentMain = await page.locator("main").innerHTML();
    await inspect(page, "not-found");

    const hidden = await page.goto("/packages/private/acme/vault");
    expect(hidden!.status()).toBe(404);
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL(/\/sign-in\?next=/);
    await inspect(page, "sign-in");
    await page.getByLabel("Org token").fill(inject("orgToken"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/packages\/private\/acme\/vault$/);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Vault");
    await expect(page.locator("header.site").textContent()).resolves.toContain("Signed in as acme");
    await expect(page.locator("#readme + .markdown").textContent()).resolves.toContain("Acme's private vault component.");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "registry_session")!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe("Strict");
    expect(session.value).not.toContain(inject("orgToken"));
    await inspect(page, "private-package");

    await page.goto("/templates/private/acme/web-app");
    await inspect(page, "private-template");
    const privateDocs = await page.goto("/packages/private/acme/acmecloud-internal/2.1.0/api/s3/Bucket");
    expect(privateDocs!.status()).toBe(200);
    await expect(page.locator("#inputs + table").textContent()).resolves.toContain("bucketName");
    await inspect(page, "private-docs");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(base + "/");
    const after = await page.goto("/packages/private/acme/vault");
    expect(after!.status()).toBe(404);
    expect(await page.locator("main").innerHTML()).toBe(absentMain);
    const docsAfter = await page.goto("/packages/private/acme/acmecloud-internal/2.1.0/api/s3/Bucket");
    expect(docsAfter!.status()).toBe(404);
    expect(await page.locator("main").innerHTML()).toBe(absentMain);
    await context.close();
  });

  it("a template's version selector lists every version, marks pre-releases and deprecated ones, and opens each version's page", async () => {
    const { context, page } = await fresh();
    await page.goto("/sign-in?next=/templates/private/acme/service");
    await page.getByLabel("Org token").fill(inject("orgToken"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/templates\/private\/acme\/service$/);
    const select = page.getByLabel("Version");
    await expect(select.locator("option").allTextContents()).resolves.toEqual(["2.0.0-rc.1 (pre-release)", "1.1.0", "1.0.0 (deprecated)"]);
    await expect(select.inputValue()).resolves.toBe("1.1.0");
    await expect(page.locator(".command code").textContent()).resolves.toBe("pulumi new registry://templates/private/acme/service@1.1.0");
    await inspect(page, "template-versions");
    await select.selectOption("1.0.0");
    await page.waitForURL(/\/templates\/private\/acme\/service\/versions\/1\.0\.0$/);
    await expect(page.locator(".command code").textContent()).resolves.toBe("pulumi new registry://templates/private/acme/service@1.0.0");
    await expect(page.locator("#readme ~ .markdown").textContent()).resolves.toContain("This is the 1.0.0 template.");
    await expect(page.locator("aside.meta").textContent()).resolves.toContain("r1.0.0");
    await expect(page.getByRole("region", { name: "Deprecation" }).textContent()).resolves.toBe("This version is deprecated. use 1.1.0");
    await inspect(page, "template-version");
    await context.close();
  });

  it("a template page downloads its archive and lists its files beside its README; signed out the archive is the absent 404", async () => {
    const { context, page } = await fresh({ viewport: { width: 1280, height: 900 } });
    await page.goto("/sign-in?next=/templates/private/acme/service");
    await page.getByLabel("Org token").fill(inject("orgToken"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/templates\/private\/acme\/service$/);
    await expect(page.locator("#readme ~ .markdown").textContent()).resolves.toContain("This is the 1.1.0 template.");
    const files = page.getByRole("region", { name: "Files" });
    await expect(files.locator("p.muted").textContent()).resolves.toMatch(/^4 files, 2\.\d KB unpacked\.$/);
    const rows = await files.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    expect(rows.map(([path]) => path)).toEqual(["Pulumi.yaml", "README.md", "index.ts", "src/handler.ts"]);
    expect(rows.find(([path]) => path === "src/handler.ts")![1]).toBe("2.0 KB");
    expect(rows.find(([path]) => path === "index.ts")![1]).toBe("11 bytes");
    await inspect(page, "template-files");
    // The side panel starts below the full-width command box with a gap, not flush under it.
    const gap = async () => {
      const command = await page.locator(".command").last().evaluate((e) => e.getBoundingClientRect().bottom);
      const aside = await page.locator("aside.meta").evaluate((e) => e.getBoundingClientRect().top);
      return aside - command;
    };
    expect(await gap()).toBeGreaterThanOrEqual(16);
    await page.screenshot({ path: ".tmp/template-page-desktop.png", fullPage: true });

    // The link downloads the version's archive, named after it, as this signed-in person may.
    const link = files.getByRole("link", { name: "Download archive (.tar.gz)" });
    expect(await link.getAttribute("href")).toBe("/templates/private/acme/service/versions/1.1.0/archive");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe("service-1.1.0.tar.gz");
    const saved = join(SCREENSHOTS, "..", "service-1.1.0.tar.gz");
    await download.saveAs(saved);
    expect(execFileSync("tar", ["-tzf", saved], { encoding: "utf8" }).split("\n").filter(Boolean).sort()).toEqual(["Pulumi.yaml", "README.md", "index.ts", "src/handler.ts"]);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const wider = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(wider).toBe(false);
    await page.screenshot({ path: ".tmp/template-page-phone.png", fullPage: true });

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/packages/pulumi/acme/acmecloud?lang=python");
    expect(await gap()).toBeGreaterThanOrEqual(16);
    await screenshot(page, "package-install-desktop");

    // Signed out: the page and its archive are what an absent template's are.
    await page.getByRole("button", { name: "Sign out" }).click();
    const archive = await page.request.get("/templates/private/acme/service/versions/1.1.0/archive", { headers: { Accept: "text/html" } });
    const absent = await page.request.get("/templates/private/acme/nothing-here/versions/1.1.0/archive", { headers: { Accept: "text/html" } });
    expect(archive.status()).toBe(404);
    expect(absent.status()).toBe(404);
    expect((await archive.text()).replaceAll("service", "X")).toBe((await absent.text()).replaceAll("nothing-here", "X"));
    await context.close();
  });

  it("a wrong token is refused on the form", async () => {
    const { context, page } = await fresh();
    await page.goto("/sign-in");
    await page.getByLabel("Org token").fill("erg_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("not accepted");
    await expectAccessible(page);
    await context.close();
  });

  it("revoking the token ends the session on the next page", async () => {
    const admin = inject("adminToken");
    const created = await fetch(`${base}/api/admin/orgs/acme/tokens`, {
      method: "POST",
      headers: { Authorization: `token ${admin}`, "Content-Type": "application/json" },
      body: JSON.stringify({ role: "reader" }),
    }).then((r) => r.json() as Promise<{ id: string; token: string }>);
    const { context, page } = await fresh();
    await page.goto("/sign-in?next=/packages/private/acme/vault");
    await page.getByLabel("Org token").fill(created.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/packages\/private\/acme\/vault$/);
    const revoke = await fetch(`${base}/api/admin/orgs/acme/tokens/${created.id}`, { method: "DELETE", headers: { Authorization: `token ${admin}` } });
    expect(revoke.status).toBe(204);
    const next = await page.reload();
    expect(next!.status()).toBe(404);
    await expect(page.locator("header.site").textContent()).resolves.not.toContain("Signed in");
    await context.close();
  });
});

describe("stored text cannot run script", () => {
  async function watched(path: string, name: string, options: { signedIn?: boolean } = {}) {
    const { context, page } = await fresh();
    if (options.signedIn) {
      await page.goto("/sign-in");
      await page.getByLabel("Org token").fill(inject("orgToken"));
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(base + "/");
    }
    const dialogs: string[] = [];
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    const response = await page.goto(path);
    expect(response!.status()).toBe(200);
    const served = await response!.text();
    await page.waitForLoadState("networkidle");
    // Try the links too: none of them may run script.
    for (const link of await page.locator("main a").all()) {
      const href = await link.getAttribute("href");
      expect(href ?? "", "no script URL in any link").not.toMatch(/^\s*(javascript|data|vbscript):/i);
    }
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    // Only this origin's page, stylesheet, script (and favicon) were requested.
    const origin = new URL(base).origin;
    expect(requests.filter((u) => !u.startsWith(origin + "/"))).toEqual([]);
    expect(requests.filter((u) => !/\/(static\/[a-z]+\.[0-9a-f]{16}\.(css|js|svg)|static\/package-logo\.svg|favicon\.ico)$/.test(u) && u !== origin + path)).toEqual([]);
    // A CSP violation would mean markup got through and was merely blocked: escaping must stop it first.
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    // No DOM change: the rendered stored text in the live page is exactly what the server sent.
    const liveMarkdown = await page.locator(".markdown").evaluateAll((els) => els.map((e) => e.innerHTML));
    const servedMarkdown = await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      return [...doc.querySelectorAll(".markdown")].map((e) => e.innerHTML);
    }, served);
    expect(liveMarkdown).toEqual(servedMarkdown);
    expect(await page.locator("script").count()).toBe(1);
    expect(await page.locator("main [onerror], main [onload], main [onclick], main iframe, main svg").count()).toBe(0);
    await expect(page.locator("main").textContent()).resolves.toContain("<script>window.__pwned=");
    await inspect(page, name);
    await context.close();
  }

  it("a package whose title, description and README carry script shows it as text and runs nothing", async () => {
    await watched("/packages/pulumi/acme/evil", "evil-package");
  });

  it("a template whose README, metadata and config carry script shows it as text and runs nothing", async () => {
    await watched("/templates/private/acme/web-app", "evil-template", { signedIn: true });
  });

  it("VCS template metadata with script is text", async () => {
    const { context, page } = await fresh();
    await page.goto("/templates/github/acme/templates/static-site");
    await expect(page.locator("aside.meta").textContent()).resolves.toContain("<script>window.__pwned='script'");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    await context.close();
  });
});

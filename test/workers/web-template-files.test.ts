// The template page's archive: its download (a page route that answers whoever may see the page) and its
// file list, computed once at complete and stored beside the version (files.json), capped at
// FILE_LIST_MAX_FILES; a version stored before lists were kept says its list is unavailable.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, callJson, orgWithTokens, signIn, type OrgTokens } from "./helpers";
import { archiveOf, PULUMI_YAML, publishTemplate, VCS_TEMPLATE } from "./template-helpers";
import { FILE_LIST_MAX_FILES } from "../../src/templates/file-list";
import { formatBytes } from "../../src/web/item-pages";

let acme: OrgTokens;
let other: OrgTokens;
let bigArchive: Uint8Array;
const html = { Accept: "text/html" };

async function page(path: string, cookie?: string) {
  const r = await call(path, { headers: { ...html, ...(cookie ? { Cookie: cookie } : {}) }, redirect: "manual" });
  return { r, text: await r.text() };
}

const rows = (text: string) => [...text.matchAll(/<tr><td><code>([^<]*)<\/code><\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]]);

beforeAll(async () => {
  acme = await orgWithTokens("fileco");
  other = await orgWithTokens("fileother");
  const small = archiveOf([
    { name: "Pulumi.yaml", data: PULUMI_YAML() },
    { name: "README.md", data: "# Files\n" },
    { name: "src/index.ts", data: "x".repeat(1536) },
    { name: "<b>odd & name</b>.txt", data: "" },
  ]);
  expect((await publishTemplate(acme.publisher, "private/fileco/small", "1.0.0", await small)).status).toBe(201);
  bigArchive = await archiveOf([
    { name: "Pulumi.yaml", data: PULUMI_YAML() },
    ...Array.from({ length: FILE_LIST_MAX_FILES + 20 }, (_, i) => ({ name: `files/f${String(i).padStart(4, "0")}.txt`, data: "ab" })),
  ]);
  expect((await publishTemplate(acme.publisher, "private/fileco/big", "1.0.0", bigArchive)).status).toBe(201);
  expect((await publishTemplate(acme.publisher, "private/fileco/old", "1.0.0", await small)).status).toBe(201);
  // `old` as the previous release stored it: no file list.
  const row = await env.DB.prepare("SELECT v.id, v.artifacts FROM versions v JOIN items i ON i.id = v.item_id WHERE i.name = 'old'").first<{ id: string; artifacts: string }>();
  const artifacts = JSON.parse(row!.artifacts) as Record<string, string>;
  await env.ARTIFACTS.delete(artifacts.files!);
  delete artifacts.files;
  await env.DB.prepare("UPDATE versions SET artifacts = ? WHERE id = ?").bind(JSON.stringify(artifacts), row!.id).run();
});

describe("template page files", () => {
  it("lists the archive's files sorted by path with their sizes, names escaped, and links the download", async () => {
    const cookie = await signIn(acme.reader);
    const { r, text } = await page("/templates/private/fileco/small", cookie);
    expect(r.status).toBe(200);
    expect(rows(text)).toEqual([
      ["&lt;b&gt;odd &amp; name&lt;/b&gt;.txt", "0 bytes"],
      ["Pulumi.yaml", expect.stringMatching(/^\d+ bytes$/)],
      ["README.md", "8 bytes"],
      ["src/index.ts", "1.5 KB"],
    ]);
    expect(text).toContain('<a class="button" href="/templates/private/fileco/small/versions/1.0.0/archive" download="">Download archive (.tar.gz)</a>');
    expect(text).toMatch(/4 files, 1\.\d KB unpacked\./);
    expect(text).not.toContain("are listed");
  });

  it("a list past the cap shows the first files and says how many there are", async () => {
    const cookie = await signIn(acme.reader);
    const { text } = await page("/templates/private/fileco/big/versions/1.0.0", cookie);
    const listed = rows(text);
    expect(listed).toHaveLength(FILE_LIST_MAX_FILES);
    expect(listed[0]).toEqual(["Pulumi.yaml", expect.any(String)]);
    expect(listed[listed.length - 1]).toEqual([`files/f${String(FILE_LIST_MAX_FILES - 2).padStart(4, "0")}.txt`, "2 bytes"]);
    expect(text).toContain(`${(FILE_LIST_MAX_FILES + 21).toLocaleString("en-US")} files`);
    expect(text).toContain(`The first ${FILE_LIST_MAX_FILES} files in the archive are listed; download it for the rest.`);
  });

  it("a version stored without a list says the list is unavailable, and still offers the download", async () => {
    const cookie = await signIn(acme.reader);
    const { r, text } = await page("/templates/private/fileco/old", cookie);
    expect(r.status).toBe(200);
    expect(rows(text)).toEqual([]);
    expect(text).toContain("The file list is unavailable for this version");
    expect(text).toContain('href="/templates/private/fileco/old/versions/1.0.0/archive"');
  });

  it("the download answers the archive to the signed-in org, private and uncached, and the absent 404 to anyone else", async () => {
    const cookie = await signIn(acme.reader);
    const got = await call("/templates/private/fileco/big/versions/1.0.0/archive", { headers: { Cookie: cookie } });
    expect(got.status).toBe(200);
    expect(got.headers.get("Content-Type")).toBe("application/gzip");
    expect(got.headers.get("Content-Disposition")).toBe('attachment; filename="big-1.0.0.tar.gz"');
    expect(got.headers.get("Cache-Control")).toBe("private, no-store");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bigArchive);

    const stranger = await signIn(other.reader);
    for (const who of [{ Cookie: stranger }, {}]) {
      const hidden = await page("/templates/private/fileco/big/versions/1.0.0/archive", who.Cookie);
      const absent = await page("/templates/private/fileco/nothing-here/versions/1.0.0/archive", who.Cookie);
      expect(hidden.r.status).toBe(404);
      expect(absent.r.status).toBe(404);
      expect(hidden.text.replaceAll("big", "X")).toBe(absent.text.replaceAll("nothing-here", "X"));
    }
    expect((await page("/templates/private/fileco/big/versions/9.9.9/archive", cookie)).r.status).toBe(404);
    const bad = await page("/templates/private/fileco/big/versions/v1/archive", cookie);
    expect(bad.r.status).toBe(400);
    expect(bad.r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  });

  it("a VCS-backed template whose name ends in versions/{x}/archive is its page, not a download", async () => {
    const name = "acme/kit/versions/2/archive";
    const registered = await callJson("/api/admin/templates", { method: "POST", token: ADMIN, body: { ...VCS_TEMPLATE, publisher: "fileco", name, displayName: "Archive-named kit" } });
    expect(registered.status).toBe(201);
    const { r, text } = await page(`/templates/github/fileco/${name}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(text).toContain("<h1>Archive-named kit</h1>");
    // No stored archive to list: the side panel links the registered download instead.
    expect(text).not.toContain('id="files"');
    expect(text).toContain(`<a href="${VCS_TEMPLATE.downloadURL}" rel="nofollow noopener">Download from the repository</a>`);
  });

  it("sizes read as a file manager shows them", () => {
    expect([0, 1, 2, 1023, 1024, 1536, 10 * 1024, 5 * 1024 * 1024 + 1].map(formatBytes)).toEqual(["0 bytes", "1 byte", "2 bytes", "1023 bytes", "1.0 KB", "1.5 KB", "10 KB", "5.0 MB"]);
  });
});

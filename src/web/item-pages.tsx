// A package's page (version selector, add command, README, installation) and a template's page.
import { Fragment, h, type Child, type RawHtml } from "./jsx";
import { Layout, type PageShell } from "./layout";
import { Command, isHttpsUrl, Markdown, PackageLogo, packagePath, templatePath } from "./components";
import type { LiveVersion } from "../core/vocabulary/catalog-entry";
import { DeprecationBanner, type ShownDeprecation } from "./deprecation";
import type { InstallChoice } from "./install-commands";
import type { PackageFacts } from "../api-docs/package-facts";
import type { Language } from "../api-docs/languages";
import { LanguageTabs } from "./language-tabs";
import type { PackageView } from "../packages/package-answer";
import type { TemplateView } from "../templates/template-answer";
import type { FileList } from "../templates/file-list";

/** A package page shows the API's whole view of the version, with the deprecation in force (set by the page). */
export type PackageDetail = PackageView & { deprecation?: ShownDeprecation };

/** How a version is offered: pre-releases and deprecated versions say so. */
export function versionLabel(v: Pick<LiveVersion, "version" | "prerelease" | "deprecated">): string {
  const marks = [...(v.prerelease ? ["pre-release"] : []), ...(v.deprecated ? ["deprecated"] : [])];
  return marks.length ? `${v.version} (${marks.join(", ")})` : v.version;
}

/**
 * A GET form: without JavaScript its button submits, with it the select does; `then` keeps a docs page's
 * place. `action` is the item's unversioned page (a package's by default), which redirects to the version's.
 */
export function VersionSelector({ pkg, versions, then, lang, action }: { pkg: { source: string; publisher: string; name: string; version?: string }; versions: LiveVersion[]; then?: string; lang?: string; action?: string }): RawHtml {
  return (
    <form class="inline-form" method="get" action={action ?? packagePath(pkg)}>
      <div class="field">
        <label for="version-select">Version</label>
        <select id="version-select" name="version" data-autosubmit="">
          {versions.map((v) => (
            <option value={v.version} selected={v.version === pkg.version}>
              {versionLabel(v)}
            </option>
          ))}
        </select>
      </div>
      {then ? <input type="hidden" name="then" value={then} /> : null}
      {lang ? <input type="hidden" name="lang" value={lang} /> : null}
      <button type="submit" data-autosubmit-button="">
        Show version
      </button>
    </form>
  );
}

/** Install commands for one language at a time, switched by links (no JavaScript needed), as the README's language tabs are. */
export function InstallSection({ choices, current, hrefFor }: { choices: InstallChoice[]; current?: Language; hrefFor: (lang: Language) => string }): RawHtml | null {
  if (!choices.length) return null;
  const shown = choices.find((c) => c.language === current) ?? choices[0]!;
  return (
    <section aria-labelledby="install">
      <h2 id="install">Install the SDK</h2>
      {choices.length > 1 ? <LanguageTabs languages={choices.map((c) => c.language)} current={shown.language} hrefFor={hrefFor} label="Install language" /> : null}
      {shown.commands.map((c) => (
        <Command label={`Install with ${c.tool}`} command={c.command} caption={c.tool} />
      ))}
    </section>
  );
}

const SLOT_LABELS: Record<string, string> = { schema: "Schema", index: "README", installationConfiguration: "Installation" };

/** A mirrored version's provenance: its upstream, when it was fetched, and the SHA-256 of each artifact as fetched. */
function MirrorProvenance({ provenance }: { provenance: NonNullable<PackageDetail["provenance"]> }): RawHtml {
  const fetched = [
    ...Object.entries(provenance.artifacts).map(([slot, a]) => [SLOT_LABELS[slot] ?? slot, a] as const),
    ...Object.entries(provenance.plugins ?? {}).map(([platform, a]) => [`Plugin ${platform}`, a] as const),
  ];
  return (
    <>
      <dt>Mirrored from</dt>
      <dd class="provenance">
        <span title={provenance.url}>{provenance.upstream}</span>, fetched <time datetime={provenance.fetchedAt}>{provenance.fetchedAt.slice(0, 10)}</time>
        <details>
          <summary>SHA-256 as fetched</summary>
          <ul>
            {fetched.map(([label, a]) => (
              <li>
                {label}: <code>{a.sha256}</code>
              </li>
            ))}
          </ul>
        </details>
      </dd>
    </>
  );
}

/** The package page's side panel: version selector, publisher, dates, category, type, status, license, links. */
function PackageDetails({ pkg, versions, facts }: { pkg: PackageDetail; versions: LiveVersion[]; facts?: PackageFacts }): RawHtml {
  return (
    <aside class="meta" aria-label="Package details">
      <VersionSelector pkg={pkg} versions={versions} />
      <dl>
        <dt>Publisher</dt>
        <dd>{pkg.publisherDisplayName ?? pkg.publisher}</dd>
        <dt>Published</dt>
        <dd>
          <time datetime={pkg.createdAt}>{pkg.createdAt.slice(0, 10)}</time>
        </dd>
        {pkg.category ? (
          <>
            <dt>Category</dt>
            <dd>{pkg.category}</dd>
          </>
        ) : null}
        {pkg.packageTypes?.length ? (
          <>
            <dt>Package type</dt>
            <dd>{pkg.packageTypes.join(", ")}</dd>
          </>
        ) : null}
        {pkg.packageStatus ? (
          <>
            <dt>Status</dt>
            <dd>{pkg.packageStatus === "ga" ? "Generally available" : "Public preview"}</dd>
          </>
        ) : null}
        {facts?.license ? (
          <>
            <dt>License</dt>
            <dd>{facts.license}</dd>
          </>
        ) : null}
        {isHttpsUrl(facts?.homepage) ? (
          <>
            <dt>Homepage</dt>
            <dd>
              <a href={facts.homepage} rel="nofollow noopener">
                {facts.homepage}
              </a>
            </dd>
          </>
        ) : null}
        {isHttpsUrl(pkg.repoUrl) ? (
          <>
            <dt>Repository</dt>
            <dd>
              <a href={pkg.repoUrl} rel="nofollow noopener">
                {pkg.repoUrl}
              </a>
            </dd>
          </>
        ) : null}
        {pkg.provenance ? <MirrorProvenance provenance={pkg.provenance} /> : null}
        <dt>Versions</dt>
        <dd>
          <a href={`${packagePath(pkg)}/versions`}>{versions.length === 1 ? "1 version" : `All ${versions.length} versions`}</a>
        </dd>
      </dl>
    </aside>
  );
}

export function PackagePage(props: {
  shell: PageShell;
  pkg: PackageDetail;
  versions: LiveVersion[];
  readme: Child;
  installation: Child;
  apiDocs: Child;
  install?: Child;
  plugins?: Child;
  facts?: PackageFacts;
}): RawHtml {
  const facts = props.facts;
  const { pkg } = props;
  const current = props.versions.find((v) => v.version === pkg.version);
  return (
    <Layout {...props.shell}>
      <div class="pkg-head">
        <PackageLogo url={pkg.logoUrl} alt={`${pkg.title ?? pkg.name} logo`} />
        <div>
          <h1>{pkg.title ?? pkg.name}</h1>
          <p class="muted">
            {pkg.source}/{pkg.publisher}/{pkg.name} · v{pkg.version} {current?.prerelease ? <span class="badge warn">pre-release</span> : null}{" "}
            {pkg.visibility === "private" ? <span class="badge">private</span> : null} {current?.deprecated || pkg.deprecation ? <span class="badge warn">deprecated</span> : null}
          </p>
        </div>
      </div>
      {pkg.deprecation ? <DeprecationBanner deprecation={pkg.deprecation} kind="package" /> : null}
      {pkg.description ? <p>{pkg.description}</p> : null}
      <Command label="Add this package" command={`pulumi package add ${pkg.source}/${pkg.publisher}/${pkg.name}@${pkg.version}`} />
      {props.install}
      {props.plugins}
      <div class="layout">
        <div>
          <section aria-labelledby="readme">
            <h2 id="readme">README</h2>
            {props.readme}
          </section>
          <section aria-labelledby="installation">
            <h2 id="installation">Installation</h2>
            {props.installation}
          </section>
          <section aria-labelledby="api-docs">
            <h2 id="api-docs">API documentation</h2>
            {props.apiDocs}
          </section>
        </div>
        <PackageDetails pkg={pkg} versions={props.versions} facts={facts} />
      </div>
    </Layout>
  );
}

/** `/packages/{source}/{publisher}/{name}/versions`: every live version, newest first, each linked to its page. */
export function VersionsPage(props: { shell: PageShell; pkg: PackageDetail; versions: LiveVersion[] }): RawHtml {
  const { pkg, versions } = props;
  const latest = pkg.version;
  return (
    <Layout {...props.shell}>
      <nav aria-label="Breadcrumb">
        <p class="muted">
          <a href={packagePath(pkg)}>{pkg.title ?? pkg.name}</a> › <span aria-current="page">Versions</span>
        </p>
      </nav>
      <h1>{`${pkg.title ?? pkg.name} versions`}</h1>
      {pkg.deprecation?.scope === "item" ? <DeprecationBanner deprecation={pkg.deprecation} kind="package" /> : null}
      <p class="muted">{versions.length === 1 ? "1 version" : `${versions.length} versions`}, newest first.</p>
      <table class="props versions">
        <caption class="sr-only">{`Versions of ${pkg.source}/${pkg.publisher}/${pkg.name}`}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Published</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr>
              <td>
                <a href={packagePath(pkg, v.version)}>{v.version}</a>
              </td>
              <td>
                <time datetime={v.createdAt}>{v.createdAt.slice(0, 10)}</time>
              </td>
              <td>
                {v.version === latest ? <span class="badge">latest</span> : null} {v.prerelease ? <span class="badge warn">pre-release</span> : null}{" "}
                {v.deprecated ? <span class="badge warn">deprecated</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

/** A template page shows the API's whole view of the template (at a version, unless VCS-backed). */
export type TemplateDetail = TemplateView;

/** What a template page says of its archive: where to download it, and its files (when the version has a stored list). */
export interface TemplateArchive {
  /** A page-side URL that answers the archive to whoever may see the page (signed in or not). */
  href: string;
  /** The stored list; `undefined` for a version published before lists were kept. */
  files?: FileList;
}

/** 1 byte, 2 bytes, 1.5 KB, 3.2 MB: the units a file manager shows (1 KB = 1024 bytes). */
export function formatBytes(n: number): string {
  if (n < 1024) return n === 1 ? "1 byte" : `${n} bytes`;
  const units = ["KB", "MB", "GB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** The archive download and its file list, sorted by path; a capped list says how many it leaves out. */
export function TemplateFiles({ archive }: { archive: TemplateArchive }): RawHtml {
  const list = archive.files;
  const files = list ? [...list.files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : [];
  return (
    <section aria-labelledby="files">
      <h2 id="files">Files</h2>
      <p>
        <a class="button" href={archive.href} download="">
          Download archive (.tar.gz)
        </a>
      </p>
      {list ? (
        <>
          <p class="muted">
            {`${plural(list.total, "file", "files")}, ${formatBytes(list.totalBytes)} unpacked.`}
            {files.length < list.total ? ` The first ${plural(files.length, "file", "files")} in the archive are listed; download it for the rest.` : ""}
          </p>
          <table class="props files">
            <caption class="sr-only">Files in the archive</caption>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Size</th>
              </tr>
            </thead>
            <tbody>
              {files.map(([name, size]) => (
                <tr>
                  <td>
                    <code>{name}</code>
                  </td>
                  <td>{formatBytes(size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p class="muted">The file list is unavailable for this version: it was published before file lists were kept. Download the archive to see its files.</p>
      )}
    </section>
  );
}

export function TemplatePage(props: { shell: PageShell; template: TemplateDetail; readme: Child; versions: LiveVersion[]; deprecation?: ShownDeprecation; archive?: TemplateArchive }): RawHtml {
  const t = props.template;
  const current = props.versions.find((v) => v.version === t.version);
  return (
    <Layout {...props.shell}>
      <h1>{t.displayName}</h1>
      <p class="muted">
        {t.source}/{t.publisher}/{t.name}
        {t.version ? ` · v${t.version}` : ""} {current?.prerelease ? <span class="badge warn">pre-release</span> : null}{" "}
        {current?.deprecated ? <span class="badge warn">deprecated</span> : null} {t.visibility === "private" ? <span class="badge">private</span> : null}
      </p>
      {props.deprecation ? <DeprecationBanner deprecation={props.deprecation} kind="template" /> : null}
      {t.description ? <p>{t.description}</p> : null}
      <Command label="Create a project from this template" command={`pulumi new ${t.url}`} />
      <div class="layout">
        <div>
          <section aria-labelledby="readme">
            <h2 id="readme">README</h2>
            {props.readme}
          </section>
          {props.archive ? <TemplateFiles archive={props.archive} /> : null}
        </div>
        <TemplateDetails template={t} versions={props.versions} />
      </div>
      <TemplateConfig template={t} />
    </Layout>
  );
}

/** The template page's side panel: version selector, language, runtime, dates, repository, metadata. */
function TemplateDetails({ template: t, versions }: { template: TemplateDetail; versions: LiveVersion[] }): RawHtml {
  const metadata = Object.entries(t.metadata ?? {});
  return (
    <aside class="meta" aria-label="Template details">
      {t.version && versions.length ? <VersionSelector pkg={t} versions={versions} action={templatePath(t)} /> : null}
      <dl>
        <dt>Language</dt>
        <dd>{t.language}</dd>
        {t.runtime ? (
          <>
            <dt>Runtime</dt>
            <dd>{t.runtime.name}</dd>
          </>
        ) : null}
        <dt>Updated</dt>
        <dd>
          <time datetime={t.updatedAt}>{t.updatedAt.slice(0, 10)}</time>
        </dd>
        {t.repoSlug ? (
          <>
            <dt>Repository</dt>
            <dd>{t.repoSlug}</dd>
          </>
        ) : null}
        {isHttpsUrl(t.repoSlug ? t.downloadURL : undefined) ? (
          <>
            <dt>Archive</dt>
            <dd>
              <a href={t.downloadURL} rel="nofollow noopener">
                Download from the repository
              </a>
            </dd>
          </>
        ) : null}
        {metadata.map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </>
        ))}
      </dl>
    </aside>
  );
}

function TemplateConfig({ template: t }: { template: TemplateDetail }): RawHtml {
  const config = Object.entries(t.config ?? {});
  return (
    <section aria-labelledby="config">
      <h2 id="config">Configuration</h2>
      {config.length ? (
        <table class="props">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Description</th>
              <th scope="col">Default</th>
              <th scope="col">Secret</th>
            </tr>
          </thead>
          <tbody>
            {config.map(([key, c]) => (
              <tr>
                <td>
                  <code>{key}</code>
                </td>
                <td>{c.description ?? ""}</td>
                <td>{c.default === undefined ? "" : <code>{typeof c.default === "string" ? c.default : JSON.stringify(c.default)}</code>}</td>
                <td>{c.secret ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">This template asks for no configuration.</p>
      )}
    </section>
  );
}

export function MissingText({ what }: { what: string }): RawHtml {
  return <p class="muted">{`This version has no ${what}.`}</p>;
}

export { Markdown };

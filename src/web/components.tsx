// Small pieces several pages share: package and template cards, the command box, rendered markdown.
import { h, type RawHtml } from "./jsx";
import { markdownToHtml } from "./markdown";
import type { ShownDeprecation } from "./deprecation";
import { PACKAGE_LOGO_PATH } from "./static-assets";

export interface PackageSummary {
  source: string;
  publisher: string;
  name: string;
  version: string;
  title?: string;
  description?: string;
  logoUrl?: string;
  visibility: string;
  publisherDisplayName?: string;
  /** Set by the page from the catalog entry (the whole item's, else the version's). */
  deprecation?: ShownDeprecation;
}

export interface TemplateSummary {
  source: string;
  publisher: string;
  name: string;
  displayName: string;
  description?: string;
  language: string;
  visibility: string;
  publisherDisplayName?: string;
  deprecation?: ShownDeprecation;
}

const segment = encodeURIComponent;

export function packagePath(p: { source: string; publisher: string; name: string }, version?: string): string {
  const base = `/packages/${segment(p.source)}/${segment(p.publisher)}/${segment(p.name)}`;
  return version ? `${base}/${segment(version)}` : base;
}

export function templatePath(t: { source: string; publisher: string; name: string }): string {
  return `/templates/${segment(t.source)}/${segment(t.publisher)}/${t.name.split("/").map(segment).join("/")}`;
}

/** The package's own logo (https only), else the same-origin fallback; the site script swaps a logo that fails to load for the fallback. */
export function PackageLogo({ url, alt }: { url?: string; alt: string }): RawHtml {
  return isHttpsUrl(url) ? <img class="logo" src={url} alt={alt} loading="lazy" data-fallback={PACKAGE_LOGO_PATH} /> : <img class="logo" src={PACKAGE_LOGO_PATH} alt={alt} />;
}

export function isHttpsUrl(value: string | undefined): value is string {
  return typeof value === "string" && /^https:\/\//i.test(value);
}

export function PackageCard({ pkg }: { pkg: PackageSummary }): RawHtml {
  return (
    <li class="card">
      <PackageLogo url={pkg.logoUrl} alt="" />
      <div>
        <h3>
          <a href={packagePath(pkg)}>{pkg.title ?? pkg.name}</a>
        </h3>
        <p>
          {pkg.publisherDisplayName ?? pkg.publisher} · {pkg.source} · v{pkg.version}{" "}
          {pkg.visibility === "private" ? <span class="badge">private</span> : null} <DeprecatedBadge deprecation={pkg.deprecation} />
        </p>
        {pkg.description ? <p>{pkg.description}</p> : null}
      </div>
    </li>
  );
}

export function TemplateCard({ template }: { template: TemplateSummary }): RawHtml {
  return (
    <li class="card">
      <div>
        <h3>
          <a href={templatePath(template)}>{template.displayName}</a>
        </h3>
        <p>
          {template.publisherDisplayName ?? template.publisher} · {template.language} {template.visibility === "private" ? <span class="badge">private</span> : null}{" "}
          <DeprecatedBadge deprecation={template.deprecation} />
        </p>
        {template.description ? <p>{template.description}</p> : null}
      </div>
    </li>
  );
}

export function Command({ label, command, caption }: { label: string; command: string; caption?: string }): RawHtml {
  return (
    <div class="command" role="group" aria-label={label}>
      {caption ? <span class="command-caption">{caption}</span> : null}
      <code>{command}</code>
    </div>
  );
}

export function Markdown({ text }: { text: string }): RawHtml {
  return <div class="markdown">{markdownToHtml(text)}</div>;
}

/** A listing card's mark for a deprecated package or template (its page carries the banner). */
export function DeprecatedBadge({ deprecation }: { deprecation?: ShownDeprecation }): RawHtml | null {
  return deprecation ? <span class="badge warn">deprecated</span> : null;
}

// Small pieces several pages share: package and template cards, the command box, rendered markdown.
import { h, type RawHtml } from "./jsx";
import { markdownToHtml } from "./markdown";
import type { PackageView } from "../packages/package-answer";
import type { TemplateView } from "../templates/template-answer";
import type { ShownDeprecation } from "./deprecation";
import { PACKAGE_LOGO_PATH } from "./static-assets";

/**
 * What a package card shows: the API's view of the package (src/packages/package-answer.ts), with the
 * deprecation in force set by the page from the catalog entry (the whole item's, else the version's).
 */
export type PackageSummary = Pick<PackageView, "source" | "publisher" | "name" | "version" | "title" | "description" | "logoUrl" | "visibility" | "publisherDisplayName"> & {
  deprecation?: ShownDeprecation;
};

/** What a template card shows: the API's view of the template (src/templates/template-answer.ts). */
export type TemplateSummary = Pick<TemplateView, "source" | "publisher" | "name" | "displayName" | "description" | "language" | "visibility"> & {
  publisherDisplayName?: string;
  deprecation?: ShownDeprecation;
};

export { packagePath, templatePath } from "./paths";
import { packagePath, templatePath } from "./paths";

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

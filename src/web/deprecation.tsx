// What a deprecated package, template or version tells the person looking: a banner with the
// publisher's message and a link to the replacement, and a badge on listing cards.
import { h, type RawHtml } from "./jsx";
import type { Deprecation } from "../core/vocabulary/deprecation";
import { packagePath, templatePath } from "./paths";

export type ShownDeprecation = Pick<Deprecation, "message" | "replacement"> & {
  /** The whole package or template, or only the version shown. */
  scope: "item" | "version";
};

/**
 * The deprecation a page shows: the whole item's when it has one (it applies to every version), else
 * the version's own. Stored as JSON by the deprecation routes.
 */
export function deprecationOf(entry: { item: { deprecation?: string | null }; version?: { deprecation?: string | null } | null }): ShownDeprecation | undefined {
  const raw = entry.item.deprecation ?? entry.version?.deprecation;
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as Partial<Deprecation>;
  return {
    scope: entry.item.deprecation ? "item" : "version",
    message: typeof parsed.message === "string" ? parsed.message : "",
    ...(typeof parsed.replacement === "string" ? { replacement: parsed.replacement } : {}),
  };
}

/**
 * `source/publisher/name[@version]` (the deprecation routes checked it names something in this
 * registry) as the page of that item or version; a template's name may have several segments.
 */
export function replacementPath(replacement: string, kind: "package" | "template"): string | undefined {
  const at = replacement.lastIndexOf("@");
  const ref = at > 0 ? replacement.slice(0, at) : replacement;
  const version = at > 0 ? replacement.slice(at + 1) : undefined;
  const [source, publisher, ...name] = ref.split("/");
  if (!source || !publisher || !name.length || name.some((n) => !n)) return undefined;
  const identity = { source, publisher, name: name.join("/") };
  if (kind === "package") return packagePath(identity, version);
  return version ? `${templatePath(identity)}/versions/${encodeURIComponent(version)}` : templatePath(identity);
}

/** The banner atop a deprecated item's pages: what is deprecated, the publisher's message, where to go instead. */
export function DeprecationBanner({ deprecation, kind }: { deprecation: ShownDeprecation; kind: "package" | "template" }): RawHtml {
  const what = deprecation.scope === "item" ? kind : "version";
  const href = deprecation.replacement ? replacementPath(deprecation.replacement, kind) : undefined;
  return (
    <section class="banner warn" aria-label="Deprecation" data-deprecation="">
      <p>
        <strong>{`This ${what} is deprecated.`}</strong> {deprecation.message}
      </p>
      {deprecation.replacement ? (
        <p>
          {"Use "}
          {href ? <a href={href}>{deprecation.replacement}</a> : <code>{deprecation.replacement}</code>}
          {" instead."}
        </p>
      ) : null}
    </section>
  );
}

// An entry as its kind's JSON view: the artifact URLs it links to, the deprecation in force, and the
// kind's decorations for the caller (usage statistics).
import { encodeKey } from "../http/url-path";
import type { Caller } from "../identity/rights";
import type { AnyKind, ViewContext } from "./kind";
import { deprecationOf } from "./resolve-version";
import type { CatalogEntry } from "./vocabulary/catalog-entry";
import type { CoreContext } from "./vocabulary/core-context";

export function viewContext(kind: AnyKind, origin: string, entry: CatalogEntry): ViewContext {
  const { item, version } = entry;
  const base = `${origin}/api/registry/${kind.collection}/${item.source}/${item.publisher}/${encodeKey(item.name)}/versions/${encodeURIComponent(version?.version ?? "latest")}`;
  return { origin, artifactUrl: (path) => `${base}/${path}` };
}

/** The kind's view of one entry, as it is: what the pages show. */
export function viewOf<View extends object>(kind: { view(entry: CatalogEntry, context: ViewContext): View } & AnyKind, origin: string, entry: CatalogEntry): View {
  return kind.view(entry, viewContext(kind, origin, entry));
}

/** The API's views of a page of entries: each with its deprecation in force, decorated for the caller. */
export async function renderViews(context: CoreContext, kind: AnyKind, entries: CatalogEntry[], caller: Caller): Promise<Array<Record<string, unknown>>> {
  const decorate = kind.decorate ? await kind.decorate(entries, caller, context) : undefined;
  return entries.map((entry) => {
    const view: Record<string, unknown> = { ...kind.view(entry, { ...viewContext(kind, context.origin, entry), caller }) };
    const deprecation = deprecationOf(entry);
    if (deprecation) view.deprecation = deprecation;
    decorate?.(view, entry);
    return view;
  });
}

// The route table of one kind under a registry prefix (wrap with registryRoutes): its collection's read
// and write routes, downloads, deprecation, and the whole-item delete, in the order the router needs.
import type { IRequest } from "itty-router";
import type { RequestContext } from "../http/context";
import { otherMethodsFallThrough, type RouteMethods } from "../http/routes";
import type { AnyKind } from "../core/kind";
import { download, getVersion, itemVersions, list } from "./read-routes";
import { changeDeprecation, complete, removeItem, removeVersion, start } from "./write-routes";

type KindHandler = (kind: AnyKind, request: IRequest, context: RequestContext) => Promise<Response>;

export function registryKindRoutes(kind: AnyKind): Array<[string, RouteMethods]> {
  const bind = (handler: KindHandler) => (request: IRequest, context: RequestContext) => handler(kind, request, context);
  const item = `/${kind.collection}/:source/:publisher/${kind.namePattern}`;
  const versionPath = `${item}/versions/:version`;
  const table: Array<[string, RouteMethods]> = [
    // Validated before the edge cache is consulted: only 200s are stored, so a 304 stands only where a 200 would.
    [`/${kind.collection}`, { GET: bind(list) }],
    [`${item}/versions`, { GET: bind(itemVersions), POST: bind(start) }],
    [`${versionPath}/complete`, { POST: bind(complete) }],
    [versionPath, { GET: bind(getVersion), DELETE: bind(removeVersion) }],
  ];
  for (const d of kind.downloads) table.push([`${versionPath}/${d.path}`, { GET: download(kind, d.path, d.artifact, d.contentType) }]);
  if (kind.deprecatable) {
    // The version route first: a `:name+` would otherwise swallow `…/versions/{v}`.
    table.push(
      [`${versionPath}/deprecation`, { PUT: changeDeprecation(kind, "version", false), DELETE: changeDeprecation(kind, "version", true) }],
      [`${item}/deprecation`, { PUT: changeDeprecation(kind, "item", false), DELETE: changeDeprecation(kind, "item", true) }],
    );
  }
  // Last: with a `:name+`, the item's path is a prefix of every route above. A GET of it stays the 404 it
  // was before this route existed (a mistyped version path matches it too).
  table.push([item, otherMethodsFallThrough({ DELETE: bind(removeItem) })]);
  return table;
}

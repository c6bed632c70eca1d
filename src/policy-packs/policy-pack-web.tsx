// The browse UI's policy pack routes: `/policy-packs` (the signed-in org's packs) and a pack's version
// page. Adapters on the core's list planning and resolveVersion, rendered through the pages' shared kit.
import type { IRequest } from "itty-router";
import type { RequestContext } from "../http/context";
import type { RouteMethods } from "../http/routes";
import { parseVersionParam } from "../registry-api/request-parsing";
import { listPage } from "../core/catalog/list-service";
import { requireVersionOf } from "../core/resolve-version";
import { viewOf } from "../core/views";
import { requireVersion } from "../core/vocabulary/versions";
import type { CatalogEntry } from "../core/vocabulary/catalog-entry";
import { lookerReader, page, shellFor } from "../web/page-kit";
import { h } from "../web/jsx";
import { packMetadataOf, policyPackKind } from "./policy-pack-kind";
import { packPagePath, PolicyPackListPage, PolicyPackPage } from "./policy-pack-pages";
import type { RegistryPolicyPack } from "./policy-pack-schemas";

const PAGE_SIZE = 24;

function packViews(context: RequestContext, entries: CatalogEntry[]): RegistryPolicyPack[] {
  return entries.map((entry) => viewOf(policyPackKind, context.origin, entry));
}

async function packList(request: IRequest, context: RequestContext) {
  return page(request, context, async (looker) => {
    const query = new URLSearchParams(new URL(request.url).search);
    const continuationToken = query.get("continuationToken") || undefined;
    const filters = policyPackKind.listFilters(new URLSearchParams());
    const { entries, continuationToken: next } = await listPage(context.env, policyPackKind, filters, { limit: PAGE_SIZE, continuationToken }, lookerReader(context, looker));
    const caller = await looker.caller();
    return <PolicyPackListPage shell={await shellFor(request, caller, "Policy packs")} query={query} packs={packViews(context, entries)} next={next} signedIn={caller.kind === "org"} />;
  });
}

/** A pack at its latest version, or the version its path names; `?version=` (the selector without JavaScript) redirects there. */
async function packPage(request: IRequest, context: RequestContext) {
  const identity = policyPackKind.identity(request.params);
  const chosen = new URL(request.url).searchParams.get("version");
  if (chosen !== null) return new Response(null, { status: 303, headers: { Location: packPagePath(identity, requireVersion(chosen).raw) } });
  return page(request, context, async (looker) => {
    const version = request.params.version === undefined ? "latest" : parseVersionParam(request.params.version, false);
    const { resolved, versions } = await requireVersionOf(policyPackKind, lookerReader(context, looker), { identity, version }, { withVersions: true });
    const pack = viewOf(policyPackKind, context.origin, resolved.entry);
    const metadata = packMetadataOf(resolved.entry);
    const shown = resolved.deprecation ? { ...pack, deprecation: resolved.deprecation } : pack;
    return (
      <PolicyPackPage
        shell={await shellFor(request, looker.caller(), version === "latest" ? pack.displayName : `${pack.displayName} ${pack.version}`)}
        pack={shown}
        policies={metadata.policies}
        readme={metadata.readme}
        versions={versions}
      />
    );
  });
}

export const policyPackWebRoutes: Array<[string, RouteMethods]> = [
  ["/policy-packs", { GET: packList }],
  ["/policy-packs/:source/:publisher/:name", { GET: packPage }],
  ["/policy-packs/:source/:publisher/:name/:version", { GET: packPage }],
];

// The endpoints `pulumi login` and registry commands call before anything else.
import { eq } from "drizzle-orm";
import { orgs } from "../db/schema";
import type { RequestContext } from "../http/context";
import { unauthorized } from "../http/api-error";
import type { RouteMethods } from "../http/routes";
import { json } from "../http/respond";

async function requireOrgCaller(context: RequestContext) {
  const caller = await context.caller();
  if (caller.kind !== "org") throw unauthorized();
  return caller;
}

export const bootstrapRoutes: Array<[string, RouteMethods]> = [
  [
    "/api/user",
    {
      async GET(_request, context) {
        const caller = await requireOrgCaller(context);
        const org = await context.db.select().from(orgs).where(eq(orgs.login, caller.org)).get();
        const displayName = org?.displayName ?? caller.org;
        return json({
          name: caller.org,
          githubLogin: caller.org,
          organizations: [{ githubLogin: caller.org, name: displayName }],
        });
      },
    },
  ],
  [
    "/api/user/organizations/default",
    {
      async GET(_request, context) {
        const caller = await requireOrgCaller(context);
        return json({ GitHubLogin: caller.org });
      },
    },
  ],
  [
    "/api/capabilities",
    {
      async GET(_request, context) {
        await requireOrgCaller(context);
        return json({ capabilities: [] });
      },
    },
  ],
];

// Second read of the newest changes (operator deletes, pull-time deprecation, docs format 3): each test
// here failed before the fix committed with it.
import { inject } from "vitest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { providerSchema } from "../blackbox/stand-ins/provider-schema";
import { callWithEnv, orgWithTokens } from "./helpers";

const UP = "https://late-up.example/api/registry";

afterEach(() => vi.restoreAllMocks());

/**
 * An upstream answering like Pulumi's registry for `pulumi/pulumi/<name>`, with `deprecation` on every version;
 * requests to the test's webhook receiver go out for real.
 */
function deprecatingUpstream(versions: Record<string, string[]>, deprecation: Record<string, unknown>) {
  const real = globalThis.fetch.bind(globalThis);
  const receiver = inject("receiverUrl");
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const raw = String(input instanceof Request ? input.url : input);
    if (raw.startsWith(receiver)) return real(input, init);
    const url = new URL(raw);
    if (url.origin !== "https://late-up.example") return new Response("not found", { status: 404 });
    const art = /^\/art\/([^/]+)\/([^/]+)\/(schema\.json|readme\.md)$/.exec(url.pathname);
    if (art) {
      const [, name, version, file] = art;
      if (file === "readme.md") return new Response(`# ${name} ${version}\n`, { headers: { "Content-Type": "text/markdown" } });
      return Response.json(providerSchema({ name: name!, version: version! }));
    }
    const meta = /^\/api\/registry\/packages\/pulumi\/pulumi\/([^/]+)\/versions\/([^/]+)$/.exec(url.pathname);
    const name = meta?.[1];
    const version = meta && name ? (meta[2] === "latest" ? versions[name]?.at(-1) : versions[name]?.find((v) => v === decodeURIComponent(meta[2]!))) : undefined;
    if (!name || !version) return Response.json({ code: 404, message: "not found" }, { status: 404 });
    return Response.json({
      source: "pulumi",
      publisher: "pulumi",
      name,
      version,
      createdAt: "2026-01-01T00:00:00Z",
      schemaURL: `https://late-up.example/art/${name}/${version}/schema.json`,
      readmeURL: `https://late-up.example/art/${name}/${version}/readme.md`,
      deprecation,
    });
  });
  return real;
}

describe("a version the upstream deprecated before it was mirrored", () => {
  it("sends the mirror org's package.deprecated webhook event, as the recheck would (it never sends one later: nothing changes then)", async () => {
    const org = await orgWithTokens("late-mirror");
    const receiver = inject("receiverUrl");
    const real = deprecatingUpstream({ "late-depr": ["1.0.0"] }, { message: "withdrawn upstream" });
    const vars = { MIRROR_UPSTREAMS: JSON.stringify([{ id: "late", url: UP, serves: ["pulumi/pulumi/*"], requestsPerMinute: 1000, org: "late-mirror" }]) };
    const hook = await callWithEnv(vars, "/api/orgs/late-mirror/registry/webhooks", {
      method: "POST",
      token: org.admin,
      body: { url: `${receiver}/hook/late-depr`, events: ["package.deprecated"] },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const first = await callWithEnv(vars, "/api/registry/packages/pulumi/pulumi/late-depr/versions/1.0.0", { token: org.reader });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.deprecation).toMatchObject({ message: "withdrawn upstream" });
    let got: Array<{ body: string }> = [];
    for (let i = 0; i < 150 && !got.length; i++) {
      got = (await (await real(`${receiver}/received/late-depr`)).json()) as Array<{ body: string }>;
      if (!got.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toMatchObject({
      type: "package.deprecated",
      org: "late-mirror",
      target: { kind: "package", source: "pulumi", publisher: "pulumi", name: "late-depr", version: "1.0.0" },
      deprecation: { message: "withdrawn upstream" },
    });
  }, 30_000);
});

// The mirror's one door to upstreams (upstreamGet, upstreamJson), with fetch answered here: a redirect is
// held to the rules an upstream's URLs are held to, and a JSON answer without a length is read bounded.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { database } from "../../src/db/client";
import { ApiError } from "../../src/http/api-error";
import { mirrorUpstreams } from "../../src/mirror/upstreams";
import { upstreamGet, upstreamJson } from "../../src/mirror/upstream-client";

const testEnv = { ...(env as unknown as Env), MIRROR_UPSTREAMS: JSON.stringify([{ id: "review", url: "https://registry.example/api/registry", serves: ["pulumi/*/*"], requestsPerMinute: 1000 }]) } as Env;
const upstream = () => mirrorUpstreams(testEnv)[0]!;

afterEach(() => vi.restoreAllMocks());

describe("upstreamGet", () => {
  for (const location of ["http://10.0.0.1/internal", "http://127.0.0.1:8787/admin", "file:///etc/passwd", "https://user:secret@registry.example/x"]) {
    it(`does not follow a redirect to ${location}`, async () => {
      const asked: string[] = [];
      vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
        asked.push(String(input instanceof Request ? input.url : input));
        return asked.length === 1 ? new Response(null, { status: 302, headers: { Location: location } }) : new Response("{}");
      });
      const error = await upstreamGet(testEnv, database(env.DB), upstream(), "https://registry.example/api/registry/packages/pulumi/pulumi/x/versions/1.0.0").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(502);
      expect(asked).toEqual(["https://registry.example/api/registry/packages/pulumi/pulumi/x/versions/1.0.0"]);
    });
  }
});

describe("upstreamJson", () => {
  it("stops reading a JSON answer without a Content-Length once it passes the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new Uint8Array(1024).fill(32));
      },
    });
    const error = await upstreamJson(upstream(), new Response(endless), 8 * 1024).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ApiError).status).toBe(502);
    expect(pulled).toBeLessThan(100);
  });
});

import { describe, expect, it } from "vitest";
import { ADMIN, call, callJson, countRows, expectError } from "./helpers";

describe("HTTP conventions", () => {
  it("GET /healthz answers {status: ok} as JSON", async () => {
    const r = await callJson("/healthz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok" });
    expect(r.response.headers.get("Content-Type")).toBe("application/json");
  });

  it("every response carries a fresh X-Pulumi-Request-ID", async () => {
    const a = await call("/healthz");
    const b = await call("/no/such/route");
    const idA = a.headers.get("X-Pulumi-Request-ID");
    const idB = b.headers.get("X-Pulumi-Request-ID");
    expect(idA).toMatch(/^[0-9a-f-]{36}$/);
    expect(idB).toMatch(/^[0-9a-f-]{36}$/);
    expect(idA).not.toBe(idB);
  });

  it("an unknown route is a JSON 404 with code equal to the status", async () => {
    const r = await callJson("/api/registry/nothing-here");
    expectError(r, 404);
    expect(r.response.headers.get("Content-Type")).toBe("application/json");
  });

  it("a wrong method on a known route is a JSON 405 naming the allowed methods", async () => {
    const r = await callJson("/healthz", { method: "DELETE" });
    expectError(r, 405);
    expect(r.response.headers.get("Allow")).toBe("GET, HEAD");
  });

  it("Content-Type: application/json on a GET is accepted and ignored", async () => {
    const r = await callJson("/healthz", { headers: { "Content-Type": "application/json", Accept: "application/vnd.pulumi+9" } });
    expect(r.status).toBe(200);
  });

  it("a malformed JSON body is a 400 and writes nothing", async () => {
    const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, rawBody: "{not json", headers: { "Content-Type": "application/json" } });
    expectError(r, 400);
    expect(await countRows("orgs")).toBe(0);
  });

  it("a JSON body that is not an object is a 400 and writes nothing", async () => {
    for (const raw of ["[1,2]", "null", "\"acme\"", "42"]) {
      const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, rawBody: raw });
      expectError(r, 400);
    }
    expect(await countRows("orgs")).toBe(0);
  });

  it("a body over 64 KiB is a 413 and writes nothing", async () => {
    const big = JSON.stringify({ login: "acme", displayName: "x".repeat(70 * 1024) });
    const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, rawBody: big });
    expectError(r, 413);
    expect(await countRows("orgs")).toBe(0);
  });

  it("a body over 64 KiB sent without Content-Length (streamed) is still a 413", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const r = await callJson("/api/admin/orgs", { method: "POST", token: ADMIN, rawBody: stream });
    expectError(r, 413);
    expect(await countRows("orgs")).toBe(0);
  });
});

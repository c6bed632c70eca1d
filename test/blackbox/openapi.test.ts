import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { cli } from "./client";

const DOCUMENTS = ["/api/openapi/pulumi-spec.json", "/api/openapi/admin.json"];

describe("the served API description, validated as OpenAPI 3.1", () => {
  it.each(DOCUMENTS)("%s is a valid OpenAPI 3.1 document", async (path) => {
    const r = await cli("GET", path);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    const validator = new Validator();
    // The validator reads a string without a newline as a file name: hand it the parsed document.
    const result = await validator.validate(r.body);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 4000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("the validator does reject a broken document (a dangling $ref, no info object)", async () => {
    const { body } = await cli("GET", DOCUMENTS[0]!);
    const dangling = structuredClone(body);
    dangling.paths["/healthz"].get.responses["200"].content["application/json"].schema = { $ref: "#/components/schemas/Nope" };
    expect((await new Validator().validate(dangling)).valid).toBe(false);
    const untyped = structuredClone(body);
    delete untyped.info;
    expect((await new Validator().validate(untyped)).valid).toBe(false);
  });

  it("revalidation with the ETag is a 304 with the same validators", async () => {
    const first = await cli("GET", DOCUMENTS[0]!);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await cli("GET", DOCUMENTS[0]!, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("cache-control")).toBe("public, max-age=3600");
  });
});

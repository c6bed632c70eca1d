// `search` on the package list (used by the web search box): literal, every term must match.
import { beforeAll, describe, expect, it } from "vitest";
import { callJson, createOrg, createToken } from "./helpers";
import { publishPackage, schemaFor } from "./publish-helpers";

beforeAll(async () => {
  await createOrg("finder");
  const token = (await createToken("finder", "publisher")).token;
  await publishPackage(token, "pulumi/finder/postgres-db", "1.0.0", { schema: schemaFor("postgres-db", "1.0.0", { displayName: "Managed Postgres", description: "Databases with 100% uptime" }) });
  await publishPackage(token, "pulumi/finder/redis-cache", "1.0.0", { schema: schemaFor("redis-cache", "1.0.0", { displayName: "Redis", description: "An in-memory cache" }) });
});

const names = (body: any) => body.packages.map((p: any) => p.name);

describe("package search", () => {
  it("matches name, title, description and publisher, case-insensitively, all terms required", async () => {
    expect(names((await callJson("/api/registry/packages?search=POSTGRES")).body)).toEqual(["postgres-db"]);
    expect(names((await callJson("/api/registry/packages?search=in-memory%20cache")).body)).toEqual(["redis-cache"]);
    expect(names((await callJson("/api/registry/packages?search=finder")).body)).toEqual(["postgres-db", "redis-cache"]);
    expect(names((await callJson("/api/registry/packages?search=redis%20postgres")).body)).toEqual([]);
  });

  it("terms are literal: % and _ are ordinary characters", async () => {
    expect(names((await callJson("/api/registry/packages?search=100%25")).body)).toEqual(["postgres-db"]);
    expect(names((await callJson("/api/registry/packages?search=%25")).body)).toEqual(["postgres-db"]);
    expect(names((await callJson("/api/registry/packages?search=_")).body)).toEqual([]);
  });

  it("more than 20 terms is a 400", async () => {
    const r = await callJson(`/api/registry/packages?search=${Array.from({ length: 21 }, (_, i) => `t${i}`).join("%20")}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(400);
  });
});

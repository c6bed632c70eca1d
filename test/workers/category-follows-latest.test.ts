// the category copy follows the latest version when it moves (a newer publish, a deletion, a
// deprecation), on both the items walk (name/publisher sorts) and the latest_history walk (createdAt).
import { describe, expect, it } from "vitest";
import { call, callJson, orgWithTokens } from "./helpers";
import { publishPackage, schemaFor } from "./publish-helpers";

const names = async (q: string, token?: string) => ((await callJson(`/api/registry/packages?${q}`, { token })).body.packages as any[]).map((p) => `${p.name}@${p.version}`);

describe("category follows latest", () => {
  it("publish, delete, deprecate", async () => {
    const t = await orgWithTokens("catco");
    const pub = (v: string, cat: string) => publishPackage(t.publisher, "pulumi/catco/movy", v, { schema: schemaFor("movy", v, { keywords: [`category/${cat}`] }) });
    await pub("1.0.0", "cloud");
    await pub("2.0.0", "monitoring");
    for (const sort of ["name", "publisher", "createdAt"]) {
      expect(await names(`category=monitoring&sort=${sort}`), sort).toEqual(["movy@2.0.0"]);
      expect(await names(`category=cloud&sort=${sort}`), sort).toEqual([]);
    }
    // Deprecating the latest: does latest move back (and the category with it)? Either way the filter must agree with the listed version's category.
    expect((await callJson("/api/registry/packages/pulumi/catco/movy/versions/2.0.0/deprecation", { method: "PUT", token: t.publisher, body: { message: "x" } })).status).toBe(204);
    const shown = (await callJson("/api/registry/packages?name=movy")).body.packages[0];
    for (const sort of ["name", "publisher", "createdAt"]) {
      const cat = shown.version === "2.0.0" ? "monitoring" : "cloud";
      expect(await names(`category=${cat}&sort=${sort}`), `deprecated ${sort} ${shown.version}`).toEqual([`movy@${shown.version}`]);
    }
    expect((await call("/api/registry/packages/pulumi/catco/movy/versions/2.0.0", { method: "DELETE", token: t.publisher })).status).toBe(204);
    for (const sort of ["name", "publisher", "createdAt"]) {
      expect(await names(`category=cloud&sort=${sort}`), sort).toEqual(["movy@1.0.0"]);
      expect(await names(`category=monitoring&sort=${sort}`), sort).toEqual([]);
    }
    expect((await call("/api/registry/packages/pulumi/catco/movy/versions/1.0.0?force=true", { method: "DELETE", token: t.publisher })).status).toBe(204);
    for (const sort of ["name", "publisher", "createdAt"]) expect(await names(`category=cloud&sort=${sort}`), sort).toEqual([]);
  });
});

// A search pages exactly once through its matches while packages come and go, across both search
// plans: the budgeted walk (many matches; pages may be short, even empty, with a continuation) and the
// FTS-first plan (few matches), whichever answers each page.
import { describe, expect, it } from "vitest";
import { fewSearchMatches, walkBudget } from "../../src/core/catalog/list-planner";
import { call, callJson, createOrg, createToken } from "./helpers";
import { publishPackage, schemaFor } from "./publish-helpers";

describe("search pages", () => {
  // It publishes and deletes a dozen packages while it walks: on a loaded 2-core CI machine that passed 20 s once.
  it("each matching package once, in order, with no gaps, while matches are published and deleted and the plan changes mid-walk", async () => {
    await createOrg("seeker");
    const t = (await createToken("seeker", "publisher")).token;
    const publish = (name: string, matching: boolean) =>
      publishPackage(t, `pulumi/seeker/${name}`, "1.0.0", { schema: schemaFor(name, "1.0.0", { description: matching ? "A quokka package" : "A plain package" }) });
    // limit=1: at most fewSearchMatches(1) = 4 matches are answered from the FTS index; the walk tests
    // walkBudget(1) = 8 rows a page.
    expect([fewSearchMatches(1), walkBudget(1)]).toEqual([4, 8]);
    const stable = ["s-10", "s-19", "s-27"];
    const doomed = ["s-12", "s-22", "s-24"];
    for (let i = 0; i < 29; i++) {
      const name = `s-${String(i).padStart(2, "0")}`;
      await publish(name, stable.includes(name) || doomed.includes(name));
    }
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const r = await callJson(`/api/registry/packages?publisher=seeker&search=quokka&limit=1${token ? `&continuationToken=${token}` : ""}`);
      expect(r.status).toBe(200);
      pages.push(r.body.packages.map((p: any) => p.name));
      token = r.body.continuationToken;
      if (pages.length === 2) {
        // 6 matches → 4: the rest of the walk is answered by the FTS-first plan. One new match sorts
        // before the cursor, one after.
        for (const name of doomed) expect((await call(`/api/registry/packages/pulumi/seeker/${name}/versions/1.0.0`, { method: "DELETE", token: t })).status).toBe(204);
        await publish("s-015", true);
      }
    } while (token && pages.length < 100);
    const seen = pages.flat();
    for (const n of stable) expect(seen.filter((s) => s === n), n).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((n) => stable.includes(n))).toEqual(stable);
    expect(seen).toEqual([...seen].sort());
    for (const n of seen) expect([...stable, ...doomed, "s-015"]).toContain(n);
    // Before the change, the walk's pages stop at its budget: s-00…s-07 hold no match, an empty page
    // with a continuation. After it, the FTS-first plan answers a full page each time.
    expect(pages).toEqual([[], ["s-10"], ["s-19"], ["s-27"]]);
  }, 60_000);
});

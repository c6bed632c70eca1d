import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/api-error";
import { accessLevelOf, enforcementLevelsOf, packMetadata, packView } from "../../src/policy-packs/pack-view";
import { OrgPublishBody, PackStartFields } from "../../src/policy-packs/policy-pack-schemas";
import { versionForPublishedTag, versionForTag } from "../../src/policy-packs/version-tags";

const policy = (name: string, enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled") => ({ name, enforcementLevel });

describe("policy packs: version tags on the org routes", () => {
  it("a SemVer tag is the registry version", () => {
    expect(versionForTag("1.2.3").raw).toBe("1.2.3");
    expect(versionForTag("2.0.0-beta.1").prerelease).toBe(true);
  });

  it("a bare integer stands for N.0.0 (an older @pulumi/policy completes with the integer version)", () => {
    expect(versionForTag("7").raw).toBe("7.0.0");
    expect(versionForTag("7").precedenceKey).toBe(versionForTag("7.0.0").precedenceKey);
  });

  it.each(["v1.0.0", "release-7", "1.0", "0", "007", "a/b", "x".repeat(101), ""])("%j is a 400", (tag) => {
    expect(() => versionForTag(tag)).toThrow(ApiError);
  });

  it("a publish body's tag must be SemVer itself; the integer form is not accepted there", () => {
    expect(versionForPublishedTag("0.1.0").raw).toBe("0.1.0");
    expect(() => versionForPublishedTag("3")).toThrow(/SemVer/);
  });
});

describe("policy packs: enforcement levels, access level, view", () => {
  it("enforcementLevels are the distinct levels of the policies, in the enum's order", () => {
    expect(enforcementLevelsOf([policy("a", "mandatory"), policy("b", "advisory"), policy("c", "mandatory")])).toEqual(["advisory", "mandatory"]);
    expect(enforcementLevelsOf([])).toEqual([]);
  });

  it("publisher and admin tokens have full access; readers and sessions view-only", () => {
    expect(accessLevelOf("admin")).toBe("full");
    expect(accessLevelOf("publisher")).toBe("full");
    expect(accessLevelOf("reader")).toBe("view-only");
    expect(accessLevelOf(undefined)).toBe("view-only");
  });

  it("the view carries Pulumi's fields plus runtime, downloadURL, visibility and createdAt; unknown optionals are omitted", () => {
    const start = PackStartFields.parse({ policies: [policy("no-public-buckets", "mandatory")] });
    const metadata = packMetadata("guards", start, { runtime: { name: "nodejs" } });
    const view = packView(
      { itemId: "it1", source: "private", publisher: "acme", name: "guards", version: "1.0.0", createdAt: "2026-01-01T00:00:00.000Z", metadata },
      { accessLevel: "full", downloadURL: "https://r.example/archive" },
    );
    expect(view).toEqual({
      id: "it1",
      source: "private",
      publisher: "acme",
      name: "guards",
      version: "1.0.0",
      displayName: "guards",
      accessLevel: "full",
      enforcementLevels: ["mandatory"],
      runtime: { name: "nodejs" },
      downloadURL: "https://r.example/archive",
      visibility: "private",
      createdAt: "2026-01-01T00:00:00.000Z",
    });
  });

  it("the publish body's description wins over PulumiPolicy.yaml's", () => {
    const start = PackStartFields.parse({ description: "from the body", policies: [] });
    expect(packMetadata("p", start, { runtime: { name: "python" }, description: "from yaml" }).description).toBe("from the body");
    expect(packMetadata("p", PackStartFields.parse({}), { runtime: { name: "python" }, description: "from yaml" }).description).toBe("from yaml");
  });
});

describe("policy packs: the CLI's publish body", () => {
  const body = { name: "guards", displayName: "Guards", versionTag: "1.0.0", policies: [{ name: "p1", displayName: "P1", description: "d", enforcementLevel: "advisory", message: "m", severity: "" }] };

  it("the body the CLI sends parses, unknown fields ignored", () => {
    expect(OrgPublishBody.parse({ ...body, runtime: "nodejs", somethingNew: 1 }).policies[0]!.enforcementLevel).toBe("advisory");
  });

  it.each([
    [{ ...body, policies: [{ ...body.policies[0], enforcementLevel: "block" }] }, "enforcementLevel"],
    [{ ...body, policies: [{ ...body.policies[0], severity: "urgent" }] }, "severity"],
    [{ ...body, policies: [body.policies[0], body.policies[0]] }, "duplicates policy"],
    [{ ...body, versionTag: "a b" }, "versionTag"],
    [{ ...body, policies: "none" }, "policies"],
  ])("%j is refused", (input, message) => {
    const result = OrgPublishBody.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});

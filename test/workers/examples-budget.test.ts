// Issue 21, "bounded work": the `examples` route reads at most MAX_EXAMPLES_BYTES of a version's example
// index; a package with more examples is answered from the first ones, and says so.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { BASE, createOrg, createToken } from "./helpers";
import { publishPackage } from "./publish-helpers";

let token: string;
const RESOURCES = 200;

const described = (i: number) => `Resource ${i}.

{{% examples %}}
## Example Usage

{{% example %}}
### Example ${i}

\`\`\`typescript
new ex.Thing("t${i}", { size: ${i} });
\`\`\`
{{% /example %}}
{{% /examples %}}`;

async function examples(query: string, vars: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const request = new Request(`${BASE}/api/registry/packages/pulumi/exbudget/many/versions/1.0.0/examples?${query}`, { headers: { Authorization: `token ${token}`, ...(query.includes("md") ? { Accept: "text/markdown" } : {}) } });
  const r = await worker.fetch(request as never, { ...(env as unknown as Env), ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await r.text();
  expect(r.status, text.slice(0, 300)).toBe(200);
  return { text, r2Bytes: Number(r.headers.get("X-R2-Bytes-Read")) };
}

beforeAll(async () => {
  await createOrg("exbudget");
  token = (await createToken("exbudget", "publisher")).token;
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < RESOURCES; i++) resources[`many:index:Thing${String(i).padStart(3, "0")}`] = { description: described(i), properties: { id: { type: "string" } } };
  await publishPackage(token, "pulumi/exbudget/many", "1.0.0", { schema: JSON.stringify({ name: "many", version: "1.0.0", resources }) });
}, 120_000);

describe("the examples route", () => {
  it("counts every example when the index fits MAX_EXAMPLES_BYTES", async () => {
    const { text } = await examples("lang=typescript&limit=5");
    const body = JSON.parse(text) as { totalCount: number; examples: unknown[]; totalCountComplete?: false };
    expect(body.totalCount).toBe(RESOURCES);
    expect(body.examples).toHaveLength(5);
    expect(body.totalCountComplete).toBeUndefined();
  });

  it("reads at most MAX_EXAMPLES_BYTES of a bigger index, answers from its first examples and says so", async () => {
    // (Another query than above: the isolate keeps small answers by request.)
    const { text, r2Bytes } = await examples("lang=typescript&limit=4", { MAX_EXAMPLES_BYTES: "2048" });
    const body = JSON.parse(text) as { totalCount: number; examples: Array<{ token: string }>; totalCountComplete?: false };
    expect(body.totalCountComplete).toBe(false);
    expect(body.totalCount).toBeGreaterThan(0);
    expect(body.totalCount).toBeLessThan(RESOURCES);
    expect(body.examples[0]!.token).toBe("many:index:Thing000");
    // The index's first 2 KiB and the five examples' code.
    expect(r2Bytes).toBeLessThan(2048 + 1024);
    // A q past the part read finds nothing there: the answer still says the count is partial.
    const late = JSON.parse((await examples("lang=typescript&q=Thing199", { MAX_EXAMPLES_BYTES: "2048" })).text) as { totalCount: number; totalCountComplete?: false };
    expect(late).toMatchObject({ totalCount: 0, totalCountComplete: false });
    expect((await examples("lang=typescript&limit=2&fmt=md", { MAX_EXAMPLES_BYTES: "2048" })).text).toContain("Among the first examples:");
  });
});

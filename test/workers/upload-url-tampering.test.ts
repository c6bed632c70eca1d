// Presigned upload URLs (gateway upload mode): only the exact parameter set the gateway signed is accepted.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError, orgWithTokens } from "./helpers";
import { put, startPublish } from "./publish-helpers";

let publisher: string;
let url: string;
let key: string;

async function staged(): Promise<string | undefined> {
  return (await env.ARTIFACTS.get(key))?.text();
}

beforeAll(async () => {
  publisher = (await orgWithTokens("tamper")).publisher;
  const started = await startPublish(publisher, "pulumi/tamper/pkg", "1.0.0");
  url = started.body.uploadURLs.index;
  key = new URL(url).pathname.replace(/^\/_artifacts\//, "");
  const first = await put(url, "original bytes");
  expect(first.status).toBe(200);
  await first.arrayBuffer();
  expect(await staged()).toBe("original bytes");
});

async function expectRefused(tampered: string) {
  const r = await put(tampered, "replaced bytes");
  const body = await r.json<any>();
  expectError({ status: r.status, body }, 403);
  expect(await staged()).toBe("original bytes");
}

describe("presigned upload URLs accept exactly what the gateway signed", () => {
  it("the untouched URL can be retried and replaces the staged bytes", async () => {
    const retried = await put(url, "retried bytes");
    expect(retried.status).toBe(200);
    await retried.arrayBuffer();
    expect(await staged()).toBe("retried bytes");
    // The later tests compare against the original bytes.
    const r = await put(url, "original bytes");
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    expect(await staged()).toBe("original bytes");
  });

  it("a changed X-Amz-SignedHeaders is a 403 and leaves the staged bytes alone", async () => {
    for (const value of ["host;x-amz-date", "x-amz-date", "", "HOST"]) {
      const u = new URL(url);
      u.searchParams.set("X-Amz-SignedHeaders", value);
      await expectRefused(u.toString());
    }
  });

  for (const param of ["X-Amz-Expires", "X-Amz-Date", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Algorithm", "X-Amz-SignedHeaders"]) {
    it(`a second value of ${param} appended to the query is a 403 and writes nothing`, async () => {
      const original = new URL(url).searchParams.get(param)!;
      for (const extra of [original, param === "X-Amz-Expires" ? "999999" : "x"]) {
        await expectRefused(`${url}&${param}=${encodeURIComponent(extra)}`);
      }
    });
  }

  it("a parameter the gateway never issued is a 403 and writes nothing", async () => {
    await expectRefused(`${url}&x-id=PutObject`);
    await expectRefused(`${url}&X-Amz-Security-Token=abc`);
  });

  it("a missing signed parameter is a 403 and writes nothing", async () => {
    const u = new URL(url);
    u.searchParams.delete("X-Amz-SignedHeaders");
    await expectRefused(u.toString());
  });
});

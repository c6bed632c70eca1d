import { describe, expect, it } from "vitest";
import { checkWebhookUrl } from "../../src/webhooks/webhook-routes";
import { ApiError } from "../../src/http/api-error";

const refused = (raw: string, allowLocal = false) => {
  try {
    checkWebhookUrl(raw, allowLocal);
  } catch (error) {
    return error instanceof ApiError ? error.status : "other";
  }
  return "accepted";
};

describe("webhook target URLs", () => {
  it("loopback, private, link-local and localhost hosts are refused in production", () => {
    for (const raw of [
      "https://127.0.0.1/",
      "https://0x7f000001/",
      "https://localhost/x",
      "https://api.localhost/x",
      "https://10.0.0.1/",
      "https://172.20.1.1/",
      "https://192.168.1.1/",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/",
      "https://0.0.0.0/",
      "https://[::1]/",
      "https://[fd00::1]/",
      "https://[fe80::1]/",
      "https://[::ffff:127.0.0.1]/",
    ]) {
      expect(refused(raw), raw).toBe(400);
    }
  });

  it("public https hosts are accepted, and internal ones only with the local-development setting", () => {
    for (const raw of ["https://hooks.example.com/x", "https://172.32.0.1/", "https://8.8.8.8/", "https://[2001:db8::1]/"]) expect(refused(raw), raw).toBe("accepted");
    expect(refused("https://127.0.0.1:9/x", true)).toBe("accepted");
    expect(refused("http://127.0.0.1:9/x", true)).toBe("accepted");
    expect(refused("http://127.0.0.1:9/x", false)).toBe(400);
  });
});

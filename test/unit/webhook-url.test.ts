// Webhook target rules: https on 443 to public hosts; every IANA special-purpose range refused; loopback
// literals (any port) only with the local-development setting.
import { describe, expect, it } from "vitest";
import { checkWebhookUrl, classifyHost, ipv6Groups } from "../../src/webhooks/webhook-targets";
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

  it("every special-purpose IPv4 range is refused, at both of its ends; its neighbours are not", () => {
    const ranges: Array<[string, string, string?, string?]> = [
      ["0.0.0.0", "0.255.255.255", undefined, "1.0.0.0"],
      ["100.64.0.0", "100.127.255.255", "100.63.255.255", "100.128.0.0"],
      ["192.0.0.0", "192.0.0.255", "191.255.255.255", "192.0.1.0"],
      ["192.0.2.0", "192.0.2.255", "192.0.1.255", "192.0.3.0"],
      ["192.88.99.0", "192.88.99.255", "192.88.98.255", "192.88.100.0"],
      ["198.18.0.0", "198.19.255.255", "198.17.255.255", "198.20.0.0"],
      ["198.51.100.0", "198.51.100.255", "198.51.99.255", "198.51.101.0"],
      ["203.0.113.0", "203.0.113.255", "203.0.112.255", "203.0.114.0"],
      ["224.0.0.0", "239.255.255.255", "223.255.255.255"],
      ["240.0.0.0", "255.255.255.255"],
      ["172.16.0.0", "172.31.255.255", "172.15.255.255", "172.32.0.0"],
    ];
    for (const [first, last, before, after] of ranges) {
      expect([first, classifyHost(first)]).toEqual([first, "special"]);
      expect([last, classifyHost(last)]).toEqual([last, "special"]);
      if (before) expect([before, classifyHost(before)]).toEqual([before, "public"]);
      if (after) expect([after, classifyHost(after)]).toEqual([after, "public"]);
    }
  });

  it("IPv6: only global unicast outside its special-purpose ranges is public", () => {
    const special = [
      "::",
      "::ffff:10.0.0.1",
      "::ffff:8.8.8.8",
      "64:ff9b::a00:1",
      "64:ff9b:1::1",
      "100::1",
      "2001::1",
      "2001:1ff:ffff::1",
      "2001:db8::1",
      "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
      "2002:a00:1::1",
      "3fff::1",
      "fc00::1",
      "fdff::1",
      "fe80::1",
      "febf::1",
      "fec0::1",
      "ff02::1",
      "::127.0.0.2",
    ];
    for (const a of special) expect([a, classifyHost(new URL(`https://[${a}]/`).hostname)]).toEqual([a, "special"]);
    for (const a of ["2001:200::1", "2606:4700::1111", "2a00:1450::1", "3ffe::1"]) expect([a, classifyHost(new URL(`https://[${a}]/`).hostname)]).toEqual([a, "public"]);
    for (const a of ["::1", "::ffff:127.0.0.1"]) expect(classifyHost(new URL(`https://[${a}]/`).hostname)).toBe("loopback");
    expect(ipv6Groups("1::2:3.4.5.6")).toEqual([1, 0, 0, 0, 0, 2, 0x304, 0x506]);
    expect(ipv6Groups("1:2:3:4:5:6:7:8:9")).toBeNull();
  });

  it("local and single-label names are refused; public names are not", () => {
    for (const name of ["intranet", "printer.local", "db.internal", "router.home.arpa", "x.invalid", "x.test", "x.example", "x.onion"]) expect([name, classifyHost(name)]).toEqual([name, "special"]);
    for (const name of ["hooks.example.com", "example.org", "a.b.c.dev"]) expect([name, classifyHost(name)]).toEqual([name, "public"]);
  });

  it("only port 443; loopback literals on any port only with the local-development setting", () => {
    for (const raw of ["https://hooks.example.com/x", "https://hooks.example.com:443/x", "https://172.32.0.1/", "https://8.8.8.8/", "https://[2606:4700::1111]/"]) expect(refused(raw), raw).toBe("accepted");
    for (const raw of ["https://hooks.example.com:8443/x", "https://hooks.example.com:22/x", "https://8.8.8.8:80/", "http://hooks.example.com/x"]) {
      expect(refused(raw), raw).toBe(400);
      expect(refused(raw, true), raw).toBe(400);
    }
    expect(refused("https://127.0.0.1:9/x", true)).toBe("accepted");
    expect(refused("http://127.0.0.1:9/x", true)).toBe("accepted");
    expect(refused("http://[::1]:8080/x", true)).toBe("accepted");
    expect(refused("https://10.1.2.3/x", true)).toBe("accepted");
    expect(refused("https://10.1.2.3:8443/x", true)).toBe(400);
    expect(refused("http://localhost:9000/x", true)).toBe(400);
    expect(refused("http://127.0.0.1:9/x", false)).toBe(400);
    expect(refused("https://[2001:db8::1]/")).toBe(400);
  });
});

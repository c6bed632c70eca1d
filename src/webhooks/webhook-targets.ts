// Which URLs a webhook may target: https on port 443 to a host that is neither a special-purpose
// address (IANA's IPv4/IPv6 special-purpose registries) nor a local name; with WEBHOOK_ALLOW_LOCAL_HTTP,
// also loopback address literals on any port and scheme (local development). Checked at registration and again at
// every delivery. What this cannot see (names resolving to private addresses): docs/webhooks.md.
import { badRequest } from "../http/api-error";
import { printable } from "../core/vocabulary/names";

/** [first address, prefix length] of the IPv4 ranges no webhook may reach (RFC 6890 and successors). */
const IPV4_REFUSED: Array<[string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // shared address space (carrier-grade NAT)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata endpoints)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation (TEST-NET-1)
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation (TEST-NET-2)
  ["203.0.113.0", 24], // documentation (TEST-NET-3)
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and the limited broadcast address
];

/**
 * IPv6: only global unicast (2000::/3) can be a webhook's host, which already leaves out ::/128, ::1,
 * IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, discard 100::/64, unique local
 * fc00::/7, link-local fe80::/10, site-local fec0::/10 and multicast ff00::/8; inside 2000::/3 these
 * special-purpose ranges are refused too.
 */
const IPV6_REFUSED_IN_GLOBAL: Array<[string, number]> = [
  ["2001::", 23], // IETF protocol assignments (Teredo 2001::/32 among them)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: embeds an IPv4 address, private ones included
  ["3fff::", 20], // documentation
];

/** Names that never resolve on the public internet (special-use domain names). */
const LOCAL_SUFFIXES = ["localhost", "local", "internal", "home.arpa", "invalid", "test", "example", "onion", "alt"];

function ipv4(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** Eight 16-bit groups, from any valid spelling (`::`, an embedded dotted IPv4 tail). */
export function ipv6Groups(text: string): number[] | null {
  let s = text.toLowerCase();
  const tail = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (tail) {
    const b = ipv4(tail[1]!);
    if (!b) return null;
    s = `${s.slice(0, -tail[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
}

/** Whether `bits` (bytes or 16-bit groups, `width` bits each) start with the prefix `range`/`length`. */
function inPrefix(address: number[], range: number[], length: number, width: number): boolean {
  for (let i = 0, left = length; left > 0; i++, left -= width) {
    const take = Math.min(width, left);
    const mask = ((1 << take) - 1) << (width - take);
    if ((address[i]! & mask) !== (range[i]! & mask)) return false;
  }
  return true;
}

export type HostClass = "public" | "loopback" | "special";

/** What a URL's hostname (as `URL` normalised it: IPv4 literals dotted, IPv6 bracketed) names. */
export function classifyHost(hostname: string): HostClass {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  const v4 = ipv4(host);
  if (v4) {
    if (v4[0] === 127) return "loopback";
    return IPV4_REFUSED.some(([range, length]) => inPrefix(v4, ipv4(range)!, length, 8)) ? "special" : "public";
  }
  if (host.startsWith("[")) {
    const v6 = ipv6Groups(host.slice(1, -1));
    if (!v6) return "special";
    if (v6.every((g, i) => g === (i === 7 ? 1 : 0))) return "loopback";
    // IPv4-mapped loopback (::ffff:127.x.y.z) is loopback too; every other mapped address is special.
    if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff && v6[6]! >> 8 === 127) return "loopback";
    if (!inPrefix(v6, [0x2000], 3, 16)) return "special";
    return IPV6_REFUSED_IN_GLOBAL.some(([range, length]) => inPrefix(v6, ipv6Groups(range)!, length, 16)) ? "special" : "public";
  }
  // A single label (`intranet`) or a special-use name never reaches the public internet.
  if (!host.includes(".") || LOCAL_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))) return "special";
  return "public";
}

const LOCAL_SETTING_HINT =
  "local development targets need WEBHOOK_ALLOW_LOCAL_HTTP=true (for `npm start`, in .dev.vars, which is read when it starts: restart `npm start` after changing it)";

/**
 * The URL as stored, or a 400 saying why not: https on port 443 to a public host, no credentials. With
 * `allowLocal`, loopback targets on any port (http or https) and special-purpose hosts over https:443.
 */
export function checkWebhookUrl(raw: string, allowLocal: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`invalid webhook url '${printable(raw)}': not a URL`);
  }
  const shown = printable(raw);
  if (url.username || url.password) throw badRequest("invalid webhook url: it must not carry credentials");
  if (url.protocol !== "https:" && url.protocol !== "http:") throw badRequest(`invalid webhook url '${shown}': only https URLs are accepted`);
  const host = classifyHost(url.hostname);
  if (host === "loopback") {
    if (allowLocal) return url.toString();
    throw badRequest(`invalid webhook url '${shown}': it names a loopback host; ${LOCAL_SETTING_HINT}`);
  }
  if (url.protocol !== "https:") {
    throw badRequest(`invalid webhook url '${shown}': only https URLs are accepted${allowLocal ? " (and loopback http)" : `; http to a loopback host is for local development: ${LOCAL_SETTING_HINT}`}`);
  }
  // URL drops the scheme's default port: an empty port is 443.
  if (url.port !== "") throw badRequest(`invalid webhook url '${shown}': only port 443 is accepted${allowLocal ? " (any port on loopback)" : ""}`);
  if (host === "special" && !allowLocal) {
    throw badRequest(`invalid webhook url '${shown}': it names a private, link-local, reserved or otherwise special-purpose host; ${LOCAL_SETTING_HINT}`);
  }
  return url.toString();
}

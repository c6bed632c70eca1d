// The operator's upstream registries (MIRROR_UPSTREAMS): parsed and checked once per isolate and value;
// docs/operator/mirror.md is the contract. A bad configuration fails loudly on the first mirror use
// rather than mirroring something the operator did not mean.
import { z } from "zod";
import type { Env } from "../env";
import type { Identity } from "../core/vocabulary/identity";

const ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const PART = /^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,99})$/;
const ORG = /^[a-z0-9][a-z0-9-]{0,38}$/;

const SyncEntry = z.object({
  package: z.string().regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, "must be source/publisher/name"),
  versions: z.string().min(1).default("*"),
});

const Upstream = z
  .object({
    id: z.string().regex(ID, "must be 1-32 of a-z, 0-9, -"),
    url: z.string().url(),
    serves: z.array(z.string()).min(1),
    org: z.string().regex(ORG).default("mirror"),
    tokenSecret: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "must name a secret, e.g. MIRROR_TOKEN_PULUMI").optional(),
    latestFreshnessSeconds: z.number().int().min(0).default(3600),
    negativeSeconds: z.number().int().min(0).default(300),
    /** A pull that failed on an upstream fault (502) is answered from memory this long, without asking again. */
    failureHoldSeconds: z.number().int().min(0).max(3600).default(30),
    requestsPerMinute: z.number().int().min(1).default(120),
    timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
    offline: z.boolean().default(false),
    recheckHours: z.number().positive().default(24),
    /** How often the cron trigger starts a sync of the `sync` entries (minutes after the last one started). */
    syncMinutes: z.number().positive().default(60),
    plugins: z
      .object({
        /** GitHub's API origin, for `github://` and empty plugin download URLs. */
        github: z.string().url().default("https://api.github.com"),
        /** get.pulumi.com's plugin folder, the CLI's fallback for an empty URL. */
        getPulumi: z.string().url().default("https://get.pulumi.com/releases/plugins"),
        /** Hosts an `https://` plugin download URL may point at, besides the upstream's own. */
        hosts: z.array(z.string()).default([]),
      })
      .strict()
      .default({ github: "https://api.github.com", getPulumi: "https://get.pulumi.com/releases/plugins", hosts: [] }),
    sync: z.array(SyncEntry).default([]),
  })
  .strict();

export type UpstreamConfig = z.infer<typeof Upstream>;
export interface ServedPattern {
  source: string;
  publisher: string;
  name: string;
}
export interface MirrorUpstream extends UpstreamConfig {
  /** `url` without a trailing slash. */
  base: string;
  patterns: ServedPattern[];
  /** The upstream token, when configured and set. */
  token?: string;
}

function isLocalHttp(url: URL): boolean {
  return url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]");
}

/** An upstream or plugin URL the configuration may name: https, or local http when allowed. */
export function allowedUrl(raw: string, allowLocalHttp: boolean): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return url.protocol === "https:" || (allowLocalHttp && isLocalHttp(url));
}

export class MirrorConfigError extends Error {}

let cached: { raw: unknown; secrets: string; upstreams: MirrorUpstream[] } | undefined;

function parse(env: Env): MirrorUpstream[] {
  const raw = env.MIRROR_UPSTREAMS;
  if (raw === undefined || raw === "") return [];
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new MirrorConfigError("MIRROR_UPSTREAMS is not JSON");
    }
  }
  const parsed = z.array(Upstream).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MirrorConfigError(`MIRROR_UPSTREAMS: ${issue.path.join(".")} ${issue.message}`);
  }
  const local = env.MIRROR_ALLOW_LOCAL_HTTP === "true";
  const ids = new Set<string>();
  return parsed.data.map((u) => {
    if (ids.has(u.id)) throw new MirrorConfigError(`MIRROR_UPSTREAMS: upstream id '${u.id}' appears twice`);
    ids.add(u.id);
    for (const url of [u.url, u.plugins.github, u.plugins.getPulumi]) {
      if (!allowedUrl(url, local)) throw new MirrorConfigError(`MIRROR_UPSTREAMS: ${u.id}: '${url}' must be https (or local http with MIRROR_ALLOW_LOCAL_HTTP=true)`);
    }
    const patterns = u.serves.map((s) => {
      const parts = s.split("/");
      if (parts.length !== 3 || !parts.every((p) => PART.test(p))) throw new MirrorConfigError(`MIRROR_UPSTREAMS: ${u.id}: serves pattern '${s}' must be source/publisher/name, each a name or *`);
      return { source: parts[0]!, publisher: parts[1]!, name: parts[2]! };
    });
    const secret = u.tokenSecret ? (env as unknown as Record<string, unknown>)[u.tokenSecret] : undefined;
    if (u.tokenSecret && (typeof secret !== "string" || secret === "")) throw new MirrorConfigError(`MIRROR_UPSTREAMS: ${u.id}: secret ${u.tokenSecret} is not set`);
    return { ...u, base: u.url.replace(/\/+$/, ""), patterns, ...(typeof secret === "string" ? { token: secret } : {}) };
  });
}

/** Every configured upstream (empty when the mirror is not configured). */
export function mirrorUpstreams(env: Env): MirrorUpstream[] {
  const secrets = Object.entries(env as unknown as Record<string, unknown>)
    .filter(([k]) => k.startsWith("MIRROR_"))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v.length : typeof v}`)
    .join(",");
  if (cached && cached.raw === env.MIRROR_UPSTREAMS && cached.secrets === secrets) return cached.upstreams;
  const upstreams = parse(env);
  cached = { raw: env.MIRROR_UPSTREAMS, secrets, upstreams };
  return upstreams;
}

const matches = (pattern: string, value: string) => pattern === "*" || pattern.toLowerCase() === value.toLowerCase();

/** The upstream that serves `identity` (packages only; the first whose pattern matches), if any. */
export function upstreamFor(env: Env, identity: Identity): MirrorUpstream | undefined {
  if (identity.kind !== "package") return undefined;
  const upstreams = mirrorUpstreams(env);
  return upstreams.find((u) => u.patterns.some((p) => matches(p.source, identity.source) && matches(p.publisher, identity.publisher) && matches(p.name, identity.name)));
}

export function upstreamById(env: Env, id: string): MirrorUpstream | undefined {
  return mirrorUpstreams(env).find((u) => u.id === id);
}

/** Whether `upstream` may be contacted now (its own switch, and MIRROR_OFFLINE for all). */
export function isOffline(env: Env, upstream: MirrorUpstream): boolean {
  return upstream.offline || env.MIRROR_OFFLINE === "true";
}

// A fake upstream registry for the mirror's workers tests, answered here through a global fetch spy (the
// upstream is outside the Worker, like any network peer): Pulumi's registry shapes for `pulumi/pulumi/<name>`
// at https://up.example, with per-name extra fields and files at any URL. Requests to `passThrough` (e.g. the
// suite's webhook receiver) go out for real.
import { vi } from "vitest";
import { providerSchema } from "../blackbox/stand-ins/provider-schema";

export interface FakeUpstream {
  /** name → versions the upstream has (the last is its latest). */
  packages: Record<string, string[]>;
  asked: string[];
  /** What `GET …/packages?name=` answers, whatever the name (an upstream's idea of a search). */
  list?: Array<{ source: string; publisher: string; name: string }>;
  /** Fields added to a package's version answers (pluginDownloadURL, checksums), by name. */
  extra: Record<string, Record<string, unknown>>;
  /** Bytes served at a URL (origin and path), any host. */
  files: Record<string, Uint8Array>;
}

/** Answers like Pulumi's registry: publisher and name looked up ignoring case, answered in its own spelling. */
export function fakeUpstream(packages: Record<string, string[]>, options: { passThrough?: string } = {}): FakeUpstream {
  const up: FakeUpstream = { packages, asked: [], extra: {}, files: {} };
  const real = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const raw = String(input instanceof Request ? input.url : input);
    if (options.passThrough && raw.startsWith(options.passThrough)) return real(input, init);
    const url = new URL(raw);
    up.asked.push(url.pathname);
    const file = up.files[`${url.origin}${url.pathname}`];
    if (file) return new Response(file, { headers: { "Content-Type": "application/gzip", "Content-Length": String(file.byteLength) } });
    if (url.origin !== "https://up.example") return new Response("not found", { status: 404 });
    const art = /^\/art\/([^/]+)\/([^/]+)\/(schema\.json|readme\.md)$/.exec(url.pathname);
    if (art) {
      const [, name, version, file] = art;
      if (file === "readme.md") return new Response(`# ${name} ${version}\n`, { headers: { "Content-Type": "text/markdown" } });
      return Response.json(providerSchema({ name: name!, version: version! }));
    }
    if (url.pathname === "/api/registry/packages" && up.list) return Response.json({ packages: up.list });
    if (url.pathname === "/api/registry/packages") {
      return Response.json({ packages: Object.entries(up.packages).filter(([, v]) => v.length).map(([name]) => ({ source: "pulumi", publisher: "pulumi", name })).slice(0, 1) });
    }
    const list = /^\/api\/registry\/packages\/pulumi\/([^/]+)\/([^/]+)\/versions$/.exec(url.pathname);
    if (list && list[1]!.toLowerCase() === "pulumi") {
      const versions = up.packages[list[2]!.toLowerCase()];
      if (!versions) return Response.json({ code: 404, message: "not found" }, { status: 404 });
      return Response.json({ packages: [...versions].reverse().map((version) => ({ version })) });
    }
    const meta = /^\/api\/registry\/packages\/pulumi\/([^/]+)\/([^/]+)\/versions\/([^/]+)$/.exec(url.pathname);
    if (meta && meta[1]!.toLowerCase() === "pulumi") {
      const name = meta[2]!.toLowerCase();
      const versions = up.packages[name];
      const version = meta[3] === "latest" ? versions?.at(-1) : versions?.find((v) => v === decodeURIComponent(meta[3]!));
      if (!version) return Response.json({ code: 404, message: "not found" }, { status: 404 });
      return Response.json({
        source: "pulumi",
        publisher: "pulumi",
        name,
        version,
        createdAt: "2026-01-01T00:00:00Z",
        schemaURL: `https://up.example/art/${name}/${version}/schema.json`,
        readmeURL: `https://up.example/art/${name}/${version}/readme.md`,
        ...up.extra[name],
      });
    }
    return Response.json({ code: 404, message: "not found" }, { status: 404 });
  });
  return up;
}

// A loopback HTTP proxy in front of an upstream registry, for the mirror's black-box tests: it forwards
// every request (keeping the Host, so the upstream's answers name the proxy in their URLs), logs it, and
// injects the faults a real upstream has: down, slow, a status (5xx, 429 with Retry-After), a body cut
// short of its Content-Length, different bytes.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "down" }
  | { kind: "slow"; ms: number }
  | { kind: "status"; status: number; headers?: Record<string, string> }
  | { kind: "truncate" }
  | { kind: "replace"; body: string };

export interface ProxyRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface UpstreamProxy {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: ProxyRequest[];
  /** Requests whose path contains `part`. */
  count(part: string): number;
  /** Applies `fault` to requests whose path contains `part` (every time, until cleared). */
  fault(part: string, fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/** `target()`: the upstream origin, asked per request (the proxy may start before the upstream does). */
export async function startUpstreamProxy(target: () => string): Promise<UpstreamProxy> {
  const faults: Array<{ part: string; fault: Fault }> = [];
  const requests: ProxyRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined) => {
    const upstream = new URL(target());
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (fault?.kind === "truncate") {
          const chunks: Buffer[] = [];
          answer.on("data", (c: Buffer) => chunks.push(c));
          answer.on("end", () => {
            const body = Buffer.concat(chunks);
            res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "content-length": String(body.length), "transfer-encoding": "" });
            // Half the body, then the connection goes: shorter than its Content-Length.
            res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
          });
          return;
        }
        if (fault?.kind === "replace") {
          answer.resume();
          const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(fault.body)) };
          delete headers["transfer-encoding"];
          delete headers.etag;
          res.writeHead(answer.statusCode ?? 200, headers);
          res.end(fault.body);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "GET", path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const fault = faults.find((f) => path.includes(f.part))?.fault;
    if (fault?.kind === "down") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(JSON.stringify({ code: fault.status, message: "injected by the test proxy" }));
      return;
    }
    if (fault?.kind === "slow") {
      setTimeout(() => forward(req, res, undefined), fault.ms);
      return;
    }
    forward(req, res, fault);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    count: (part) => requests.filter((r) => r.path.includes(part)).length,
    fault: (part, fault) => faults.unshift({ part, fault }),
    clearFaults: () => faults.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

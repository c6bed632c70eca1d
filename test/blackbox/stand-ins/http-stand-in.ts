// What the stand-ins share: plain node:http servers on a free loopback port, a request log, and fault
// injection (per path pattern or globally, one-shot or persistent) applied before a route answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as a stand-in saw it. `path` is the request target: pathname plus query, as sent. */
export interface LoggedRequest {
  /** Which of the stand-in's listeners answered (e.g. "api", "artifacts", "github", "objects", "get.pulumi.com"). */
  host: string;
  method: string;
  path: string;
  /** The Authorization header as sent, or undefined when there was none. */
  authorization: string | undefined;
  accept: string | undefined;
  userAgent: string | undefined;
  /** The fault applied to this request, if one was. */
  fault?: Fault["type"];
}

/**
 * What can go wrong with an answer.
 * - `down`: the socket is destroyed without an answer (the client sees a reset / "other side closed").
 * - `slow`: waits `ms`, then answers normally.
 * - `status`: answers `status` with `{"code": status, "message": ...}` (e.g. 500, 502, 503).
 * - `429`: answers 429 with `Retry-After: retryAfter` (seconds; default 30).
 * - `truncate`: sends the normal headers, whose Content-Length is the full body's, then only the first
 *   `sendBytes` bytes (default half the body) and destroys the socket.
 * - `wrongBytes`: answers bytes other than the ones the metadata implies (each stand-in picks a plausible
 *   wrong answer: a schema of another version, an archive of other content), or exactly `body` when given,
 *   with a correct Content-Length for what is sent.
 */
export type Fault =
  | { type: "down" }
  | { type: "slow"; ms: number }
  | { type: "status"; status: number; message?: string }
  | { type: "429"; retryAfter?: number | string }
  | { type: "truncate"; sendBytes?: number }
  | { type: "wrongBytes"; body?: string | Uint8Array };

export interface FaultOptions {
  /**
   * Which requests it applies to; all when omitted. A string is a pattern over the request target (pathname plus
   * query) in which `*` matches any run of characters (slashes included) and which must match the whole target;
   * a RegExp is tested against the target.
   */
  path?: string | RegExp;
  /** Only on requests to this listener (see LoggedRequest.host). */
  host?: string;
  /** Only for this method. */
  method?: string;
  /** How many requests it applies to before it is spent: 1 for one-shot; persistent when omitted. */
  times?: number;
}

export interface FaultHandle {
  /** How many requests it has been applied to. */
  readonly hits: number;
  /** Stops applying it. */
  clear(): void;
}

interface FaultRule {
  fault: Fault;
  matches: (host: string, method: string, target: string) => boolean;
  remaining: number;
  hits: number;
}

/** What a route hands back; `send` writes it with Content-Length, through whatever fault is in force. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The bytes to serve for a `wrongBytes` fault (a plausible wrong answer); otherwise the body is altered. */
  wrongBody?: () => string | Uint8Array;
}

export type Route = (request: IncomingMessage & { url: string; method: string }, host: string) => Answer | Promise<Answer>;

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) };
}

/** Pulumi's error shape: `code` equals the status. */
export function apiError(status: number, message: string, headers: Record<string, string> = {}): Answer {
  return json(status, { code: status, message }, headers);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

function bytesOf(body: string | Uint8Array | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** Flips the last byte: the same length, other bytes. */
function altered(bytes: Buffer): Buffer {
  if (bytes.length === 0) return Buffer.from("x");
  const copy = Buffer.from(bytes);
  copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff;
  return copy;
}

export interface Listener {
  host: string;
  origin: string;
}

/** A set of listeners sharing one request log and one fault list. */
export class StandInServers {
  readonly requests: LoggedRequest[] = [];
  private readonly rules: FaultRule[] = [];
  private readonly servers: Server[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  async listen(host: string, route: Route): Promise<Listener> {
    const server = createServer((request, response) => {
      void this.handle(host, route, request, response);
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return { host, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  fault(fault: Fault, options: FaultOptions = {}): FaultHandle {
    const pattern = options.path === undefined ? undefined : typeof options.path === "string" ? globToRegExp(options.path) : options.path;
    const method = options.method?.toUpperCase();
    const rule: FaultRule = {
      fault,
      remaining: options.times ?? Infinity,
      hits: 0,
      matches: (host, m, target) => (options.host === undefined || options.host === host) && (method === undefined || method === m) && (pattern === undefined || pattern.test(target)),
    };
    this.rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      clear: () => {
        const at = this.rules.indexOf(rule);
        if (at !== -1) this.rules.splice(at, 1);
      },
    };
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  private takeFault(host: string, method: string, target: string): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !rule.matches(host, method, target)) continue;
      rule.remaining -= 1;
      rule.hits += 1;
      if (rule.remaining <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
      return rule.fault;
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async handle(host: string, route: Route, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const target = request.url ?? "/";
    const fault = this.takeFault(host, method, target);
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    };
    this.requests.push({ host, method, path: target, authorization: header("authorization"), accept: header("accept"), userAgent: header("user-agent"), ...(fault ? { fault: fault.type } : {}) });
    // Request bodies are not used by any route; drain them so the socket stays usable.
    request.resume();
    try {
      if (fault?.type === "down") {
        request.socket.destroy();
        return;
      }
      if (fault?.type === "slow") await this.sleep(fault.ms);
      if (response.destroyed) return;
      if (fault?.type === "status") return send(response, apiError(fault.status, fault.message ?? `stand-in fault: ${fault.status}`));
      if (fault?.type === "429") return send(response, apiError(429, "stand-in fault: too many requests", { "Retry-After": String(fault.retryAfter ?? 30) }));
      const answer = await route(request as IncomingMessage & { url: string; method: string }, host);
      if (fault?.type === "wrongBytes") {
        const body = fault.body ?? answer.wrongBody?.() ?? altered(bytesOf(answer.body));
        return send(response, { ...answer, body });
      }
      if (fault?.type === "truncate") {
        const bytes = bytesOf(answer.body);
        const sendBytes = Math.min(fault.sendBytes ?? Math.floor(bytes.length / 2), Math.max(bytes.length - 1, 0));
        response.writeHead(answer.status, { ...answer.headers, "Content-Length": String(bytes.length) });
        response.flushHeaders();
        response.write(bytes.subarray(0, sendBytes), () => response.destroy());
        return;
      }
      send(response, answer);
    } catch (error) {
      if (!response.headersSent) send(response, apiError(500, `stand-in error: ${(error as Error).message}`));
      else response.destroy();
    }
  }
}

function send(response: ServerResponse, answer: Answer): void {
  const bytes = bytesOf(answer.body);
  response.writeHead(answer.status, { ...answer.headers, "Content-Length": String(bytes.length) });
  response.end(bytes);
}

// Global setup (Node): a real HTTP receiver on 127.0.0.1 for webhook deliveries. `POST /hook/<name>`
// records the request and answers 200, 500 for names starting with `fail`, nothing for `hang`; `GET /received/<name>`
// returns what was recorded for that name; `GET /free-port` a loopback port nothing listens on.
import { createServer, type IncomingHttpHeaders } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const received = new Map<string, Array<{ headers: IncomingHttpHeaders; body: string; at: number }>>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const [, kind, name = ""] = (request.url ?? "").split("/");
      if (request.method === "POST" && kind === "hook") {
        const list = received.get(name) ?? [];
        list.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
        received.set(name, list);
        // `hang…` never answers: a receiver that holds the connection open.
        if (!name.startsWith("hang")) response.writeHead(name.startsWith("fail") ? 500 : 200).end();
      } else if (request.method === "GET" && kind === "free-port") {
        // A port that was free a moment ago and is closed now: deliveries there are refused.
        const probe = createNetServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => response.writeHead(200).end(String(port)));
        });
      } else if (request.method === "GET" && kind === "received") {
        response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(received.get(name) ?? []));
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("receiverUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

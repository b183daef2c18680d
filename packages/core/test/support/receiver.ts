/**
 * A loopback HTTP receiver for delivery tests: records every request (headers + raw body) and answers with
 * a status chosen per request by the test.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the receiver saw it. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** A status, a status with response headers, or `"reset"` (the connection is destroyed unanswered). */
export type Answer = number | { status: number; headers?: Record<string, string> } | "reset";

/** A running receiver. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Decides the response status of each request (default 200). */
  respond: (req: Received, index: number) => Answer | Promise<Answer>;
  /** Resolves once `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A receiver that is not listening yet: `listen()` binds it (and sets `url`). */
export interface PendingReceiver extends Receiver {
  listen(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1, ephemeral port. */
export async function startReceiver(): Promise<Receiver> {
  const receiver = createReceiver();
  await receiver.listen();
  return receiver;
}

/** A receiver for 127.0.0.1 on an ephemeral port, bound by its `listen()` (for setup in `beforeAll`). */
export function createReceiver(): PendingReceiver {
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const receiver: PendingReceiver = {
    url: "",
    received: [],
    respond: () => 200,
    waitFor(n, timeoutMs = 10_000) {
      if (receiver.received.length >= n) return Promise.resolve(receiver.received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`receiver: ${receiver.received.length}/${n} requests after ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(receiver.received);
          },
        });
      });
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const entry: Received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const index = receiver.received.length;
      receiver.received.push(entry);
      for (const w of waiters.filter((x) => receiver.received.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const answer = await receiver.respond(entry, index);
      if (answer === "reset") {
        req.socket.destroy();
        return;
      }
      const { status, headers } = typeof answer === "number" ? { status: answer, headers: {} } : answer;
      res.writeHead(status, headers).end("ok");
    });
  });
  server.keepAliveTimeout = 1000;
  return receiver;
}

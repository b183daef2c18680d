/**
 * A loopback webhook receiver for the examples' delivery tests: records every request (method, path,
 * headers, raw body) and answers with a status chosen per path.
 */
import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { serveHttp } from "./http.ts";

/** One request the receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** A running receiver. */
export interface TestReceiver {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request, in arrival order. */
  received: ReceivedRequest[];
  /** Waits (bounded, ~3 s) until `count` requests match, and returns the matching ones (maybe fewer). */
  arrivals(match: (request: ReceivedRequest) => boolean, count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver on an ephemeral loopback port; `status(path)` picks each response's status (default 200). */
export async function startReceiver(status: (path: string) => number = () => 200): Promise<TestReceiver> {
  const received: ReceivedRequest[] = [];
  const http = await serveHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ method: req.method ?? "", path, headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(status(path)).end();
    });
  });
  return {
    url: http.url,
    received,
    async arrivals(match, count) {
      const matching = () => received.filter(match);
      for (let i = 0; i < 300 && matching().length < count; i++) await sleep(10);
      return matching();
    },
    close: http.close,
  };
}

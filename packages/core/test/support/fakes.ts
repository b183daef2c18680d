/**
 * Minimal stand-ins for the delivery seams (renderer, HTTP client, guard, retry policy), so the worker and
 * queue can be tested alone. The facade tests use the real implementations.
 */
import { request as httpRequest } from "node:http";
import type {
  EndpointGuard,
  HttpClient,
  HttpResult,
  Renderer,
  RetryDecision,
  RetryInput,
} from "../../src/delivery/types.ts";

/** Standard Webhooks envelope, JSON, POST. */
export const fakeRender: Renderer = (sub, messages, ctx) => {
  const body = messages.length === 1 ? ctx.envelope(messages[0]) : messages.map((m) => ctx.envelope(m));
  return {
    url: sub.url,
    method: sub.method,
    headers: { "content-type": sub.contentType, ...sub.headers },
    body: sub.method === "GET" ? null : new TextEncoder().encode(JSON.stringify(body)),
  };
};

/** node:http client; never throws. */
export function fakeHttp(): HttpClient {
  return {
    send(req) {
      const started = performance.now();
      return new Promise<HttpResult>((resolve) => {
        const r = httpRequest(req.url, { method: req.method, headers: req.headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? null,
              headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
              body: Buffer.concat(chunks).toString("utf8"),
              durationMs: performance.now() - started,
              errorKind: res.statusCode && res.statusCode < 300 ? null : "http_status",
              error: null,
            }),
          );
        });
        r.on("error", (err) =>
          resolve({
            status: null,
            headers: {},
            body: null,
            durationMs: performance.now() - started,
            errorKind: "connect",
            error: err.message,
          }),
        );
        r.end(req.body ?? undefined);
      });
    },
    async close() {},
  };
}

/** Always grants. */
export const openGuard: EndpointGuard = {
  async acquire() {
    return { ok: true, release: async () => {} };
  },
  async record() {},
};

/** 2xx succeeds; 410 disables; otherwise retry along the schedule (qos 1) or fail. */
export function fakeDecide(input: RetryInput): RetryDecision {
  const s = input.result.status;
  if (s !== null && s >= 200 && s < 300) return { action: "succeed" };
  if (s === 410) return { action: "disable", reason: "gone" };
  const delay = input.schedule[input.attempts - 1];
  if (input.qos === 0 || delay === undefined) return { action: "fail", reason: "exhausted" };
  return { action: "retry", at: new Date(input.now.getTime() + delay), reason: `http_${s}` };
}

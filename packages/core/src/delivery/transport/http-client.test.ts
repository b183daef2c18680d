import type { LookupAddress } from "node:dns";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HttpClient, OutgoingRequest } from "../types.ts";
import { createHttpClient, DEFAULT_USER_AGENT } from "./http-client.ts";
import { createSsrfGuard } from "./ssrf.ts";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let base: string;
let port: number;
let received: Received[] = [];
let connections = 0;
let flap = 0;
const hanging = new Set<ServerResponse>();

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  "/ok": (_req, res) => {
    res.writeHead(200, { "X-Receiver": "Yes", "Content-Type": "text/plain" }).end("thanks");
  },
  "/slow": (_req, res) => {
    setTimeout(() => res.writeHead(202).end("slowly"), 100);
  },
  "/hang": (_req, res) => {
    hanging.add(res); // never answers; closed in afterAll
  },
  "/reset": (req) => {
    req.socket.destroy();
  },
  "/redirect": (_req, res) => {
    res.writeHead(302, { Location: `${base}/ok` }).end();
  },
  "/gone": (_req, res) => {
    res.writeHead(410).end("gone");
  },
  "/limited": (_req, res) => {
    res.writeHead(429, { "Retry-After": "3" }).end("slow down");
  },
  "/huge": (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain" });
    const chunk = "x".repeat(16 * 1024);
    for (let i = 0; i < 64; i++) res.write(chunk); // 1 MiB
    res.end();
  },
  "/flapping": (_req, res) => {
    flap += 1;
    res.writeHead(flap % 2 === 1 ? 503 : 200).end(String(flap));
  },
  "/close": (_req, res) => {
    res.writeHead(200, { Connection: "close" }).end("bye");
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]!;
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      (routes[path] ?? ((_r, s) => s.writeHead(404).end()))(req, res);
    });
  });
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  connections = 0;
});

const loopback = createSsrfGuard({ allow: ["127.0.0.1", "::1"] });
const clients: HttpClient[] = [];
function client(options: Parameters<typeof createHttpClient>[0] = {}): HttpClient {
  const c = createHttpClient({ guard: loopback, timeoutMs: 5_000, ...options });
  clients.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function post(url: string, body = '{"a":1}', headers: Record<string, string> = {}): OutgoingRequest {
  return {
    url,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: new TextEncoder().encode(body),
  };
}

describe("createHttpClient against a loopback receiver", () => {
  it("delivers a POST and reports the response with lower-cased headers", async () => {
    const c = client();
    const result = await c.send(post(`${base}/ok?x=1`, '{"hello":"world"}', { "X-Custom": "42" }));
    expect(result).toMatchObject({ status: 200, body: "thanks", errorKind: null, error: null });
    expect(result.headers["x-receiver"]).toBe("Yes");
    expect(Object.keys(result.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: "POST", url: "/ok?x=1", body: '{"hello":"world"}' });
    expect(received[0]!.headers["user-agent"]).toBe(DEFAULT_USER_AGENT);
    expect(received[0]!.headers["x-custom"]).toBe("42");
  });

  it("keeps the caller's User-Agent and sends GET without a body", async () => {
    const c = client({ userAgent: "ignored/1" });
    const result = await c.send({
      url: `${base}/ok`,
      method: "GET",
      headers: { "User-Agent": "mine/2" },
      body: null,
    });
    expect(result.status).toBe(200);
    expect(received[0]).toMatchObject({ method: "GET", body: "" });
    expect(received[0]!.headers["user-agent"]).toBe("mine/2");
    expect(received[0]!.headers["content-length"]).toBeUndefined();
  });

  it("reuses keep-alive connections for sequential requests", async () => {
    const c = client();
    for (let i = 0; i < 6; i++) expect((await c.send(post(`${base}/ok`))).status).toBe(200);
    expect(received).toHaveLength(6);
    // undici's pool may open a second socket while the first is being released; never one per request.
    expect(connections).toBeLessThanOrEqual(2);
  });

  it("waits for a slow receiver within the timeout", async () => {
    const result = await client().send(post(`${base}/slow`));
    expect(result).toMatchObject({ status: 202, body: "slowly", errorKind: null });
  });

  it("fails with timeout when the total timeout passes", async () => {
    const result = await client({ timeoutMs: 200 }).send(post(`${base}/hang`));
    expect(result).toMatchObject({ status: null, errorKind: "timeout" });
    expect(result.error).toMatch(/timed out after 200 ms/);
  });

  it("fails with timeout when the connection cannot be established in time", async () => {
    // A resolver that never answers holds the socket in its connecting phase: undici's connect timer fires.
    const blackhole = createSsrfGuard({ resolve: () => new Promise<LookupAddress[]>(() => {}) });
    const result = await client({ guard: blackhole, connectTimeoutMs: 150, timeoutMs: 5_000 }).send(
      post(`http://blackhole.test:${port}/ok`),
    );
    expect(result).toMatchObject({ status: null, errorKind: "timeout" });
    expect(result.error).toMatch(/UND_ERR_CONNECT_TIMEOUT/);
    expect(received).toHaveLength(0);
  });

  it("fails with connect when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await client().send(post(`http://127.0.0.1:${freePort}/`));
    expect(result).toMatchObject({ status: null, errorKind: "connect" });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it("fails with reset when the receiver drops the connection", async () => {
    const result = await client().send(post(`${base}/reset`));
    expect(result).toMatchObject({ status: null, errorKind: "reset" });
  });

  it("never follows redirects: 3xx is a failure of kind redirect", async () => {
    const result = await client().send(post(`${base}/redirect`));
    expect(result).toMatchObject({ status: 302, errorKind: "redirect" });
    expect(result.error).toContain(`to ${base}/ok`);
    expect(received.map((r) => r.url)).toEqual(["/redirect"]);
  });

  it("reports 410 and 429 (with Retry-After) as http_status", async () => {
    const c = client();
    expect(await c.send(post(`${base}/gone`))).toMatchObject({
      status: 410,
      errorKind: "http_status",
      body: "gone",
    });
    const limited = await c.send(post(`${base}/limited`));
    expect(limited).toMatchObject({ status: 429, errorKind: "http_status", error: "HTTP 429" });
    expect(limited.headers["retry-after"]).toBe("3");
  });

  it("keeps only the first maxResponseBytes of a large response and still succeeds", async () => {
    const result = await client({ maxResponseBytes: 1024 }).send(post(`${base}/huge`));
    expect(result).toMatchObject({ status: 200, errorKind: null });
    expect(result.body).toBe("x".repeat(1024));
  });

  it("reports a flapping receiver attempt by attempt", async () => {
    flap = 0;
    const c = client();
    const statuses: (number | null)[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.send(post(`${base}/flapping`))).status);
    expect(statuses).toEqual([503, 200, 503, 200]);
  });

  it("honours the caller's abort signal", async () => {
    const controller = new AbortController();
    const pending = client().send(post(`${base}/hang`), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ status: null, errorKind: "other", error: "request aborted" });
  });

  it("turns invalid URLs, other schemes, DNS failures and a closed client into results", async () => {
    const c = client();
    expect(await c.send(post("not a url"))).toMatchObject({ errorKind: "other" });
    expect(await c.send(post("ftp://127.0.0.1/"))).toMatchObject({ errorKind: "other" });
    const nxdomain = createSsrfGuard({
      resolve: async () => {
        throw Object.assign(new Error("getaddrinfo ENOTFOUND nx.test"), { code: "ENOTFOUND" });
      },
    });
    expect(await client({ guard: nxdomain }).send(post(`http://nx.test:${port}/`))).toMatchObject({
      errorKind: "dns",
    });
    const closing = client();
    await closing.close();
    expect(await closing.send(post(`${base}/ok`))).toMatchObject({ errorKind: "other" });
  });
});

describe("createHttpClient SSRF guard", () => {
  it("refuses loopback with the default guard and never connects", async () => {
    const strict = createHttpClient({ timeoutMs: 2_000 });
    clients.push(strict);
    for (const url of [`${base}/ok`, `http://localhost:${port}/ok`, `http://[::ffff:127.0.0.1]:${port}/ok`]) {
      expect(await strict.send(post(url))).toMatchObject({ status: null, errorKind: "ssrf_blocked" });
    }
    expect(received).toHaveLength(0);
    expect(connections).toBe(0);
  });

  it("DNS rebinding: an allowed first answer, then a private one → refused at connect time", async () => {
    let call = 0;
    const rebinding = createSsrfGuard({
      allow: ["127.0.0.1"],
      resolve: async () => [{ address: call++ === 0 ? "127.0.0.1" : "10.0.0.5", family: 4 }],
    });
    const c = client({ guard: rebinding });
    // `/close` ends the connection, so the second attempt must resolve again.
    expect(await c.send(post(`http://rebind.test:${port}/close`))).toMatchObject({ status: 200 });
    const second = await c.send(post(`http://rebind.test:${port}/close`));
    expect(second).toMatchObject({ status: null, errorKind: "ssrf_blocked" });
    expect(second.error).toMatch(/resolved to 10\.0\.0\.5/);
    expect(received).toHaveLength(1);
  });

  it("refuses when one of several answers is private, even if another is allowed", async () => {
    const mixed = createSsrfGuard({
      allow: ["127.0.0.1"],
      resolve: async () => [
        { address: "127.0.0.1", family: 4 },
        { address: "169.254.169.254", family: 4 },
      ],
    });
    const result = await client({ guard: mixed }).send(post(`http://mixed.test:${port}/ok`));
    expect(result).toMatchObject({ errorKind: "ssrf_blocked" });
    expect(received).toHaveLength(0);
  });
});

import { createServer, get, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { handleNodeRequest } from "./handle.ts";
import { readRawBody } from "./read-raw-body.ts";
import { toRequest } from "./to-request.ts";
import { writeResponse } from "./write-response.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
const servers: { close(): void; closeAllConnections(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(err.message);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("toRequest", () => {
  it("strips the mount prefix from originalUrl on a segment boundary, and keeps the query", async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      req.url = "/rewritten-by-framework";
      seen.push(toRequest(req, { base: "/webhooks/" }).url);
      res.end();
    });
    await fetch(`${url}/webhooks/subscriptions?x=1`);
    await fetch(`${url}/webhooks`);
    await fetch(`${url}/webhooksX/a`);
    expect(seen.map((u) => new URL(u).pathname + new URL(u).search)).toEqual([
      "/subscriptions?x=1",
      "/",
      "/webhooksX/a",
    ]);
  });

  it("keeps the request's headers, method and exact body bytes", async () => {
    const url = await serve(async (req, res) => {
      const r = toRequest(req);
      res.end(JSON.stringify({ m: r.method, h: r.headers.get("x-a"), b: await r.text() }));
    });
    const res = await fetch(url, { method: "PUT", headers: { "x-a": "1" }, body: '  {"a" :1}' });
    expect(await res.json()).toEqual({ m: "PUT", h: "1", b: '  {"a" :1}' });
  });

  it("fails loudly (never hangs) when a parser consumed the stream, and uses the bytes it kept", async () => {
    const url = await serve(async (req, res) => {
      const raw = await readRawBody(req);
      if (req.headers["x-keep"]) (req as IncomingMessage & { rawBody?: Uint8Array }).rawBody = raw;
      else if (req.headers["x-raw-parser"])
        (req as IncomingMessage & { body?: unknown }).body = Buffer.from(raw);
      else (req as IncomingMessage & { body?: unknown }).body = JSON.parse(new TextDecoder().decode(raw));
      res.end(await toRequest(req).text());
    });
    const consumed = await fetch(url, { method: "POST", body: '{"a":1}' });
    expect(consumed.status).toBe(500);
    expect(await consumed.text()).toMatch(/parsed into an object.*Fix the order/s);
    const kept = await fetch(url, { method: "POST", headers: { "x-keep": "1" }, body: '{"a":1}' });
    expect(await kept.text()).toBe('{"a":1}');
    const rawParser = await fetch(url, { method: "POST", headers: { "x-raw-parser": "1" }, body: '{"b":2}' });
    expect(await rawParser.text()).toBe('{"b":2}');
  });

  it("readRawBody reports every failure as a rejection, never a synchronous throw", async () => {
    const outcome = (read: () => Promise<unknown>): Promise<string> => {
      let pending: Promise<unknown>;
      try {
        pending = read();
      } catch {
        return Promise.resolve("threw");
      }
      return pending.then(
        () => "read",
        (err: { code?: string }) => `rejected ${err.code}`,
      );
    };
    const url = await serve(async (req, res) => {
      const tooLarge = await outcome(() => readRawBody(req, 1)); // content-length says so: nothing read
      const first = await outcome(() => readRawBody(req));
      (req as IncomingMessage & { body?: unknown }).body = { a: 1 }; // as if a JSON parser had run
      const consumed = await outcome(() => readRawBody(req));
      res.end([tooLarge, first, consumed].join());
    });
    const res = await fetch(url, { method: "POST", body: '{"a":1}' });
    expect(await res.text()).toBe("rejected payload_too_large,read,rejected internal");
  });

  it("rejects a Host header that makes no valid URL with 400", async () => {
    const url = await serve(async (req, res) => {
      await handleNodeRequest({ fetch: () => new Response("unreachable") }, req, res);
    });
    const { port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/", headers: { host: "bad host:99999" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(400);
  });
});

describe("writeResponse", () => {
  it("streams a large body with backpressure and keeps several set-cookie headers apart", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const chunks = 64;
    const url = await serve(async (_req, res) => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent++ < chunks) c.enqueue(chunk);
          else c.close();
        },
      });
      const headers = new Headers([
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
      ]);
      await writeResponse(res, new Response(body, { status: 203, headers }));
    });
    const res = await fetch(url);
    expect(res.status).toBe(203);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect((await res.arrayBuffer()).byteLength).toBe(chunk.byteLength * chunks);
  });

  it("stops and cancels the body when the client goes away", async () => {
    let cancelled: () => void = () => {};
    const wasCancelled = new Promise<void>((r) => {
      cancelled = r;
    });
    const url = await serve(async (_req, res) => {
      const body = new ReadableStream<Uint8Array>({
        pull: (c) => c.enqueue(new Uint8Array(64 * 1024)),
        cancel: () => cancelled(),
      });
      await writeResponse(res, new Response(body));
    });
    await new Promise<void>((resolve) => {
      get(url, (res) => {
        res.once("data", () => {
          res.destroy();
          resolve();
        });
      });
    });
    await wasCancelled; // times out (fails) if the body is never cancelled
  });
});

describe("handleNodeRequest", () => {
  it("answers 413 when the streamed body passes the limit, whatever the handler answered", async () => {
    const url = await serve((req, res) =>
      handleNodeRequest(
        {
          fetch: async (r) => {
            await r.arrayBuffer().catch(() => {});
            return new Response("handler swallowed the error", { status: 400 });
          },
        },
        req,
        res,
        { bodyLimitBytes: 10 },
      ),
    );
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("x".repeat(100)));
        c.close();
      },
    });
    const res = await fetch(url, { method: "POST", body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "payload_too_large" });
  });

  it("aborts the request's signal when the client disconnects, and writes nothing after", async () => {
    let aborted: () => void = () => {};
    const wasAborted = new Promise<void>((r) => {
      aborted = r;
    });
    const url = await serve((req, res) =>
      handleNodeRequest(
        {
          fetch: (r) =>
            new Promise<Response>((resolve) => {
              r.signal.addEventListener("abort", () => {
                aborted();
                resolve(new Response("too late"));
              });
            }),
        },
        req,
        res,
      ),
    );
    const client = request(url, { method: "POST" });
    client.on("error", () => {});
    client.write("partial");
    setTimeout(() => client.destroy(), 20);
    await wasAborted; // times out (fails) if the disconnect never reaches the handler
  });
});

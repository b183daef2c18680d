import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { assertContentLength, bodyTooLarge, DEFAULT_BODY_LIMIT_BYTES, HooklineError } from "@hookline/core";
import { parserLeftover } from "./body-source.ts";

/** Options of {@link toRequest}. */
export interface ToRequestOptions {
  /**
   * Mount prefix to strip from the path (Express `req.baseUrl`, a Koa or Fastify `prefix`), so the handler
   * sees paths relative to where it is mounted, like h3's and Hono's `mount`. The path is taken from
   * `req.originalUrl` when a framework rewrote `req.url`.
   */
  base?: string;
  /** Largest body accepted (default 1 MiB): larger ones fail with `payload_too_large` (413). */
  bodyLimitBytes?: number;
  /** Aborts the request (e.g. when the client disconnects). */
  signal?: AbortSignal;
  /** Where the framework's body parser put its result, if not `req.body` (Koa: `ctx.request.body`). */
  parsedBody?: unknown;
}

/** @internal A request plus whether its body overran the limit while the handler read it. */
export interface BridgedRequest {
  request: Request;
  overflowed(): boolean;
}

/** @internal {@link toRequest} that also reports a body overflow, for `handleNodeRequest`. */
export function bridgeRequest(req: IncomingMessage, opts: ToRequestOptions = {}): BridgedRequest {
  const method = req.method ?? "GET";
  const limit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  let overflow = false;
  const init: RequestInit & { duplex?: "half" } = { method, headers: toHeaders(req) };
  if (opts.signal) init.signal = opts.signal;
  if (method !== "GET" && method !== "HEAD") {
    const leftover = parserLeftover(req, opts.parsedBody);
    assertContentLength(leftover ? String(leftover.byteLength) : req.headers["content-length"], limit);
    if (leftover) init.body = leftover as Uint8Array<ArrayBuffer>;
    else {
      init.body = limitedStream(req, limit, () => {
        overflow = true;
      });
      init.duplex = "half";
    }
  }
  return { request: new Request(requestUrl(req, opts.base), init), overflowed: () => overflow };
}

/**
 * Turns a Node request into a web `Request`: full URL (mount prefix stripped, see `base`), headers, and a
 * streamed body with a hard size limit. Throws `payload_too_large` when `content-length` is over the
 * limit, and a loud `HooklineError` when a body parser already consumed the stream (never hangs).
 */
export function toRequest(req: IncomingMessage, opts: ToRequestOptions = {}): Request {
  return bridgeRequest(req, opts).request;
}

/** A pull-based stream over the request (backpressure: nothing is read before the handler asks). */
function limitedStream(
  req: IncomingMessage,
  limit: number,
  onOverflow: () => void,
): ReadableStream<Uint8Array> {
  const chunks = limited(req, limit, onOverflow);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

async function* limited(req: IncomingMessage, limit: number, onOverflow: () => void) {
  let size = 0;
  // destroyOnReturn: false keeps the socket open on overflow, so the 413 can still be written.
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) {
      onOverflow();
      throw bodyTooLarge(limit);
    }
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.startsWith(":")) continue; // HTTP/2 pseudo-headers
    headers.append(name, raw[i + 1]!);
  }
  return headers;
}

function requestUrl(req: IncomingMessage, base: string | undefined): string {
  const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
  let path = original.startsWith("/") ? original : `/${original}`;
  const prefix = base?.replace(/\/+$/, "");
  if (prefix && path.startsWith(prefix) && /^[/?#]|^$/.test(path.slice(prefix.length, prefix.length + 1))) {
    path = path.slice(prefix.length);
    if (!path.startsWith("/")) path = `/${path}`;
  }
  const proto = (req.socket as TLSSocket | null)?.encrypted ? "https" : "http";
  const host = req.headers.host ?? "localhost";
  try {
    return new URL(`${proto}://${host}${path}`).href;
  } catch (cause) {
    throw new HooklineError("bad_request", "the request URL or Host header is not valid", {
      status: 400,
      cause,
    });
  }
}

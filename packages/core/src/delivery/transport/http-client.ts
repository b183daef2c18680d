/**
 * The delivery HTTP client: undici with keep-alive, the SSRF guard as the sockets' `lookup`, connect and
 * total timeouts, a capped response read, and no redirects. `send` never throws: every failure is an
 * {@link HttpResult} with an `errorKind`.
 *
 * Response bodies: the first `maxResponseBytes` (default 64 KiB) are kept as the excerpt; past the cap the
 * client stops reading and drops the connection. An oversized body is NOT a failure — the status decides
 * (what Svix and Convoy do: a receiver answering 200 with a large page has accepted the event). The
 * `response_too_large` kind is therefore never produced here.
 */
import { Agent, request as undiciRequest } from "undici";
import type { HttpClient, HttpResult, OutgoingRequest } from "../types.ts";
import { classifyError } from "./classify-error.ts";
import { createSsrfGuard, type SsrfGuard } from "./ssrf.ts";

/** The version sent in the default `User-Agent`. */
export const HOOKLINE_VERSION = "0.0.0";

/** Default `User-Agent` of delivery requests. */
export const DEFAULT_USER_AGENT = `hookline/${HOOKLINE_VERSION}`;

export interface HttpClientOptions {
  /** SSRF guard checked before connecting and at resolution time. Default: `createSsrfGuard()` (no exceptions). */
  guard?: SsrfGuard;
  /** Total time for one request, connect to last body byte kept. Default 15 000 ms. */
  timeoutMs?: number;
  /** Time to resolve and establish the connection (TLS included). Default 15 000 ms (bounded by `timeoutMs`). */
  connectTimeoutMs?: number;
  /** Response bytes kept as the excerpt; reading stops past it. Default 65 536. */
  maxResponseBytes?: number;
  /** `User-Agent` when the request has none. Default `hookline/<version>`. */
  userAgent?: string;
  /** Idle keep-alive time of pooled connections (server hints may lower it). Default 4 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Max connections per origin; `null` = unlimited (the endpoint guard limits concurrency). Default `null`. */
  connectionsPerOrigin?: number | null;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/** Creates the HTTP client the delivery worker sends with. Call `close()` on shutdown. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const guard = options.guard ?? createSsrfGuard();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const agent = new Agent({
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: options.connectionsPerOrigin ?? null,
    connect: {
      timeout: Math.min(options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS, timeoutMs),
      lookup: guard.lookup,
    },
  });
  let closed = false;

  async function send(req: OutgoingRequest, opts: { signal?: AbortSignal } = {}): Promise<HttpResult> {
    const started = performance.now();
    const result = (r: Partial<HttpResult>): HttpResult => ({
      status: null,
      headers: {},
      body: null,
      errorKind: null,
      error: null,
      ...r,
      durationMs: Math.round(performance.now() - started),
    });
    if (closed) return result({ errorKind: "other", error: "[hookline] HTTP client is closed" });

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return result({ errorKind: "other", error: `invalid URL: ${req.url}` });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return result({ errorKind: "other", error: `unsupported scheme ${url.protocol}` });
    }
    // Literal addresses never reach `lookup`, so they are checked here.
    const verdict = guard.checkHost(url.hostname);
    if (!verdict.allowed) {
      return result({
        errorKind: "ssrf_blocked",
        error: `[hookline] SSRF guard refused ${url.hostname}: ${verdict.reason}`,
      });
    }

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const headers = withUserAgent(req.headers, userAgent);
    let status: number | null = null;
    let responseHeaders: Record<string, string> = {};
    try {
      const res = await undiciRequest(url, {
        dispatcher: agent,
        method: req.method,
        headers,
        body: req.body,
        signal,
      });
      status = res.statusCode;
      responseHeaders = flattenHeaders(res.headers);
      const body = await readCapped(res.body, maxResponseBytes);
      if (status >= 200 && status < 300) return result({ status, headers: responseHeaders, body });
      if (status >= 300 && status < 400) {
        const location = responseHeaders["location"];
        return result({
          status,
          headers: responseHeaders,
          body,
          errorKind: "redirect",
          error: `HTTP ${status} redirect${location ? ` to ${location}` : ""} (redirects are not followed)`,
        });
      }
      return result({
        status,
        headers: responseHeaders,
        body,
        errorKind: "http_status",
        error: `HTTP ${status}`,
      });
    } catch (err) {
      const base = { status, headers: responseHeaders };
      if (timeout.aborted) {
        return result({ ...base, errorKind: "timeout", error: `request timed out after ${timeoutMs} ms` });
      }
      if (opts.signal?.aborted) return result({ ...base, errorKind: "other", error: "request aborted" });
      const { kind, message } = classifyError(err);
      return result({ ...base, errorKind: kind, error: message });
    }
  }

  return {
    send,
    async close() {
      if (closed) return;
      closed = true;
      await agent.close();
    },
  };
}

function withUserAgent(headers: Record<string, string>, userAgent: string): Record<string, string> {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === "user-agent") return headers;
  return { ...headers, "user-agent": userAgent };
}

/** undici headers (lower-case names, repeated ones as arrays) → one string per lower-case name. */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/**
 * Reads at most `cap` bytes of the body as UTF-8. Past the cap it stops and destroys the stream (the
 * connection is dropped rather than drained); a fully read body leaves its connection in the pool. A read
 * error after the status arrived keeps what was read: the status already decided the outcome.
 */
async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, cap: number) {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let complete = false;
  try {
    let truncated = false;
    for await (const chunk of body) {
      if (kept + chunk.byteLength > cap) {
        chunks.push(chunk.subarray(0, cap - kept));
        kept = cap;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      kept += chunk.byteLength;
    }
    complete = !truncated;
  } catch {
    // Keep the partial excerpt.
  } finally {
    if (!complete) body.destroy();
  }
  return new TextDecoder().decode(Buffer.concat(chunks, kept));
}

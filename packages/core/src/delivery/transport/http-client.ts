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
import { Agent, type Dispatcher } from "undici";
import type { HttpClient, HttpResult, OutgoingRequest } from "../types.ts";
import { classifyError } from "./classify-error.ts";
import { createSsrfGuard, type SsrfGuard, type SsrfVerdict } from "./ssrf.ts";

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
/** Most host verdicts remembered per client. */
const HOST_CACHE_LIMIT = 512;

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
  /** Verdicts of `guard.checkHost` per host (a pure function of the host and the guard's fixed settings). */
  const hostVerdicts = new Map<string, SsrfVerdict>();
  const checkHost = (host: string): SsrfVerdict => {
    let verdict = hostVerdicts.get(host);
    if (verdict === undefined) {
      verdict = guard.checkHost(host);
      if (hostVerdicts.size >= HOST_CACHE_LIMIT) hostVerdicts.clear();
      hostVerdicts.set(host, verdict);
    }
    return verdict;
  };

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

    const url = parseTarget(req.url);
    if (url === null) return result({ errorKind: "other", error: `invalid URL: ${req.url}` });
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return result({ errorKind: "other", error: `unsupported scheme ${url.protocol}` });
    }
    // Literal addresses never reach `lookup`, so they are checked here.
    const verdict = checkHost(url.hostname);
    if (!verdict.allowed) {
      return result({
        errorKind: "ssrf_blocked",
        error: `[hookline] SSRF guard refused ${url.hostname}: ${verdict.reason}`,
      });
    }

    const headers = withUserAgent(req.headers, userAgent);
    let sent: Sent;
    try {
      sent = await dispatch(agent, url, req, headers, timeoutMs, maxResponseBytes, opts.signal);
    } catch (err) {
      const { kind, message } = classifyError(err);
      return result({ errorKind: kind, error: message });
    }
    if (sent.failure !== null) {
      if (sent.failure === "timeout") {
        return result({ errorKind: "timeout", error: `request timed out after ${timeoutMs} ms` });
      }
      if (sent.failure === "aborted") return result({ errorKind: "other", error: "request aborted" });
      const { kind, message } = classifyError(sent.failure);
      return result({ errorKind: kind, error: message });
    }
    const { status, headers: responseHeaders, body } = sent;
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

/** The parts of a request URL the client uses. */
interface Target {
  protocol: string;
  hostname: string;
  origin: string;
  /** Path and query. */
  path: string;
}

/** Request URL → its parts (deliveries to one endpoint repeat the same URL). */
const targets = new Map<string, Target>();
const TARGET_CACHE_LIMIT = 512;

/** The parts of `text`, or `null` when it is not a URL. */
function parseTarget(text: string): Target | null {
  const cached = targets.get(text);
  if (cached !== undefined) return cached;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const target: Target = {
    protocol: url.protocol,
    hostname: url.hostname,
    origin: url.origin,
    path: url.search ? `${url.pathname}${url.search}` : url.pathname,
  };
  if (targets.size >= TARGET_CACHE_LIMIT) targets.clear();
  targets.set(text, target);
  return target;
}

/** What one dispatched request came to: a response (its status decides), or why there is none. */
type Sent =
  | { failure: null; status: number; headers: Record<string, string>; body: string }
  | { failure: "timeout" | "aborted" | Error; status: null };

const decoder = new TextDecoder();

/**
 * Sends one request through the agent's `dispatch` (no response stream: the body is collected straight
 * from the parser) and settles once the outcome is known:
 *
 * - the total timeout (`timeoutMs`) and the caller's `signal` abort the request; before a response arrives
 *   that is the outcome (`timeout` / `aborted`), after it the status decides with what was read;
 * - at most `cap` response bytes are kept as UTF-8; past the cap reading stops and the connection is dropped
 *   rather than drained, while a fully read body leaves its connection in the pool;
 * - an error after the status arrived keeps what was read: the status already decided the outcome.
 */
function dispatch(
  agent: Agent,
  url: Target,
  req: OutgoingRequest,
  headers: Record<string, string>,
  timeoutMs: number,
  cap: number,
  signal: AbortSignal | undefined,
): Promise<Sent> {
  return new Promise<Sent>((resolve, reject) => {
    let settled = false;
    let status: number | null = null;
    let responseHeaders: Record<string, string> = {};
    const chunks: Uint8Array[] = [];
    let kept = 0;
    /** Why the request was stopped (timeout / abort), kept until undici hands over its controller. */
    let stopped: "timeout" | "aborted" | null = null;
    let controller: Dispatcher.DispatchController | null = null;

    const finish = (sent: Sent) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(sent);
    };
    const respond = () =>
      finish({
        failure: null,
        status: status as number,
        headers: responseHeaders,
        body: kept === 0 ? "" : decoder.decode(Buffer.concat(chunks, kept)),
      });
    const stop = (why: "timeout" | "aborted") => {
      if (settled || stopped !== null) return;
      stopped = why;
      const reason = new Error(why === "timeout" ? "request timed out" : "request aborted");
      if (status !== null) {
        // The status is in: it decides, with the part of the body read so far.
        controller?.abort(reason);
        respond();
      } else controller?.abort(reason);
    };
    const onAbort = () => stop("aborted");
    const timer = setTimeout(() => stop("timeout"), timeoutMs);
    timer.unref();
    if (signal?.aborted) stopped = "aborted";
    else signal?.addEventListener("abort", onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (stopped !== null) c.abort(new Error(`request ${stopped}`));
      },
      onResponseStart(_c, statusCode, rawHeaders) {
        if (statusCode < 200) return; // 1xx: informational, the final response follows
        status = statusCode;
        responseHeaders = flattenHeaders(rawHeaders);
      },
      onResponseData(c, chunk) {
        if (settled) return;
        if (kept + chunk.byteLength > cap) {
          chunks.push(chunk.subarray(0, cap - kept));
          kept = cap;
          respond();
          c.abort(new Error("response excerpt cap reached"));
          return;
        }
        chunks.push(chunk);
        kept += chunk.byteLength;
      },
      onResponseEnd() {
        respond();
      },
      onResponseError(_c, err) {
        if (settled) return;
        if (status !== null) respond();
        else finish({ failure: stopped ?? err, status: null });
      },
    };
    try {
      agent.dispatch(
        {
          origin: url.origin,
          path: url.path,
          method: req.method,
          headers,
          body: req.body,
        },
        handler,
      );
    } catch (err) {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      reject(err);
    }
  });
}

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
import type { AttemptErrorKind } from "../../model/types.ts";
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

  async function send(req: OutgoingRequest, opts?: { signal?: AbortSignal }): Promise<HttpResult> {
    const started = performance.now();
    if (closed) return failed(started, "other", "[hookline] HTTP client is closed");

    const url = parseTarget(req.url);
    if (url === null) return failed(started, "other", `invalid URL: ${req.url}`);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return failed(started, "other", `unsupported scheme ${url.protocol}`);
    }
    // Literal addresses never reach `lookup`, so they are checked here.
    const verdict = checkHost(url.hostname);
    if (!verdict.allowed) {
      return failed(
        started,
        "ssrf_blocked",
        `[hookline] SSRF guard refused ${url.hostname}: ${verdict.reason}`,
      );
    }

    const headers = withUserAgent(req.headers, userAgent);
    let sent: Sent;
    try {
      sent = await dispatch(agent, url, req, headers, timeoutMs, maxResponseBytes, opts?.signal);
    } catch (err) {
      const { kind, message } = classifyError(err);
      return failed(started, kind, message);
    }
    if (sent.failure !== null) {
      if (sent.failure === "timeout") {
        return failed(started, "timeout", `request timed out after ${timeoutMs} ms`);
      }
      if (sent.failure === "aborted") return failed(started, "other", "request aborted");
      const { kind, message } = classifyError(sent.failure);
      return failed(started, kind, message);
    }
    const { status, headers: responseHeaders, body } = sent;
    if (status >= 200 && status < 300) return answered(started, status, responseHeaders, body, null, null);
    if (status >= 300 && status < 400) {
      const location = responseHeaders["location"];
      return answered(
        started,
        status,
        responseHeaders,
        body,
        "redirect",
        `HTTP ${status} redirect${location ? ` to ${location}` : ""} (redirects are not followed)`,
      );
    }
    return answered(started, status, responseHeaders, body, "http_status", `HTTP ${status}`);
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

/** The result of a request that got no response. */
function failed(started: number, errorKind: AttemptErrorKind, error: string): HttpResult {
  return {
    status: null,
    headers: {},
    body: null,
    errorKind,
    error,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The result of a request that got a response (`errorKind` set when its status is a failure). */
function answered(
  started: number,
  status: number,
  headers: Record<string, string>,
  body: string,
  errorKind: AttemptErrorKind | null,
  error: string | null,
): HttpResult {
  return { status, headers, body, errorKind, error, durationMs: Math.round(performance.now() - started) };
}

function withUserAgent(headers: Record<string, string>, userAgent: string): Record<string, string> {
  if (headers["user-agent"] !== undefined) return headers; // rendered and signed headers are lower-case
  for (const name in headers) {
    if (Object.hasOwn(headers, name) && name.toLowerCase() === "user-agent") return headers;
  }
  return { ...headers, "user-agent": userAgent };
}

/** undici headers (lower-case names, repeated ones as arrays) → one string per lower-case name. */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
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
    const exchange = new Exchange(resolve, cap, timeoutMs, signal);
    try {
      agent.dispatch(
        { origin: url.origin, path: url.path, method: req.method, headers, body: req.body },
        exchange,
      );
    } catch (err) {
      exchange.cleanUp();
      reject(err);
    }
  });
}

/**
 * One request in flight: undici's handler for it, and its timer and abort listener. A class rather than a
 * handful of closures: one object per request.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private settled = false;
  private status: number | null = null;
  private responseHeaders: Record<string, string> = {};
  private readonly chunks: Uint8Array[] = [];
  private kept = 0;
  /** Why the request was stopped (timeout / abort), kept until undici hands over its controller. */
  private stopped: "timeout" | "aborted" | null = null;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly resolve: (sent: Sent) => void;
  private readonly cap: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort: (() => void) | null = null;

  constructor(
    resolve: (sent: Sent) => void,
    cap: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ) {
    this.resolve = resolve;
    this.cap = cap;
    this.signal = signal;
    this.timer = setTimeout(onTimeout, timeoutMs, this);
    this.timer.unref();
    if (signal !== undefined) {
      if (signal.aborted) this.stopped = "aborted";
      else {
        this.onAbort = () => this.stop("aborted");
        signal.addEventListener("abort", this.onAbort, { once: true });
      }
    }
  }

  /** Clears the timer and the abort listener. */
  cleanUp(): void {
    this.settled = true;
    clearTimeout(this.timer);
    if (this.onAbort !== null) this.signal?.removeEventListener("abort", this.onAbort);
  }

  private finish(sent: Sent): void {
    if (this.settled) return;
    this.cleanUp();
    this.resolve(sent);
  }

  private respond(): void {
    this.finish({
      failure: null,
      status: this.status as number,
      headers: this.responseHeaders,
      body: this.kept === 0 ? "" : decoder.decode(Buffer.concat(this.chunks, this.kept)),
    });
  }

  stop(why: "timeout" | "aborted"): void {
    if (this.settled || this.stopped !== null) return;
    this.stopped = why;
    const reason = new Error(why === "timeout" ? "request timed out" : "request aborted");
    if (this.status !== null) {
      // The status is in: it decides, with the part of the body read so far.
      this.controller?.abort(reason);
      this.respond();
    } else this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.stopped !== null) controller.abort(new Error(`request ${this.stopped}`));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx: informational, the final response follows
    this.status = statusCode;
    this.responseHeaders = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.kept + chunk.byteLength > this.cap) {
      this.chunks.push(chunk.subarray(0, this.cap - this.kept));
      this.kept = this.cap;
      this.respond();
      controller.abort(new Error("response excerpt cap reached"));
      return;
    }
    this.chunks.push(chunk);
    this.kept += chunk.byteLength;
  }

  onResponseEnd(): void {
    this.respond();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.settled) return;
    if (this.status !== null) this.respond();
    else this.finish({ failure: this.stopped ?? err, status: null });
  }
}

function onTimeout(exchange: Exchange): void {
  exchange.stop("timeout");
}

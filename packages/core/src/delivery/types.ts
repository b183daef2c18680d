/**
 * Internal seams of the delivery pipeline: render → sign → send → decide. Each piece is replaceable and
 * tested alone; the worker composes them.
 */
import type { AttemptErrorKind, DeliveryMethod, Message, Subscription } from "../model/types.ts";

/** A fully rendered outgoing request (before signing headers are added). */
export interface OutgoingRequest {
  url: string;
  method: DeliveryMethod;
  headers: Record<string, string>;
  /** `null` for GET. */
  body: Uint8Array | null;
}

/** Envelope builder: turns a message into the JSON body (default Standard Webhooks `{type, timestamp, data}`). */
export type EnvelopeBuilder = (message: Message) => unknown;

export interface RenderContext {
  envelope: EnvelopeBuilder;
  /** Seed 002 `${account-code}` and friends come from here; `tenant` is always available. */
  variables?: (message: Message, subscription: Subscription) => Record<string, string>;
}

/** Renders one request for one subscription from one message, or from several (an id set). */
export type Renderer = (
  subscription: Subscription,
  messages: readonly [Message, ...Message[]],
  ctx: RenderContext,
) => OutgoingRequest;

/** The outcome of one HTTP request. `send` never throws; failures are data. */
export interface HttpResult {
  /** `null` when no response arrived. */
  status: number | null;
  headers: Record<string, string>;
  /** Response body excerpt (UTF-8, capped). */
  body: string | null;
  durationMs: number;
  errorKind: AttemptErrorKind | null;
  error: string | null;
}

export interface HttpClient {
  send(request: OutgoingRequest, opts?: { signal?: AbortSignal }): Promise<HttpResult>;
  close(): Promise<void>;
}

/** What to do after an attempt. */
export type RetryDecision =
  | { action: "succeed" }
  | { action: "retry"; at: Date; reason: string }
  | { action: "fail"; reason: string }
  /** 410 Gone (or sustained failure): disable the subscription and fail the delivery. */
  | { action: "disable"; reason: string };

export interface RetryInput {
  qos: 0 | 1;
  /** Attempts made so far, including the one just finished (1-based). */
  attempts: number;
  /** Delays in ms after the first attempt (default: 0, 5s, 5m, 30m, 2h, 5h, 10h, 10h). */
  schedule: readonly number[];
  result: HttpResult;
  now: Date;
  /** The subscription's `failingSince` before this attempt. */
  failingSince: Date | null;
}

/**
 * Per-subscription concurrency and rate limits, and the circuit breaker. The in-memory implementation holds
 * for one process; `@hookline/queue-bullmq` provides a Redis-backed one that holds across all workers.
 */
export interface EndpointGuard {
  /**
   * Try to start one request to `subscriptionId`. Returns a release function, or the instant to try again
   * (concurrency full, rate exceeded, or circuit open).
   */
  acquire(
    subscriptionId: string,
    limits: { concurrency: number | null; ratePerSecond: number | null },
  ): Promise<
    | { ok: true; release: () => Promise<void> }
    | { ok: false; retryAt: Date; reason: "concurrency" | "rate" | "circuit_open" }
  >;
  /** Record an attempt outcome for the circuit breaker. */
  record(subscriptionId: string, ok: boolean): Promise<void>;
}

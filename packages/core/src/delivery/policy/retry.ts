/**
 * The retry policy: what to do after one attempt. Pure, with injectable randomness; the worker supplies the
 * clock through `RetryInput.now`.
 *
 * Rules, in order:
 * 1. 2xx without a transport error → `succeed`.
 * 2. 410 Gone → `disable` (reason `gone`): the receiver says the endpoint is gone for good.
 * 3. The subscription has been failing for `disableAfterMs` (default 5 days) → `disable` (reason `failing`).
 * 4. Permanent failures → `fail` at once: SSRF-blocked targets, render errors, and — with
 *    `clientErrors: "fail-fast"` — 4xx other than 408, 409, 425 and 429.
 * 5. Quality of service 0 → `fail` (one attempt only).
 * 6. Schedule exhausted → `fail` (reason `exhausted`).
 * 7. Otherwise `retry` after the next delay of the schedule with ±20 % jitter; never sooner than a
 *    `Retry-After` (seconds or HTTP date, clamped to 1 s … 24 h), and for 429/502/503/504 without one never
 *    sooner than `overloadDelayMs` (default 5 s).
 *
 * Client errors default to `"retry"`, like Svix and Convoy: any non-2xx (3xx included) is a failure that is
 * retried on the schedule, because 4xx answers from webhook receivers are often temporary (a deploy, a
 * secret not yet rotated on their side). `"fail-fast"` is the choice of API clients that trust 4xx semantics.
 */
import type { HttpResult, RetryDecision, RetryInput } from "../types.ts";
import { parseRetryAfter } from "./retry-after.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The default schedule (Standard Webhooks / Svix): the delays before attempts 1‥8 — immediately, 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h. Eight attempts over about 27.6 hours.
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
]);

/** 4xx statuses that are retried even with `clientErrors: "fail-fast"`. */
export const TRANSIENT_CLIENT_ERRORS: readonly number[] = Object.freeze([408, 409, 425, 429]);

const OVERLOAD_STATUSES = new Set([429, 502, 503, 504]);

export interface RetryPolicyOptions {
  /** Jitter fraction applied to each scheduled delay: ±`jitter`. Default 0.2. */
  jitter?: number;
  /** Random source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** `"retry"` (default): 4xx are retried like any failure. `"fail-fast"`: only 408/409/425/429 are. */
  clientErrors?: "retry" | "fail-fast";
  /** Lower bound applied to `Retry-After`. Default 1 s. */
  minRetryAfterMs?: number;
  /** Upper bound applied to `Retry-After`. Default 24 h. */
  maxRetryAfterMs?: number;
  /** Minimum delay after 429/502/503/504 without `Retry-After`. Default 5 s. */
  overloadDelayMs?: number;
  /** Disable the subscription once it has been failing this long (since `failingSince`). Default 5 days. */
  disableAfterMs?: number;
}

/** The short reason a failed result is recorded under: `http_503`, `timeout`, `redirect`, … */
export function failureReason(result: HttpResult): string {
  if (result.errorKind === "http_status" || (result.errorKind === null && result.status !== null)) {
    return `http_${result.status}`;
  }
  return result.errorKind ?? "other";
}

function isSuccess(result: HttpResult): boolean {
  return result.errorKind === null && result.status !== null && result.status >= 200 && result.status < 300;
}

/** Creates a retry policy with its own options; {@link decideRetry} is the default one. */
export function createRetryPolicy(options: RetryPolicyOptions = {}): (input: RetryInput) => RetryDecision {
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  const failFast = options.clientErrors === "fail-fast";
  const minRetryAfter = options.minRetryAfterMs ?? SECOND;
  const maxRetryAfter = options.maxRetryAfterMs ?? DAY;
  const overloadDelay = options.overloadDelayMs ?? 5 * SECOND;
  const disableAfter = options.disableAfterMs ?? 5 * DAY;

  return function decide(input: RetryInput): RetryDecision {
    const { result, now } = input;
    if (isSuccess(result)) return { action: "succeed" };
    if (result.status === 410) return { action: "disable", reason: "gone" };
    if (input.failingSince !== null && now.getTime() - input.failingSince.getTime() >= disableAfter) {
      return { action: "disable", reason: "failing" };
    }
    const reason = failureReason(result);
    if (result.errorKind === "ssrf_blocked" || result.errorKind === "render")
      return { action: "fail", reason };
    const status = result.status;
    if (
      failFast &&
      status !== null &&
      status >= 400 &&
      status < 500 &&
      !TRANSIENT_CLIENT_ERRORS.includes(status)
    ) {
      return { action: "fail", reason };
    }
    if (input.qos === 0) return { action: "fail", reason };
    if (input.attempts >= input.schedule.length) return { action: "fail", reason: "exhausted" };

    const scheduled = input.schedule[input.attempts]!;
    let delay = Math.max(0, scheduled * (1 + (random() * 2 - 1) * jitter));
    const retryAfter = parseRetryAfter(result.headers["retry-after"], now);
    if (retryAfter !== null) {
      delay = Math.max(delay, Math.min(maxRetryAfter, Math.max(minRetryAfter, retryAfter)));
    } else if (status !== null && OVERLOAD_STATUSES.has(status)) {
      delay = Math.max(delay, overloadDelay);
    }
    return { action: "retry", at: new Date(now.getTime() + Math.round(delay)), reason };
  };
}

/** The default retry policy (see {@link createRetryPolicy} for the rules). */
export const decideRetry: (input: RetryInput) => RetryDecision = createRetryPolicy();

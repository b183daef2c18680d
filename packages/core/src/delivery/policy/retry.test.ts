import { describe, expect, it } from "vitest";
import type { HttpResult, RetryInput } from "../types.ts";
import { createRetryPolicy, DEFAULT_RETRY_SCHEDULE, decideRetry, failureReason } from "./retry.ts";
import { parseRetryAfter } from "./retry-after.ts";

const NOW = new Date("2026-01-01T00:00:00.000Z");
const SECOND = 1000;
const HOUR = 3600 * SECOND;

function result(partial: Partial<HttpResult>): HttpResult {
  return { status: null, headers: {}, body: null, durationMs: 1, errorKind: null, error: null, ...partial };
}
const ok = result({ status: 200 });
const status = (code: number, headers: Record<string, string> = {}) =>
  result({ status: code, headers, errorKind: code >= 300 && code < 400 ? "redirect" : "http_status" });

function input(partial: Partial<RetryInput>): RetryInput {
  return {
    qos: 1,
    attempts: 1,
    schedule: DEFAULT_RETRY_SCHEDULE,
    result: status(500),
    now: NOW,
    failingSince: null,
    ...partial,
  };
}

/** No jitter: random() = 0.5 maps to a factor of exactly 1. */
const exact = createRetryPolicy({ random: () => 0.5 });
const delayOf = (decision: ReturnType<typeof decideRetry>) => {
  if (decision.action !== "retry") throw new Error(`expected retry, got ${JSON.stringify(decision)}`);
  return decision.at.getTime() - NOW.getTime();
};

describe("decideRetry", () => {
  it("exports the default schedule as the delays before attempts 1..8", () => {
    expect(DEFAULT_RETRY_SCHEDULE).toEqual([0, 5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
  });

  it("succeeds on 2xx", () => {
    for (const code of [200, 201, 204, 299]) {
      expect(decideRetry(input({ result: result({ status: code }) }))).toEqual({ action: "succeed" });
    }
    // A 2xx status with a transport error is not a success.
    expect(decideRetry(input({ result: result({ status: 200, errorKind: "other" }) })).action).toBe("retry");
    expect(decideRetry(input({ result: ok, qos: 0 }))).toEqual({ action: "succeed" });
  });

  it("walks the schedule attempt by attempt and fails with `exhausted` after the last", () => {
    const delays: number[] = [];
    let attempts = 1;
    for (;;) {
      const decision = exact(input({ attempts }));
      if (decision.action !== "retry") {
        expect(decision).toEqual({ action: "fail", reason: "exhausted" });
        break;
      }
      expect(decision.reason).toBe("http_500");
      delays.push(delayOf(decision));
      attempts += 1;
    }
    expect(attempts).toBe(8);
    expect(delays).toEqual(DEFAULT_RETRY_SCHEDULE.slice(1));
  });

  it("applies ±20% jitter from the injected random source", () => {
    const low = createRetryPolicy({ random: () => 0 });
    const high = createRetryPolicy({ random: () => 0.999999 });
    expect(delayOf(low(input({ attempts: 2 })))).toBe(240_000);
    expect(delayOf(high(input({ attempts: 2 })))).toBeCloseTo(360_000, -1);
    for (let i = 0; i < 50; i++) {
      const d = delayOf(decideRetry(input({ attempts: 3 })));
      expect(d).toBeGreaterThanOrEqual(0.8 * 30 * 60 * SECOND);
      expect(d).toBeLessThanOrEqual(1.2 * 30 * 60 * SECOND);
    }
  });

  it("quality of service 0 makes exactly one attempt", () => {
    expect(decideRetry(input({ qos: 0, result: status(503) }))).toEqual({
      action: "fail",
      reason: "http_503",
    });
    expect(decideRetry(input({ qos: 0, result: result({ errorKind: "timeout" }) }))).toEqual({
      action: "fail",
      reason: "timeout",
    });
  });

  it("410 Gone disables the subscription, whatever the qos", () => {
    expect(decideRetry(input({ result: status(410) }))).toEqual({ action: "disable", reason: "gone" });
    expect(decideRetry(input({ qos: 0, result: status(410) }))).toEqual({
      action: "disable",
      reason: "gone",
    });
  });

  it("disables after a sustained failure window (default 5 days)", () => {
    const justUnder = new Date(NOW.getTime() - 5 * 24 * HOUR + 1);
    const fiveDays = new Date(NOW.getTime() - 5 * 24 * HOUR);
    expect(exact(input({ failingSince: justUnder })).action).toBe("retry");
    expect(exact(input({ failingSince: fiveDays }))).toEqual({ action: "disable", reason: "failing" });
    expect(exact(input({ failingSince: fiveDays, result: ok }))).toEqual({ action: "succeed" });
    const short = createRetryPolicy({ disableAfterMs: HOUR });
    expect(short(input({ failingSince: new Date(NOW.getTime() - HOUR) })).action).toBe("disable");
  });

  it("honours Retry-After in seconds and as an HTTP date, within 1 s … 24 h", () => {
    expect(delayOf(exact(input({ attempts: 1, result: status(429, { "retry-after": "120" }) })))).toBe(
      120_000,
    );
    const date = new Date(NOW.getTime() + 600_000).toUTCString();
    expect(delayOf(exact(input({ attempts: 1, result: status(503, { "retry-after": date }) })))).toBe(
      600_000,
    );
    // Never sooner than the schedule: attempt 3 is due after 30 min anyway.
    expect(delayOf(exact(input({ attempts: 3, result: status(503, { "retry-after": "60" }) })))).toBe(
      1_800_000,
    );
    expect(delayOf(exact(input({ attempts: 1, result: status(429, { "retry-after": "999999" }) })))).toBe(
      24 * HOUR,
    );
    const zeroSchedule = [0, 0, 0];
    expect(
      delayOf(exact(input({ schedule: zeroSchedule, result: status(500, { "retry-after": "0" }) }))),
    ).toBe(SECOND);
  });

  it("backs off on 429/502/503/504 even when the schedule says now", () => {
    const zeroSchedule = [0, 0, 0];
    for (const code of [429, 502, 503, 504]) {
      expect(delayOf(exact(input({ schedule: zeroSchedule, result: status(code) })))).toBe(5_000);
    }
    expect(delayOf(exact(input({ schedule: zeroSchedule, result: status(500) })))).toBe(0);
  });

  it("retries 3xx, 4xx and network errors by default (like Svix and Convoy)", () => {
    for (const r of [status(302), status(400), status(401), status(404), result({ errorKind: "reset" })]) {
      expect(exact(input({ result: r })).action).toBe("retry");
    }
    expect(exact(input({ result: status(301) }))).toMatchObject({ reason: "redirect" });
  });

  it("fail-fast fails other 4xx at once but retries 408/409/425/429", () => {
    const failFast = createRetryPolicy({ clientErrors: "fail-fast", random: () => 0.5 });
    for (const code of [400, 401, 403, 404, 422]) {
      expect(failFast(input({ result: status(code) }))).toEqual({ action: "fail", reason: `http_${code}` });
    }
    for (const code of [408, 409, 425, 429, 500])
      expect(failFast(input({ result: status(code) })).action).toBe("retry");
  });

  it("fails at once on SSRF-blocked targets and render errors", () => {
    expect(decideRetry(input({ result: result({ errorKind: "ssrf_blocked" }) }))).toEqual({
      action: "fail",
      reason: "ssrf_blocked",
    });
    expect(decideRetry(input({ result: result({ errorKind: "render" }) }))).toEqual({
      action: "fail",
      reason: "render",
    });
  });

  it("honours a per-subscription schedule", () => {
    const custom = [0, 1_000, 2_000];
    expect(delayOf(exact(input({ schedule: custom, attempts: 2 })))).toBe(2_000);
    expect(exact(input({ schedule: custom, attempts: 3 }))).toEqual({ action: "fail", reason: "exhausted" });
  });
});

describe("parseRetryAfter and failureReason", () => {
  it("parses seconds and dates, rejects junk", () => {
    expect(parseRetryAfter("5", NOW)).toBe(5_000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter(new Date(NOW.getTime() - 5_000).toUTCString(), NOW)).toBe(0);
    for (const junk of [undefined, "", "-5", "1.5", "soon", "12abc"])
      expect(parseRetryAfter(junk, NOW)).toBeNull();
  });

  it("names failures", () => {
    expect(failureReason(status(503))).toBe("http_503");
    expect(failureReason(result({ errorKind: "timeout" }))).toBe("timeout");
    expect(failureReason(status(307))).toBe("redirect");
  });
});

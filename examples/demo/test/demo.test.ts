import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDemo } from "../src/demo.ts";

const dir = mkdtempSync(join(tmpdir(), "hookline-demo-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the demo", () => {
  it("delivers every event to the healthy endpoint, retries the flaky one, disables 410, exhausts 503", async () => {
    const summary = await runDemo({
      databasePath: join(dir, "demo.sqlite"),
      seconds: 1.5,
      ratePerSecond: 20,
      drainTimeoutMs: 60_000,
    });
    const by = Object.fromEntries(summary.endpoints.map((e) => [e.name, e]));

    expect(summary.emitted).toBeGreaterThan(5);
    expect(summary.lost).toBe(0);
    expect(by.healthy!.succeeded).toBe(summary.emitted);
    expect(by.healthy!.verifiedAtReceiver).toBe(summary.emitted);
    // the flaky endpoint needed more attempts than deliveries
    expect(by.flaky!.attempts).toBeGreaterThan(by.flaky!.succeeded);
    // a rejected event is retried on the schedule (4 attempts), then exhausted
    expect(by.picky!.failed).toBeGreaterThan(0);
    expect(by.picky!.attempts).toBeGreaterThanOrEqual(by.picky!.succeeded + by.picky!.failed * 4);
    // 410 Gone disables the subscription
    expect(by.gone!.subscriptionStatus).toMatch(/^disabled/);
    expect(summary.disabled.map((d) => d.name)).toContain("gone");
    // 503 is retried (or held back by the circuit breaker); it never counts as delivered
    expect(by.down!.succeeded).toBe(0);
    expect(by.down!.attempts).toBeGreaterThan(0);
  }, 120_000);
});

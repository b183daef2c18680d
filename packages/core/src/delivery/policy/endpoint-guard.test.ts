import { describe, expect, it } from "vitest";
import type { EndpointGuard } from "../types.ts";
import { memoryEndpointGuard } from "./endpoint-guard.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

type Limits = Parameters<EndpointGuard["acquire"]>[1];
const open: Limits = { concurrency: null, ratePerSecond: null };

async function take(guard: EndpointGuard, id = "sub_1", limits: Limits = open) {
  const r = await guard.acquire(id, limits);
  if (!r.ok) throw new Error(`expected a slot, got ${r.reason}`);
  return r.release;
}

describe("memoryEndpointGuard: concurrency", () => {
  it("admits at most `concurrency` requests at once, per subscription", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now, concurrencyRetryMs: 100 });
    const limits = { concurrency: 2, ratePerSecond: null };
    const a = await take(guard, "sub_1", limits);
    await take(guard, "sub_1", limits);
    const third = await guard.acquire("sub_1", limits);
    expect(third).toEqual({ ok: false, retryAt: new Date(c.now() + 100), reason: "concurrency" });
    expect((await guard.acquire("sub_2", limits)).ok).toBe(true); // other subscriptions are independent
    await a();
    await a(); // release is idempotent
    expect((await guard.acquire("sub_1", limits)).ok).toBe(true);
    expect((await guard.acquire("sub_1", limits)).ok).toBe(false);
  });

  it("uses the deployment default when the subscription sets none", async () => {
    const guard = memoryEndpointGuard({ defaultConcurrency: 1 });
    await take(guard);
    expect(await guard.acquire("sub_1", open)).toMatchObject({ ok: false, reason: "concurrency" });
  });
});

describe("memoryEndpointGuard: rate limit", () => {
  it("enforces a token bucket of ratePerSecond with a one-second burst", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now });
    const limits = { concurrency: null, ratePerSecond: 4 };
    for (let i = 0; i < 4; i++) await (await take(guard, "sub_1", limits))();
    const refused = await guard.acquire("sub_1", limits);
    expect(refused).toEqual({ ok: false, retryAt: new Date(c.now() + 250), reason: "rate" });
    c.advance(249);
    expect((await guard.acquire("sub_1", limits)).ok).toBe(false);
    c.advance(1);
    expect((await guard.acquire("sub_1", limits)).ok).toBe(true);
    expect((await guard.acquire("sub_1", limits)).ok).toBe(false);
  });

  it("admits exactly rate × seconds over a long run", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now });
    const limits = { concurrency: null, ratePerSecond: 10 };
    let admitted = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      const r = await guard.acquire("sub_1", limits);
      if (r.ok) {
        admitted += 1;
        await r.release();
      }
      c.advance(10);
    }
    // Burst of 10 plus 10/s for 10 s (the last refill lands after the loop).
    expect(admitted).toBeGreaterThanOrEqual(108);
    expect(admitted).toBeLessThanOrEqual(110);
  });

  it("supports rates below one per second", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now });
    const limits = { concurrency: null, ratePerSecond: 0.5 };
    await take(guard, "sub_1", limits);
    expect(await guard.acquire("sub_1", limits)).toEqual({
      ok: false,
      retryAt: new Date(c.now() + 2_000),
      reason: "rate",
    });
  });
});

describe("memoryEndpointGuard: circuit breaker", () => {
  async function fail(guard: EndpointGuard, times: number) {
    for (let i = 0; i < times; i++) {
      const release = await take(guard);
      await guard.record("sub_1", false);
      await release();
    }
  }

  it("opens after N consecutive failures and refuses until the cool-down ends", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now, failureThreshold: 3, cooldownMs: 10_000 });
    await fail(guard, 2);
    await guard.record("sub_1", true); // a success resets the count
    await fail(guard, 2);
    expect((await guard.acquire("sub_1", open)).ok).toBe(true);
    await guard.record("sub_1", false);
    expect(await guard.acquire("sub_1", open)).toEqual({
      ok: false,
      retryAt: new Date(c.now() + 10_000),
      reason: "circuit_open",
    });
    expect((await guard.acquire("sub_2", open)).ok).toBe(true);
  });

  it("half-open admits one probe at a time; a failed probe doubles the cool-down up to the cap", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({
      now: c.now,
      failureThreshold: 1,
      cooldownMs: 1_000,
      maxCooldownMs: 3_000,
    });
    await fail(guard, 1);
    const cooldowns: number[] = [];
    for (let round = 0; round < 4; round++) {
      const refused = await guard.acquire("sub_1", open);
      if (refused.ok) throw new Error("circuit should be open");
      cooldowns.push(refused.retryAt.getTime() - c.now());
      c.advance(refused.retryAt.getTime() - c.now());
      const probe = await guard.acquire("sub_1", open);
      expect(probe.ok).toBe(true);
      expect(await guard.acquire("sub_1", open)).toMatchObject({ ok: false, reason: "circuit_open" });
      await guard.record("sub_1", false);
      if (probe.ok) await probe.release();
    }
    expect(cooldowns).toEqual([1_000, 2_000, 3_000, 3_000]);
  });

  it("a successful probe closes the circuit", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now, failureThreshold: 2, cooldownMs: 5_000 });
    await fail(guard, 2);
    c.advance(5_000);
    const release = await take(guard);
    await guard.record("sub_1", true);
    await release();
    for (let i = 0; i < 3; i++) await (await take(guard))();
  });

  it("a probe released without an outcome frees the half-open slot", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now, failureThreshold: 1, cooldownMs: 1_000 });
    await fail(guard, 1);
    c.advance(1_000);
    const release = await take(guard);
    expect((await guard.acquire("sub_1", open)).ok).toBe(false);
    await release();
    expect((await guard.acquire("sub_1", open)).ok).toBe(true);
  });

  it("a dead endpoint costs one request per cool-down, not one per delivery", async () => {
    const c = clock();
    const guard = memoryEndpointGuard({ now: c.now, failureThreshold: 5, cooldownMs: 30_000 });
    let sent = 0;
    // 1,000 deliveries arrive every 100 ms over ~100 s against an endpoint that always fails.
    for (let i = 0; i < 1_000; i++) {
      const r = await guard.acquire("sub_1", open);
      if (r.ok) {
        sent += 1;
        await guard.record("sub_1", false);
        await r.release();
      }
      c.advance(100);
    }
    // 5 to open, then probes at +30 s and +90 s (cool-down doubled to 60 s).
    expect(sent).toBe(7);
  });
});

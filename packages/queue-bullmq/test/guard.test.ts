import { type RedisEndpointGuard, redisEndpointGuard } from "@hookline/queue-bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deletePrefix, redisAvailable, skipWithout, testRedis, uniquePrefix } from "./helpers/services.ts";

const skip = skipWithout("Redis at 127.0.0.1:6379", await redisAvailable());
const prefix = uniquePrefix("guard");
const unlimited = { concurrency: null, ratePerSecond: null };

/**
 * Two guards on two Redis connections stand for two worker processes: every limit below is reached with
 * acquisitions spread over both, so it only holds if the state is shared.
 */
describe.skipIf(skip)("redisEndpointGuard across two workers", () => {
  let redisA: Redis;
  let redisB: Redis;
  let a: RedisEndpointGuard;
  let b: RedisEndpointGuard;
  let sub = 0;
  const nextSub = () => `sub-${++sub}`;
  const key = (s: string, part: string) => `${prefix}:guard:{${s}}:${part}`;

  beforeAll(() => {
    redisA = testRedis();
    redisB = testRedis();
    // Every acquire asks Redis here (no trusted closed circuits): these tests are about the shared state.
    const opts = { prefix, failureThreshold: 3, cooldownMs: 1000, maxCooldownMs: 3000, circuitCacheMs: 0 };
    a = redisEndpointGuard({ connection: redisA, ...opts });
    b = redisEndpointGuard({ connection: redisB, ...opts });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await deletePrefix(redisA, prefix);
    await redisA.quit();
    await redisB.quit();
  });

  it("lets anything through without limits", async () => {
    const s = nextSub();
    for (let i = 0; i < 20; i++) expect((await (i % 2 ? a : b).acquire(s, unlimited)).ok).toBe(true);
  });

  it("holds the concurrency limit across workers, and a released slot is free again", async () => {
    const s = nextSub();
    const limits = { concurrency: 2, ratePerSecond: null };
    const first = await a.acquire(s, limits);
    const second = await b.acquire(s, limits);
    expect(first.ok && second.ok).toBe(true);
    const third = await a.acquire(s, limits);
    expect(third).toMatchObject({ ok: false, reason: "concurrency" });
    if (!third.ok) expect(third.retryAt).toBeInstanceOf(Date);
    if (second.ok) await second.release();
    expect((await b.acquire(s, limits)).ok).toBe(true);
    expect((await a.acquire(s, limits)).ok).toBe(false);
  });

  it("frees the slot of a killed worker when its lease expires", async () => {
    const s = nextSub();
    const limits = { concurrency: 1, ratePerSecond: null };
    expect((await a.acquire(s, limits)).ok).toBe(true); // worker A dies holding it: no release
    expect((await b.acquire(s, limits)).ok).toBe(false);
    // Age the lease instead of sleeping: the slot's score is its expiry.
    const [member] = await redisA.zrange(key(s, "slots"), "0", "0");
    await redisA.zadd(key(s, "slots"), 1, member!);
    expect((await b.acquire(s, limits)).ok).toBe(true);
  });

  it("holds the rate limit across workers", async () => {
    const s = nextSub();
    const limits = { concurrency: null, ratePerSecond: 4 };
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await (i % 2 ? a : b).acquire(s, limits));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    const refused = results.at(-1);
    expect(refused).toMatchObject({ ok: false, reason: "rate" });
  });

  it("refills the bucket over time", async () => {
    const s = nextSub();
    const limits = { concurrency: null, ratePerSecond: 2 };
    expect((await a.acquire(s, limits)).ok).toBe(true);
    expect((await b.acquire(s, limits)).ok).toBe(true);
    expect((await a.acquire(s, limits)).ok).toBe(false);
    // Move the bucket's last refill a second into the past instead of sleeping.
    const at = Number(await redisA.hget(key(s, "rate"), "at"));
    await redisA.hset(key(s, "rate"), "at", at - 1000);
    expect((await b.acquire(s, limits)).ok).toBe(true);
    expect((await a.acquire(s, limits)).ok).toBe(true);
    expect((await b.acquire(s, limits)).ok).toBe(false);
  });

  it("takes no slot and no token when it refuses", async () => {
    const s = nextSub();
    const limits = { concurrency: 1, ratePerSecond: 100 };
    const held = await a.acquire(s, limits);
    for (let i = 0; i < 5; i++) expect((await b.acquire(s, limits)).ok).toBe(false);
    expect(await redisA.zcard(key(s, "slots"))).toBe(1);
    expect(Number(await redisA.hget(key(s, "rate"), "tokens"))).toBeGreaterThan(98);
    if (held.ok) await held.release();
  });

  it("opens the circuit on failures recorded by any worker, probes once, and closes on success", async () => {
    const s = nextSub();
    await a.record(s, false);
    await b.record(s, false);
    expect((await a.acquire(s, unlimited)).ok).toBe(true);
    await a.record(s, false); // third consecutive failure
    const refused = await b.acquire(s, unlimited);
    expect(refused).toMatchObject({ ok: false, reason: "circuit_open" });

    // The open period passes (moved instead of slept): one probe goes through, the others wait for it.
    await redisA.hset(key(s, "circuit"), "openUntil", 1);
    expect((await b.acquire(s, unlimited)).ok).toBe(true);
    expect(await a.acquire(s, unlimited)).toMatchObject({ ok: false, reason: "circuit_open" });
    await b.record(s, true);
    expect((await a.acquire(s, unlimited)).ok).toBe(true);
    expect(await redisA.exists(key(s, "circuit"))).toBe(0);
  });

  it("re-opens for twice as long after a failed probe, up to the longest period", async () => {
    const s = nextSub();
    for (let i = 0; i < 3; i++) await a.record(s, false);
    expect(await redisA.hget(key(s, "circuit"), "openMs")).toBe("1000");
    for (const expected of ["2000", "3000", "3000"]) {
      await redisA.hset(key(s, "circuit"), "openUntil", 1);
      expect((await b.acquire(s, unlimited)).ok).toBe(true);
      await b.record(s, false);
      expect(await redisA.hget(key(s, "circuit"), "openMs")).toBe(expected);
      expect(await a.acquire(s, unlimited)).toMatchObject({ ok: false, reason: "circuit_open" });
    }
  });

  it("a success between failures resets the count", async () => {
    const s = nextSub();
    await a.record(s, false);
    await b.record(s, false);
    await a.record(s, true);
    await b.record(s, false);
    await a.record(s, false);
    expect((await b.acquire(s, unlimited)).ok).toBe(true);
  });

  it("skips the round trip of a success when its acquire saw no circuit state, and only then", async () => {
    const s = nextSub();
    const calls = vi.spyOn(redisA, "evalsha");
    try {
      expect((await a.acquire(s, unlimited)).ok).toBe(true);
      await a.record(s, true);
      expect(calls).toHaveBeenCalledTimes(1); // the acquire only
      await b.record(s, false); // another worker fails meanwhile
      expect((await a.acquire(s, unlimited)).ok).toBe(true); // sees the state
      await a.record(s, true); // must clear it
      expect(calls).toHaveBeenCalledTimes(3);
      expect(await redisA.exists(key(s, "circuit"))).toBe(0);
    } finally {
      calls.mockRestore();
    }
  });

  it("applies the deployment defaults when the subscription sets no limit, and bursts as configured", async () => {
    const s = nextSub();
    const g = redisEndpointGuard({
      connection: redisB,
      prefix,
      defaultConcurrency: 1,
      defaultRatePerSecond: 2,
      burstSeconds: 2,
    });
    expect((await g.acquire(s, unlimited)).ok).toBe(true);
    expect(await a.acquire(s, { concurrency: 1, ratePerSecond: null })).toMatchObject({
      reason: "concurrency",
    });
    expect(await g.acquire(s, unlimited)).toMatchObject({ ok: false, reason: "concurrency" });
    const r = nextSub();
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push((await g.acquire(r, { concurrency: 100, ratePerSecond: null })).ok);
    expect(results).toEqual([true, true, true, true, false]);
  });

  it("keeps subscriptions apart", async () => {
    const s1 = nextSub();
    const s2 = nextSub();
    const limits = { concurrency: 1, ratePerSecond: null };
    expect((await a.acquire(s1, limits)).ok).toBe(true);
    expect((await b.acquire(s2, limits)).ok).toBe(true);
  });

  it("surfaces an unreachable Redis as queue_unavailable", async () => {
    const down = redisEndpointGuard({
      connection: {
        host: "127.0.0.1",
        port: 1,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      },
      prefix,
    });
    try {
      await expect(down.acquire("x", unlimited)).rejects.toMatchObject({ code: "queue_unavailable" });
    } finally {
      await down.close();
    }
  });

  it("rejects nonsense options with a typed error", () => {
    expect(() => redisEndpointGuard({ connection: redisA, slotTtlMs: 0 })).toThrow(/\[hookline\] \[bullmq\]/);
    expect(() => redisEndpointGuard({ connection: redisA, circuitCacheMs: -1 })).toThrow(/circuitCacheMs/);
  });
});

describe.skipIf(skip)("redisEndpointGuard trusting a closed circuit (circuitCacheMs)", () => {
  let redis: Redis;
  let other: RedisEndpointGuard;
  let trusting: RedisEndpointGuard;
  let sub = 0;
  const nextSub = () => `trust-${++sub}`;
  const opts = { prefix, failureThreshold: 3, cooldownMs: 60_000 };

  beforeAll(() => {
    redis = testRedis();
    other = redisEndpointGuard({ connection: redis, ...opts, circuitCacheMs: 0 });
    trusting = redisEndpointGuard({ connection: redis, ...opts, circuitCacheMs: 300 });
  });
  afterAll(async () => {
    await other.close();
    await trusting.close();
    await redis.quit();
  });

  it("asks Redis once per period for a subscription without limits, every time for one with limits", async () => {
    const s = nextSub();
    const calls = vi.spyOn(redis, "evalsha");
    try {
      for (let i = 0; i < 5; i++) expect((await trusting.acquire(s, unlimited)).ok).toBe(true);
      await trusting.record(s, true);
      expect(calls).toHaveBeenCalledTimes(1);
      const limited = { concurrency: 10, ratePerSecond: null };
      for (let i = 0; i < 3; i++) {
        const permit = await trusting.acquire(nextSub(), limited);
        expect(permit.ok).toBe(true);
        if (permit.ok) await permit.release();
      }
      expect(calls).toHaveBeenCalledTimes(4);
    } finally {
      calls.mockRestore();
    }
  });

  it("stops within the period when other workers open the circuit", async () => {
    const s = nextSub();
    expect((await trusting.acquire(s, unlimited)).ok).toBe(true);
    for (let i = 0; i < 3; i++) await other.record(s, false);
    expect(await other.acquire(s, unlimited)).toMatchObject({ ok: false, reason: "circuit_open" });
    // Still trusted here (documented: up to circuitCacheMs), then asked again and refused.
    expect((await trusting.acquire(s, unlimited)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 350));
    expect(await trusting.acquire(s, unlimited)).toMatchObject({ ok: false, reason: "circuit_open" });
  });

  it("drops the trust at once on a failure it sees itself", async () => {
    const s = nextSub();
    expect((await trusting.acquire(s, unlimited)).ok).toBe(true);
    for (let i = 0; i < 3; i++) await trusting.record(s, false);
    expect(await trusting.acquire(s, unlimited)).toMatchObject({ ok: false, reason: "circuit_open" });
  });

  it("does not start trusting on an answer that crossed one of its own failures", async () => {
    const s = nextSub();
    // The acquire is sent first (circuit clean then), the failures are recorded before its answer is read.
    const pending = trusting.acquire(s, unlimited);
    const failures = [1, 2, 3].map(() => trusting.record(s, false));
    expect((await pending).ok).toBe(true);
    await Promise.all(failures);
    expect(await trusting.acquire(s, unlimited)).toMatchObject({ ok: false, reason: "circuit_open" });
  });
});

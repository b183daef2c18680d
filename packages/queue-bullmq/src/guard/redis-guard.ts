/**
 * `redisEndpointGuard()`: per-subscription concurrency, rate limit and circuit breaker whose state lives in
 * Redis, so the limits hold across every worker process and machine (the in-memory guard holds per process).
 */
import { randomUUID } from "node:crypto";
import type { EndpointGuard, EndpointGuardOptions } from "@hookline/core";
import { type RedisConnection, type ResolvedRedis, release, resolveRedis } from "../connection.ts";
import { bullmqError, reason } from "../errors.ts";
import { runScript } from "../script.ts";
import { ACQUIRE, RECORD } from "./scripts.ts";

/** Options of {@link redisEndpointGuard}. */
export interface RedisEndpointGuardOptions extends EndpointGuardOptions {
  /** The host's ioredis client (never closed by hookline) or ioredis options (dialled and closed by the guard). */
  connection: RedisConnection;
  /** Key prefix (default `hookline`); keys are `<prefix>:guard:{<subscription>}:…`. */
  prefix?: string;
  /**
   * Longest time one request holds a concurrency slot, in ms (default 60 000). Normally the slot is released
   * when the attempt ends; this only bounds how long a killed worker's slot stays taken. Keep it above the HTTP
   * timeout.
   */
  slotTtlMs?: number;
  /**
   * How long this process trusts the closed circuit of a subscription without concurrency or rate limits
   * before asking Redis again, in ms (default 1000; 0 asks before every request). Within it, requests to the
   * subscription cost no Redis round trip at all. A failure this process sees drops the trust at once; a
   * circuit opened by failures on other workers stops this worker's requests within `circuitCacheMs`.
   * Subscriptions with limits always ask Redis (their slots and tokens are shared state).
   */
  circuitCacheMs?: number;
}

/** The guard, plus `close()` for a guard that dialled its own client. */
export interface RedisEndpointGuard extends EndpointGuard {
  /** Closes the client the guard dialled itself; an injected client stays open. */
  close(): Promise<void>;
}

type AcquireResult = Awaited<ReturnType<EndpointGuard["acquire"]>>;

/** Most subscriptions remembered as clean or trusted closed (each set is cleared when full). */
const MAX_CLEAN = 10_000;

/** The permit of a request that took no slot: nothing to release. */
const FREE_PERMIT: Promise<AcquireResult> = Promise.resolve({ ok: true, release: async () => {} });

/**
 * Creates the Redis-backed guard. Give every worker the same `prefix` (it is the boundary of the shared state).
 *
 * ```ts
 * const guard = redisEndpointGuard({ connection: redis });
 * const webhooks = createHookline({ store, queue, guard, … });
 * ```
 */
export function redisEndpointGuard(options: RedisEndpointGuardOptions): RedisEndpointGuard {
  const prefix = options.prefix ?? "hookline";
  const slotTtlMs = positive(options.slotTtlMs ?? 60_000, "slotTtlMs");
  const concurrencyRetryMs = positive(options.concurrencyRetryMs ?? 250, "concurrencyRetryMs");
  const burstSeconds = positive(options.burstSeconds ?? 1, "burstSeconds");
  const failureThreshold = positive(options.failureThreshold ?? 5, "failureThreshold");
  const cooldownMs = positive(options.cooldownMs ?? 30_000, "cooldownMs");
  const cooldownMultiplier = positive(options.cooldownMultiplier ?? 2, "cooldownMultiplier");
  const maxCooldownMs = Math.max(cooldownMs, positive(options.maxCooldownMs ?? 600_000, "maxCooldownMs"));
  const circuitCacheMs = nonNegative(options.circuitCacheMs ?? 1000, "circuitCacheMs");
  // The circuit's counters outlive the longest cool-down, then vanish when idle.
  const circuitTtlMs = Math.max(maxCooldownMs * 2, 3_600_000);
  // Every attempt runs a script before and after its request: the acquires of a message job's deliveries go
  // out in one write when the client pipelines commands issued in the same tick.
  const redis: ResolvedRedis = resolveRedis(options.connection, "redisEndpointGuard()", () => {}, {
    enableAutoPipelining: true,
  });
  /**
   * Subscriptions whose circuit had no state at their last acquire in this process. A success there has nothing
   * to clear, so its `record` skips the round trip. (A failure recorded by another worker in between is then
   * not cleared by this success; outcomes of concurrent attempts have no order anyway, and the next success
   * that sees the state clears it.)
   */
  const clean = new Set<string>();
  /** Subscriptions without limits whose circuit Redis last reported closed and stateless: until when (ms). */
  const trustedUntil = new Map<string, number>();
  /** Failures recorded by this process so far: an acquire answered across one does not start trusting. */
  let failuresSeen = 0;

  const key = (subscriptionId: string, part: "circuit" | "slots" | "rate") =>
    `${prefix}:guard:{${subscriptionId}}:${part}`;

  return {
    acquire(subscriptionId, limits): Promise<AcquireResult> {
      const wantConcurrency = limits.concurrency ?? options.defaultConcurrency ?? null;
      const wantRate = limits.ratePerSecond ?? options.defaultRatePerSecond ?? null;
      const concurrency = wantConcurrency === null ? -1 : Math.max(1, Math.floor(wantConcurrency));
      const rate = wantRate === null || wantRate <= 0 ? -1 : wantRate;
      const unlimited = concurrency < 0 && rate < 0;
      if (unlimited && (trustedUntil.get(subscriptionId) ?? 0) > Date.now()) return FREE_PERMIT;
      return acquireFromRedis(subscriptionId, concurrency, rate, unlimited);
    },

    async record(subscriptionId, ok): Promise<void> {
      if (ok && clean.has(subscriptionId)) return;
      clean.delete(subscriptionId);
      trustedUntil.delete(subscriptionId);
      if (!ok) failuresSeen++;
      try {
        await runScript(
          redis.client,
          RECORD,
          [key(subscriptionId, "circuit")],
          [ok ? 1 : 0, failureThreshold, cooldownMs, maxCooldownMs, circuitTtlMs, cooldownMultiplier],
        );
      } catch (err) {
        throw bullmqError(
          "queue_unavailable",
          `the endpoint guard could not reach Redis: ${reason(err)}`,
          err,
        );
      }
    },

    async close(): Promise<void> {
      await release(redis);
    },
  };

  async function acquireFromRedis(
    subscriptionId: string,
    concurrency: number,
    rate: number,
    unlimited: boolean,
  ): Promise<AcquireResult> {
    const token = randomUUID();
    const slots = key(subscriptionId, "slots");
    const failuresBefore = failuresSeen;
    let reply: unknown;
    try {
      reply = await runScript(
        redis.client,
        ACQUIRE,
        [key(subscriptionId, "circuit"), slots, key(subscriptionId, "rate")],
        [concurrency, rate, token, slotTtlMs, concurrencyRetryMs, burstSeconds],
      );
    } catch (err) {
      throw bullmqError("queue_unavailable", `the endpoint guard could not reach Redis: ${reason(err)}`, err);
    }
    const [ok, why, retryAt] = reply as [number, (string | number)?, number?];
    if (ok !== 1) {
      return {
        ok: false,
        retryAt: new Date(Number(retryAt)),
        reason: why === "rate" || why === "circuit_open" ? why : "concurrency",
      };
    }
    if (why === 1) {
      makeRoom(clean);
      clean.add(subscriptionId);
      if (unlimited && circuitCacheMs > 0 && failuresSeen === failuresBefore) {
        makeRoom(trustedUntil);
        trustedUntil.set(subscriptionId, Date.now() + circuitCacheMs);
      }
    } else {
      clean.delete(subscriptionId);
      trustedUntil.delete(subscriptionId);
    }
    let released = false;
    return {
      ok: true,
      async release() {
        if (released || concurrency < 0) return;
        released = true;
        // A lost release only delays the slot until its TTL; never fail the attempt for it.
        await redis.client.zrem(slots, token).catch(() => {});
      },
    };
  }
}

/** Empties a remembered set or map that is full, so neither grows without bound. */
function makeRoom(remembered: { readonly size: number; clear(): void }): void {
  if (remembered.size >= MAX_CLEAN) remembered.clear();
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw bullmqError("bad_request", `redisEndpointGuard(): \`${name}\` must be a number ≥ 0`);
  }
  return value;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw bullmqError("bad_request", `redisEndpointGuard(): \`${name}\` must be a positive number`);
  }
  return value;
}

/**
 * The in-memory {@link EndpointGuard}: per-subscription concurrency limit, token-bucket rate limit and
 * circuit breaker, for one process.
 *
 * Circuit breaker: after `failureThreshold` consecutive failures the circuit opens for `cooldownMs`; when the
 * cool-down ends it is half-open and admits one probe at a time; a failed probe re-opens it with the cool-down
 * multiplied by `cooldownMultiplier` (up to `maxCooldownMs`), a successful one closes it. A dead endpoint
 * therefore costs one request per cool-down instead of one per delivery. Call `record()` before `release()`:
 * a probe released without an outcome frees the half-open slot for the next caller.
 */
import type { EndpointGuard } from "../types.ts";

/**
 * The limits and circuit-breaker settings every endpoint guard takes (the in-memory one here, the Redis one of
 * `@hookline/queue-bullmq`).
 */
export interface EndpointGuardOptions {
  /** Concurrency when the subscription sets none; `null` = unlimited. Default `null`. */
  defaultConcurrency?: number | null;
  /** Requests per second when the subscription sets none; `null` = unlimited. Default `null`. */
  defaultRatePerSecond?: number | null;
  /** Bucket size in seconds of rate: bursts up to `ratePerSecond × burstSeconds`. Default 1. */
  burstSeconds?: number;
  /** When concurrency is full, the caller is told to come back after this long. Default 250 ms. */
  concurrencyRetryMs?: number;
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** First cool-down of an open circuit. Default 30 s. */
  cooldownMs?: number;
  /** Growth of the cool-down after each failed probe. Default 2. */
  cooldownMultiplier?: number;
  /** Longest cool-down. Default 10 min. */
  maxCooldownMs?: number;
}

/** Options of {@link memoryEndpointGuard}. */
export interface MemoryEndpointGuardOptions extends EndpointGuardOptions {
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
}

interface TokenBucket {
  rate: number;
  capacity: number;
  tokens: number;
  refilledAt: number;
}

interface EndpointState {
  inFlight: number;
  /** `null` while the endpoint has no rate limit. */
  bucket: TokenBucket | null;
  consecutiveFailures: number;
  /** `null` = closed. */
  openUntil: number | null;
  cooldown: number;
  probing: boolean;
}

const DONE: Promise<void> = Promise.resolve();

/** Creates the in-memory endpoint guard (limits hold within this process only). */
export function memoryEndpointGuard(options: MemoryEndpointGuardOptions = {}): EndpointGuard {
  const now = options.now ?? Date.now;
  const burstSeconds = options.burstSeconds ?? 1;
  const concurrencyRetryMs = options.concurrencyRetryMs ?? 250;
  const failureThreshold = options.failureThreshold ?? 5;
  const baseCooldown = options.cooldownMs ?? 30_000;
  const multiplier = options.cooldownMultiplier ?? 2;
  const maxCooldown = options.maxCooldownMs ?? 10 * 60_000;
  const states = new Map<string, EndpointState>();

  const stateOf = (id: string): EndpointState => {
    let state = states.get(id);
    if (state === undefined) {
      state = {
        inFlight: 0,
        bucket: null,
        consecutiveFailures: 0,
        openUntil: null,
        cooldown: baseCooldown,
        probing: false,
      };
      states.set(id, state);
    }
    return state;
  };

  /** Forget endpoints with nothing to remember, so the map stays as small as the set of busy endpoints. */
  const prune = (id: string, state: EndpointState) => {
    const idle = state.inFlight === 0 && state.openUntil === null && state.consecutiveFailures === 0;
    if (idle && (state.bucket === null || refill(state.bucket, now()) >= state.bucket.capacity))
      states.delete(id);
  };

  return {
    async acquire(subscriptionId, limits) {
      const t = now();
      const state = stateOf(subscriptionId);
      const concurrency = limits.concurrency ?? options.defaultConcurrency ?? null;
      const rate = limits.ratePerSecond ?? options.defaultRatePerSecond ?? null;

      // Circuit breaker.
      let probe = false;
      if (state.openUntil !== null) {
        if (t < state.openUntil)
          return { ok: false, retryAt: new Date(state.openUntil), reason: "circuit_open" };
        if (state.probing) {
          return {
            ok: false,
            retryAt: new Date(t + Math.min(state.cooldown, 1_000)),
            reason: "circuit_open",
          };
        }
        probe = true;
      }

      // Concurrency.
      if (concurrency !== null && state.inFlight >= concurrency) {
        return { ok: false, retryAt: new Date(t + concurrencyRetryMs), reason: "concurrency" };
      }

      // Token bucket.
      if (rate !== null && rate > 0) {
        const capacity = Math.max(1, rate * burstSeconds);
        if (state.bucket === null || state.bucket.rate !== rate) {
          state.bucket = { rate, capacity, tokens: capacity, refilledAt: t };
        }
        const tokens = refill(state.bucket, t);
        if (tokens < 1) {
          const waitMs = Math.ceil(((1 - tokens) / rate) * 1000);
          return { ok: false, retryAt: new Date(t + waitMs), reason: "rate" };
        }
        state.bucket.tokens = tokens - 1;
        state.bucket.refilledAt = t;
      } else {
        state.bucket = null;
      }

      state.inFlight += 1;
      if (probe) state.probing = true;
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return DONE;
          released = true;
          state.inFlight -= 1;
          // A probe released without a recorded outcome frees the half-open slot for the next caller.
          if (probe) state.probing = false;
          prune(subscriptionId, state);
          return DONE;
        },
      };
    },

    // `record` and `release` are not `async`: they finish at once, and run once per attempt.
    record(subscriptionId, ok) {
      const state = stateOf(subscriptionId);
      const t = now();
      if (ok) {
        state.consecutiveFailures = 0;
        state.openUntil = null;
        state.cooldown = baseCooldown;
        state.probing = false;
        prune(subscriptionId, state);
        return DONE;
      }
      state.consecutiveFailures += 1;
      if (state.openUntil !== null) {
        // A failed probe (or a straggler that started before the circuit opened): open again, longer.
        if (state.probing || t >= state.openUntil) {
          state.cooldown = Math.min(maxCooldown, state.cooldown * multiplier);
          state.openUntil = t + state.cooldown;
        }
        state.probing = false;
      } else if (state.consecutiveFailures >= failureThreshold) {
        state.cooldown = baseCooldown;
        state.openUntil = t + baseCooldown;
      }
      return DONE;
    },
  };
}

/** Tokens in the bucket at `t` (the stored count plus what accrued since the last take, capped). */
function refill(bucket: TokenBucket, t: number): number {
  const elapsed = Math.max(0, t - bucket.refilledAt) / 1000;
  return Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.rate);
}

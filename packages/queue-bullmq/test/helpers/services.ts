/**
 * Service gates for the tests: Redis (and PostgreSQL for the proof). Under `CI=true` a missing service is a
 * failing test; locally the file skips with a clear message.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { it } from "vitest";

export const REDIS = { host: "127.0.0.1", port: 6379 } as const;
export const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/** True when a Redis answers PING within a second. */
export async function redisAvailable(): Promise<boolean> {
  const probe = new Redis({
    ...REDIS,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * Decides whether a service-backed file runs. Returns `true` to skip. Under `CI=true` a missing service adds
 * a failing test instead of skipping silently.
 */
export function skipWithout(service: string, available: boolean): boolean {
  if (available) return false;
  if (process.env["CI"] === "true") {
    it(`${service} is reachable (required under CI=true)`, () => {
      throw new Error(`[queue-bullmq tests] ${service} is not reachable, and CI=true requires it`);
    });
  } else {
    console.warn(
      `[queue-bullmq tests] ${service} is not reachable: skipping (set CI=true to make this fail)`,
    );
  }
  return true;
}

/** A key prefix no other run uses. */
export function uniquePrefix(label: string): string {
  return `hltest-${label}-${randomUUID().slice(0, 8)}`;
}

/** A client for tests (workers need `maxRetriesPerRequest: null`). */
export function testRedis(): Redis {
  return new Redis({ ...REDIS, maxRetriesPerRequest: null });
}

/**
 * Deletes every key under `prefix` — this run's keys only, so parallel test files sharing the Redis keep
 * theirs (the stand-in for FLUSHALL in these tests).
 */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** Resolves when `check` returns true, polling every 20 ms; rejects after `timeoutMs` with `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

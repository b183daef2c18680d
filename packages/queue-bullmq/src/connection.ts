/**
 * Redis connections. The host injects its ioredis client (preferred) or passes ioredis options, in which
 * case this package dials — and later closes — its own client. Nothing is dialled by default.
 */
import { Redis, type RedisOptions } from "ioredis";
import { bullmqError } from "./errors.ts";

/** An ioredis client or the options to create one. */
export type RedisConnection = Redis | RedisOptions;

/** A client and whether this package owns it (and must close it). */
export interface ResolvedRedis {
  client: Redis;
  owned: boolean;
}

/** True for an ioredis client (or a compatible object), false for plain options. */
export function isRedisClient(connection: RedisConnection): connection is Redis {
  return (
    typeof (connection as Partial<Redis>).duplicate === "function" &&
    typeof (connection as Partial<Redis>).evalsha === "function"
  );
}

/**
 * The injected client as is, or a client dialled from options (owned). Connection errors of an owned client go
 * to `onError` (an injected client's errors are the host's to handle); commands still fail with typed errors.
 */
export function resolveRedis(
  connection: RedisConnection | undefined,
  who: string,
  onError: (err: unknown) => void = () => {},
  /** Options of a dialled client that the caller's options cannot turn off (an injected client is as it is). */
  dialled: RedisOptions = {},
): ResolvedRedis {
  if (connection === undefined || connection === null) {
    throw bullmqError("bad_request", `${who} needs a \`connection\`: an ioredis client or ioredis options`);
  }
  if (isRedisClient(connection)) {
    if (connection.options.keyPrefix) {
      throw bullmqError(
        "bad_request",
        `${who}: the Redis client has a \`keyPrefix\`, which BullMQ does not support; use the \`prefix\` option`,
      );
    }
    return { client: connection, owned: false };
  }
  const client = new Redis({ ...connection, ...dialled });
  client.on("error", onError);
  return { client, owned: true };
}

/**
 * BullMQ workers block on Redis and require `maxRetriesPerRequest: null`. When the injected client has another
 * value (the ioredis default is 20, which suits producers: they fail fast), the worker gets its own duplicate.
 */
export function blockingClient(client: Redis): ResolvedRedis {
  if (client.options.maxRetriesPerRequest === null) return { client, owned: false };
  const duplicate = client.duplicate({ maxRetriesPerRequest: null });
  duplicate.on("error", () => {}); // BullMQ listens on its own connections and reports through the worker
  return { client: duplicate, owned: true };
}

/** Closes an owned client politely, falling back to a hard disconnect. Never throws. */
export async function release(resolved: ResolvedRedis): Promise<void> {
  if (!resolved.owned) return;
  try {
    await resolved.client.quit();
  } catch {
    resolved.client.disconnect();
  }
}

/** `sqlDedupeStore()`: the receiver's "seen this message id" memory, in a table beside the store's. */
import { createHash } from "node:crypto";
import type { DedupeStore } from "@hookline/core";
import { type SqlConnectionOptions, sqlContext } from "./context.ts";
import { toStoreError } from "./errors.ts";

/** Options of {@link sqlDedupeStore}. */
export interface SqlDedupeStoreOptions<DB = unknown> extends SqlConnectionOptions<DB> {
  /** Every this many claims, remove up to this many expired keys (bounded housekeeping). Default 1000. */
  sweepEvery?: number;
}

/** Keys longer than an indexed column allows are stored as their SHA-256. */
function storedKey(key: string): string {
  return key.length <= 150 ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/**
 * A `DedupeStore` on the SQL database: `claim(key, ttlMs)` is `true` the first time a key is seen within
 * `ttlMs` — atomically, across processes sharing the database. `release(key)` deletes the key's row, so
 * a retry after a failed handler is processed again.
 */
export function sqlDedupeStore<DB>(options: SqlDedupeStoreOptions<DB>): DedupeStore {
  const ctx = sqlContext(options);
  const { root: db, dialect } = ctx;
  const sweepEvery = Math.max(1, options.sweepEvery ?? 1000);
  let claims = 0;

  const sweep = async (now: number) => {
    const expired = await db
      .selectFrom("dedupe")
      .select("key")
      .where("expires_at", "<=", now)
      .limit(sweepEvery)
      .execute();
    if (expired.length === 0) return;
    await db
      .deleteFrom("dedupe")
      .where(
        "key",
        "in",
        expired.map((r) => r.key),
      )
      .where("expires_at", "<=", now)
      .execute();
  };

  return {
    async claim(key: string, ttlMs: number): Promise<boolean> {
      const k = storedKey(key);
      const now = Date.now();
      const expiresAt = now + Math.max(0, ttlMs);
      try {
        await ctx.ready();
        if (++claims % sweepEvery === 0) await sweep(now);
        if (dialect === "mysql") {
          // An expired key is removed first; of concurrent inserts exactly one succeeds.
          await db.deleteFrom("dedupe").where("key", "=", k).where("expires_at", "<=", now).execute();
          return await db
            .insertInto("dedupe")
            .values({ key: k, expires_at: expiresAt })
            .execute()
            .then(
              () => true,
              (err: unknown) => {
                if (toStoreError(dialect, "dedupe.claim", err).code === "conflict") return false;
                throw err;
              },
            );
        }
        // One statement: insert, or take over an expired key; a live key changes nothing (0 rows).
        const res = await db
          .insertInto("dedupe")
          .values({ key: k, expires_at: expiresAt })
          .onConflict((oc) =>
            oc.column("key").doUpdateSet({ expires_at: expiresAt }).where("dedupe.expires_at", "<=", now),
          )
          .executeTakeFirst();
        return res.numInsertedOrUpdatedRows !== 0n;
      } catch (err) {
        throw toStoreError(dialect, "dedupe.claim", err);
      }
    },

    async release(key: string): Promise<void> {
      try {
        await ctx.ready();
        await db.deleteFrom("dedupe").where("key", "=", storedKey(key)).execute();
      } catch (err) {
        throw toStoreError(dialect, "dedupe.release", err);
      }
    },
  };
}

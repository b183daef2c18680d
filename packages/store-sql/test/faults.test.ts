/**
 * A database that drops every connection mid-run (PostgreSQL `pg_terminate_backend`, MySQL `KILL` on the
 * pool's own connections): the failures are typed, no message whose insert resolved is lost, and the same
 * store keeps working afterwards (the pools reconnect).
 */
import type { Message } from "@hookline/core";
import { HooklineError } from "@hookline/core";
import { type SqlStore, sqlStore } from "@hookline/store-sql";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dropTables,
  mysqlKysely,
  mysqlPool,
  pgKysely,
  pgPool,
  serviceAvailable,
  uniquePrefix,
} from "./services.ts";

const T0 = new Date("2026-01-01T00:00:00.000Z");
const message = (id: string): Message => ({
  id,
  tenant: "faults",
  type: "x.y",
  data: {},
  timestamp: T0,
  resourceId: null,
  createdAt: T0,
});

/**
 * Runs `fn` until it succeeds (at most 4 times). A pooled connection killed while idle may fail the next
 * query before the pool notices; that failure must be typed, and the pool must have recovered right after.
 */
async function recovered<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      expect(HooklineError.is(err, "store_unavailable")).toBe(true);
      if (attempt === 4) throw err;
    }
  }
}

interface Server {
  name: "postgres" | "mysql";
  /** A Kysely on a fresh pool, and a function that kills every connection that pool opened. */
  connect(): { db: Kysely<unknown>; admin: Kysely<unknown>; killAll(): Promise<number> };
}

const servers: Server[] = [];
if (await serviceAvailable("postgres")) {
  servers.push({
    name: "postgres",
    connect() {
      const pool = pgPool(3);
      const pids = new Set<number>();
      pool.on("connect", (client) => {
        pids.add((client as unknown as { processID: number }).processID);
      });
      const admin = pgKysely(pgPool(1));
      return {
        db: pgKysely(pool),
        admin,
        async killAll() {
          const list = [...pids];
          pids.clear();
          for (const pid of list) await sql`select pg_terminate_backend(${pid})`.execute(admin);
          return list.length;
        },
      };
    },
  });
}
if (await serviceAvailable("mysql")) {
  servers.push({
    name: "mysql",
    connect() {
      const pool = mysqlPool(3);
      const ids = new Set<number>();
      pool.on("connection", (conn) => {
        ids.add(conn.threadId);
      });
      const admin = mysqlKysely(mysqlPool(1));
      return {
        db: mysqlKysely(pool),
        admin,
        async killAll() {
          const list = [...ids];
          ids.clear();
          for (const id of list)
            await sql`kill ${sql.raw(String(Math.trunc(id)))}`.execute(admin).catch(() => {});
          return list.length;
        },
      };
    },
  });
}

describe.skipIf(servers.length === 0).each(servers.map((s) => [s.name, s] as [string, Server]))(
  "connections killed mid-run on %s",
  (name, server) => {
    let conn: ReturnType<Server["connect"]>;
    let store: SqlStore;
    const prefix = uniquePrefix("k");
    beforeAll(async () => {
      conn = server.connect();
      store = sqlStore({ db: conn.db, tablePrefix: prefix });
      await store.migrate();
    });
    afterAll(async () => {
      await dropTables(conn.admin, prefix);
      await conn.db.destroy();
      await conn.admin.destroy();
    });

    it("fails a transaction in flight with a typed error and rolls it back", async () => {
      const err = await store
        .transaction(async (tx) => {
          await tx.insertMessage(message("in-flight-1"));
          expect(await conn.killAll()).toBeGreaterThan(0);
          await tx.insertMessage(message("in-flight-2"));
        })
        .catch((e: unknown) => e);
      expect(HooklineError.is(err, "store_unavailable")).toBe(true);
      expect((err as Error).message).toContain(`[hookline] [${name}]`);
      expect(await recovered(() => store.getMessage("faults", "in-flight-1"))).toBeNull();
    });

    it("keeps every accepted message while writers run through a kill, then recovers", async () => {
      const accepted: string[] = [];
      const failures: unknown[] = [];
      let killed = false;
      const writer = async (w: number) => {
        for (let i = 0; i < 25; i++) {
          const id = `w${w}-${i}`;
          if (!killed && accepted.length >= 20) {
            killed = true;
            await conn.killAll();
          }
          try {
            await store.insertMessage(message(id));
            accepted.push(id);
          } catch (err) {
            failures.push(err);
          }
        }
      };
      await Promise.all([writer(1), writer(2), writer(3)]);
      expect(killed).toBe(true);
      for (const err of failures) expect(HooklineError.is(err, "store_unavailable")).toBe(true);
      // Recovered: the same store works again without a restart.
      await recovered(() => store.insertMessage(message("after-kill")));
      const stored = new Set(
        (
          await sql<{
            id: string;
          }>`select id from ${sql.table(`${prefix}messages`)} where tenant = 'faults'`.execute(conn.admin)
        ).rows.map((r) => r.id),
      );
      for (const id of accepted) expect(stored.has(id)).toBe(true);
      expect(stored.has("after-kill")).toBe(true);
    });
  },
);

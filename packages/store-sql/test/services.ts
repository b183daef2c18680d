/**
 * Shared by the per-dialect tests: whether a database server is there, a unique table prefix per run, and
 * teardown. Under `CI=true` a missing server fails the run; locally the tests skip with a message.
 */
import { randomBytes } from "node:crypto";
import { sqlStoreTables } from "@hookline/store-sql";
import { Kysely, MysqlDialect, PostgresDialect, sql } from "kysely";
import { createPool, type Pool as MysqlPool } from "mysql2";
import pg from "pg";

/** Overridable for other setups; the defaults are the servers of this machine and of CI. */
export const PG_URL = process.env["HOOKLINE_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
export const MYSQL_URL = process.env["HOOKLINE_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306/test";

const CI = process.env["CI"] === "true";

async function reachable(probe: () => Promise<void>): Promise<boolean> {
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * `true` when the server answers. When it does not: throws under `CI=true`, otherwise logs why the tests
 * of this file are skipped and returns `false`.
 */
export async function serviceAvailable(name: "postgres" | "mysql"): Promise<boolean> {
  const ok = await reachable(async () => {
    if (name === "postgres") {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.end();
    } else {
      const pool = createPool({ uri: MYSQL_URL, connectionLimit: 1 });
      await pool.promise().query("select 1");
      await pool.promise().end();
    }
  });
  if (ok) return true;
  const where = name === "postgres" ? PG_URL : MYSQL_URL;
  if (CI) throw new Error(`[hookline] CI=true but ${name} is not reachable at ${where}`);
  console.warn(`[hookline] skipping the ${name} store tests: no server at ${where}`);
  return false;
}

/** A table prefix no other run uses (parallel runs share the databases). */
export function uniquePrefix(tag: string): string {
  return `hl${tag}_${process.pid}_${randomBytes(3).toString("hex")}_`;
}

/** A pg pool whose idle-connection errors (a killed backend) do not crash the test process. */
export function pgPool(max = 5): pg.Pool {
  const pool = new pg.Pool({ connectionString: PG_URL, max });
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  return pool;
}

/** A mysql2 pool whose dropped connections do not crash the test process. */
export function mysqlPool(max = 5): MysqlPool {
  const pool = createPool({ uri: MYSQL_URL, connectionLimit: max });
  pool.on("connection", (conn) => {
    conn.on("error", () => {});
  });
  return pool;
}

export function pgKysely(pool: pg.Pool = pgPool()): Kysely<unknown> {
  return new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
}

export function mysqlKysely(pool: MysqlPool = mysqlPool()): Kysely<unknown> {
  return new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) });
}

/** Drops every table of `prefix` (and the given extra host tables). */
export async function dropTables(db: Kysely<unknown>, prefix: string, extra: string[] = []): Promise<void> {
  for (const table of [...extra, ...sqlStoreTables(prefix)]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}

/** Empties every table of `prefix` (faster than re-creating them between tests). */
export async function clearTables(db: Kysely<unknown>, prefix: string): Promise<void> {
  for (const table of sqlStoreTables(prefix).filter(
    (t) => !t.endsWith("migrations") && !t.endsWith("_lock"),
  )) {
    await sql`delete from ${sql.table(table)}`.execute(db);
  }
}

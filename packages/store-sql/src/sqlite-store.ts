/** `sqliteStore()`: the embedded default, a `node:sqlite` file in WAL mode (no native addon to build). */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Kysely } from "kysely";
import { nodeSqliteDialect } from "./node-sqlite-dialect.ts";
import { type SqlStore, sqlStore } from "./sql-store.ts";

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file (its directory is created), or `:memory:` (not durable, for tests and demos). */
  path: string;
  /** How long a writer waits for another process's write lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * `normal` (default): in WAL mode, safe against a crash of the process; a power loss may lose the last
   * commits. `full`: fsync on every commit.
   */
  synchronous?: "normal" | "full";
  /** Default `hookline_`. */
  tablePrefix?: string;
  /** Default `on-start`. */
  migrate?: "on-start" | "manual";
}

/** Opens (or creates) a SQLite database with `node:sqlite` and returns a store on it; `close()` closes the file. */
export function sqliteStore(options: SqliteStoreOptions): SqlStore {
  const memory = options.path === ":memory:" || options.path === "";
  if (!memory) mkdirSync(dirname(options.path), { recursive: true });
  const database = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
  if (!memory) database.exec("pragma journal_mode = wal");
  database.exec(`pragma synchronous = ${options.synchronous === "full" ? "full" : "normal"}`);
  return sqlStore({
    db: new Kysely<unknown>({ dialect: nodeSqliteDialect({ database }) }),
    dialect: "sqlite",
    tablePrefix: options.tablePrefix,
    migrate: options.migrate,
    destroyOnClose: true,
    durable: !memory,
  });
}

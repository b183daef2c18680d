/**
 * `postgresStore()` / `mysqlStore()`: conveniences that build the Kysely instance from a URL (hookline dials,
 * and `close()` ends the pool) or from the host's pool (the host keeps owning it). `pg` and `mysql2` are
 * optional peer dependencies, loaded only when used.
 */
import { Kysely, MysqlDialect, type MysqlPool, PostgresDialect, type PostgresPool } from "kysely";
import { preparedStatementsPool } from "./pg-prepared.ts";
import { type SqlStore, sqlStore } from "./sql-store.ts";

/** Options shared by the server conveniences. */
interface ServerStoreOptions<Pool> {
  /** A connection URL: hookline creates the pool and ends it on `close()`. */
  url?: string;
  /** The host's pool (`pg.Pool` / `mysql2` `createPool()`): hookline never ends it. */
  pool?: Pool;
  /** Size of the pool hookline creates from `url`. Default 10. */
  poolSize?: number;
  /** Default `hookline_`. */
  tablePrefix?: string;
  /** Default `on-start`. */
  migrate?: "on-start" | "manual";
}

/** Options of {@link postgresStore}: exactly one of `url` or `pool`. */
export type PostgresStoreOptions = ServerStoreOptions<PostgresPool> & {
  /**
   * Send hookline's repeated statements as named prepared statements (parsed and planned once per
   * connection: about a third of the server CPU per claim). Off by default: poolers in transaction mode
   * (PgBouncer before 1.21, some managed proxies) do not support named statements across transactions.
   */
  preparedStatements?: boolean;
};
/** Options of {@link mysqlStore} (MySQL 8+, MariaDB 10.6+): exactly one of `url` or `pool`. */
export type MysqlStoreOptions = ServerStoreOptions<MysqlPool>;

function which<Pool>(name: string, options: ServerStoreOptions<Pool>): "url" | "pool" {
  if (options.url !== undefined && options.pool === undefined) return "url";
  if (options.pool !== undefined && options.url === undefined) return "pool";
  throw new TypeError(`[hookline] [${name}] pass exactly one of { url } or { pool }`);
}

async function load<T>(name: string, pkg: string, loader: () => Promise<T>): Promise<T> {
  try {
    return await loader();
  } catch (err) {
    throw new Error(`[hookline] [${name}] cannot load "${pkg}": install it next to @hookline/store-sql`, {
      cause: err,
    });
  }
}

/** A store on PostgreSQL through `pg`. */
export function postgresStore(options: PostgresStoreOptions): SqlStore {
  const own = which("postgres", options) === "url";
  const pool = own
    ? async (): Promise<PostgresPool> => {
        const pg = await load("postgres", "pg", () => import("pg"));
        const created = new pg.default.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
        // A connection that dies (server restart, killed backend) must not crash the process with an
        // unhandled 'error' event, idle or checked out: the failure surfaces on the query, the pool reconnects.
        created.on("error", () => {});
        created.on("connect", (client) => {
          client.on("error", () => {});
        });
        return created;
      }
    : options.pool!;
  return sqlStore({
    db: new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: options.preparedStatements ? preparedStatementsPool(pool) : pool,
      }),
    }),
    dialect: "postgres",
    tablePrefix: options.tablePrefix,
    migrate: options.migrate,
    destroyOnClose: own,
  });
}

/** A store on MySQL 8+ / MariaDB 10.6+ through `mysql2`. */
export function mysqlStore(options: MysqlStoreOptions): SqlStore {
  const own = which("mysql", options) === "url";
  const pool = own
    ? async (): Promise<MysqlPool> => {
        const mysql = await load("mysql", "mysql2", () => import("mysql2"));
        const created = mysql.createPool({ uri: options.url, connectionLimit: options.poolSize ?? 10 });
        // As above: a dropped connection surfaces on its query, never as an unhandled 'error' event.
        created.on("connection", (conn) => {
          conn.on("error", () => {});
        });
        return created;
      }
    : options.pool!;
  return sqlStore({
    db: new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) }),
    dialect: "mysql",
    tablePrefix: options.tablePrefix,
    migrate: options.migrate,
    destroyOnClose: own,
  });
}

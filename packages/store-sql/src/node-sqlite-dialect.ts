/**
 * A Kysely dialect over Node's built-in `node:sqlite` (`DatabaseSync`): no native addon to build.
 *
 * Kysely 0.29 ships a SQLite dialect for better-sqlite3 only (`node:sqlite` statements have no `reader`
 * flag and take spread parameters), so this is a small driver reusing Kysely's SQLite compiler, adapter and
 * introspector. Access is serialised by Kysely itself: the SQLite adapter declares a single connection, so
 * Kysely's runtime driver holds a mutex around every acquired connection (one query or one transaction at a
 * time). Transactions begin with `BEGIN IMMEDIATE`, taking the write lock up front so that two processes on
 * the same file never deadlock upgrading a read lock (the claim of due deliveries relies on it).
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";

/** Options of {@link nodeSqliteDialect}. */
export interface NodeSqliteDialectOptions {
  /** An open `DatabaseSync`. The dialect closes it when the Kysely instance is destroyed. */
  database: DatabaseSync;
}

/** A prepared statement and whether it yields rows (asked once: `columns()` allocates on every call). */
interface Prepared {
  stmt: StatementSync;
  readsRows: boolean;
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, Prepared>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sqlText: string): Prepared {
    let prepared = this.#statements.get(sqlText);
    if (!prepared) {
      const stmt = this.#db.prepare(sqlText);
      // A statement that yields columns (SELECT, or anything with RETURNING) is read with all().
      prepared = { stmt, readsRows: stmt.columns().length > 0 };
      // A small statement cache: hookline issues a bounded set of query shapes.
      if (this.#statements.size >= 500) this.#statements.clear();
      this.#statements.set(sqlText, prepared);
    }
    return prepared;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { stmt, readsRows } = this.#prepare(compiledQuery.sql);
    const params = compiledQuery.parameters as SQLInputValue[];
    if (readsRows) return { rows: stmt.all(...params) as R[] };
    const { changes, lastInsertRowid } = stmt.run(...params);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported; the generator only throws.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("[hookline] [sqlite] streaming queries are not supported");
  }
}

class NodeSqliteDriver implements Driver {
  readonly #db: DatabaseSync;
  readonly #connection: NodeSqliteConnection;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#connection = new NodeSqliteConnection(db);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Kysely dialect for `node:sqlite`: `new Kysely({ dialect: nodeSqliteDialect({ database }) })`. */
export function nodeSqliteDialect(options: NodeSqliteDialectOptions): Dialect {
  return {
    createDriver: (): Driver => new NodeSqliteDriver(options.database),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
    createAdapter: (): DialectAdapter => new SqliteAdapter(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new SqliteIntrospector(db),
  };
}

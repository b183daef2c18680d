/**
 * Named prepared statements for hookline's repeated PostgreSQL queries. Kysely sends every query unnamed, so
 * PostgreSQL parses and plans it again each time — for the worker's one-row claim and record statements
 * that is most of the server's work. Wrapped with {@link preparedStatementsPool}, a query text seen
 * `minUses` times is sent as a named statement from then on (pg parses it once per connection); at most
 * `maxStatements` texts are named, so the set stays bounded whatever the queries. Only data statements
 * (SELECT, INSERT, UPDATE, DELETE, WITH) are named. If a named statement's result type changed under it
 * (a migration added a column meanwhile), that text is sent unnamed again.
 */
import type { PostgresPool, PostgresPoolClient } from "kysely";

/** Options of {@link preparedStatementsPool}. */
export interface PreparedStatementsOptions {
  /** Runs of a text before it is named. Default 3. */
  minUses?: number;
  /** Most named texts. Default 200. */
  maxStatements?: number;
}

/** Texts counted towards `minUses` before the counts are forgotten (bounds the counting map). */
const MAX_COUNTED = 10_000;
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

type QueryFn = (sql: unknown, parameters?: ReadonlyArray<unknown>) => unknown;

/** `pool`, whose clients send repeated data statements as named prepared statements. */
export function preparedStatementsPool(
  pool: PostgresPool | (() => Promise<PostgresPool>),
  options: PreparedStatementsOptions = {},
): PostgresPool | (() => Promise<PostgresPool>) {
  const minUses = options.minUses ?? 3;
  const maxStatements = options.maxStatements ?? 200;
  const names = new Map<string, string>();
  const uses = new Map<string, number>();
  let next = 0;

  function nameOf(text: string): string | undefined {
    const known = names.get(text);
    if (known !== undefined || names.size >= maxStatements || !DATA_STATEMENT.test(text)) return known;
    const count = (uses.get(text) ?? 0) + 1;
    if (count < minUses) {
      if (uses.size >= MAX_COUNTED) uses.clear();
      uses.set(text, count);
      return undefined;
    }
    uses.delete(text);
    const name = `hookline_${next++}`;
    names.set(text, name);
    return name;
  }

  const clients = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
  function wrapClient(client: PostgresPoolClient): PostgresPoolClient {
    let wrapped = clients.get(client);
    if (wrapped !== undefined) return wrapped;
    const query = (client.query as QueryFn).bind(client);
    const prepared: QueryFn = (sql, parameters) => {
      if (typeof sql !== "string") return query(sql);
      const name = nameOf(sql);
      if (name === undefined) return query(sql, parameters);
      return (query({ name, text: sql, values: parameters }) as Promise<unknown>).catch((err: unknown) => {
        // 0A000 "cached plan must not change result type": the table changed since the statement was parsed.
        if ((err as { code?: unknown }).code !== "0A000") throw err;
        if (names.get(sql) === name) names.delete(sql);
        return query(sql, parameters);
      });
    };
    wrapped = new Proxy(client, {
      get(target, key) {
        if (key === "query") return prepared;
        return bound(target, key);
      },
    });
    clients.set(client, wrapped);
    return wrapped;
  }

  function wrapPool(p: PostgresPool): PostgresPool {
    return new Proxy(p, {
      get(target, key) {
        if (key === "connect") return async () => wrapClient(await target.connect());
        return bound(target, key);
      },
    });
  }

  return typeof pool === "function" ? async () => wrapPool(await pool()) : wrapPool(pool);
}

/** A property of `target`; its methods bound to it (the pool's `Client` constructor stays as it is). */
function bound(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === "function" && key !== "Client" ? value.bind(target) : value;
}

/** Which SQL dialect a Kysely instance speaks, and the few things that differ between them. */
import { type Kysely, type RawBuilder, sql } from "kysely";

/** The dialects the SQL store supports. */
export type SqlDialect = "sqlite" | "postgres" | "mysql";

const ADAPTERS: Record<string, SqlDialect> = {
  SqliteAdapter: "sqlite",
  PostgresAdapter: "postgres",
  PGliteAdapter: "postgres",
  MysqlAdapter: "mysql",
};

/**
 * Detects the dialect from the Kysely adapter (by class name, so duplicated Kysely copies work), falling
 * back to how the query compiler quotes identifiers and numbers parameters. `null` when unknown.
 */
export function detectDialect(db: Kysely<unknown>): SqlDialect | null {
  let proto: unknown = Object.getPrototypeOf(db.getExecutor().adapter);
  while (proto && proto !== Object.prototype) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name && ADAPTERS[name]) return ADAPTERS[name];
    proto = Object.getPrototypeOf(proto);
  }
  const probe = sql`select ${sql.ref("a")} where 1 = ${1}`.compile(db).sql;
  if (probe.includes("`a`")) return "mysql";
  if (probe.includes("$1")) return "postgres";
  if (probe.includes('"a"') && probe.includes("?")) return "sqlite";
  return null;
}

/** Column types per dialect. Ids and tenants sort bytewise everywhere (JS string order for ASCII). */
export interface ColumnTypes {
  /** A short indexed string (ids, tenants, statuses, event types). */
  key: RawBuilder<unknown>;
  /** A long string that is never indexed (URLs, templates, descriptions). */
  text: RawBuilder<unknown>;
  /** A JSON document or a large excerpt. */
  json: RawBuilder<unknown>;
  /** Milliseconds, counters. */
  bigint: RawBuilder<unknown>;
  double: RawBuilder<unknown>;
}

export function columnTypes(dialect: SqlDialect): ColumnTypes {
  switch (dialect) {
    case "postgres":
      return {
        key: sql`text collate "C"`,
        text: sql`text`,
        json: sql`text`,
        bigint: sql`bigint`,
        double: sql`double precision`,
      };
    case "mysql":
      // Tables are created with utf8mb4_bin, so keys compare case-sensitively and sort bytewise.
      return {
        key: sql`varchar(191)`,
        text: sql`text`,
        json: sql`longtext`,
        bigint: sql`bigint`,
        double: sql`double`,
      };
    case "sqlite":
      return { key: sql`text`, text: sql`text`, json: sql`text`, bigint: sql`integer`, double: sql`real` };
  }
}

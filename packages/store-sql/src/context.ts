/** What `sqlStore` and `sqlDedupeStore` share: dialect detection, the table prefix, lazy migrations. */
import { HooklineError } from "@hookline/core";
import type { Kysely } from "kysely";
import { detectDialect, type SqlDialect } from "./dialect.ts";
import { migrateSqlStore } from "./migrations.ts";
import { checkTablePrefix, type HooklineTables, tablePrefixPlugin } from "./schema.ts";

/** Options shared by everything that runs on hookline's tables. */
export interface SqlConnectionOptions<DB = unknown> {
  /** The host's Kysely instance (its plugins are ignored by hookline's queries). */
  db: Kysely<DB>;
  /** Detected from the Kysely adapter when omitted. */
  dialect?: SqlDialect;
  /** Prefix of every table and index, so hookline's tables sit beside the host's. Default `hookline_`. */
  tablePrefix?: string;
  /**
   * `on-start` (default): create or upgrade the tables before the first query.
   * `manual`: the host runs `migrateSqlStore()` itself (e.g. in its deploy step).
   */
  migrate?: "on-start" | "manual";
}

export interface SqlContext {
  /** The host's instance without plugins. */
  host: Kysely<unknown>;
  /** The same, rewriting hookline's table names to their prefixed names. */
  root: Kysely<HooklineTables>;
  dialect: SqlDialect;
  tablePrefix: string;
  plugin: ReturnType<typeof tablePrefixPlugin>;
  migrate(): Promise<void>;
  /** Resolves once migrations ran; a failure (database down) is retried by the next call. */
  ready(): Promise<void>;
}

export function sqlContext<DB>(options: SqlConnectionOptions<DB>): SqlContext {
  const host = (options.db as unknown as Kysely<unknown>).withoutPlugins();
  const dialect = options.dialect ?? detectDialect(host);
  if (!dialect) {
    throw new HooklineError(
      "unsupported",
      "[hookline] cannot detect the SQL dialect of this Kysely instance; pass { dialect }",
    );
  }
  const tablePrefix = checkTablePrefix(options.tablePrefix ?? "hookline_");
  const plugin = tablePrefixPlugin(tablePrefix);
  const migrate = () => migrateSqlStore(host, { dialect, tablePrefix });
  let migrated: Promise<void> | null = options.migrate === "manual" ? Promise.resolve() : null;
  return {
    host,
    root: host.withPlugin(plugin) as Kysely<HooklineTables>,
    dialect,
    tablePrefix,
    plugin,
    migrate,
    ready() {
      migrated ??= migrate().catch((err: unknown) => {
        migrated = null;
        throw err;
      });
      return migrated;
    },
  };
}

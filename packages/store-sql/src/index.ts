/**
 * @hookline/store-sql — hookline's `Store` on Kysely: embedded SQLite (`node:sqlite`) by default,
 * PostgreSQL (`pg`) and MySQL/MariaDB (`mysql2`) for production.
 */
export type { SqlConnectionOptions } from "./context.ts";
export * from "./dedupe.ts";
export type { SqlDialect } from "./dialect.ts";
export * from "./migrations.ts";
export * from "./node-sqlite-dialect.ts";
export * from "./server-stores.ts";
export * from "./sql-store.ts";
export * from "./sqlite-store.ts";

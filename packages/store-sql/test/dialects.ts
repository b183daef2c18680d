/** The dialects a test file runs on: SQLite always, PostgreSQL and MariaDB when reachable (required in CI). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SqlStore, sqliteStore, sqlStore } from "@hookline/store-sql";
import type { Kysely } from "kysely";
import { dropTables, mysqlKysely, pgKysely, serviceAvailable, uniquePrefix } from "./services.ts";

export interface DialectFixture {
  name: "sqlite" | "postgres" | "mysql";
  /** A fresh store on fresh tables (unique prefix); `cleanup()` drops them and closes everything. */
  open(
    tag?: string,
  ): Promise<{ store: SqlStore; db: Kysely<unknown>; prefix: string; cleanup(): Promise<void> }>;
}

const pgUp = await serviceAvailable("postgres");
const mysqlUp = await serviceAvailable("mysql");

function server(name: "postgres" | "mysql", connect: () => Kysely<unknown>): DialectFixture {
  return {
    name,
    async open(tag = "t") {
      const db = connect();
      const prefix = uniquePrefix(tag);
      const store = sqlStore({ db, tablePrefix: prefix });
      await store.migrate();
      return {
        store,
        db,
        prefix,
        async cleanup() {
          await dropTables(db, prefix);
          await db.destroy();
        },
      };
    },
  };
}

const sqlite: DialectFixture = {
  name: "sqlite",
  async open(tag = "t") {
    const dir = mkdtempSync(join(tmpdir(), "hookline-sqlite-"));
    const prefix = uniquePrefix(tag);
    const store = sqliteStore({ path: join(dir, "store.db"), tablePrefix: prefix });
    await store.migrate();
    return {
      store,
      db: store.db,
      prefix,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Every dialect available here. */
export const dialects: DialectFixture[] = [
  sqlite,
  ...(pgUp ? [server("postgres", () => pgKysely())] : []),
  ...(mysqlUp ? [server("mysql", () => mysqlKysely())] : []),
];

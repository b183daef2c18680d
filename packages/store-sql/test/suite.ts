/** Runs the published Store conformance suite on a server dialect, one prefix per file, emptied per test. */
import { runStoreSuite } from "@hookline/core/testing";
import { sqlStore } from "@hookline/store-sql";
import type { Kysely } from "kysely";
import { afterAll } from "vitest";
import { clearTables, dropTables, uniquePrefix } from "./services.ts";

export function runSqlStoreSuite(name: string, connect: () => Kysely<unknown>): void {
  const prefix = uniquePrefix(name.slice(0, 2));
  let db: Kysely<unknown> | null = null;
  let migrated = false;
  afterAll(async () => {
    if (!db) return;
    await dropTables(db, prefix);
    await db.destroy();
  });
  runStoreSuite(name, async () => {
    db ??= connect();
    const store = sqlStore({ db, tablePrefix: prefix, migrate: "manual" });
    if (migrated) await clearTables(db, prefix);
    else {
      await store.migrate();
      migrated = true;
    }
    return store;
  });
}

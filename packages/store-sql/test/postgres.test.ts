import { Kysely, PostgresDialect } from "kysely";
import { describe } from "vitest";
import { preparedStatementsPool } from "../src/pg-prepared.ts";
import { pgKysely, pgPool, serviceAvailable } from "./services.ts";
import { runSqlStoreSuite } from "./suite.ts";

const up = await serviceAvailable("postgres");
describe.skipIf(!up)("postgres (pg)", () => {
  runSqlStoreSuite("postgres", () => pgKysely());
});
// The same suite with named prepared statements (postgresStore({ preparedStatements: true })).
describe.skipIf(!up)("postgres (pg, named prepared statements)", () => {
  runSqlStoreSuite(
    "postgres-prepared",
    () => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: preparedStatementsPool(pgPool()) }) }),
  );
});

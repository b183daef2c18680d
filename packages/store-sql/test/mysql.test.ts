import { describe } from "vitest";
import { mysqlKysely, serviceAvailable } from "./services.ts";
import { runSqlStoreSuite } from "./suite.ts";

const up = await serviceAvailable("mysql");
describe.skipIf(!up)("mysql / mariadb (mysql2)", () => {
  runSqlStoreSuite("mysql", () => mysqlKysely());
});

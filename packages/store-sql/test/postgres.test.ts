import { describe } from "vitest";
import { pgKysely, serviceAvailable } from "./services.ts";
import { runSqlStoreSuite } from "./suite.ts";

const up = await serviceAvailable("postgres");
describe.skipIf(!up)("postgres (pg)", () => {
  runSqlStoreSuite("postgres", () => pgKysely());
});

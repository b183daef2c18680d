import { runExample } from "../../support/run.ts";
import { startExample } from "./app.ts";

await runExample("fastify", startExample);

import { it } from "vitest";
import { smoke } from "../../support/smoke.ts";
import { startExample } from "../src/app.ts";

it("fastify: subscribe through the mounted API, emit from an app route, receive a verified delivery", () =>
  smoke(startExample));

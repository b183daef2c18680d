import { readdirSync } from "node:fs";
import { runAdapterScenarios } from "../src/scenarios.ts";
import type { AdapterServer } from "../src/types.ts";

// Every entry file in src/servers/ is a framework: the same scenarios run against each.
const dir = new URL("../src/servers/", import.meta.url);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort()) {
  const entry = ((await import(new URL(file, dir).href)) as { default: AdapterServer }).default;
  runAdapterScenarios(entry);
}

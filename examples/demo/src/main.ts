/**
 * The hookline demo — `./run demo` on a fresh clone, no servers needed.
 *
 * A provider app (Express) mounts hookline's subscription API and emits `order.*` events from its own
 * route; a receiver app verifies every delivery with hookline's verify middleware. Four endpoints are
 * subscribed through the provider's real HTTP API: one healthy, one flaky (fails 40% of requests), one that
 * answers 410 Gone (hookline disables it) and one that is down (503: retries, then exhausted).
 * Every number on screen is read back from the embedded SQLite store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { runDemo } from "./demo.ts";
import { createTerminalView } from "./view.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: process.env.DEMO_SECONDS ?? "12" },
    rate: { type: "string", default: "25" },
    keep: { type: "boolean", default: false },
  },
});

const dir = mkdtempSync(join(tmpdir(), "hookline-demo-"));
const view = createTerminalView(process.stdout);
const seconds = Number(values.seconds);
const rate = Number(values.rate);

try {
  const summary = await runDemo({
    databasePath: join(dir, "hookline.sqlite"),
    seconds,
    ratePerSecond: rate,
    onProgress: (snapshot) => view.progress(snapshot),
    log: (line) => view.log(line),
  });
  view.summary(summary);
  process.exitCode = summary.lost === 0 ? 0 : 1;
} finally {
  await sleep(10);
  if (values.keep) console.log(`database kept at ${join(dir, "hookline.sqlite")}`);
  else rmSync(dir, { recursive: true, force: true });
}

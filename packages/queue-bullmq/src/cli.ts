#!/usr/bin/env node
/**
 * `hookline-bullmq-worker <module>`: runs a delivery worker from a module whose default export is the
 * configured hookline instance (or a function returning it). SIGTERM/SIGINT close it gracefully.
 *
 *   hookline-bullmq-worker ./dist/webhooks.js
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runWorker, type WorkerHost } from "./worker.ts";

async function main(argv: readonly string[]): Promise<void> {
  const target = argv[0];
  if (target === undefined || target === "--help" || target === "-h") {
    console.error("usage: hookline-bullmq-worker <module>  (default export: the hookline instance)");
    process.exitCode = target === undefined ? 2 : 0;
    return;
  }
  const mod = (await import(pathToFileURL(resolve(target)).href)) as { default?: unknown };
  const exported = typeof mod.default === "function" ? await (mod.default as () => unknown)() : mod.default;
  if (!isWorkerHost(exported)) {
    throw new Error(`[hookline] [bullmq] ${target} must default-export a hookline instance (start/close)`);
  }
  const worker = await runWorker({ hookline: exported });
  await worker.stopped;
  // hookline is closed; the module's own clients (its store pool, its Redis) would keep the process alive.
  process.exit();
}

function isWorkerHost(value: unknown): value is WorkerHost {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<WorkerHost>).start === "function" &&
    typeof (value as Partial<WorkerHost>).close === "function"
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

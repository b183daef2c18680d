/**
 * `runWorker()`: what every worker process does around `webhooks.start({ role: "worker" })` — start, then
 * close gracefully on SIGTERM/SIGINT (in-flight attempts finish within the deadline, the rest stay scheduled).
 */
import type { Hookline, Logger } from "@hookline/core";

/** The part of a hookline instance (`createHookline()`) a worker process uses. */
export type WorkerHost = Pick<Hookline, "start" | "close">;

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** The configured instance: `createHookline({ store, queue: bullmqQueue(…), guard: redisEndpointGuard(…) })`. */
  hookline: WorkerHost;
  /** Signals that stop the worker (default SIGTERM and SIGINT). */
  signals?: readonly NodeJS.Signals[];
  /** How long in-flight attempts may run on after a signal, in ms (default 25 000). */
  shutdownTimeoutMs?: number;
  /** Runs after hookline closed: close what the host opened (its store pool, its Redis client). */
  afterClose?: () => Promise<void>;
  logger?: Logger;
}

/** A running worker. */
export interface RunningWorker {
  /** Stops the worker as a signal would; resolves when it is closed. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the worker has stopped (by `stop()` or a signal). */
  readonly stopped: Promise<void>;
}

/** Starts a worker and wires graceful shutdown to process signals. */
export async function runWorker(options: RunWorkerOptions): Promise<RunningWorker> {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const timeoutMs = options.shutdownTimeoutMs ?? 25_000;
  let stopping: Promise<void> | null = null;
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });

  const stop = (): Promise<void> => {
    if (stopping !== null) return stopping;
    for (const signal of signals) process.off(signal, onSignal);
    stopping = options.hookline
      .close({ timeoutMs })
      .then(() => options.afterClose?.())
      .finally(markStopped);
    return stopping;
  };
  function onSignal(signal: NodeJS.Signals): void {
    options.logger?.info({ signal }, "[hookline] [bullmq] worker stopping");
    stop().catch((err: unknown) => {
      options.logger?.error({ err }, "[hookline] [bullmq] worker did not close cleanly");
      process.exitCode = 1;
    });
  }

  for (const signal of signals) process.on(signal, onSignal);
  try {
    await options.hookline.start({ role: "worker" });
  } catch (err) {
    for (const signal of signals) process.off(signal, onSignal);
    throw err;
  }
  options.logger?.info({ pid: process.pid }, "[hookline] [bullmq] worker started");
  return { stop, stopped };
}

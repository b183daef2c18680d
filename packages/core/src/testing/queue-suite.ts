/**
 * The queue conformance suite. Every `Queue` driver (the in-process store queue, BullMQ, a user's own) runs
 * it from a tiny vitest file:
 *
 * ```ts
 * runQueueSuite("bullmq", async () => ({ queue: bullmqQueue({ connection }), cleanup: () => … }));
 * ```
 *
 * Store-backed queues only run jobs that exist as delivery rows: such a driver supplies `seed` (write the
 * rows before they are scheduled) and `complete` (finalise a row after its handler ran).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Queue, QueueJob } from "../queue/types.ts";

/** What the factory of {@link runQueueSuite} returns, fresh for every test. */
export interface QueueSuiteContext {
  /** A new, not yet started queue. */
  queue: Queue;
  /** Makes jobs real in the backing store before they are scheduled (store-backed queues). */
  seed?(jobs: readonly QueueJob[]): Promise<void>;
  /** Marks a job's delivery finished after its handler ran (store-backed queues). */
  complete?(job: QueueJob): Promise<void>;
  /** Releases what the factory created (the queue is closed by the suite). */
  cleanup?(): Promise<void>;
}

/** Waits until `check()` holds, polling; fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`queue suite: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let counter = 0;
function job(runAt = new Date()): QueueJob {
  counter++;
  const unique = `${Date.now().toString(36)}${counter}`;
  return { deliveryId: `qs_d_${unique}`, tenant: "queue-suite", subscriptionId: `qs_s_${unique}`, runAt };
}

/** Registers the queue conformance tests under `describe(\`queue: ${name}\`)`. */
export function runQueueSuite(
  name: string,
  factory: () => QueueSuiteContext | Promise<QueueSuiteContext>,
): void {
  describe(`queue: ${name}`, () => {
    let ctx: QueueSuiteContext | null = null;

    async function open(): Promise<QueueSuiteContext> {
      ctx = await factory();
      return ctx;
    }
    async function add(c: QueueSuiteContext, jobs: QueueJob[]): Promise<void> {
      await c.seed?.(jobs);
      await c.queue.schedule(jobs);
    }

    afterEach(async () => {
      const c = ctx;
      ctx = null;
      if (c === null) return;
      await c.queue.close({ timeoutMs: 2000 });
      await c.cleanup?.();
    });

    it("runs a scheduled job", async () => {
      const c = await open();
      const seen: string[] = [];
      await c.queue.start(
        async (j) => {
          seen.push(j.deliveryId);
          await c.complete?.(j);
        },
        { concurrency: 2 },
      );
      const j = job();
      await add(c, [j]);
      await until(() => seen.length === 1, 5000, "the job");
      expect(seen).toEqual([j.deliveryId]);
    });

    it("runs a delayed job at its time, not before", async () => {
      const c = await open();
      const ranAt: number[] = [];
      await c.queue.start(
        async (j) => {
          ranAt.push(Date.now());
          await c.complete?.(j);
        },
        { concurrency: 2 },
      );
      const runAt = new Date(Date.now() + 200);
      await add(c, [job(runAt)]);
      await until(() => ranAt.length === 1, 5000, "the delayed job");
      // A small tolerance for clock granularity between the store and the timer.
      expect(ranAt[0]).toBeGreaterThanOrEqual(runAt.getTime() - 5);
    });

    it("runs a job scheduled twice once", async () => {
      const c = await open();
      const seen: string[] = [];
      await c.queue.start(
        async (j) => {
          seen.push(j.deliveryId);
          await c.complete?.(j);
        },
        { concurrency: 4 },
      );
      const j = job();
      await add(c, [j]);
      await c.queue.schedule([j]);
      await until(() => seen.length >= 1, 5000, "the job");
      await sleep(150);
      expect(seen).toEqual([j.deliveryId]);
    });

    it("respects the concurrency bound and runs every job", async () => {
      const c = await open();
      let active = 0;
      let peak = 0;
      const done: string[] = [];
      await c.queue.start(
        async (j) => {
          active++;
          peak = Math.max(peak, active);
          await sleep(20);
          active--;
          await c.complete?.(j);
          done.push(j.deliveryId);
        },
        { concurrency: 2 },
      );
      await add(
        c,
        Array.from({ length: 6 }, () => job()),
      );
      await until(() => done.length === 6, 10_000, "six jobs");
      expect(peak).toBeLessThanOrEqual(2);
      expect(peak).toBeGreaterThanOrEqual(1);
    });

    it("close() waits for running handlers, then takes no more jobs", async () => {
      const c = await open();
      let finished = 0;
      let started = 0;
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      await c.queue.start(
        async (j) => {
          started++;
          await gate;
          await c.complete?.(j);
          finished++;
        },
        { concurrency: 2 },
      );
      await add(c, [job()]);
      await until(() => started === 1, 5000, "the first job to start");
      const closing = c.queue.close({ timeoutMs: 5000 });
      setTimeout(release, 30);
      await closing;
      expect(finished).toBe(1);
      await add(c, [job()]).catch(() => {});
      await sleep(150);
      expect(started).toBe(1);
    });

    it("reports its depth (or null when unknown)", async () => {
      const c = await open();
      const later = new Date(Date.now() + 10 * 60_000);
      await add(c, [job(later), job(later), job(later)]);
      const depth = await c.queue.depth();
      if (depth !== null) expect(depth).toBe(3);
    });
  });
}

import { memoryStore, type QueueJob } from "@hookline/core";
import { type BullmqQueue, bullmqQueue, type DeliveryJobData } from "@hookline/queue-bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addDeliveries } from "./helpers/deliveries.ts";
import {
  deletePrefix,
  redisAvailable,
  skipWithout,
  testRedis,
  uniquePrefix,
  until,
} from "./helpers/services.ts";

const skip = skipWithout("Redis at 127.0.0.1:6379", await redisAvailable());
const prefix = uniquePrefix("queue");

function job(deliveryId: string, runAt = new Date(), subscriptionId = "s1"): QueueJob {
  return { deliveryId, tenant: "t1", subscriptionId, runAt };
}

describe.skipIf(skip)("bullmqQueue", () => {
  let redis: Redis;
  const open: BullmqQueue[] = [];
  let n = 0;
  /** A queue on its own BullMQ queue name, so tests do not see each other's jobs. */
  const make = (extra: Partial<Parameters<typeof bullmqQueue>[0]> = {}) => {
    const q = bullmqQueue({ connection: redis, prefix, queueName: `q${++n}`, ...extra });
    open.push(q);
    return q;
  };

  beforeAll(() => {
    redis = testRedis();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close({ timeoutMs: 1000 })));
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it("hands each scheduled job to the handler with its delivery, tenant, subscription and due time", async () => {
    const q = make();
    const seen: QueueJob[] = [];
    await q.start(async (j) => void seen.push(j), { concurrency: 2 });
    const runAt = new Date();
    await q.schedule([job("d1", runAt, "s9"), job("d2", runAt)]);
    await until(() => seen.length === 2, "two jobs");
    const d1 = seen.find((j) => j.deliveryId === "d1");
    expect(d1).toEqual({ deliveryId: "d1", tenant: "t1", subscriptionId: "s9", runAt });
    expect(d1?.leased).toBeUndefined();
  });

  it("runs a message's deliveries due at the same instant as one job, handed over together", async () => {
    const q = make();
    const runAt = new Date();
    const fanOut = ["m1", "m2", "m3"].map((id, i) => ({ ...job(id, runAt, `s${i}`), messageId: "msg1" }));
    await q.schedule([...fanOut, { ...job("other", runAt), messageId: "msg2" }]);
    expect(await q.bullQueue.getJobCounts("waiting", "delayed", "prioritized")).toMatchObject({ waiting: 2 });
    const seen: QueueJob[] = [];
    let running = 0;
    let most = 0;
    await q.start(
      async (j) => {
        running++;
        most = Math.max(most, running);
        seen.push(j);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      },
      { concurrency: 2 },
    );
    await until(() => seen.length === 4, "four deliveries");
    // The three of msg1 start together (one claim round trip); the worker's own limit bounds attempts.
    expect(most).toBeGreaterThanOrEqual(3);
    expect(seen.find((j) => j.deliveryId === "m2")).toEqual({ ...fanOut[1], runAt });
  });

  it("keeps every delivery scheduled when a message job with other deliveries holds the id", async () => {
    const q = make();
    const later = new Date(Date.now() + 60_000);
    const of = (id: string) => ({ ...job(id, later), messageId: "msg1" });
    await q.schedule([of("a"), of("b")]);
    await q.schedule([of("b"), of("c"), of("d")]);
    // The message job keeps a and b; c and d could not join it and run on their own.
    const jobs = await q.bullQueue.getJobs(["delayed"]);
    const ids = jobs.flatMap((j) =>
      ("deliveries" in j.data ? j.data.deliveries : [j.data]).map((d) => d.deliveryId),
    );
    expect(ids.sort()).toEqual(["a", "b", "c", "d"]);
    expect(jobs).toHaveLength(3);
  });

  it("collapses duplicate schedules of one delivery at one due time into one job", async () => {
    const q = make();
    const later = new Date(Date.now() + 60_000);
    await q.schedule([job("d1", later), job("d1", later)]);
    await q.schedule([job("d1", later)]);
    expect(await q.depth()).toBe(1);
    // A retry at another time is another job.
    await q.schedule([job("d1", new Date(later.getTime() + 1))]);
    expect(await q.depth()).toBe(2);
  });

  it("keeps a delayed job until its due time (BullMQ delayed jobs)", async () => {
    const q = make();
    const ran: number[] = [];
    await q.start(async () => void ran.push(Date.now()), { concurrency: 1 });
    const runAt = new Date(Date.now() + 300);
    await q.schedule([job("d1", runAt)]);
    expect(await q.bullQueue.getJobCounts("delayed")).toEqual({ delayed: 1 });
    await until(() => ran.length === 1, "the delayed job");
    expect(ran[0]).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it("reports depth as the jobs waiting or delayed", async () => {
    const q = make();
    expect(await q.depth()).toBe(0);
    await q.schedule([job("a"), job("b", new Date(Date.now() + 60_000))]);
    expect(await q.depth()).toBe(2);
  });

  it("runs no more handlers at once than the concurrency", async () => {
    const q = make();
    let running = 0;
    let peak = 0;
    let done = 0;
    await q.start(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 15));
        running--;
        done++;
      },
      { concurrency: 3 },
    );
    await q.schedule(Array.from({ length: 12 }, (_, i) => job(`d${i}`)));
    await until(() => done === 12, "twelve jobs");
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it("re-runs a job whose handler threw (store or Redis trouble), up to jobAttempts", async () => {
    const q = make({ jobAttempts: 2 });
    let calls = 0;
    await q.start(
      async () => {
        calls++;
        throw new Error("store unavailable");
      },
      { concurrency: 1 },
    );
    await q.schedule([job("d1")]);
    await until(() => calls === 2, "the second run", 15_000);
    await until(async () => (await q.bullQueue.getJobCounts("failed")).failed === 1, "the failed job");
    expect(calls).toBe(2);
  });

  it("close() waits for a running handler, then leaves the rest scheduled", async () => {
    const q = make();
    let finished = false;
    let started = false;
    await q.start(
      async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 100));
        finished = true;
      },
      { concurrency: 1 },
    );
    await q.schedule([job("now"), job("later", new Date(Date.now() + 60_000))]);
    await until(() => started, "the first job");
    await q.close({ timeoutMs: 5000 });
    expect(finished).toBe(true);
    const other = make({ queueName: `q${n}` });
    expect(await other.depth()).toBe(1);
  });

  it("a handler finishing during close() still schedules its retry", async () => {
    const q = make();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started = false;
    await q.start(
      async (j) => {
        started = true;
        await gate;
        await q.schedule([{ ...j, runAt: new Date(Date.now() + 60_000) }]);
      },
      { concurrency: 1 },
    );
    await q.schedule([job("retrying")]);
    await until(() => started, "the job to start");
    const closing = q.close({ timeoutMs: 5000 });
    expect(q.close()).toBe(closing);
    release();
    await closing;
    const other = make({ queueName: `q${n}` });
    expect(await other.bullQueue.getJobCounts("delayed")).toEqual({ delayed: 1 });
  });

  it("close() returns when a handler outlives the deadline, and the job goes back to Redis", async () => {
    const q = make({ jobAttempts: 3 });
    let started = false;
    await q.start(
      async () => {
        started = true;
        await new Promise(() => {});
      },
      { concurrency: 1 },
    );
    await q.schedule([job("stuck")]);
    await until(() => started, "the job to start");
    await q.close({ timeoutMs: 50 });
    const other = make({ queueName: `q${n}` });
    const counts = await other.bullQueue.getJobCounts("delayed", "waiting", "active");
    expect(counts["delayed"]! + counts["waiting"]!).toBe(1);
  });

  it("refuses work after close() with a typed error", async () => {
    const q = make();
    await q.close();
    await expect(q.schedule([job("d1")])).rejects.toMatchObject({ code: "closed" });
    await expect(q.schedule([job("d1")])).rejects.toThrow(/^\[hookline\] \[bullmq\]/);
  });

  it("refuses a second start()", async () => {
    const q = make();
    await q.start(async () => {}, { concurrency: 1 });
    await expect(q.start(async () => {}, { concurrency: 1 })).rejects.toMatchObject({ code: "conflict" });
  });

  it("fails schedule() with queue_unavailable when Redis cannot be reached", async () => {
    const q = make({
      connection: {
        host: "127.0.0.1",
        port: 1,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      },
    });
    await expect(q.schedule([job("d1")])).rejects.toMatchObject({ code: "queue_unavailable" });
  });

  it("never runs two attempts of one delivery at once, however many jobs carry it (the store claim)", async () => {
    const store = memoryStore();
    await addDeliveries(store, [{ id: "d1" }]);
    const workers = [make(), make({ queueName: `q${n}` })];
    let attempts = 0;
    let running = 0;
    let peak = 0;
    const handler = async (j: QueueJob) => {
      const claimed = await store.claimDelivery(j.deliveryId, { now: new Date(), leaseMs: 60_000 });
      if (claimed === null) return;
      running++;
      peak = Math.max(peak, running);
      attempts++;
      await new Promise((r) => setTimeout(r, 30));
      running--;
      await store.updateDelivery("t1", j.deliveryId, {
        status: "succeeded",
        nextAttemptAt: null,
        leaseUntil: null,
      });
    };
    for (const w of workers) await w.start(handler, { concurrency: 4 });
    const t = Date.now();
    await workers[0]!.schedule([0, 1, 2, 3, 4].map((i) => job("d1", new Date(t - i))));
    await until(async () => (await workers[0]!.depth()) === 0, "all jobs taken");
    await until(() => running === 0, "the attempt to end");
    expect(attempts).toBe(1);
    expect(peak).toBe(1);
  });
});

describe.skipIf(skip)("bullmqQueue sweep", () => {
  let redis: Redis;
  const sweepPrefix = uniquePrefix("sweep");
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deletePrefix(redis, sweepPrefix);
    await redis.quit();
  });

  it("re-schedules every unfinished delivery from the store, once, and again after Redis lost its data", async () => {
    const store = memoryStore();
    const now = Date.now();
    await addDeliveries(store, [
      { id: "p1", nextAttemptAt: new Date(now + 60_000) },
      { id: "p2", nextAttemptAt: new Date(now + 120_000), subscriptionId: "s2" },
      { id: "l1", status: "delivering", leaseUntil: new Date(now + 30_000) },
      { id: "ok", status: "succeeded", nextAttemptAt: null, completedAt: new Date(now) },
    ]);
    const q = bullmqQueue({ connection: redis, prefix: sweepPrefix, store, sweepPageSize: 2 });
    try {
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 3 });
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 0 });
      expect(await q.depth()).toBe(3);

      const jobs = await q.bullQueue.getJobs(["delayed"]);
      const byDelivery = new Map(jobs.map((j) => [(j.data as DeliveryJobData).deliveryId, j.data]));
      expect(byDelivery.get("p2")).toMatchObject({ subscriptionId: "s2", runAt: now + 120_000 });
      // A leased delivery becomes due when its lease ends (a crashed worker's delivery is taken over then).
      expect(byDelivery.get("l1")?.runAt).toBe(now + 30_000);

      // Redis loses everything under the prefix (the FLUSHALL of a Redis without persistence).
      expect(await deletePrefix(redis, sweepPrefix)).toBeGreaterThan(0);
      expect(await q.depth()).toBe(0);
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 3 });
      expect(await q.depth()).toBe(3);
    } finally {
      await q.close();
    }
  });

  it("sweeps a message's deliveries due together into one job, and counts them as covered by it", async () => {
    const store = memoryStore();
    const due = new Date(Date.now() + 60_000);
    await addDeliveries(
      store,
      ["x1", "x2", "x3"].map((id) => ({ id, messageId: "fan", nextAttemptAt: due })),
    );
    const q = bullmqQueue({ connection: redis, prefix: sweepPrefix, queueName: "fanout", store });
    try {
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 3 });
      expect(await q.depth()).toBe(1);
      // The message job covers all three: nothing to add.
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 0 });
      // A job of one of them on its own covers it too; a lost message job is rebuilt.
      expect(await deletePrefix(redis, `${sweepPrefix}:fanout`)).toBeGreaterThan(0);
      await q.schedule([
        { deliveryId: "x1", tenant: "t1", subscriptionId: "s1", messageId: "fan", runAt: due },
      ]);
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 2 });
      expect(await q.depth()).toBe(2);
    } finally {
      await q.close();
    }
  });

  it("re-schedules deliveries whose job outlived its state (an orphaned job hash would swallow the add)", async () => {
    const store = memoryStore();
    const due = new Date(Date.now() + 60_000);
    await addDeliveries(store, [
      { id: "o1", nextAttemptAt: due },
      { id: "o2", messageId: "fan-o", nextAttemptAt: due },
      { id: "o3", messageId: "fan-o", nextAttemptAt: due },
    ]);
    const q = bullmqQueue({ connection: redis, prefix: sweepPrefix, queueName: "orphans", store });
    try {
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 3 });
      expect(await q.depth()).toBe(2);
      // A wipe that is not atomic (SCAN + DEL racing with adds) can drop the delayed set but keep job hashes.
      expect(await redis.del(`${sweepPrefix}:orphans:delayed`)).toBe(1);
      expect(await q.depth()).toBe(0);
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 3 });
      expect(await q.depth()).toBe(2);
      expect(await q.sweepFromStore()).toEqual({ scanned: 3, scheduled: 0 });
    } finally {
      await q.close();
    }
  });

  it("re-schedules a delivery whose job failed and was kept (a kept job would swallow the add)", async () => {
    const store = memoryStore();
    const [f1] = await addDeliveries(store, [{ id: "f1" }]);
    const q = bullmqQueue({ connection: redis, prefix: sweepPrefix, queueName: "kept", jobAttempts: 1 });
    let calls = 0;
    try {
      await q.start(
        async () => {
          calls++;
          if (calls === 1) throw new Error("store unavailable");
        },
        { concurrency: 1 },
      );
      await q.schedule([{ deliveryId: "f1", tenant: "t1", subscriptionId: "s1", runAt: f1!.nextAttemptAt! }]);
      await until(async () => (await q.bullQueue.getJobCounts("failed")).failed === 1, "the failed job");
      expect(await q.sweepFromStore(store)).toEqual({ scanned: 1, scheduled: 1 });
      await until(() => calls === 2, "the re-scheduled job");
    } finally {
      await q.close();
    }
  });

  it("workers sweep on start, so deliveries written while Redis was empty are delivered", async () => {
    const store = memoryStore();
    await addDeliveries(store, [{ id: "w1" }, { id: "w2" }]);
    const q = bullmqQueue({ connection: redis, prefix: sweepPrefix, queueName: "onstart", store });
    const seen = new Set<string>();
    try {
      await q.start(async (j) => void seen.add(j.deliveryId), { concurrency: 2 });
      await until(() => seen.size === 2, "both deliveries");
    } finally {
      await q.close();
    }
  });

  it("passes a store failure through with its own code", async () => {
    const store = memoryStore();
    await store.close();
    const q = bullmqQueue({ connection: redis, prefix: sweepPrefix, store });
    try {
      await expect(q.sweepFromStore()).rejects.toMatchObject({ code: "closed" });
    } finally {
      await q.close();
    }
  });

  it("needs a store to sweep", async () => {
    const q = bullmqQueue({ connection: redis, prefix: sweepPrefix });
    try {
      await expect(q.sweepFromStore()).rejects.toMatchObject({ code: "bad_request" });
    } finally {
      await q.close();
    }
  });
});

/**
 * `bullmqQueue()`: hookline's `Queue` on BullMQ. Any number of producer processes schedule jobs; any number of
 * worker processes, on any number of machines, run them. Each job is one due delivery; the worker that runs it
 * claims the delivery in the store first, so duplicate jobs never produce two concurrent attempts.
 */
import {
  HooklineError,
  type Logger,
  type Queue,
  type QueueHandler,
  type QueueJob,
  type QueueStartOptions,
  type Store,
} from "@hookline/core";
import { Queue as BullQueue, type Job, Worker } from "bullmq";
import {
  blockingClient,
  type RedisConnection,
  type ResolvedRedis,
  release,
  resolveRedis,
} from "./connection.ts";
import { bullmqError, reason } from "./errors.ts";
import {
  dataOf,
  deliveryIdsOf,
  JOB_NAME,
  type JobData,
  jobIdOf,
  MAX_MESSAGE_JOB,
  MESSAGE_JOB_NAME,
  messageDataOf,
  messageJobIdOf,
  queueJobsOf,
} from "./job.ts";
import { type SweepResult, unfinishedJobs } from "./sweep.ts";

/** Options of {@link bullmqQueue}. */
export interface BullmqQueueOptions {
  /**
   * The host's ioredis client (preferred: hookline never closes it) or ioredis options (hookline dials and
   * closes its own). Workers need `maxRetriesPerRequest: null`; when the client has another value, the worker
   * gets a duplicate with it, so producers keep failing fast while Redis is away.
   */
  connection: RedisConnection;
  /** Prefix of every Redis key (default `hookline`). Give each deployment (and each test run) its own. */
  prefix?: string;
  /** BullMQ queue name (default `deliveries`). */
  queueName?: string;
  /**
   * The store to sweep from. When given, workers re-schedule every unfinished delivery from it on start and
   * every `sweepIntervalMs` (one worker per interval across the cluster, by a Redis lock).
   */
  store?: Store;
  /** Period of the sweep in ms (default 60 000; 0 = only on start and on demand). */
  sweepIntervalMs?: number;
  /** Store page size of a sweep (default 500). */
  sweepPageSize?: number;
  /**
   * How many times BullMQ re-runs a job whose handler threw (the store or Redis was unavailable), with
   * exponential back-off from 1 s. Default 5. HTTP failures are not handler errors: hookline records them and
   * schedules its own retries.
   */
  jobAttempts?: number;
  /** Failed jobs kept for inspection (default 1000). Completed jobs are removed at once: the store has the log. */
  keepFailed?: number;
  /** BullMQ lock of a running job in ms (default 30 000); a dead worker's job is re-run after it. */
  lockDurationMs?: number;
  /** How often workers look for jobs of dead workers in ms (default 30 000). */
  stalledIntervalMs?: number;
  /** pino/console-shaped logger for Redis and handler errors. Silent by default. */
  logger?: Logger;
}

/** hookline's `Queue` plus the sweep. */
export interface BullmqQueue extends Queue {
  readonly name: "bullmq";
  /**
   * Re-schedules every unfinished delivery of `store` (default: the `store` option) that has no job waiting
   * in Redis. Safe to run anytime, from any process, as often as wanted.
   */
  sweepFromStore(store?: Store): Promise<SweepResult>;
  /** The BullMQ queue underneath, for dashboards (Bull Board) and inspection. Do not add jobs to it. */
  readonly bullQueue: BullQueue<JobData>;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
/** Jobs per `addBulk` call (one MULTI each). */
const ADD_CHUNK = 500;
/** Job states in which a job still runs later: nothing to add. */
const LIVE_STATES = new Set(["waiting", "wait", "delayed", "prioritized", "active", "waiting-children"]);

/**
 * Creates the BullMQ queue. Producers only `schedule()`; workers also `start()`.
 *
 * ```ts
 * const redis = new Redis({ host: "127.0.0.1", maxRetriesPerRequest: null });
 * const queue = bullmqQueue({ connection: redis, store });
 * const webhooks = createHookline({ store, queue, … });
 * await webhooks.start({ role: "worker" });
 * ```
 */
export function bullmqQueue(options: BullmqQueueOptions): BullmqQueue {
  const prefix = options.prefix ?? "hookline";
  const queueName = options.queueName ?? "deliveries";
  const logger = options.logger ?? silent;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const keepFailed = options.keepFailed ?? 1000;
  const redis: ResolvedRedis = resolveRedis(options.connection, "bullmqQueue()", (err) =>
    logger.warn({ err }, "[hookline] [bullmq] Redis connection error"),
  );

  const bullQueue = new BullQueue<JobData>(queueName, {
    connection: redis.client,
    prefix,
    defaultJobOptions: {
      attempts: Math.max(1, options.jobAttempts ?? 5),
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { count: keepFailed },
    },
  });
  bullQueue.on("error", (err) => logger.error({ err }, "[hookline] [bullmq] queue error"));

  let worker: Worker<JobData> | null = null;
  let workerRedis: ResolvedRedis | null = null;
  let sweepTimer: ReturnType<typeof setInterval> | null = null;
  let sweeping: Promise<SweepResult> | null = null;
  /** Set when `close()` begins: no new sweeps or starts; `schedule()` still works for draining handlers. */
  let closing = false;
  /** Set once the Redis side is being closed: nothing works any more. */
  let closed = false;
  let shutdown: Promise<void> | null = null;
  /** Rejects running handlers' jobs when `close()` runs out of time (their attempts finish on their own). */
  let abandon: (err: Error) => void = () => {};
  const abandoned = new Promise<never>((_, reject) => {
    abandon = reject;
  });
  abandoned.catch(() => {});

  function ensureOpen(what: string, orClosing = true): void {
    if (closed || (orClosing && closing)) throw bullmqError("closed", `${what}: the queue is closed`);
  }

  /** A message's deliveries due at the same instant, keyed by their message job's id (only real groups, ≥ 2). */
  function messageGroups(jobs: readonly QueueJob[]): {
    groups: Map<string, QueueJob[]>;
    singles: QueueJob[];
  } {
    const byKey = new Map<string, QueueJob[]>();
    const singles: QueueJob[] = [];
    for (const job of jobs) {
      if (job.messageId === undefined) {
        singles.push(job);
        continue;
      }
      const id = messageJobIdOf(job.tenant, job.messageId, job.runAt);
      const group = byKey.get(id);
      if (group === undefined) byKey.set(id, [job]);
      else group.push(job);
    }
    const groups = new Map<string, QueueJob[]>();
    for (const [id, group] of byKey) {
      if (group.length === 1) singles.push(...group);
      else {
        groups.set(id, group.slice(0, MAX_MESSAGE_JOB));
        singles.push(...group.slice(MAX_MESSAGE_JOB));
      }
    }
    return { groups, singles };
  }

  /**
   * Adds the jobs: a message's deliveries due at the same instant as one job, the rest one job each. A message
   * job whose id was already taken by a live job with other deliveries (BullMQ keeps the first) is checked
   * after the add, and the deliveries it lacks are added on their own.
   */
  async function addJobs(jobs: readonly QueueJob[]): Promise<void> {
    const { groups, singles } = messageGroups(jobs);
    const now = Date.now();
    const delay = (job: QueueJob) => Math.max(0, job.runAt.getTime() - now);
    const entries = [
      ...[...groups].map(([jobId, group]) => ({
        name: MESSAGE_JOB_NAME,
        data: messageDataOf(group as [QueueJob, ...QueueJob[]]) as JobData,
        opts: { jobId, delay: delay(group[0] as QueueJob) },
      })),
      ...singles.map((job) => ({
        name: JOB_NAME,
        data: dataOf(job) as JobData,
        opts: { jobId: jobIdOf(job), delay: delay(job) },
      })),
    ];
    for (let i = 0; i < entries.length; i += ADD_CHUNK)
      await bullQueue.addBulk(entries.slice(i, i + ADD_CHUNK));
    if (groups.size === 0) return;
    const lacking: QueueJob[] = [];
    await Promise.all(
      [...groups].map(async ([jobId, group]) => {
        const added = await bullQueue.getJob(jobId);
        // Gone already (it ran and was removed): nothing lost, its deliveries were claimed or are claimable.
        if (added === undefined) return;
        // A job that is in no state (its hash outlived its list entry) never runs: count it as lacking all.
        const has = LIVE_STATES.has(await added.getState()) ? deliveryIdsOf(added.data) : new Set<string>();
        for (const job of group) if (!has.has(job.deliveryId)) lacking.push(job);
      }),
    );
    if (lacking.length > 0) {
      await bullQueue.addBulk(
        lacking.map((job) => ({
          name: JOB_NAME,
          data: dataOf(job) as JobData,
          opts: { jobId: jobIdOf(job), delay: delay(job) },
        })),
      );
    }
  }

  /** The state of a job and the deliveries it runs (`unknown` when there is no such job, or it is in no state). */
  async function jobCoverage(jobId: string): Promise<{ state: string; deliveries: Set<string> }> {
    const job = await bullQueue.getJob(jobId);
    if (job === undefined) return { state: "unknown", deliveries: new Set() };
    return { state: await job.getState(), deliveries: deliveryIdsOf(job.data) };
  }

  /**
   * Adds the jobs that are not already waiting, on their own or in their message's job. A finished job with
   * the same id (kept after a failure) would swallow the add, so it is removed first.
   */
  async function ensureScheduled(jobs: readonly QueueJob[]): Promise<number> {
    const states = await Promise.all(jobs.map((job) => bullQueue.getJobState(jobIdOf(job))));
    const messageJobs = new Map<string, Promise<{ state: string; deliveries: Set<string> }>>();
    const missing: QueueJob[] = [];
    await Promise.all(
      jobs.map(async (job, i) => {
        const state = states[i] ?? "unknown";
        if (LIVE_STATES.has(state)) return;
        if (job.messageId !== undefined) {
          const id = messageJobIdOf(job.tenant, job.messageId, job.runAt);
          let coverage = messageJobs.get(id);
          if (coverage === undefined) {
            coverage = jobCoverage(id);
            messageJobs.set(id, coverage);
          }
          const { state: messageState, deliveries } = await coverage;
          if (LIVE_STATES.has(messageState) && deliveries.has(job.deliveryId)) return;
        }
        // A kept (failed) job, or an orphan (its hash left in no state, e.g. by a partial wipe of Redis), would
        // swallow the add: remove whatever is there first.
        await bullQueue.remove(jobIdOf(job));
        missing.push(job);
      }),
    );
    // A finished or orphaned message job would swallow the message's re-add the same way.
    await Promise.all(
      [...messageJobs].map(async ([id, coverage]) => {
        const { state } = await coverage;
        if (!LIVE_STATES.has(state)) await bullQueue.remove(id);
      }),
    );
    await addJobs(missing);
    return missing.length;
  }

  async function sweep(store: Store): Promise<SweepResult> {
    const result: SweepResult = { scanned: 0, scheduled: 0 };
    for await (const page of unfinishedJobs(store, { pageSize: options.sweepPageSize })) {
      if (closing) break;
      result.scanned += page.length;
      result.scheduled += await ensureScheduled(page);
    }
    if (result.scheduled > 0) logger.info({ ...result }, "[hookline] [bullmq] sweep re-scheduled deliveries");
    return result;
  }

  /** One sweep across all workers per interval: the first worker to take the lock sweeps. */
  async function sweepIfDue(store: Store): Promise<void> {
    if (closing || sweeping !== null) return;
    const lockMs = Math.max(1000, sweepIntervalMs || 60_000) - 250;
    try {
      const taken = await redis.client.set(`${prefix}:${queueName}:hookline-sweep`, "1", "PX", lockMs, "NX");
      if (taken !== "OK") return;
      await queue.sweepFromStore(store);
    } catch (err) {
      logger.warn({ err }, "[hookline] [bullmq] sweep failed; the next one retries");
    }
  }

  /**
   * Runs a job: its deliveries all start in the same tick, so the worker claims them in one store round trip;
   * the worker's own limit (`delivery.concurrency`) bounds how many attempts run at once, and a claimed delivery
   * whose lease ran low while it waited for its turn is handed back instead of attempted. If a handler failed (the store or Redis was
   * away), the job fails after the others finished and BullMQ runs it again; deliveries already done are not
   * claimable any more and are skipped.
   */
  async function runJob(job: Job<JobData>, handler: QueueHandler): Promise<void> {
    const queueJobs = queueJobsOf(job.data);
    if (queueJobs === null) {
      logger.warn({ jobId: job.id }, "[hookline] [bullmq] ignored a job that is not a hookline delivery");
      return;
    }
    const runs = Promise.allSettled(queueJobs.map((queueJob) => handler(queueJob)));
    const settled = await Promise.race([runs, abandoned]);
    const failed = settled.find((o) => o.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** Stops the worker within `timeoutMs`, then closes the Redis side (see `close()`). */
  async function shutdownGracefully(timeoutMs: number): Promise<void> {
    closing = true;
    if (sweepTimer !== null) clearInterval(sweepTimer);
    if (worker !== null) {
      const stopping = worker.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        stopping.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        // Running attempts keep their store lease; their jobs go back to Redis to be run again later.
        abandon(bullmqError("closed", `the worker closed before an attempt finished (${timeoutMs} ms)`));
      }
      await stopping.catch((err: unknown) => logger.warn({ err }, "[hookline] [bullmq] worker close failed"));
    }
    await sweeping?.catch(() => {});
    closed = true;
    await bullQueue.close().catch((err: unknown) => logger.warn({ err }, "[hookline] [bullmq] close failed"));
    if (workerRedis !== null) await release(workerRedis);
    await release(redis);
  }

  const queue: BullmqQueue = {
    name: "bullmq",
    bullQueue,

    async schedule(jobs: readonly QueueJob[]): Promise<void> {
      // Handlers finishing during a graceful close still schedule their retries.
      ensureOpen("schedule()", false);
      if (jobs.length === 0) return;
      try {
        await addJobs(jobs);
      } catch (err) {
        throw bullmqError(
          "queue_unavailable",
          `could not schedule ${jobs.length} job(s): ${reason(err)}`,
          err,
        );
      }
    },

    async start(handler: QueueHandler, opts: QueueStartOptions): Promise<void> {
      ensureOpen("start()");
      if (worker !== null) throw bullmqError("conflict", "start() was already called on this queue");
      workerRedis = blockingClient(redis.client);
      worker = new Worker<JobData>(queueName, (job) => runJob(job, handler), {
        connection: workerRedis.client,
        prefix,
        concurrency: Math.max(1, Math.floor(opts.concurrency)),
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
      });
      worker.on("error", (err) => logger.error({ err }, "[hookline] [bullmq] worker error"));
      worker.on("failed", (job, err) =>
        logger.warn({ err, jobId: job?.id }, "[hookline] [bullmq] a delivery job failed; BullMQ retries it"),
      );
      try {
        await worker.waitUntilReady();
      } catch (err) {
        throw bullmqError("queue_unavailable", `the worker could not reach Redis: ${reason(err)}`, err);
      }
      const store = options.store;
      if (store !== undefined) {
        void sweepIfDue(store);
        if (sweepIntervalMs > 0) {
          sweepTimer = setInterval(() => void sweepIfDue(store), sweepIntervalMs);
          sweepTimer.unref();
        }
      }
    },

    async sweepFromStore(store: Store | undefined = options.store): Promise<SweepResult> {
      ensureOpen("sweepFromStore()");
      if (store === undefined) throw bullmqError("bad_request", "sweepFromStore() needs a store");
      // Sweeps of one process run one at a time; a caller during a sweep waits for it and runs its own after.
      while (sweeping !== null) await sweeping.catch(() => {});
      sweeping = sweep(store);
      try {
        return await sweeping;
      } catch (err) {
        // A store error keeps its own code (`store_unavailable`); a Redis one becomes `queue_unavailable`.
        throw HooklineError.is(err)
          ? err
          : bullmqError("queue_unavailable", `the sweep failed: ${reason(err)}`, err);
      } finally {
        sweeping = null;
      }
    },

    async depth(): Promise<number | null> {
      try {
        const counts = await bullQueue.getJobCounts("waiting", "delayed", "prioritized");
        return Object.values(counts).reduce((sum, n) => sum + n, 0);
      } catch (err) {
        logger.warn({ err }, "[hookline] [bullmq] could not read the queue depth");
        return null;
      }
    },

    close(opts: { timeoutMs?: number } = {}): Promise<void> {
      shutdown ??= shutdownGracefully(opts.timeoutMs ?? 10_000);
      return shutdown;
    },
  };
  return queue;
}

/**
 * A queue moves due deliveries to workers. The store stays the record: a queue may lose jobs (Redis
 * without persistence, a crash) and hookline re-schedules from the store. A queue must never cause two
 * concurrent attempts of one delivery — workers claim a delivery in the store before attempting it.
 */

/** A delivery that is due at `runAt`. */
export interface QueueJob {
  deliveryId: string;
  tenant: string;
  subscriptionId: string;
  runAt: Date;
  /**
   * The delivery's message. A queue may run the deliveries of one message that are due at the same instant
   * as one unit of work (BullMQ does: one job per message fan-out); absent, each delivery runs on its own.
   */
  messageId?: string;
  /**
   * Set by store-backed queues that already leased the delivery (`Store.claimDueDeliveries`); the worker
   * then skips its own `claimDelivery`. Absent for external queues (BullMQ), whose workers claim first.
   */
  leased?: import("../model/types.ts").Delivery;
}

/**
 * Called by the queue for one job. Resolves when the attempt is finished and recorded (including a
 * re-schedule, which the handler does through `Queue.schedule`).
 */
export type QueueHandler = (job: QueueJob) => Promise<void>;

export interface QueueStartOptions {
  /** Max attempts running at once in this process. */
  concurrency: number;
}

export interface Queue {
  /** Driver name for messages and metrics: `memory`, `bullmq`. */
  readonly name: string;
  /** Makes deliveries due at their `runAt`. Scheduling the same delivery twice is harmless. */
  schedule(jobs: readonly QueueJob[]): Promise<void>;
  /** Starts consuming. Called once, by workers only (a producer-only process never calls it). */
  start(handler: QueueHandler, opts: QueueStartOptions): Promise<void>;
  /** Deliveries waiting in the queue (for the queue-depth gauge); `null` if unknown. */
  depth(): Promise<number | null>;
  /** Stops taking jobs, waits up to `timeoutMs` for running handlers, leaves the rest scheduled. */
  close(opts?: { timeoutMs?: number }): Promise<void>;
}

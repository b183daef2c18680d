/**
 * The sweep: the store is the record, Redis only a schedule. Walking the store's unfinished deliveries in
 * bounded pages yields the job each one needs, so a Redis that lost its data (no persistence, FLUSHALL, a
 * failover) loses nothing, and a job lost any other way is found again.
 */
import type { Delivery, QueueJob, Store } from "@hookline/core";

/** Options of {@link unfinishedJobs}. */
export interface SweepWalkOptions {
  /** Deliveries per store page (default 500). */
  pageSize?: number;
  /** Deliveries loaded at once within a page (default 32). */
  loadConcurrency?: number;
}

/** What a sweep did. */
export interface SweepResult {
  /** Unfinished deliveries found in the store. */
  scanned: number;
  /** Jobs added to Redis because none was waiting for that delivery and due time. */
  scheduled: number;
}

/**
 * The job that makes a delivery due again: pending rows at their `nextAttemptAt`, rows leased by a worker at
 * the end of the lease (a crashed worker's delivery becomes claimable then). `null` for final rows.
 */
export function jobForDelivery(delivery: Delivery): QueueJob | null {
  const runAt =
    delivery.status === "pending"
      ? (delivery.nextAttemptAt ?? delivery.createdAt)
      : delivery.status === "delivering"
        ? (delivery.leaseUntil ?? delivery.nextAttemptAt ?? delivery.createdAt)
        : null;
  if (runAt === null) return null;
  return {
    deliveryId: delivery.id,
    tenant: delivery.tenant,
    subscriptionId: delivery.subscriptionId,
    messageId: delivery.messageId,
    runAt,
  };
}

/** Pages of jobs for every unfinished delivery of the store, in id order. */
export async function* unfinishedJobs(store: Store, opts: SweepWalkOptions = {}): AsyncGenerator<QueueJob[]> {
  const pageSize = Math.max(1, opts.pageSize ?? 500);
  const loadConcurrency = Math.max(1, opts.loadConcurrency ?? 32);
  let afterId: string | undefined;
  for (;;) {
    const page = await store.listUnfinishedDeliveryIds({ limit: pageSize, afterId });
    if (page.length === 0) return;
    const jobs: QueueJob[] = [];
    for (let i = 0; i < page.length; i += loadConcurrency) {
      const rows = await Promise.all(
        page.slice(i, i + loadConcurrency).map((row) => store.getDelivery(row.tenant, row.id)),
      );
      for (const row of rows) {
        const job = row === null ? null : jobForDelivery(row);
        if (job !== null) jobs.push(job);
      }
    }
    yield jobs;
    if (page.length < pageSize) return;
    afterId = page[page.length - 1]?.id;
  }
}

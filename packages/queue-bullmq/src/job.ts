/**
 * How a hookline `QueueJob` travels as a BullMQ job. The job id is derived from the delivery and its due time,
 * so scheduling the same delivery for the same instant twice (an emit and a sweep, two sweeps) collapses into
 * one job, while a retry at a new time is a new job.
 */
import type { QueueJob } from "@hookline/core";

/** The BullMQ job name of a delivery attempt. */
export const JOB_NAME = "deliver";

/** What a BullMQ job carries: ids only; the store holds everything else. */
export interface DeliveryJobData {
  deliveryId: string;
  tenant: string;
  subscriptionId: string;
  /** Due time, epoch ms. */
  runAt: number;
}

/**
 * `tenant/delivery/dueMs`, each part URI-encoded (BullMQ refuses `:` in custom ids and purely numeric ids;
 * `/` and `:` are encoded, so distinct jobs never share an id).
 */
export function jobIdOf(job: Pick<QueueJob, "tenant" | "deliveryId" | "runAt">): string {
  return `${encodeURIComponent(job.tenant)}/${encodeURIComponent(job.deliveryId)}/${job.runAt.getTime()}`;
}

/** The payload of a job. */
export function dataOf(job: QueueJob): DeliveryJobData {
  return {
    deliveryId: job.deliveryId,
    tenant: job.tenant,
    subscriptionId: job.subscriptionId,
    runAt: job.runAt.getTime(),
  };
}

/** Back from a payload; `null` when it is not one of ours (a foreign job in the queue). */
export function queueJobOf(data: unknown): QueueJob | null {
  if (typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  if (
    typeof d["deliveryId"] !== "string" ||
    typeof d["tenant"] !== "string" ||
    typeof d["subscriptionId"] !== "string" ||
    typeof d["runAt"] !== "number"
  ) {
    return null;
  }
  return {
    deliveryId: d["deliveryId"],
    tenant: d["tenant"],
    subscriptionId: d["subscriptionId"],
    runAt: new Date(d["runAt"]),
  };
}

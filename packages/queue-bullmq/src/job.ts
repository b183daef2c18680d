/**
 * How hookline's `QueueJob`s travel as BullMQ jobs. Job ids are derived from what they run, so scheduling the
 * same work twice (an emit and a sweep, two sweeps) collapses into one job, while a retry at a new time is a
 * new job.
 *
 * - One delivery: `tenant/delivery/dueMs`.
 * - A message's deliveries due at the same instant (an emit's fan-out): one job, `tenant/message/dueMs/message`.
 *   The worker claims them in one store round trip and attempts them side by side; BullMQ's per-job cost is
 *   paid once per message instead of once per subscription.
 *
 * Each part is URI-encoded (BullMQ refuses `:` in custom ids and purely numeric ids; `/` and `:` are encoded,
 * so distinct jobs never share an id).
 */
import type { QueueJob } from "@hookline/core";

/** The BullMQ job name of one delivery attempt. */
export const JOB_NAME = "deliver";
/** The BullMQ job name of a message's deliveries due at the same instant. */
export const MESSAGE_JOB_NAME = "deliver-message";
/** Most deliveries in one message job; the rest of a larger fan-out are scheduled one job each. */
export const MAX_MESSAGE_JOB = 100;

/** What a single-delivery job carries: ids only; the store holds everything else. */
export interface DeliveryJobData {
  deliveryId: string;
  tenant: string;
  subscriptionId: string;
  /** Due time, epoch ms. */
  runAt: number;
  messageId?: string;
}

/** What a message job carries. */
export interface MessageJobData {
  tenant: string;
  messageId: string;
  /** Due time, epoch ms. */
  runAt: number;
  deliveries: { deliveryId: string; subscriptionId: string }[];
}

export type JobData = DeliveryJobData | MessageJobData;

/** The id of the job that runs one delivery at its due time. */
export function jobIdOf(job: Pick<QueueJob, "tenant" | "deliveryId" | "runAt">): string {
  return `${encodeURIComponent(job.tenant)}/${encodeURIComponent(job.deliveryId)}/${job.runAt.getTime()}`;
}

/** The id of the job that runs a message's deliveries due at `runAt`. */
export function messageJobIdOf(tenant: string, messageId: string, runAt: Date): string {
  return `${encodeURIComponent(tenant)}/${encodeURIComponent(messageId)}/${runAt.getTime()}/message`;
}

/** The payload of a single-delivery job. */
export function dataOf(job: QueueJob): DeliveryJobData {
  const data: DeliveryJobData = {
    deliveryId: job.deliveryId,
    tenant: job.tenant,
    subscriptionId: job.subscriptionId,
    runAt: job.runAt.getTime(),
  };
  if (job.messageId !== undefined) data.messageId = job.messageId;
  return data;
}

/** The payload of a message job; every job must share tenant, message and due time. */
export function messageDataOf(jobs: readonly [QueueJob, ...QueueJob[]]): MessageJobData {
  const [first] = jobs;
  return {
    tenant: first.tenant,
    messageId: first.messageId as string,
    runAt: first.runAt.getTime(),
    deliveries: jobs.map((j) => ({ deliveryId: j.deliveryId, subscriptionId: j.subscriptionId })),
  };
}

/** Back from a payload; `null` when it is not one of ours (a foreign job in the queue). */
export function queueJobsOf(data: unknown): QueueJob[] | null {
  if (typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  if (typeof d["tenant"] !== "string" || typeof d["runAt"] !== "number") return null;
  const tenant = d["tenant"];
  const runAt = d["runAt"];
  if (Array.isArray(d["deliveries"])) {
    if (typeof d["messageId"] !== "string") return null;
    const messageId = d["messageId"];
    const jobs: QueueJob[] = [];
    for (const item of d["deliveries"] as unknown[]) {
      const m = item as Record<string, unknown> | null;
      if (typeof m?.["deliveryId"] !== "string" || typeof m["subscriptionId"] !== "string") return null;
      jobs.push({
        deliveryId: m["deliveryId"],
        tenant,
        subscriptionId: m["subscriptionId"],
        messageId,
        runAt: new Date(runAt),
      });
    }
    return jobs.length > 0 ? jobs : null;
  }
  if (typeof d["deliveryId"] !== "string" || typeof d["subscriptionId"] !== "string") return null;
  const job: QueueJob = {
    deliveryId: d["deliveryId"],
    tenant,
    subscriptionId: d["subscriptionId"],
    runAt: new Date(runAt),
  };
  if (typeof d["messageId"] === "string") job.messageId = d["messageId"];
  return [job];
}

/** The delivery ids a job's payload runs. */
export function deliveryIdsOf(data: unknown): Set<string> {
  return new Set((queueJobsOf(data) ?? []).map((j) => j.deliveryId));
}

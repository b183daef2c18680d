/**
 * @hookline/queue-bullmq — scale-out delivery on BullMQ and Redis: any number of producer and worker
 * processes, the SQL store as the record, per-subscription limits and the circuit breaker shared in Redis.
 */
export type { RedisConnection } from "./connection.ts";
export {
  type RedisEndpointGuard,
  type RedisEndpointGuardOptions,
  redisEndpointGuard,
} from "./guard/redis-guard.ts";
export type { DeliveryJobData, JobData, MessageJobData } from "./job.ts";
export { type BullmqQueue, type BullmqQueueOptions, bullmqQueue } from "./queue.ts";
export type { SweepResult } from "./sweep.ts";
export { type RunningWorker, type RunWorkerOptions, runWorker, type WorkerHost } from "./worker.ts";

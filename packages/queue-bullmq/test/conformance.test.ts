import { runQueueSuite } from "@hookline/core/testing";
import { bullmqQueue } from "@hookline/queue-bullmq";
import { afterAll, describe } from "vitest";
import { deletePrefix, redisAvailable, skipWithout, testRedis, uniquePrefix } from "./helpers/services.ts";

const skip = skipWithout("Redis at 127.0.0.1:6379", await redisAvailable());
const prefix = uniquePrefix("suite");

describe.skipIf(skip)("bullmq conformance", () => {
  const redis = skip ? null : testRedis();
  let n = 0;
  afterAll(async () => {
    if (redis === null) return;
    await deletePrefix(redis, prefix);
    await redis.quit();
  });
  // A fresh BullMQ queue name per test: no test sees another's jobs.
  runQueueSuite("bullmq", () => ({
    queue: bullmqQueue({ connection: redis!, prefix, queueName: `suite${++n}` }),
  }));
});

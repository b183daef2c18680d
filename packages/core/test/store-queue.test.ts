/** The in-process store queue passes the queue conformance suite, over the memory store and the test store. */
import type { Delivery } from "../src/model/types.ts";
import { storeQueue } from "../src/queue/memory.ts";
import { memoryStore } from "../src/store/memory.ts";
import type { Store } from "../src/store/types.ts";
import { runQueueSuite } from "../src/testing/queue-suite.ts";
import { fileStore } from "./support/file-store.ts";

const stores: Array<[string, () => Store]> = [
  ["memory store", () => memoryStore()],
  ["file test store", () => fileStore()],
];

for (const [label, makeStore] of stores)
  runQueueSuite(`store queue over the ${label}`, () => {
    const store = makeStore();
    return {
      queue: storeQueue({ store, pollIntervalMs: 50 }),
      async seed(jobs) {
        const rows: Delivery[] = jobs.map((j) => ({
          id: j.deliveryId,
          tenant: j.tenant,
          messageId: `m_${j.deliveryId}`,
          subscriptionId: j.subscriptionId,
          eventType: "suite.job",
          status: "pending",
          attempts: 0,
          nextAttemptAt: j.runAt,
          leaseUntil: null,
          lastStatus: null,
          lastError: null,
          createdAt: new Date(),
          updatedAt: new Date(),
          completedAt: null,
        }));
        await store.insertDeliveries(rows);
      },
      async complete(job) {
        await store.updateDelivery(job.tenant, job.deliveryId, {
          status: "succeeded",
          leaseUntil: null,
          nextAttemptAt: null,
          completedAt: new Date(),
        });
      },
    };
  });

import { performance } from "node:perf_hooks";
import { eventTypeKeys, memoryStore } from "@hookline/core";

const store = memoryStore();
const at = new Date();
for (let i = 0; i < 100000; i++) {
  await store.createSubscription({
    id: `s${i}`,
    tenant: `t${i % 1000}`,
    url: "https://x",
    method: "POST",
    contentType: "application/json",
    bodyTemplate: null,
    headers: {},
    eventTypes: [`res${i % 100}.created`, `res${(i * 7) % 100}`],
    secrets: [{ id: "x", value: "whsec_x", createdAt: at, expiresAt: null }],
    scheme: null,
    qos: 1,
    idSetAccepted: false,
    rateLimit: null,
    concurrency: null,
    retrySchedule: null,
    status: "active",
    disabledReason: null,
    description: null,
    metadata: {},
    tags: null,
    failingSince: null,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    version: 1,
  });
}
for (const label of ["a", "b"]) {
  let n = 0;
  const t0 = performance.now();
  for (let i = 0; i < 200000; i++)
    n += (await store.matchSubscriptions(`t${i % 1000}`, `res${i % 100}.created`)).length;
  console.log(label, "match µs/call", ((performance.now() - t0) * 1000) / 200000, n / 200000);
}
let t0 = performance.now();
for (let i = 0; i < 200000; i++) eventTypeKeys(`res${i % 100}.created`);
console.log("keys µs", ((performance.now() - t0) * 1000) / 200000);
t0 = performance.now();
for (let i = 0; i < 200000; i++) await Promise.resolve(1);
console.log("await µs", ((performance.now() - t0) * 1000) / 200000);

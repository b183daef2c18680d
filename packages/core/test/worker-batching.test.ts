/**
 * The worker's coalesced store calls and its own attempt limit: what a queue that hands over several
 * deliveries at once (BullMQ message jobs) relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryStore } from "../src/store/memory.ts";
import type { ClaimedDelivery, ClaimOptions, Store } from "../src/store/types.ts";
import { createPipeline } from "./support/pipeline.ts";
import { type Receiver, startReceiver } from "./support/receiver.ts";
import { subscriptionRow } from "./support/subscription.ts";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

/** The memory store with `claimDeliveriesContext` composed from the general methods; counts its calls. */
function withContextClaims(store: Store): Store & { claimCalls: string[][] } {
  const claimCalls: string[][] = [];
  async function claimDeliveriesContext(ids: readonly string[], opts: ClaimOptions) {
    claimCalls.push([...ids]);
    const out: ClaimedDelivery[] = [];
    for (const id of ids) {
      const delivery = await store.claimDelivery(id, opts);
      if (delivery === null) continue;
      out.push({
        delivery,
        subscription: await store.getSubscription(delivery.tenant, delivery.subscriptionId),
        message: await store.getMessage(delivery.tenant, delivery.messageId),
      });
    }
    return out;
  }
  return Object.assign(Object.create(store) as Store, { claimDeliveriesContext, claimCalls });
}

async function settledAll(store: Store, tenant: string, ids: readonly string[]) {
  for (let i = 0; i < 400; i++) {
    const rows = await Promise.all(ids.map((id) => store.getDelivery(tenant, id)));
    if (rows.every((d) => d?.status === "succeeded" || d?.status === "failed")) return rows;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("deliveries did not settle");
}

describe("worker: deliveries handed over together", () => {
  it("claims them in one store call and attempts no more at once than maxInFlight", async () => {
    const store = withContextClaims(memoryStore());
    for (let i = 0; i < 5; i++) {
      await store.createSubscription(subscriptionRow({ url: `${receiver.url}/s${i}`, eventTypes: ["*"] }));
    }
    let inFlight = 0;
    let most = 0;
    receiver.respond = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      return 204;
    };
    const p = createPipeline(store, { maxInFlight: 2 });
    const { deliveries } = await p.emit({ type: "order.created", tenant: "t1", data: { n: 1 } });
    expect(deliveries).toHaveLength(5);
    // What a BullMQ message job does: every delivery handed to the worker in the same tick.
    await Promise.all(
      deliveries.map((d) =>
        p.handle({ deliveryId: d.id, tenant: d.tenant, subscriptionId: d.subscriptionId, runAt: new Date() }),
      ),
    );
    const rows = await settledAll(
      store,
      "t1",
      deliveries.map((d) => d.id),
    );
    expect(rows.map((d) => d?.status)).toEqual(Array(5).fill("succeeded"));
    expect(store.claimCalls).toEqual([deliveries.map((d) => d.id)]);
    expect(most).toBe(2);
    await p.close();
  });

  it("gives one claim to one of two jobs of the same delivery in one batch", async () => {
    const store = withContextClaims(memoryStore());
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/one`, eventTypes: ["*"] }));
    receiver.respond = () => 204;
    const before = receiver.received.length;
    const p = createPipeline(store);
    const { deliveries } = await p.emit({ type: "order.created", tenant: "t1", data: {} });
    const d = deliveries[0]!;
    const job = { deliveryId: d.id, tenant: d.tenant, subscriptionId: d.subscriptionId, runAt: new Date() };
    await Promise.all([p.handle(job), p.handle(job)]);
    await settledAll(store, "t1", [d.id]);
    expect(store.claimCalls).toEqual([[d.id]]);
    expect(receiver.received.length - before).toBe(1);
    expect(await store.listAttempts("t1", d.id)).toHaveLength(1);
    await p.close();
  });

  it("hands back a claimed delivery whose lease ran low while it waited, without attempting it", async () => {
    const store = withContextClaims(memoryStore());
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/late`, eventTypes: ["*"] }));
    const before = receiver.received.length;
    // A lease of 1 s that must have 2 s left: every claim is handed back at once.
    const p = createPipeline(store, { leaseMs: 1000, minLeaseLeftMs: 2000 });
    const { deliveries } = await p.emit({ type: "order.created", tenant: "t1", data: {} });
    const d = deliveries[0]!;
    await p.handle({
      deliveryId: d.id,
      tenant: d.tenant,
      subscriptionId: d.subscriptionId,
      runAt: new Date(),
    });
    const row = await store.getDelivery("t1", d.id);
    expect(row).toMatchObject({
      status: "pending",
      attempts: 0,
      lastError: "lease_expiring",
      leaseUntil: null,
    });
    expect(receiver.received.length - before).toBe(0);
    expect(await store.listAttempts("t1", d.id)).toEqual([]);
    await p.close();
  });
});

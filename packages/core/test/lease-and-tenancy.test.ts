/**
 * Two delivery rules found by review: a worker whose lease was taken over records nothing (fencing), and
 * endpoint limits / circuit state belong to one tenant's subscription even when ids repeat across tenants.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryEndpointGuard } from "../src/delivery/policy/endpoint-guard.ts";
import { HooklineError } from "../src/errors.ts";
import { createHookline } from "../src/hookline.ts";
import { memoryStore } from "../src/store/memory.ts";
import { createPipeline } from "./support/pipeline.ts";
import { type Receiver, startReceiver } from "./support/receiver.ts";
import { subscriptionRow } from "./support/subscription.ts";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe("lease fencing", () => {
  it("does not record an attempt, nor change the delivery, when another worker took the lease over", async () => {
    const store = memoryStore();
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/fenced` }));
    const pipeline = createPipeline(store);
    const { deliveries } = await pipeline.emit({ type: "invoice.paid", tenant: "t1", data: {} });
    const id = deliveries[0]!.id;
    const t0 = new Date();
    const stale = await store.claimDelivery(id, { now: t0, leaseMs: 100 });
    const current = await store.claimDelivery(id, { now: new Date(t0.getTime() + 200), leaseMs: 60_000 });
    expect(stale && current).toBeTruthy();

    const before = receiver.received.length;
    await pipeline.handle({
      deliveryId: id,
      tenant: "t1",
      subscriptionId: stale!.subscriptionId,
      runAt: t0,
      leased: stale!,
    });
    expect(receiver.received.length).toBe(before + 1); // the request went out before the lease was checked…
    expect(await store.listAttempts("t1", id)).toEqual([]); // …but nothing of it was recorded
    const after = await store.getDelivery("t1", id);
    expect(after).toMatchObject({ status: "delivering", attempts: 0 });
    expect(after!.leaseUntil).toEqual(current!.leaseUntil);
  });

  it("refuses a lease shorter than the request timeout", () => {
    expect(() => createHookline({ delivery: { leaseMs: 1_000, timeoutMs: 5_000 } })).toThrow(/leaseMs/);
    try {
      createHookline({ delivery: { leaseMs: 1_000, timeoutMs: 5_000 } });
    } catch (err) {
      expect(HooklineError.is(err, "bad_request")).toBe(true);
    }
  });
});

describe("endpoint guard keys are per tenant", () => {
  it("a failing endpoint of tenant A does not open the circuit of tenant B's subscription with the same id", async () => {
    const webhooks = createHookline({
      subscriptions: { allowClientIds: true },
      delivery: {
        ssrf: { allow: ["127.0.0.1"] },
        guard: memoryEndpointGuard({ failureThreshold: 1, cooldownMs: 60_000 }),
        retrySchedule: [0, 60_000],
      },
    });
    receiver.respond = (req) => (req.url === "/tenant-a" ? 500 : 204);
    await webhooks.subscriptions.create("a", {
      id: "hook",
      url: `${receiver.url}/tenant-a`,
      eventTypes: ["*"],
    });
    await webhooks.subscriptions.create("b", {
      id: "hook",
      url: `${receiver.url}/tenant-b`,
      eventTypes: ["*"],
    });
    await webhooks.start();
    const settled = async (tenant: string, deliveryId: string) => {
      for (let i = 0; i < 300; i++) {
        const d = await webhooks.deliveries.get(tenant, deliveryId);
        if (d.attempts > 0 || d.lastError === "circuit_open") return d;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error("no attempt");
    };
    const a = await webhooks.emit({ tenant: "a", type: "x.y", data: {} });
    expect((await settled("a", a.deliveries[0]!.id)).lastStatus).toBe(500); // A's circuit is now open
    const b = await webhooks.emit({ tenant: "b", type: "x.y", data: {} });
    const delivered = await settled("b", b.deliveries[0]!.id);
    expect(delivered.lastError).not.toBe("circuit_open");
    expect(delivered.status).toBe("succeeded");
    await webhooks.close();
    receiver.respond = () => 200;
  });
});

/**
 * The worker and the store-backed queue over stand-in seams: emit → queue → worker → HTTP → attempt.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OperationalHooks } from "../src/contracts.ts";
import { createRetryPolicy, DEFAULT_RETRY_SCHEDULE } from "../src/delivery/policy/retry.ts";
import type { EndpointGuard } from "../src/delivery/types.ts";
import { REDACTED } from "../src/model/validate.ts";
import { memoryStore } from "../src/store/memory.ts";
import type { Store } from "../src/store/types.ts";
import { createPipeline } from "./support/pipeline.ts";
import { type Receiver, startReceiver } from "./support/receiver.ts";
import { subscriptionRow } from "./support/subscription.ts";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
  receiver.received.length = 0;
  receiver.respond = () => 200;
  clock.offset = 0;
});

/** A clock the test can move forward; every component shares it. */
const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };

async function pipeline(
  store: Store,
  hooks: OperationalHooks = {},
  batchWindowMs = 0,
  guard?: EndpointGuard,
) {
  const p = createPipeline(store, { hooks, batchWindowMs, now: clock.now, guard });
  await p.start();
  running.push(p.close);
  return { emitter: p, disabled: p.disabled };
}

async function settled(store: Store, tenant: string, deliveryId: string) {
  for (let i = 0; i < 400; i++) {
    const d = await store.getDelivery(tenant, deliveryId);
    if (d && (d.status === "succeeded" || d.status === "failed")) return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`delivery ${deliveryId} did not settle`);
}

describe("delivery worker over the store queue", () => {
  it("delivers a signed POST and records the attempt with the signature redacted", async () => {
    const store = memoryStore();
    const sub = await store.createSubscription(subscriptionRow({ url: `${receiver.url}/hook` }));
    const { emitter } = await pipeline(store);
    const result = await emitter.emit({ type: "invoice.paid", tenant: "t1", data: { amount: 5 } });
    expect(result.deliveries).toHaveLength(1);
    const [req] = await receiver.waitFor(1);
    const wh = new Webhook(sub.secrets[0]!.value);
    const payload = wh.verify(req!.body.toString(), req!.headers as Record<string, string>) as {
      data: unknown;
    };
    expect(payload.data).toEqual({ amount: 5 });
    expect(req!.headers["webhook-id"]).toBe(result.message.id);
    const delivery = await settled(store, "t1", result.deliveries[0]!.id);
    expect(delivery.status).toBe("succeeded");
    const attempts = await store.listAttempts("t1", delivery.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.status).toBe(200);
    expect(attempts[0]!.requestHeaders["webhook-signature"]).toBe(REDACTED);
    expect(attempts[0]!.requestHeaders["webhook-id"]).toBe(result.message.id);
  });

  it("retries on 500 with the same message id and a fresh signature, then succeeds", async () => {
    const store = memoryStore();
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/hook` }));
    receiver.respond = (_req, i) => {
      clock.offset += 2000; // the next attempt happens in a later second: its timestamp must differ
      return i < 2 ? 500 : 200;
    };
    const failed: boolean[] = [];
    const { emitter } = await pipeline(store, { "delivery.failed": (e) => void failed.push(e.willRetry) });
    const result = await emitter.emit({ type: "a.b", tenant: "t1", data: 1 });
    const delivery = await settled(store, "t1", result.deliveries[0]!.id);
    expect(delivery.status).toBe("succeeded");
    expect(delivery.attempts).toBe(3);
    const reqs = receiver.received;
    expect(new Set(reqs.map((r) => r.headers["webhook-id"]))).toEqual(new Set([result.message.id]));
    expect(new Set(reqs.map((r) => r.headers["webhook-timestamp"])).size).toBe(3);
    expect(new Set(reqs.map((r) => r.headers["webhook-signature"])).size).toBe(3);
    expect(failed).toEqual([true, true]);
    const attempts = await store.listAttempts("t1", delivery.id);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect((await store.getSubscription("t1", delivery.subscriptionId))?.failingSince).toBeNull();
  });

  it("410 fails the delivery and disables the subscription; hook errors never break delivery", async () => {
    const store = memoryStore();
    const sub = await store.createSubscription(subscriptionRow({ url: `${receiver.url}/gone` }));
    receiver.respond = () => 410;
    const seen: string[] = [];
    const { emitter, disabled } = await pipeline(store, {
      "subscription.disabled": (e) => void seen.push(e.reason),
      "delivery.failed": () => {
        throw new Error("hook bug");
      },
    });
    const result = await emitter.emit({ type: "a.b", tenant: "t1", data: 1 });
    const delivery = await settled(store, "t1", result.deliveries[0]!.id);
    expect(delivery.status).toBe("failed");
    expect(disabled).toEqual([sub.id]);
    expect(seen).toEqual(["gone"]);
    expect((await store.getSubscription("t1", sub.id))?.status).toBe("disabled");
  });

  it("qos 0 makes exactly one attempt", async () => {
    const store = memoryStore();
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/q0`, qos: 0 }));
    receiver.respond = () => 500;
    const { emitter } = await pipeline(store);
    const result = await emitter.emit({ type: "a.b", tenant: "t1", data: 1 });
    const delivery = await settled(store, "t1", result.deliveries[0]!.id);
    expect(delivery.status).toBe("failed");
    expect(await store.listAttempts("t1", delivery.id)).toHaveLength(1);
    expect((await store.getSubscription("t1", delivery.subscriptionId))?.failingSince).toBeInstanceOf(Date);
  });

  it("emit is idempotent on (tenant, id)", async () => {
    const store = memoryStore();
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/idem` }));
    const { emitter } = await pipeline(store);
    const first = await emitter.emit({ id: "msg_1", type: "a.b", tenant: "t1", data: 1 });
    const second = await emitter.emit({ id: "msg_1", type: "a.b", tenant: "t1", data: 2 });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.deliveries).toEqual([]);
    await settled(store, "t1", first.deliveries[0]!.id);
    const page = await store.listDeliveries("t1", { messageId: "msg_1", limit: 10 });
    expect(page.items).toHaveLength(1);
  });

  it("merges deliveries of one event type to an idSetAccepted subscription into one request", async () => {
    const store = memoryStore();
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/ids`, idSetAccepted: true }));
    const { emitter } = await pipeline(store, {}, 200);
    const results = await Promise.all(
      [1, 2, 3].map((i) => emitter.emit({ type: "product.deleted", tenant: "t1", data: { id: i } })),
    );
    const deliveries = await Promise.all(results.map((r) => settled(store, "t1", r.deliveries[0]!.id)));
    expect(deliveries.map((d) => d.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body.toString())).toHaveLength(3);
  });

  it("a guard refusal re-schedules at retryAt without counting an attempt; circuit_opened fires once", async () => {
    const store = memoryStore();
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/guarded` }));
    let refusals = 0;
    const reasons: string[] = [];
    const guard: EndpointGuard = {
      async acquire() {
        if (refusals < 2) {
          refusals++;
          return { ok: false, retryAt: new Date(clock.now().getTime() + 20), reason: "circuit_open" };
        }
        return { ok: true, release: async () => {} };
      },
      async record() {},
    };
    const opened: Date[] = [];
    const { emitter } = await pipeline(
      store,
      { "endpoint.circuit_opened": (e) => void opened.push(e.until) },
      0,
      {
        ...guard,
        async acquire(id, limits) {
          const r = await guard.acquire(id, limits);
          if (!r.ok) reasons.push(r.reason);
          return r;
        },
      },
    );
    const result = await emitter.emit({ type: "a.b", tenant: "t1", data: 1 });
    const delivery = await settled(store, "t1", result.deliveries[0]!.id);
    expect(reasons).toEqual(["circuit_open", "circuit_open"]);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(opened).toHaveLength(2); // two distinct open windows (different retryAt)
    expect(await store.listAttempts("t1", delivery.id)).toHaveLength(1);
  });

  it("abandons deliveries of a deleted subscription and parks those of a paused one", async () => {
    const store = memoryStore();
    const gone = await store.createSubscription(subscriptionRow({ url: `${receiver.url}/deleted` }));
    const paused = await store.createSubscription(
      subscriptionRow({ url: `${receiver.url}/paused`, eventTypes: ["p.*"] }),
    );
    const exhausted: Array<string | null> = [];
    const p = createPipeline(store, {
      hooks: { "delivery.exhausted": (e) => void exhausted.push(e.delivery.lastError) },
    });
    running.push(p.close);
    await store.updateSubscription("t1", paused.id, { status: "paused" });
    // The delivery is written, then its subscription is deleted before any worker runs.
    const deleted = await p.emit({ type: "a.b", tenant: "t1", data: 1 });
    await store.deleteSubscription("t1", gone.id);
    await p.start();
    const abandoned = await settled(store, "t1", deleted.deliveries[0]!.id);
    expect(abandoned).toMatchObject({ status: "failed", attempts: 0, lastError: "subscription_deleted" });
    expect(exhausted).toEqual(["subscription_deleted"]);

    // Aimed at the paused subscription (as send-test or replay do): written, then parked by the worker.
    const parkedEmit = await p.emit({ type: "p.q", tenant: "t1", data: 1 }, { subscriptionId: paused.id });
    for (let i = 0; i < 200; i++) {
      const d = await store.getDelivery("t1", parkedEmit.deliveries[0]!.id);
      if (d?.lastError === "subscription_paused") break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const parked = await store.getDelivery("t1", parkedEmit.deliveries[0]!.id);
    expect(parked).toMatchObject({ status: "pending", attempts: 0, lastError: "subscription_paused" });
    expect(parked!.nextAttemptAt!.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(receiver.received).toHaveLength(0);
  });

  it("follows the retry schedule on a fake clock: immediately, then +5 s, then +5 min", async () => {
    const store = memoryStore();
    await store.createSubscription(subscriptionRow({ url: `${receiver.url}/schedule` }));
    receiver.respond = (_r, i) => (i < 2 ? 500 : 200);
    const p = createPipeline(store, {
      now: clock.now,
      decideRetry: createRetryPolicy({ jitter: 0 }),
      retrySchedule: DEFAULT_RETRY_SCHEDULE,
    });
    running.push(p.close);
    await p.start();
    const { deliveries } = await p.emit({ type: "a.b", tenant: "t1", data: 1 });
    const id = deliveries[0]!.id;
    const waitAttempts = async (n: number) => {
      for (let i = 0; i < 500; i++) {
        const d = await store.getDelivery("t1", id);
        if (d && d.attempts >= n && d.status !== "delivering") return d;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`no attempt ${n}`);
    };
    const gaps: number[] = [];
    for (const delay of [5_000, 300_000]) {
      const before = await waitAttempts(gaps.length + 1);
      const attempts = await store.listAttempts("t1", id);
      const last = attempts[attempts.length - 1]!;
      gaps.push(before.nextAttemptAt!.getTime() - last.startedAt.getTime());
      expect(receiver.received).toHaveLength(gaps.length); // nothing runs before the clock moves
      clock.offset += delay;
    }
    const done = await waitAttempts(3);
    expect(done.status).toBe("succeeded");
    // Each gap is its step of the schedule (plus the attempt's own duration), never the next step.
    expect(gaps[0]).toBeGreaterThanOrEqual(5_000);
    expect(gaps[0]).toBeLessThan(300_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(300_000);
    expect(gaps[1]).toBeLessThan(1_800_000);
  });

  it("signs with every live secret and drops expired ones", async () => {
    const store = memoryStore();
    const at = new Date();
    const secret = (n: number) => `whsec_${Buffer.alloc(24, n).toString("base64")}`;
    await store.createSubscription(
      subscriptionRow({
        url: `${receiver.url}/rotating`,
        secrets: [
          { id: "s3", value: secret(3), createdAt: at, expiresAt: null },
          { id: "s2", value: secret(2), createdAt: at, expiresAt: new Date(at.getTime() + 3600_000) },
          { id: "s1", value: secret(1), createdAt: at, expiresAt: new Date(at.getTime() - 1000) },
        ],
      }),
    );
    const { emitter } = await pipeline(store);
    await emitter.emit({ type: "a.b", tenant: "t1", data: 1 });
    const [req] = await receiver.waitFor(1);
    const headers = req!.headers as Record<string, string>;
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const live of [secret(3), secret(2)]) {
      expect(() => new Webhook(live).verify(req!.body.toString(), headers)).not.toThrow();
    }
    expect(() => new Webhook(secret(1)).verify(req!.body.toString(), headers)).toThrow();
  });
});

/**
 * createHookline() end to end with the real pieces (store, subscription service, renderer, signing, undici
 * client with the SSRF guard allow-listing 127.0.0.1, retry policy) against real HTTP receivers on loopback.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { OperationalEvents } from "../src/contracts.ts";
import { HooklineError } from "../src/errors.ts";
import type { Delivery } from "../src/model/types.ts";
import { REDACTED } from "../src/model/validate.ts";
import { bearerAuth } from "../src/router/auth.ts";
import { memoryStore } from "../src/store/memory.ts";
import type { Store } from "../src/store/types.ts";
import { deliveryWhen, isFinal, useLoopbackHookline } from "./support/loopback-hookline.ts";

const { receiver, make } = useLoopbackHookline();

/** Waits (bounded) until the delivery is final. */
const settled = (store: Store, d: Delivery) => deliveryWhen(store, d, isFinal);

describe("createHookline", () => {
  it("emit → signed POST verified by standardwebhooks → attempt recorded", async () => {
    const hookline = make();
    const sub = await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/in`,
      eventTypes: ["invoice.*"],
    });
    await hookline.start();
    const { message, deliveries } = await hookline.emit({
      type: "invoice.paid",
      tenant: "acme",
      data: { id: "in_1" },
    });
    expect(deliveries).toHaveLength(1);
    const [req] = await receiver.waitFor(1);
    const verified = new Webhook(sub.secrets[0]!.value).verify(
      req!.body.toString(),
      req!.headers as Record<string, string>,
    ) as { type: string; data: unknown };
    expect(verified).toMatchObject({ type: "invoice.paid", data: { id: "in_1" } });
    expect(req!.headers["webhook-id"]).toBe(message.id);
    const done = await settled(hookline.store, deliveries[0]!);
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, lastStatus: 200 });
    const attempts = await hookline.deliveries.attempts("acme", done.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 200, errorKind: null, number: 1, method: "POST" });
    expect(attempts[0]!.requestHeaders["webhook-signature"]).toBe(REDACTED);
  });

  it("retries a 500 with the same message id, each attempt signed, then succeeds", async () => {
    const hookline = make();
    const sub = await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/flaky`,
      eventTypes: ["*"],
    });
    receiver.respond = (_r, i) => (i < 2 ? 500 : 200);
    await hookline.start();
    const { message, deliveries } = await hookline.emit({ type: "a.b", tenant: "acme", data: {} });
    const done = await settled(hookline.store, deliveries[0]!);
    expect(done).toMatchObject({ status: "succeeded", attempts: 3 });
    const wh = new Webhook(sub.secrets[0]!.value);
    for (const r of receiver.received) {
      expect(r.headers["webhook-id"]).toBe(message.id);
      expect(() => wh.verify(r.body.toString(), r.headers as Record<string, string>)).not.toThrow();
    }
    const attempts = await hookline.deliveries.attempts("acme", done.id);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect((await hookline.subscriptions.get("acme", sub.id)).failingSince).toBeNull();
  });

  it("410 Gone disables the subscription and fires the hooks", async () => {
    const events: Array<keyof OperationalEvents> = [];
    const hookline = make({
      hooks: {
        "delivery.failed": () => void events.push("delivery.failed"),
        "delivery.exhausted": () => void events.push("delivery.exhausted"),
        "subscription.disabled": () => void events.push("subscription.disabled"),
      },
    });
    const sub = await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/gone`,
      eventTypes: ["*"],
    });
    receiver.respond = () => 410;
    await hookline.start();
    const { deliveries } = await hookline.emit({ type: "a.b", tenant: "acme", data: {} });
    expect((await settled(hookline.store, deliveries[0]!)).status).toBe("failed");
    for (let i = 0; i < 100 && !events.includes("subscription.disabled"); i++)
      await new Promise((r) => setTimeout(r, 10));
    const after = await hookline.subscriptions.get("acme", sub.id);
    expect(after.status).toBe("disabled");
    expect(after.disabledReason).toBe("gone");
    expect(events).toEqual(["delivery.failed", "delivery.exhausted", "subscription.disabled"]);
    // A disabled subscription matches nothing.
    expect((await hookline.emit({ type: "a.b", tenant: "acme", data: {} })).deliveries).toEqual([]);
  });

  it("quality of service 0 makes one attempt", async () => {
    const hookline = make();
    await hookline.subscriptions.create("acme", { url: `${receiver.url}/q0`, eventTypes: ["*"], qos: 0 });
    receiver.respond = () => 500;
    await hookline.start();
    const { deliveries } = await hookline.emit({ type: "a.b", tenant: "acme", data: {} });
    const done = await settled(hookline.store, deliveries[0]!);
    expect(done).toMatchObject({ status: "failed", attempts: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it("emit is idempotent per (tenant, id) and validates payloads against the catalog", async () => {
    const hookline = make({
      catalog: {
        types: { "invoice.paid": { schema: z.object({ id: z.string() }), example: { id: "in_x" } } },
      },
    });
    await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/idem`,
      eventTypes: ["invoice.paid"],
    });
    const first = await hookline.emit({
      id: "evt_1",
      type: "invoice.paid",
      tenant: "acme",
      data: { id: "a" },
    });
    const again = await hookline.emit({
      id: "evt_1",
      type: "invoice.paid",
      tenant: "acme",
      data: { id: "a" },
    });
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, deliveries: [] });
    const other = await hookline.emit({
      id: "evt_1",
      type: "invoice.paid",
      tenant: "globex",
      data: { id: "a" },
    });
    expect(other.duplicate).toBe(false);
    const bad = await hookline
      .emit({ type: "invoice.paid", tenant: "acme", data: { id: 5 } })
      .catch((e) => e);
    expect(HooklineError.is(bad, "validation_failed")).toBe(true);
    expect((await hookline.deliveries.list("acme")).items).toHaveLength(1);
  });

  it("close() finishes in-flight attempts and leaves the rest in the store; a new instance finishes", async () => {
    const store = memoryStore();
    const first = make({ store, delivery: { concurrency: 1 } });
    await first.subscriptions.create("acme", { url: `${receiver.url}/slow`, eventTypes: ["*"] });
    let releaseFirst: () => void = () => {};
    const gate = new Promise<void>((r) => {
      releaseFirst = r;
    });
    receiver.respond = async (_r, i) => {
      if (i === 0) await gate; // the first attempt is in flight while close() runs
      return 200;
    };
    await first.start();
    const emitted = [];
    for (let i = 0; i < 5; i++) emitted.push(await first.emit({ type: "a.b", tenant: "acme", data: { i } }));
    await receiver.waitFor(1);
    const closing = first.close({ timeoutMs: 5000 });
    setTimeout(releaseFirst, 20);
    await closing;
    expect(receiver.received).toHaveLength(1);
    const rows = await Promise.all(emitted.map((e) => store.getDelivery("acme", e.deliveries[0]!.id)));
    // The in-flight attempt finished and was recorded; nothing else was started or left leased.
    expect(rows.map((d) => d?.status)).toEqual(["succeeded", "pending", "pending", "pending", "pending"]);

    const second = make({ store });
    await second.start();
    for (const e of emitted) expect((await settled(store, e.deliveries[0]!)).status).toBe("succeeded");
    await expect(first.emit({ type: "a.b", tenant: "acme", data: {} })).rejects.toMatchObject({
      code: "closed",
    });
  });

  it("a producer-only instance writes deliveries and sends nothing", async () => {
    const hookline = make();
    await hookline.subscriptions.create("acme", { url: `${receiver.url}/p`, eventTypes: ["*"] });
    await hookline.start({ role: "producer" });
    const { deliveries } = await hookline.emit({ type: "a.b", tenant: "acme", data: {} });
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(0);
    expect((await hookline.deliveries.get("acme", deliveries[0]!.id)).status).toBe("pending");
    expect(await hookline.queue.depth()).toBe(1);
  });

  it("writes inside the host's transaction and leaves waking the queue to schedule() after commit", async () => {
    const base = memoryStore();
    const joined: unknown[] = [];
    const store: Store = {
      ...base,
      capabilities: { ...base.capabilities, hostTransactions: true },
      withHostTransaction(hostTx) {
        joined.push(hostTx);
        return base;
      },
    };
    const scheduled: string[] = [];
    const hookline = make({ store });
    const schedule = hookline.queue.schedule;
    hookline.queue.schedule = async (jobs) => {
      scheduled.push(...jobs.map((j) => j.deliveryId));
      return schedule(jobs);
    };
    await hookline.subscriptions.create("acme", { url: `${receiver.url}/tx`, eventTypes: ["*"] });
    const hostTx = { id: "host-tx" };
    const result = await hookline.emit({ type: "a.b", tenant: "acme", data: {} }, { tx: hostTx });
    expect(joined).toEqual([hostTx]);
    expect(result.deliveries).toHaveLength(1);
    expect(scheduled).toEqual([]); // the host has not committed yet
    await hookline.schedule(result);
    expect(scheduled).toEqual([result.deliveries[0]!.id]);
  });

  it("refuses a host transaction the store cannot join", async () => {
    const hookline = make();
    const error = await hookline.emit({ type: "a.b", tenant: "acme", data: {} }, { tx: {} }).catch((e) => e);
    expect(HooklineError.is(error, "unsupported")).toBe(true);
  });

  it("serves the subscription API: a subscription created over fetch() receives emitted events", async () => {
    const hookline = make({
      api: { auth: bearerAuth({ resolve: (token) => (token === "tok-acme" ? "acme" : null) }) },
    });
    const auth = { authorization: "Bearer tok-acme", "content-type": "application/json" };
    const created = await hookline.fetch(
      new Request("http://api.test/subscriptions", {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ url: `${receiver.url}/api`, eventTypes: ["order.*"] }),
      }),
    );
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; secret: string };
    const denied = await hookline.fetch(
      new Request("http://api.test/subscriptions", { headers: { authorization: "Bearer nope" } }),
    );
    expect(denied.status).toBe(401);
    await hookline.start();
    const { message } = await hookline.emit({ type: "order.created", tenant: "acme", data: { n: 1 } });
    const [req] = await receiver.waitFor(1);
    expect(req!.url).toBe("/api");
    expect(() =>
      new Webhook(body.secret).verify(req!.body.toString(), req!.headers as Record<string, string>),
    ).not.toThrow();
    expect(req!.headers["webhook-id"]).toBe(message.id);
  });

  it("without an API, fetch() answers 404 problem+json", async () => {
    const res = await make().fetch(new Request("http://x/subscriptions"));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("DeliveryService", () => {
  it("retries one delivery, recovers failed ones, sends a test event and replays a message", async () => {
    const hookline = make({
      catalog: { types: { "invoice.paid": { example: { id: "in_example" } } } },
    });
    const sub = await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/svc`,
      eventTypes: ["invoice.*"],
      qos: 0,
    });
    receiver.respond = () => 500;
    await hookline.start();
    const emitted = await hookline.emit({ type: "invoice.paid", tenant: "acme", data: { id: "in_1" } });
    const failed = await settled(hookline.store, emitted.deliveries[0]!);
    expect(failed.status).toBe("failed");

    receiver.respond = () => 200;
    const retried = await hookline.deliveries.retry("acme", failed.id);
    expect(retried.id).toBe(failed.id);
    expect((await settled(hookline.store, retried)).status).toBe("succeeded");
    expect(await hookline.deliveries.attempts("acme", failed.id)).toHaveLength(2);

    receiver.respond = () => 500;
    const second = await hookline.emit({ type: "invoice.paid", tenant: "acme", data: { id: "in_2" } });
    await settled(hookline.store, second.deliveries[0]!);
    receiver.respond = () => 200;
    expect(await hookline.deliveries.recover("acme", { since: new Date(0) })).toBe(1);
    expect((await settled(hookline.store, second.deliveries[0]!)).status).toBe("succeeded");

    const test = await hookline.deliveries.sendTest("acme", sub.id);
    expect(test.message.data).toEqual({ id: "in_example" });
    expect((await settled(hookline.store, test.deliveries[0]!)).status).toBe("succeeded");

    const replayed = await hookline.deliveries.replay("acme", emitted.message.id);
    expect(replayed).toHaveLength(1);
    expect(replayed[0]!.messageId).toBe(emitted.message.id);
    expect((await settled(hookline.store, replayed[0]!)).status).toBe("succeeded");
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(ids.filter((id) => id === emitted.message.id).length).toBeGreaterThanOrEqual(3);

    await expect(hookline.deliveries.get("globex", failed.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(hookline.deliveries.replay("acme", "nope")).rejects.toMatchObject({ code: "not_found" });
  });
});

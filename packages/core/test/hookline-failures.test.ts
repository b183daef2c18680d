/**
 * createHookline() against misbehaving receivers on loopback: redirects, Retry-After, timeouts, connection
 * resets, SSRF-refused targets, and id-set batching through the real renderer.
 */
import { describe, expect, it } from "vitest";
import { memoryEndpointGuard } from "../src/delivery/policy/endpoint-guard.ts";
import { HooklineError } from "../src/errors.ts";
import { createHookline, type Hookline } from "../src/hookline.ts";
import { deliveryWhen, isFinal, useLoopbackHookline } from "./support/loopback-hookline.ts";
import { subscriptionRow } from "./support/subscription.ts";

let releaseHung: () => void = () => {};
const { receiver, make, track } = useLoopbackHookline({ beforeReset: () => releaseHung() });

async function deliverOnce(hookline: Hookline, path: string, qos: 0 | 1 = 0) {
  await hookline.subscriptions.create("acme", { url: `${receiver.url}${path}`, eventTypes: ["*"], qos });
  await hookline.start();
  const { deliveries } = await hookline.emit({ type: "a.b", tenant: "acme", data: {} });
  return deliveries[0]!;
}

describe("delivery failures", () => {
  it("never follows a redirect: a 3xx is a failed attempt", async () => {
    const hookline = make();
    receiver.respond = () => ({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    const delivery = await deliveryWhen(hookline.store, await deliverOnce(hookline, "/moved"), isFinal);
    expect(delivery.status).toBe("failed");
    expect(receiver.received.map((r) => r.url)).toEqual(["/moved"]);
    const [attempt] = await hookline.deliveries.attempts("acme", delivery.id);
    expect(attempt!.status).toBe(302);
  });

  it("honours Retry-After on a 429: the next attempt is scheduled no sooner", async () => {
    const hookline = make();
    receiver.respond = () => ({ status: 429, headers: { "retry-after": "120" } });
    const emitted = await deliverOnce(hookline, "/busy", 1);
    const delivery = await deliveryWhen(
      hookline.store,
      emitted,
      (d) => d.attempts === 1 && d.status === "pending",
    );
    const [attempt] = await hookline.deliveries.attempts("acme", delivery.id);
    expect(delivery.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(attempt!.startedAt.getTime() + 120_000);
    expect(delivery.lastStatus).toBe(429);
  });

  it("times out a receiver that never answers", async () => {
    const hookline = make({ delivery: { timeoutMs: 200 } });
    const hung = new Promise<void>((r) => {
      releaseHung = r;
    });
    receiver.respond = async () => {
      await hung;
      return 200;
    };
    const delivery = await deliveryWhen(hookline.store, await deliverOnce(hookline, "/hang"), isFinal);
    const [attempt] = await hookline.deliveries.attempts("acme", delivery.id);
    expect(attempt).toMatchObject({ status: null, errorKind: "timeout" });
  });

  it("records a connection reset", async () => {
    const hookline = make();
    receiver.respond = () => "reset";
    const delivery = await deliveryWhen(hookline.store, await deliverOnce(hookline, "/reset"), isFinal);
    const [attempt] = await hookline.deliveries.attempts("acme", delivery.id);
    expect(attempt).toMatchObject({ status: null, errorKind: "reset" });
  });

  it("refuses loopback targets unless allow-listed, at subscribe time and at delivery time", async () => {
    const strict = track(createHookline());
    const error = await strict.subscriptions
      .create("acme", { url: `${receiver.url}/x`, eventTypes: ["*"] })
      .catch((e: unknown) => e);
    expect(HooklineError.is(error, "validation_failed")).toBe(true);
    expect((error as HooklineError).issues[0]).toMatchObject({ field: "url", code: "ssrf_blocked" });

    // A row written before the guard was tightened is refused at connect time, every attempt.
    const row = await strict.store.createSubscription(
      subscriptionRow({ tenant: "acme", url: `${receiver.url}/x` }),
    );
    await strict.start();
    const { deliveries } = await strict.emit({ type: "a.b", tenant: "acme", data: {} });
    expect(deliveries.map((d) => d.subscriptionId)).toEqual([row.id]);
    const delivery = await deliveryWhen(strict.store, deliveries[0]!, isFinal);
    expect(delivery.status).toBe("failed");
    const [attempt] = await strict.deliveries.attempts("acme", delivery.id);
    expect(attempt!.errorKind).toBe("ssrf_blocked");
    expect(receiver.received).toHaveLength(0);
  });

  it("records a request that cannot be rendered as a failed attempt and sends nothing", async () => {
    const hookline = make();
    await hookline.store.createSubscription(
      subscriptionRow({
        tenant: "acme",
        url: `${receiver.url}/r`,
        bodyTemplate: '{"x": "${no-such-variable}"}',
      }),
    );
    await hookline.start();
    const { deliveries } = await hookline.emit({ type: "a.b", tenant: "acme", data: {} });
    const delivery = await deliveryWhen(hookline.store, deliveries[0]!, isFinal);
    expect(delivery.status).toBe("failed");
    const [attempt] = await hookline.deliveries.attempts("acme", delivery.id);
    expect(attempt).toMatchObject({ errorKind: "render", status: null });
    expect(attempt!.error).toContain("no-such-variable");
    expect(receiver.received).toHaveLength(0);
  });

  it("merges deliveries to an idSetAccepted subscription into one request carrying the id set", async () => {
    const hookline = make({ delivery: { batchWindowMs: 100 } });
    await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/ids/\${resource-type}/\${resource-id}`,
      method: "GET",
      eventTypes: ["product"],
      idSetAccepted: true,
    });
    await hookline.start();
    const results = await Promise.all(
      ["1", "2", "3"].map((id) =>
        hookline.emit({ type: "product.deleted", tenant: "acme", resourceId: id, data: { id } }),
      ),
    );
    const deliveries = await Promise.all(
      results.map((r) => deliveryWhen(hookline.store, r.deliveries[0]!, isFinal)),
    );
    expect(deliveries.map((d) => d.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.method).toBe("GET");
    expect(receiver.received[0]!.url).toMatch(/^\/ids\/product\/[123](,|%2C)[123](,|%2C)[123]$/);
  });
});

describe("endpoint health", () => {
  it("enforces a subscription's concurrency limit", async () => {
    const hookline = make({ delivery: { guard: memoryEndpointGuard({ concurrencyRetryMs: 10 }) } });
    await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/one`,
      eventTypes: ["*"],
      concurrency: 1,
    });
    let active = 0;
    let peak = 0;
    receiver.respond = async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 15));
      active--;
      return 200;
    };
    await hookline.start();
    const emitted = await Promise.all(
      [1, 2, 3, 4].map((i) => hookline.emit({ type: "a.b", tenant: "acme", data: { i } })),
    );
    for (const e of emitted)
      expect((await deliveryWhen(hookline.store, e.deliveries[0]!, isFinal)).status).toBe("succeeded");
    expect(peak).toBe(1);
    // Waiting for the slot is not an attempt.
    for (const e of emitted)
      expect(await hookline.deliveries.attempts("acme", e.deliveries[0]!.id)).toHaveLength(1);
  });

  it("opens the circuit after consecutive failures: a dead endpoint stops receiving requests", async () => {
    const opened: string[] = [];
    const hookline = make({
      delivery: { concurrency: 1 },
      hooks: { "endpoint.circuit_opened": (e) => void opened.push(e.subscription.id) },
    });
    const sub = await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/dead`,
      eventTypes: ["*"],
      qos: 0,
    });
    receiver.respond = () => 500;
    await hookline.start();
    const emitted = [];
    for (let i = 0; i < 8; i++)
      emitted.push(await hookline.emit({ type: "a.b", tenant: "acme", data: { i } }));
    const rows = await Promise.all(
      emitted.map((e) =>
        deliveryWhen(
          hookline.store,
          e.deliveries[0]!,
          (d) => d.status === "failed" || d.lastError === "circuit_open",
        ),
      ),
    );
    const parked = rows.filter((d) => d.status === "pending");
    expect(receiver.received.length).toBe(8 - parked.length);
    expect(parked.length).toBeGreaterThan(0);
    expect(parked.every((d) => d.attempts === 0 && d.nextAttemptAt! > new Date())).toBe(true);
    expect(opened).toEqual([sub.id]);
  });

  it("disables a subscription that keeps failing past the window, with the reason recorded", async () => {
    const disabled: string[] = [];
    const hookline = make({
      delivery: { retryPolicy: { disableAfterMs: 1 } },
      hooks: { "subscription.disabled": (e) => void disabled.push(e.reason) },
    });
    const sub = await hookline.subscriptions.create("acme", {
      url: `${receiver.url}/down`,
      eventTypes: ["*"],
    });
    receiver.respond = () => 500;
    await hookline.start();
    const { deliveries } = await hookline.emit({ type: "a.b", tenant: "acme", data: {} });
    const delivery = await deliveryWhen(hookline.store, deliveries[0]!, isFinal);
    expect(delivery).toMatchObject({ status: "failed", attempts: 2 });
    const after = await hookline.subscriptions.get("acme", sub.id);
    expect(after).toMatchObject({ status: "disabled", disabledReason: "failing" });
    expect(disabled).toEqual(["failing"]);
  });
});

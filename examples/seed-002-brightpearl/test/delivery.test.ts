/**
 * Seed 002 deliveries end to end: the document's webhooks are registered through the real server (their
 * `uriTemplate` pointed at a loopback receiver), then `emit()` → POST deliveries rendered from `bodyTemplate`,
 * GET deliveries to the expanded `uriTemplate`, resource-level `subscribeTo`, quality of service 0 and 1,
 * and id sets.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../../support/receiver.ts";
import {
  type BrightpearlServer,
  type BrightpearlServerOptions,
  startBrightpearlServer,
} from "../src/server.ts";

let receiver: TestReceiver;
let callback: string;
let app: BrightpearlServer | undefined;

beforeEach(async () => {
  receiver = await startReceiver((path) => (path.startsWith("/fail") ? 500 : 200));
  callback = receiver.url;
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await receiver.close();
});

async function start(opts: Partial<BrightpearlServerOptions> = {}): Promise<BrightpearlServer> {
  app = await startBrightpearlServer({
    databasePath: ":memory:",
    tokens: { "token-acme": "acme" },
    // The receiver is on loopback (allow-listed); a short id-set window and retry schedule keep tests fast.
    delivery: { ssrf: { allow: ["127.0.0.1"] }, batchWindowMs: 20, retrySchedule: [0, 10, 10] },
    ...opts,
  });
  return app;
}

/** The document's webhook registration: `POST …/integration-service/webhook` → `{response: {...}}`. */
async function register(hook: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${app!.url}/public-api/acme/integration-service/webhook`, {
    method: "POST",
    headers: { "brightpearl-account-token": "token-acme", "content-type": "application/json" },
    body: JSON.stringify(hook),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { response: { id: number } }).response.id;
}

/**
 * The two id-set webhooks: a GET to the expanded callback URI for `product.deleted` (quality of service 1)
 * and a POST of {@link BODY_TEMPLATE} for every `product` event (quality of service 0).
 */
async function registerCallbackAndResource(): Promise<void> {
  await register({
    subscribeTo: "product.deleted",
    httpMethod: "GET",
    uriTemplate: `${callback}/callback/\${account-code}/\${resource-type}/\${resource-id}/\${lifecycle-event}`,
    idSetAccepted: true,
    qualityOfService: 1,
  });
  await register({
    subscribeTo: "product",
    httpMethod: "POST",
    uriTemplate: `${callback}/resource`,
    bodyTemplate: BODY_TEMPLATE,
    contentType: "application/json",
    idSetAccepted: true,
    qualityOfService: 0,
  });
}

/** Waits (bounded) until the receiver has `count` requests whose path starts with `prefix`. */
async function arrivals(prefix: string, count: number): Promise<ReceivedRequest[]> {
  const matching = await receiver.arrivals((r) => r.path.startsWith(prefix), count);
  expect(matching).toHaveLength(count);
  return matching;
}

/** Waits (bounded) until a delivery is final, and returns its attempts. */
async function finalAttempts(deliveryId: string) {
  for (let i = 0; i < 300; i++) {
    const delivery = await app!.webhooks.deliveries.get("acme", deliveryId);
    if (delivery.status === "succeeded" || delivery.status === "failed")
      return { delivery, attempts: await app!.webhooks.deliveries.attempts("acme", deliveryId) };
    await sleep(10);
  }
  throw new Error(`delivery ${deliveryId} did not finish`);
}

const BODY_TEMPLATE =
  '{"accountCode": "${account-code}", "resourceType": "${resource-type}", "id": "${resource-id}", "lifecycleEvent": "${lifecycle-event}" }';

describe("seed 002 (Brightpearl) deliveries", () => {
  it("POST with bodyTemplate + contentType: the rendered template is the body (webhook 2 of Example 1)", async () => {
    await start();
    await register({
      subscribeTo: "goods-out-note",
      httpMethod: "POST",
      uriTemplate: `${callback}/callback`,
      bodyTemplate:
        '{"accountCode": "${account-code}", "resourceType": "${resource-type}", "id": "${resource-id}", "lifecycleEvent": "${lifecycle-event}", "fullEvent": "${full-event}" }',
      contentType: "application/json",
      idSetAccepted: true,
      qualityOfService: 1,
    });
    const data = { warehouse: 2, note: 'quoted "text"' };
    const { message } = await app!.webhooks.emit({
      type: "goods-out-note.created",
      tenant: "acme",
      resourceId: "1234",
      data,
    });

    const [delivery] = await arrivals("/callback", 1);
    expect(delivery!.method).toBe("POST");
    expect(delivery!.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(delivery!.raw.toString()) as Record<string, string>;
    expect(body).toEqual({
      accountCode: "acme",
      resourceType: "goods-out-note",
      id: "1234",
      lifecycleEvent: "created",
      fullEvent: expect.any(String),
    });
    // `${full-event}` sits inside a JSON string: the event's JSON, escaped so the body stays valid JSON.
    expect(JSON.parse(body["fullEvent"]!)).toEqual({
      accountCode: "acme",
      resourceType: "goods-out-note",
      id: "1234",
      lifecycleEvent: "created",
      raisedOn: message.timestamp.toISOString(),
      data,
    });
    expect(delivery!.headers).not.toHaveProperty("x-hub-signature-256");
  });

  it("GET to the expanded uriTemplate with no body; subscribeTo at resource level gets product.deleted", async () => {
    await start();
    await registerCallbackAndResource();

    const deleted = await app!.webhooks.emit({
      type: "product.deleted",
      tenant: "acme",
      resourceId: "1001",
      data: {},
    });
    expect(deleted.deliveries).toHaveLength(2);
    const [get] = await arrivals("/callback", 1);
    expect(get!.method).toBe("GET");
    expect(get!.path).toBe("/callback/acme/product/1001/deleted");
    expect(get!.raw.toString()).toBe("");
    expect(get!.headers).not.toHaveProperty("content-type");
    const [post] = await arrivals("/resource", 1);
    expect(JSON.parse(post!.raw.toString())).toEqual({
      accountCode: "acme",
      resourceType: "product",
      id: "1001",
      lifecycleEvent: "deleted",
    });

    // Lifecycle level: `product.deleted` does not receive `product.created`; resource level does.
    const created = await app!.webhooks.emit({
      type: "product.created",
      tenant: "acme",
      resourceId: "1002",
      data: {},
    });
    expect(created.deliveries).toHaveLength(1);
    await arrivals("/resource", 2);
    expect(receiver.received.filter((r) => r.path.startsWith("/callback"))).toHaveLength(1);
  });

  it("qualityOfService 0 makes exactly one attempt on a 500; 1 is retried on the schedule", async () => {
    await start();
    for (const qos of [0, 1]) {
      await register({
        subscribeTo: "product",
        httpMethod: "POST",
        uriTemplate: `${callback}/fail/qos${qos}`,
        bodyTemplate: BODY_TEMPLATE,
        contentType: "application/json",
        idSetAccepted: false,
        qualityOfService: qos,
      });
    }
    const { deliveries } = await app!.webhooks.emit({
      type: "product.modified",
      tenant: "acme",
      resourceId: "7",
      data: {},
    });
    expect(deliveries).toHaveLength(2);
    const outcomes = await Promise.all(deliveries.map((d) => finalAttempts(d.id)));
    const byUrl = Object.fromEntries(outcomes.map((o) => [new URL(o.attempts[0]!.url).pathname, o]));

    const once = byUrl["/fail/qos0"]!;
    expect(once.delivery.status).toBe("failed");
    expect(once.attempts.map((a) => a.status)).toEqual([500]);
    expect(receiver.received.filter((r) => r.path === "/fail/qos0")).toHaveLength(1);

    // Retry schedule [0, 10, 10] ms: three attempts, then failed.
    const retried = byUrl["/fail/qos1"]!;
    expect(retried.delivery.status).toBe("failed");
    expect(retried.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(receiver.received.filter((r) => r.path === "/fail/qos1")).toHaveLength(3);
  });

  it("idSetAccepted: events of one type within the batch window arrive as ONE request with the id set", async () => {
    // Events are recorded before delivering starts, so all three are due inside one batch window.
    await start({
      deliver: false,
      delivery: { ssrf: { allow: ["127.0.0.1"] }, batchWindowMs: 200, retrySchedule: [0] },
    });
    await registerCallbackAndResource();
    const deliveryIds: string[] = [];
    for (const id of ["1", "2", "3"]) {
      const r = await app!.webhooks.emit({
        type: "product.deleted",
        tenant: "acme",
        resourceId: id,
        data: {},
      });
      deliveryIds.push(...r.deliveries.map((d) => d.id));
    }
    expect(deliveryIds).toHaveLength(6);
    await app!.webhooks.start();

    const [get] = await arrivals("/callback", 1);
    const [, , , , idSet, lifecycle] = get!.path.split("/");
    expect(idSet!.split(",").sort()).toEqual(["1", "2", "3"]);
    expect(lifecycle).toBe("deleted");
    const [post] = await arrivals("/resource", 1);
    const body = JSON.parse(post!.raw.toString()) as { id: string };
    expect(body.id.split(",").sort()).toEqual(["1", "2", "3"]);
    expect(body).toMatchObject({ accountCode: "acme", resourceType: "product", lifecycleEvent: "deleted" });
    // All six deliveries succeeded, by those two requests alone.
    for (const id of deliveryIds) expect((await finalAttempts(id)).delivery.status).toBe("succeeded");
    expect(receiver.received).toHaveLength(2);
  });
});

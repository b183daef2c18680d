/**
 * Seed 003 deliveries end to end: the document's `POST /api/v3/webhooks` requests through the real server,
 * then `emit()` → a POST of `{id, eventType, timestamp, data}` to a loopback receiver, signed
 * `X-Hub-Signature-256: sha256=<hex>` with the webhook's secret, and unsigned for a webhook without one.
 */
import { hubSignature, verifyWebhook } from "@hookline/core";
import { verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../../support/receiver.ts";
import { type GireServer, startGireServer } from "../src/server.ts";

let receiver: TestReceiver;
let app: GireServer;
/** The document's example webhook: both events, secret "supersecret". */
let signedId: string;

beforeAll(async () => {
  receiver = await startReceiver();
  app = await startGireServer({
    databasePath: ":memory:",
    tokens: { "token-company": "company-1" },
    // The receiver is on loopback, which the SSRF guard refuses unless allow-listed.
    delivery: { ssrf: { allow: ["127.0.0.1"] } },
  });
  signedId = (
    await createWebhook({
      callbackUrl: `${receiver.url}/signed`,
      enabledEvents: ["pud:status_update", "pud:price_update"],
      secret: "supersecret",
    })
  ).id;
});

afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

/** The document's "Create a webhook" request. */
async function createWebhook(body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await fetch(`${app.url}/api/v3/webhooks`, {
    method: "POST",
    headers: { "x-api-token": "token-company", "content-type": "application/json", accept: "*/*" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

/** Waits (bounded) for the request on `path` that carries message `messageId`. */
async function arrival(path: string, messageId: string): Promise<ReceivedRequest> {
  const [found] = await receiver.arrivals(
    (r) => r.path === path && r.raw.toString("utf8").includes(messageId),
    1,
  );
  if (found === undefined) throw new Error(`no delivery of ${messageId} on ${path}`);
  return found;
}

const PUD = "f0bdb31f-b243-4f5f-90d7-440f1897d681";
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("seed 003 (Gire) deliveries", () => {
  it("POSTs {id, eventType, timestamp, data}, signed X-Hub-Signature-256 with the secret", async () => {
    const data = {
      pudId: PUD,
      referenceNumber: "ref-number",
      prevStatus: "pre_trip_inspection",
      newStatus: "in_progress",
    };
    const { message } = await app.webhooks.emit({ type: "pud:status_update", tenant: "company-1", data });

    const delivery = await arrival("/signed", message.id);
    expect(delivery.method).toBe("POST");
    expect(delivery.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(delivery.raw.toString("utf8")) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["id", "eventType", "timestamp", "data"]);
    expect(body).toEqual({
      id: message.id,
      eventType: "pud:status_update",
      timestamp: expect.stringMatching(ISO_MS),
      data,
    });
    expect(body["timestamp"]).toBe(message.timestamp.toISOString());

    const signature = delivery.headers["x-hub-signature-256"];
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    // Verified as a GitHub-style receiver would, and with hookline's own verifier.
    expect(await verify("supersecret", delivery.raw.toString("utf8"), signature as string)).toBe(true);
    expect(await verify("othersecret", delivery.raw.toString("utf8"), signature as string)).toBe(false);
    expect(() =>
      verifyWebhook(delivery.headers, delivery.raw, { scheme: hubSignature(), secrets: ["supersecret"] }),
    ).not.toThrow();
    const tampered = Buffer.from(delivery.raw.toString("utf8").replace("in_progress", "cancelled"));
    expect(() =>
      verifyWebhook(delivery.headers, tampered, { scheme: hubSignature(), secrets: ["supersecret"] }),
    ).toThrow();
  });

  it("a webhook created without a secret gets unsigned deliveries; enabledEvents filter", async () => {
    const { id: unsignedId } = await createWebhook({
      callbackUrl: `${receiver.url}/unsigned`,
      enabledEvents: ["pud:price_update"],
    });
    const status = await app.webhooks.emit({
      type: "pud:status_update",
      tenant: "company-1",
      data: { pudId: PUD, referenceNumber: null, prevStatus: "in_progress", newStatus: "completed" },
    });
    // Only the signed webhook subscribes to status updates.
    expect(status.deliveries.map((d) => d.subscriptionId)).toEqual([signedId]);

    const data = { pudId: PUD, referenceNumber: null, prevPrice: 429, newPrice: 529 };
    const price = await app.webhooks.emit({ type: "pud:price_update", tenant: "company-1", data });
    expect(price.deliveries.map((d) => d.subscriptionId).sort()).toEqual([signedId, unsignedId].sort());

    const unsigned = await arrival("/unsigned", price.message.id);
    expect(unsigned.headers).not.toHaveProperty("x-hub-signature-256");
    expect(JSON.parse(unsigned.raw.toString("utf8"))).toEqual({
      id: price.message.id,
      eventType: "pud:price_update",
      timestamp: price.message.timestamp.toISOString(),
      data,
    });

    const signed = await arrival("/signed", price.message.id);
    expect(signed.raw.equals(unsigned.raw)).toBe(true);
    expect(
      await verify(
        "supersecret",
        signed.raw.toString("utf8"),
        signed.headers["x-hub-signature-256"] as string,
      ),
    ).toBe(true);
  });
});

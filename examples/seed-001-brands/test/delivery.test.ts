/**
 * Seed 001 deliveries end to end: the document's `POST /brands/:id/webhooks` through the real server, then
 * `emit()` → a POST to a loopback receiver carrying an HMAC-SHA256 signature of the raw body made with the
 * webhook's 64-hex `key`; after `DELETE /brands/:id/webhooks/:wid` (soft delete) the webhook gets nothing.
 *
 * Interpretation: the document says "an HMAC-SHA256 signature in the headers" without naming the header;
 * this app sends `X-Signature: <lower-case hex>` (`brandSigning` in `src/api.ts`).
 */
import { createHmac } from "node:crypto";
import { verifyWebhook } from "@hookline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../../support/receiver.ts";
import { brandSigning } from "../src/api.ts";
import { type BrandServer, startBrandServer } from "../src/server.ts";

const BRAND = "8929cf8b-6bcc-484a-a7a6-242eaf70cb7a";
let receiver: TestReceiver;
let app: BrandServer;

beforeAll(async () => {
  receiver = await startReceiver();
  app = await startBrandServer({
    databasePath: ":memory:",
    brands: [BRAND],
    // The receiver is on loopback, which the SSRF guard refuses unless allow-listed.
    delivery: { ssrf: { allow: ["127.0.0.1"] } },
  });
});

afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? (JSON.parse(text) as { data: { id: string; key: string } }) : null,
  };
}

/** Waits (bounded) until the receiver has `count` requests on `path`. */
async function arrivals(path: string, count: number): Promise<ReceivedRequest[]> {
  const matching = await receiver.arrivals((r) => r.path === path, count);
  expect(matching).toHaveLength(count);
  return matching;
}

describe("seed 001 (brand webhooks) deliveries", () => {
  it("signs every delivery with HMAC-SHA256 of the raw body under the webhook's key; soft delete stops them", async () => {
    const first = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: "Showings",
      url: `${receiver.url}/a`,
    });
    const second = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: "Showings",
      url: `${receiver.url}/b`,
    });
    expect(first.status).toBe(200);
    const { id: wid, key } = first.json!.data;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(second.json!.data.key).not.toBe(key);

    const data = { showing_id: "s-1", starts_at: 1774173334 };
    const { message } = await app.webhooks.emit({ type: "Showings", tenant: BRAND, data });
    const [delivery] = await arrivals("/a", 1);
    expect(JSON.parse(delivery!.raw.toString("utf8"))).toEqual({
      id: message.id,
      topic: "Showings",
      brand: BRAND,
      created_at: message.timestamp.getTime() / 1000,
      data,
    });
    // What a receiver computes: hex HMAC-SHA256 of the raw body, keyed with the `key` string.
    const expected = createHmac("sha256", key).update(delivery!.raw).digest("hex");
    expect(delivery!.headers["x-signature"]).toBe(expected);
    expect(() =>
      verifyWebhook(delivery!.headers, delivery!.raw, { scheme: brandSigning, secrets: [key] }),
    ).not.toThrow();
    // The other webhook's delivery is signed with its own key, not this one.
    const [other] = await arrivals("/b", 1);
    expect(() =>
      verifyWebhook(other!.headers, other!.raw, { scheme: brandSigning, secrets: [key] }),
    ).toThrow();

    const deleted = await call("DELETE", `/brands/${BRAND}/webhooks/${wid}`);
    expect(deleted.status).toBe(204);
    const after = await app.webhooks.emit({ type: "Showings", tenant: BRAND, data: { showing_id: "s-2" } });
    // Only the live webhook matches; once its delivery is in, the deleted one still has just the first.
    expect(after.deliveries.map((d) => d.subscriptionId)).toEqual([second.json!.data.id]);
    await arrivals("/b", 2);
    expect(receiver.received.filter((r) => r.path === "/a")).toHaveLength(1);
  });

  it("delivers only the webhook's topic", async () => {
    await call("POST", `/brands/${BRAND}/webhooks`, { topic: "Deals", url: `${receiver.url}/deals` });
    const contacts = await app.webhooks.emit({
      type: "Contacts",
      tenant: BRAND,
      data: { contact_id: "c-1" },
    });
    expect(contacts.deliveries).toEqual([]);
    const deals = await app.webhooks.emit({ type: "Deals", tenant: BRAND, data: { deal_id: "d-1" } });
    expect(deals.deliveries).toHaveLength(1);
    const [delivery] = await arrivals("/deals", 1);
    expect(JSON.parse(delivery!.raw.toString("utf8"))).toMatchObject({
      topic: "Deals",
      data: { deal_id: "d-1" },
    });
  });
});

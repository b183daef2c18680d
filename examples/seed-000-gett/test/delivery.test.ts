/**
 * Seed 000 deliveries end to end: the document's `POST /v1/subscribers?businessId=…` (bearer token,
 * `event_types` as a string) through the real server, then `emit()` → a JSON POST to the `hook_address`
 * carrying the subscriber's `secret_id` verification token, for the subscribed event types only.
 *
 * Interpretation: the document does not name the token's header; this app sends `X-Secret-Id: <secret_id>`.
 */
import { verifyWebhook } from "@hookline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../../support/receiver.ts";
import { type GettServer, gettSigning, startGettServer } from "../src/server.ts";

const COMPANY = "6aa6cf6e-3c41-4f0e-9b8e-0d1a2b3c4d5e";
const NANOS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
let receiver: TestReceiver;
let app: GettServer;

beforeAll(async () => {
  receiver = await startReceiver();
  app = await startGettServer({
    databasePath: ":memory:",
    tokens: { "token-company": COMPANY },
    // The receiver is on loopback, which the SSRF guard refuses unless allow-listed.
    delivery: { ssrf: { allow: ["127.0.0.1"] } },
  });
});

afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

/** The document's request: `curl --request POST --url '…/v1/subscribers?businessId=[company_uuid]' …`. */
async function subscribe(
  hookAddress: string,
  eventTypes: string,
): Promise<{ id: string; secret_id: string }> {
  const res = await fetch(`${app.url}/v1/subscribers?businessId=${COMPANY}`, {
    method: "POST",
    headers: {
      accept: "application/json",
      authorization: "Bearer token-company",
      "content-type": "application/json",
    },
    body: JSON.stringify({ hook_address: hookAddress, event_types: eventTypes }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; secret_id: string };
}

/** Waits (bounded) until the receiver has `count` requests on `path`. */
async function arrivals(path: string, count: number): Promise<ReceivedRequest[]> {
  const matching = await receiver.arrivals((r) => r.path === path, count);
  expect(matching).toHaveLength(count);
  return matching;
}

describe("seed 000 (Gett) deliveries", () => {
  it("event_types 'business_report' gets business_report events, with its secret_id token, not status_changed", async () => {
    const reports = await subscribe(`${receiver.url}/reports`, "business_report");
    const statuses = await subscribe(`${receiver.url}/statuses`, "status_changed");
    expect(reports.secret_id).not.toBe(statuses.secret_id);

    const changed = await app.webhooks.emit({
      type: "status_changed",
      tenant: COMPANY,
      data: { order_id: "1234", status: "Completed" },
    });
    expect(changed.deliveries.map((d) => d.subscriptionId)).toEqual([statuses.id]);
    const data = { report_id: "r-1" };
    const report = await app.webhooks.emit({ type: "business_report", tenant: COMPANY, data });
    expect(report.deliveries.map((d) => d.subscriptionId)).toEqual([reports.id]);

    const [delivery] = await arrivals("/reports", 1);
    expect(delivery!.headers["x-secret-id"]).toBe(reports.secret_id);
    expect(() =>
      verifyWebhook(delivery!.headers, delivery!.raw, { scheme: gettSigning, secrets: [reports.secret_id] }),
    ).not.toThrow();
    expect(() =>
      verifyWebhook(delivery!.headers, delivery!.raw, { scheme: gettSigning, secrets: [statuses.secret_id] }),
    ).toThrow();
    const body = JSON.parse(delivery!.raw.toString("utf8")) as Record<string, unknown>;
    expect(body).toEqual({
      id: report.message.id,
      event_type: "business_report",
      business_id: COMPANY,
      created_at: expect.stringMatching(NANOS),
      data,
    });
    expect(new Date(body["created_at"] as string).getTime()).toBe(report.message.timestamp.getTime());

    const [status] = await arrivals("/statuses", 1);
    expect(status!.headers["x-secret-id"]).toBe(statuses.secret_id);
    expect(JSON.parse(status!.raw.toString("utf8"))).toMatchObject({ event_type: "status_changed" });
    expect(receiver.received.filter((r) => r.path === "/reports")).toHaveLength(1);
  });
});

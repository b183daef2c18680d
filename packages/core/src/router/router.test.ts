import { describe, expect, it } from "vitest";
import type { Attempt } from "../model/types.ts";
import { TEST_KEYS, testApp } from "./test-support.ts";

const A = { "x-api-key": "key-a" };
const B = { "x-api-key": "key-b" };
const OWN_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const input = { url: "https://example.com/hook", eventTypes: ["invoice.paid"] };

describe("createRouter: subscription routes (default codec)", () => {
  it("creates (201), gets, lists with total and cursor, and filters", async () => {
    const { call } = testApp();
    const created = await call("POST", "/subscriptions", { body: input, headers: A });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/json");
    expect(created.json).toMatchObject({
      url: "https://example.com/hook",
      eventTypes: ["invoice.paid"],
      method: "POST",
      status: "active",
    });
    expect(created.json["createdAt"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof created.json["secret"]).toBe("string");
    const id = created.json["id"] as string;

    const got = await call("GET", `/subscriptions/${id}`, { headers: A });
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json);

    await call("POST", "/subscriptions", { body: { ...input, eventTypes: ["invoice.voided"] }, headers: A });
    await call("POST", "/subscriptions", { body: input, headers: A });
    const page1 = await call("GET", "/subscriptions?limit=2", { headers: A });
    expect(page1.status).toBe(200);
    expect(page1.json["data"]).toHaveLength(2);
    expect(page1.json["total"]).toBe(3);
    const cursor = page1.json["nextCursor"] as string;
    expect(cursor).toBeTruthy();
    expect(page1.headers.get("link")).toContain(`cursor=${encodeURIComponent(cursor)}`);
    const page2 = await call("GET", `/subscriptions?limit=2&cursor=${encodeURIComponent(cursor)}`, {
      headers: A,
    });
    expect(page2.json["data"]).toHaveLength(1);
    expect(page2.json["nextCursor"]).toBeNull();

    const filtered = await call("GET", "/subscriptions?eventType=invoice.voided", { headers: A });
    expect((filtered.json["data"] as unknown[]).length).toBe(1);
    expect(filtered.json["total"]).toBe(1);
  });

  it("updates (PATCH only the given fields), replaces (PUT resets the rest), deletes (204)", async () => {
    const { call } = testApp();
    const { json } = await call("POST", "/subscriptions", {
      body: { ...input, description: "first", metadata: { team: "billing" } },
      headers: A,
    });
    const id = json["id"] as string;
    const patched = await call("PATCH", `/subscriptions/${id}`, {
      body: { description: "second" },
      headers: A,
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ description: "second", metadata: { team: "billing" } });

    const replaced = await call("PUT", `/subscriptions/${id}`, {
      body: { url: "https://example.com/other", eventTypes: ["invoice.voided"] },
      headers: A,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({
      url: "https://example.com/other",
      description: null,
      metadata: {},
    });

    const deleted = await call("DELETE", `/subscriptions/${id}`, { headers: A });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await call("GET", `/subscriptions/${id}`, { headers: A })).status).toBe(404);
  });

  it("serves id sets and falls back to one object for a single id", async () => {
    const { call } = testApp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await call("POST", "/subscriptions", { body: input, headers: A })).json["id"] as string);
    }
    const set = await call("GET", `/subscriptions/${ids[2]},${ids[0]}`, { headers: A });
    expect(set.status).toBe(200);
    expect((set.json["data"] as { id: string }[]).map((s) => s.id)).toEqual([ids[2], ids[0]]);
    const bad = await call("GET", `/subscriptions/${ids[0]},,x`, { headers: A });
    expect(bad.status).toBe(400);
  });

  it("rotates the secret, pauses and resumes", async () => {
    const { call } = testApp();
    const { json } = await call("POST", "/subscriptions", { body: input, headers: A });
    const id = json["id"] as string;
    const rotated = await call("POST", `/subscriptions/${id}/rotate-secret`, { headers: A });
    expect(rotated.status).toBe(200);
    expect(rotated.json["secret"]).not.toBe(json["secret"]);
    const supplied = await call("POST", `/subscriptions/${id}/rotate-secret`, {
      body: { secret: OWN_SECRET, graceMs: 1000 },
      headers: A,
    });
    expect(supplied.status).toBe(200);
    expect(supplied.json["secret"]).toBe(OWN_SECRET);
    const invalid = await call("POST", `/subscriptions/${id}/rotate-secret`, {
      body: { secret: "short" },
      headers: A,
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json["errors"]).toEqual([expect.objectContaining({ field: "secret" })]);
    expect((await call("POST", `/subscriptions/${id}/pause`, { headers: A })).json["status"]).toBe("paused");
    const paused = await call("GET", "/subscriptions?status=paused", { headers: A });
    expect(paused.json["total"]).toBe(1);
    expect((await call("POST", `/subscriptions/${id}/resume`, { headers: A })).json["status"]).toBe("active");
  });

  it("sends a test event, lists deliveries and attempts, retries one, recovers failed ones", async () => {
    const { call, store } = testApp();
    const { json } = await call("POST", "/subscriptions", { body: input, headers: A });
    const id = json["id"] as string;
    const sent = await call("POST", `/subscriptions/${id}/test`, {
      body: { data: { hello: 1 } },
      headers: A,
    });
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({ eventType: "invoice.paid" });
    const [deliveryId] = sent.json["deliveryIds"] as string[];

    const list = await call("GET", `/subscriptions/${id}/deliveries?status=pending`, { headers: A });
    expect(list.status).toBe(200);
    expect(list.json["data"]).toEqual([expect.objectContaining({ id: deliveryId, status: "pending" })]);

    const delivery = (await store.getDelivery("tenant-a", deliveryId!))!;
    const attempt: Attempt = {
      id: "att-1",
      tenant: "tenant-a",
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      subscriptionId: id,
      number: 1,
      url: input.url,
      method: "POST",
      requestHeaders: {},
      status: 500,
      responseBody: "oops",
      responseHeaders: {},
      durationMs: 12,
      errorKind: "http_status",
      error: null,
      startedAt: new Date("2026-01-01T00:00:00.000Z"),
    };
    await store.insertAttempt(attempt);
    await store.updateDelivery("tenant-a", delivery.id, { status: "failed", completedAt: new Date() });
    const attempts = await call("GET", `/deliveries/${deliveryId}/attempts`, { headers: A });
    expect(attempts.json["data"]).toEqual([
      expect.objectContaining({ id: "att-1", number: 1, status: 500, startedAt: "2026-01-01T00:00:00.000Z" }),
    ]);

    const recovered = await call("POST", `/subscriptions/${id}/recover`, {
      body: { since: new Date(Date.now() - 60_000).toISOString() },
      headers: A,
    });
    expect(recovered.status).toBe(202);
    expect(recovered.json).toEqual({ count: 1 });

    const retried = await call("POST", `/deliveries/${deliveryId}/retry`, { headers: A });
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ id: deliveryId, status: "pending" });

    expect((await call("GET", `/deliveries/${deliveryId}/attempts`, { headers: B })).status).toBe(404);
    expect((await call("POST", `/deliveries/${deliveryId}/retry`, { headers: B })).status).toBe(404);
  });

  it("lists the event catalog", async () => {
    const { call } = testApp();
    const res = await call("GET", "/event-types", { headers: A });
    expect(res.status).toBe(200);
    expect(res.json["data"]).toEqual([
      expect.objectContaining({ name: "invoice.paid", description: "An invoice was paid" }),
      expect.objectContaining({ name: "invoice.voided" }),
    ]);
  });

  it("honours basePath, route overrides and disabled routes", async () => {
    const { call } = testApp({
      basePath: "/v1",
      routes: { create: "/hooks", list: { path: "/hooks" }, get: "/hooks/:hookId", delete: false },
    });
    const created = await call("POST", "/v1/hooks", { body: input, headers: A });
    expect(created.status).toBe(201);
    const id = created.json["id"] as string;
    expect(created.headers.get("location")).toBe(`hooks/${id}`);
    expect((await call("GET", `/v1/hooks/${id}`, { headers: A })).status).toBe(200);
    expect((await call("GET", "/subscriptions", { headers: A })).status).toBe(404);
    const del = await call("DELETE", `/v1/hooks/${id}`, { headers: A });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("createRouter: auth and tenant isolation", () => {
  it("answers 401 problem+json without credentials or with an unknown key", async () => {
    const { call } = testApp();
    for (const headers of [{}, { "x-api-key": "nope" }] as Record<string, string>[]) {
      const res = await call("GET", "/subscriptions", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.json).toMatchObject({ status: 401, code: "unauthorized", title: "Unauthorized" });
    }
  });

  it("never shows, changes or reveals another tenant's subscription (404, not 403)", async () => {
    const { call } = testApp();
    expect(Object.values(TEST_KEYS)).toEqual(["tenant-a", "tenant-b"]);
    const { json } = await call("POST", "/subscriptions", { body: input, headers: A });
    const id = json["id"] as string;
    const attempts = [
      call("GET", `/subscriptions/${id}`, { headers: B }),
      call("PATCH", `/subscriptions/${id}`, { body: { description: "x" }, headers: B }),
      call("PUT", `/subscriptions/${id}`, { body: input, headers: B }),
      call("DELETE", `/subscriptions/${id}`, { headers: B }),
      call("POST", `/subscriptions/${id}/pause`, { headers: B }),
      call("POST", `/subscriptions/${id}/rotate-secret`, { headers: B }),
      call("POST", `/subscriptions/${id}/test`, { headers: B }),
      call("GET", `/subscriptions/${id}/deliveries`, { headers: B }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(404);
    expect((await call("GET", `/subscriptions/${id},${id}`, { headers: B })).json["data"]).toEqual([]);
    expect((await call("GET", "/subscriptions", { headers: B })).json["total"]).toBe(0);
    const mine = await call("GET", `/subscriptions/${id}`, { headers: A });
    expect(mine.json).toEqual(json);
  });
});

describe("createRouter: OpenAPI", () => {
  it("serves a 3.1 document of exactly the configured routes", async () => {
    const { call } = testApp({
      routes: { replace: false },
      openapi: { title: "Acme hooks", version: "2.0.0" },
    });
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ openapi: "3.1.0", info: { title: "Acme hooks", version: "2.0.0" } });
    const paths = res.json["paths"] as Record<string, Record<string, { operationId: string }>>;
    expect(paths["/subscriptions/{id}"]!["put"]).toBeUndefined();
    expect(paths["/subscriptions/{id}"]!["patch"]!.operationId).toBe("update");
    expect(paths["/subscriptions"]!["post"]).toMatchObject({ responses: { "201": expect.anything() } });
    expect(Object.keys(paths)).toContain("/deliveries/{id}/attempts");
  });

  it("is not served when disabled", async () => {
    const { call } = testApp({ openapi: false });
    expect((await call("GET", "/openapi.json")).status).toBe(404);
  });
});

describe("createRouter: configuration", () => {
  it("refuses a bad body limit and a route without its parameter", () => {
    expect(() => testApp({ bodyLimitBytes: 0 })).toThrow(/bodyLimitBytes/);
    expect(() => testApp({ routes: { get: "/subscriptions/one" } })).toThrow(/needs a path parameter/);
  });
});

import { describe, expect, it } from "vitest";
import type { Store } from "../store/types.ts";
import { defineCodec } from "./codec-define.ts";
import { openApiDocument } from "./openapi.ts";
import { testApp } from "./test-support.ts";

const A = { "x-api-key": "key-a" };
const input = { url: "https://example.com/hook", eventTypes: ["invoice.paid"] };
const withIds = defineCodec({ name: "client-ids", ids: { clientSupplied: true } });
const allow = { subscriptions: { allowClientIds: true } };

async function stored(store: Store): Promise<string[]> {
  const page = await store.listSubscriptions("tenant-a", { limit: 100 });
  return page.items.map((s) => s.id).sort();
}

describe("createRouter: client-supplied ids", () => {
  it("creates with the client's id and points Location at it (percent-encoded)", async () => {
    const { call } = testApp({ codec: withIds }, allow);
    const res = await call("POST", "/subscriptions", {
      body: { ...input, id: "team:billing.1" },
      headers: A,
    });
    expect(res.status).toBe(201);
    expect(res.json["id"]).toBe("team:billing.1");
    expect(res.headers.get("location")).toBe("subscriptions/team%3Abilling.1");
    const resolved = new URL(res.headers.get("location")!, "http://test/subscriptions").pathname;
    expect((await call("GET", resolved, { headers: A })).json).toEqual(res.json);
    const generated = await call("POST", "/subscriptions", { body: input, headers: A });
    expect(generated.status).toBe(201);
    expect(generated.json["id"]).not.toBe("team:billing.1");
  });

  it("answers a duplicate id with 409 conflict naming id, storing nothing", async () => {
    const { call, store } = testApp({ codec: withIds }, allow);
    await call("POST", "/subscriptions", { body: { ...input, id: "sub-1" }, headers: A });
    const before = await stored(store);
    const res = await call("POST", "/subscriptions", {
      body: { ...input, id: "sub-1", description: "second" },
      headers: A,
    });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.json).toMatchObject({ status: 409, code: "conflict", title: "Conflict" });
    expect(res.json["errors"]).toEqual([expect.objectContaining({ field: "id", code: "duplicate" })]);
    expect(await stored(store)).toEqual(before);
    expect((await call("GET", "/subscriptions/sub-1", { headers: A })).json["description"]).toBeNull();
  });

  it("refuses malformed ids with a 422 naming id, storing nothing", async () => {
    const { call, store } = testApp({ codec: withIds }, allow);
    for (const id of ["-leading-dash", "", "has space", "x".repeat(200), 42, null, ["a"]]) {
      const res = await call("POST", "/subscriptions", { body: { ...input, id }, headers: A });
      expect(res.status, JSON.stringify(id)).toBe(422);
      expect(res.json["errors"]).toEqual([expect.objectContaining({ field: "id" })]);
    }
    expect(await stored(store)).toEqual([]);
  });

  it("keeps id read-only on replace and update", async () => {
    const { call } = testApp({ codec: withIds }, allow);
    await call("POST", "/subscriptions", { body: { ...input, id: "sub-1" }, headers: A });
    for (const method of ["PUT", "PATCH"]) {
      const res = await call(method, "/subscriptions/sub-1", { body: { ...input, id: "sub-2" }, headers: A });
      expect(res.status, method).toBe(400);
      expect(res.json["errors"]).toEqual([expect.objectContaining({ field: "id", code: "read_only" })]);
    }
  });

  it("refuses an id when the codec or the service does not take client ids", async () => {
    const plain = testApp({}, allow);
    const res = await plain.call("POST", "/subscriptions", { body: { ...input, id: "sub-1" }, headers: A });
    expect(res.status).toBe(400);
    expect(res.json["errors"]).toEqual([expect.objectContaining({ field: "id" })]);

    const serviceSaysNo = testApp({ codec: withIds });
    const refused = await serviceSaysNo.call("POST", "/subscriptions", {
      body: { ...input, id: "sub-1" },
      headers: A,
    });
    expect(refused.status).toBe(422);
    expect(refused.json["errors"]).toEqual([expect.objectContaining({ field: "id", code: "not_allowed" })]);
    expect(await stored(serviceSaysNo.store)).toEqual([]);
  });

  it("takes integer ids as numbers with an integer codec, under the wire name", async () => {
    const codec = defineCodec({
      name: "int",
      ids: { type: "integer", clientSupplied: true },
      fields: { id: "hook_id", url: true, eventTypes: true },
    });
    const { call } = testApp({ codec }, allow);
    const res = await call("POST", "/subscriptions", { body: { ...input, hook_id: 42 }, headers: A });
    expect(res.status).toBe(201);
    expect(res.json["hook_id"]).toBe(42);
    const bad = await call("POST", "/subscriptions", { body: { ...input, hook_id: -1 }, headers: A });
    expect(bad.status).toBe(422);
    expect(bad.json["errors"]).toEqual([expect.objectContaining({ field: "hook_id" })]);
    const dup = await call("POST", "/subscriptions", { body: { ...input, hook_id: 42 }, headers: A });
    expect(dup.status).toBe(409);
    expect(dup.json["errors"]).toEqual([expect.objectContaining({ field: "hook_id" })]);
  });

  it("needs an id field, and shows id in the create schema only, with a 409 response", () => {
    expect(() => defineCodec({ name: "x", ids: { clientSupplied: true }, fields: { url: true } })).toThrow(
      /needs an id field/,
    );
    const doc = openApiDocument({ codec: withIds }) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.components.schemas["SubscriptionCreate"]!.properties)).toContain("id");
    expect(Object.keys(doc.components.schemas["SubscriptionReplace"]!.properties)).not.toContain("id");
    expect(doc.paths["/subscriptions"]!["post"]!.responses).toHaveProperty("409");
    const plain = openApiDocument({}) as typeof doc;
    expect(Object.keys(plain.components.schemas["SubscriptionCreate"]!.properties)).not.toContain("id");
    expect(plain.paths["/subscriptions"]!["post"]!.responses).not.toHaveProperty("409");
  });
});

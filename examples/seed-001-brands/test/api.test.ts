import { afterEach, describe, expect, it } from "vitest";
import { createSeedApi } from "../src/api.ts";

const BRAND = "8929cf8b-6bcc-484a-a7a6-242eaf70cb7a";
const OTHER = "11111111-2222-4333-8444-555555555555";
const KNOWN = new Set([BRAND, OTHER]);
// The document subscribes `https://localhost:3000`: allowed here as in local development (the SSRF guard
// refuses loopback targets by default).
const make = () =>
  createSeedApi({
    resolveBrand: (id) => (KNOWN.has(id) ? id : null),
    delivery: { ssrf: { allow: ["localhost"] } },
  });

let api = make();
afterEach(async () => {
  await api.close();
  api = make();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await api.fetch(
    new Request(`https://api.example.com${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const DATA_KEYS = [
  "id",
  "created_at",
  "updated_at",
  "deleted_at",
  "brand",
  "topic",
  "url",
  "key",
  "tags",
  "type",
];

describe("seed 001 (brand webhooks)", () => {
  it("POST /brands/:id/webhooks → 200 {code: OK, data} with the documented fields", async () => {
    const res = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: "Showings",
      url: "https://localhost:3000",
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json!)).toEqual(["code", "data"]);
    expect(res.json!["code"]).toBe("OK");
    const data = res.json!["data"] as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(DATA_KEYS);
    expect(data).toMatchObject({
      deleted_at: null,
      brand: BRAND,
      topic: "Showings",
      url: "https://localhost:3000",
      tags: null,
      type: "brand_webhook",
    });
    expect(data["id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof data["created_at"]).toBe("number");
    expect(Math.abs((data["created_at"] as number) - Date.now() / 1000)).toBeLessThan(3600);
    expect(data["updated_at"]).toBe(data["created_at"]);
    expect(data["key"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("GET /brands/:id/webhooks → {code, data: [...], info: {count, total}}, filtered by topic", async () => {
    await call("POST", `/brands/${BRAND}/webhooks`, { topic: "Showings", url: "https://localhost:3000" });
    await call("POST", `/brands/${BRAND}/webhooks`, { topic: "Deals", url: "https://localhost:3001" });
    const all = await call("GET", `/brands/${BRAND}/webhooks`);
    expect(all.status).toBe(200);
    expect(Object.keys(all.json!)).toEqual(["code", "data", "info"]);
    expect(all.json!["info"]).toEqual({ count: 2, total: 2 });
    for (const item of all.json!["data"] as Record<string, unknown>[])
      expect(Object.keys(item)).toEqual(DATA_KEYS);
    const showings = await call("GET", `/brands/${BRAND}/webhooks?topic=Showings`);
    expect(showings.json!["info"]).toEqual({ count: 1, total: 1 });
    expect((showings.json!["data"] as { topic: string }[])[0]!.topic).toBe("Showings");
  });

  it("DELETE /brands/:id/webhooks/:wid → 204; soft-deleted (deleted_at set, hidden from lists)", async () => {
    const created = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: "Contacts",
      url: "https://localhost:3000",
    });
    const wid = (created.json!["data"] as { id: string }).id;
    const res = await call("DELETE", `/brands/${BRAND}/webhooks/${wid}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const list = await call("GET", `/brands/${BRAND}/webhooks`);
    expect(list.json!["data"]).toEqual([]);
    const row = await api.store.getSubscription(BRAND, wid, { includeDeleted: true });
    expect(row?.deletedAt).toBeInstanceOf(Date);
    expect((await call("DELETE", `/brands/${BRAND}/webhooks/${wid}`)).status).toBe(404);
  });

  it("scopes everything to the brand in the path; errors use the API's own shape", async () => {
    const created = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: "Deals",
      url: "https://localhost:3000",
    });
    const wid = (created.json!["data"] as { id: string }).id;
    const foreign = await call("DELETE", `/brands/${OTHER}/webhooks/${wid}`);
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ code: "NOT_FOUND", message: expect.any(String) });
    const unknownBrand = await call("GET", "/brands/not-a-brand/webhooks");
    expect(unknownBrand.status).toBe(401);
    expect(unknownBrand.json).toMatchObject({ code: "UNAUTHORIZED" });
    const badTopic = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: ["Deals"],
      url: "https://x.test",
    });
    expect(badTopic.status).toBe(422);
    expect(badTopic.json).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ field: "topic" }] });
    const wrongType = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: "Deals",
      url: "https://x.test",
      type: "other",
    });
    expect(wrongType.status).toBe(422);
    const sameType = await call("POST", `/brands/${BRAND}/webhooks`, {
      topic: "Deals",
      url: "https://x.test",
      type: "brand_webhook",
    });
    expect(sameType.status).toBe(200);
  });
});

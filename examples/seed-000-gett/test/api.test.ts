import { afterEach, describe, expect, it } from "vitest";
import { createSeedApi } from "../src/api.ts";

const COMPANY = "6aa6cf6e-3c41-4f0e-9b8e-0d1a2b3c4d5e";
const OTHER = "0b7e2d1c-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
const TOKENS: Record<string, string> = { "token-company": COMPANY, "token-other": OTHER };
const NANOS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let api = createSeedApi({ resolveToken: (t) => TOKENS[t] ?? null });
afterEach(async () => {
  await api.close();
  api = createSeedApi({ resolveToken: (t) => TOKENS[t] ?? null });
});

/** The documented request: `curl --request POST --url '…/v1/subscribers?businessId=[company_uuid]' …`. */
function subscribe(body: unknown, opts: { businessId?: string; token?: string } = {}) {
  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
  if (opts.token !== null) headers["authorization"] = `Bearer ${opts.token ?? "token-company"}`;
  return api.fetch(
    new Request(`https://business-api.gett.com/v1/subscribers?businessId=${opts.businessId ?? COMPANY}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    }),
  );
}

describe("seed 000 (Gett): POST /v1/subscribers", () => {
  it("answers the documented response: fields, list shapes, UUID secret_id, nanosecond RFC 3339", async () => {
    const res = await subscribe({ hook_address: "https://host/endpoint", event_types: "business_report" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      "id",
      "hook_address",
      "event_types",
      "business_ids",
      "secret_id",
      "created_at",
      "updated_at",
    ]);
    expect(body).toMatchObject({
      hook_address: "https://host/endpoint",
      event_types: [{ event_type: "business_report" }],
      business_ids: [{ business_id: COMPANY }],
    });
    expect(typeof body["id"]).toBe("string");
    expect(body["secret_id"]).toMatch(UUID);
    expect(body["created_at"]).toMatch(NANOS);
    expect(body["updated_at"]).toBe(body["created_at"]);
  });

  it("takes event_types as a list too, and rejects unknown types naming the field", async () => {
    const res = await subscribe({
      hook_address: "https://host/endpoint",
      event_types: ["status_changed", "business_report"],
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { event_types: unknown }).event_types).toEqual([
      { event_type: "status_changed" },
      { event_type: "business_report" },
    ]);
    const bad = await subscribe({ hook_address: "https://host/endpoint", event_types: "nope" });
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(["event_types.0"]);
    const unknown = await subscribe({
      hook_address: "https://host/endpoint",
      event_types: "status_changed",
      x: 1,
    });
    expect(unknown.status).toBe(400);
  });

  it("requires the bearer token of the business named by businessId (401 otherwise)", async () => {
    const body = { hook_address: "https://host/endpoint", event_types: "business_report" };
    expect((await subscribe(body, { token: "wrong" })).status).toBe(401);
    expect((await subscribe(body, { token: "token-other" })).status).toBe(401);
    const noQuery = await api.fetch(
      new Request("https://business-api.gett.com/v1/subscribers", {
        method: "POST",
        headers: { authorization: "Bearer token-company", "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
    expect(noQuery.status).toBe(401);
    expect((await api.store.listSubscriptions(COMPANY, { limit: 10 })).items).toHaveLength(0);
  });

  it("lists and reads a business's subscribers only", async () => {
    const created = (await (
      await subscribe({ hook_address: "https://host/endpoint", event_types: "business_report" })
    ).json()) as { id: string };
    const get = (path: string, token: string, businessId: string) =>
      api.fetch(
        new Request(`https://business-api.gett.com/v1${path}?businessId=${businessId}`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
    const list = await get("/subscribers", "token-company", COMPANY);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { id: string }[]).map((s) => s.id)).toEqual([created.id]);
    expect((await get(`/subscribers/${created.id}`, "token-company", COMPANY)).status).toBe(200);
    expect((await get(`/subscribers/${created.id}`, "token-other", OTHER)).status).toBe(404);
  });
});

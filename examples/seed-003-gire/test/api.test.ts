import { afterEach, describe, expect, it } from "vitest";
import { createSeedApi } from "../src/api.ts";

const TOKENS: Record<string, string> = { "token-company": "company-1", "token-other": "company-2" };
const make = () => createSeedApi({ resolveToken: (t) => TOKENS[t] ?? null });
let api = make();
afterEach(async () => {
  await api.close();
  api = make();
});

const OBJECT_ID = /^[0-9a-f]{24}$/;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const KEYS = ["id", "callbackUrl", "enabledEvents", "createdAt", "updatedAt"];
const EVENTS = ["pud:status_update", "pud:price_update"];

async function call(method: string, path: string, opts: { body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = { accept: "*/*" };
  if (opts.token !== null) headers["x-api-token"] = opts.token ?? "token-company";
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await api.fetch(
    new Request(`https://api.gire.example${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
  );
  const text = await res.text();
  return {
    status: res.status,
    text,
    type: res.headers.get("content-type"),
    json: text ? JSON.parse(text) : null,
  };
}

function expectWebhook(body: Record<string, unknown>) {
  expect(Object.keys(body)).toEqual(KEYS);
  expect(body["id"]).toMatch(OBJECT_ID);
  expect(body["createdAt"]).toMatch(ISO_MS);
  expect(body["updatedAt"]).toMatch(ISO_MS);
  expect(body).not.toHaveProperty("secret");
}

describe("seed 003 (Gire v3 webhooks)", () => {
  it("POST /api/v3/webhooks → 201, the documented body, secret write-only", async () => {
    const res = await call("POST", "/api/v3/webhooks", {
      body: { callbackUrl: "https://example.com/webhook", enabledEvents: EVENTS, secret: "supersecret" },
    });
    expect(res.status).toBe(201);
    expect(res.type).toBe("application/json");
    expectWebhook(res.json);
    expect(res.json).toMatchObject({ callbackUrl: "https://example.com/webhook", enabledEvents: EVENTS });
    const stored = await api.store.getSubscription("company-1", res.json.id);
    expect(stored?.secrets.map((s) => s.value)).toEqual(["supersecret"]);
  });

  it("the secret is optional: without one, deliveries are unsigned", async () => {
    const res = await call("POST", "/api/v3/webhooks", {
      body: { callbackUrl: "https://example.com/webhook" },
    });
    expect(res.status).toBe(201);
    expect(res.json.enabledEvents).toEqual(["*"]);
    expect((await api.store.getSubscription("company-1", res.json.id))?.secrets).toEqual([]);
  });

  it("GET /api/v3/webhooks → 200 bare array; GET /api/v3/webhooks/{id} → 200 object", async () => {
    expect((await call("GET", "/api/v3/webhooks")).json).toEqual([]);
    const created = await call("POST", "/api/v3/webhooks", {
      body: { callbackUrl: "https://example.com/webhook", enabledEvents: EVENTS, secret: "supersecret" },
    });
    const all = await call("GET", "/api/v3/webhooks");
    expect(all.status).toBe(200);
    expect(all.json).toEqual([created.json]);
    expectWebhook(all.json[0]);
    const one = await call("GET", `/api/v3/webhooks/${created.json.id}`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual(created.json);
  });

  it("PATCH /api/v3/webhooks/{id} → 200 with the changes", async () => {
    const created = await call("POST", "/api/v3/webhooks", {
      body: { callbackUrl: "https://example.com/old", enabledEvents: ["pud:status_update"] },
    });
    const res = await call("PATCH", `/api/v3/webhooks/${created.json.id}`, {
      body: { callbackUrl: "https://example.com/webhook", enabledEvents: EVENTS },
    });
    expect(res.status).toBe(200);
    expectWebhook(res.json);
    expect(res.json).toMatchObject({
      id: created.json.id,
      callbackUrl: "https://example.com/webhook",
      enabledEvents: EVENTS,
    });
  });

  it("DELETE /api/v3/webhooks/{id} → 200, no content", async () => {
    const created = await call("POST", "/api/v3/webhooks", {
      body: { callbackUrl: "https://example.com/webhook" },
    });
    const res = await call("DELETE", `/api/v3/webhooks/${created.json.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    expect((await call("GET", `/api/v3/webhooks/${created.json.id}`)).status).toBe(404);
  });

  it("every operation answers 401 without a valid x-api-token, and 404 for another company's webhook", async () => {
    const created = await call("POST", "/api/v3/webhooks", {
      body: { callbackUrl: "https://example.com/webhook" },
    });
    const id = created.json.id as string;
    const requests: [string, string, unknown][] = [
      ["GET", "/api/v3/webhooks", undefined],
      ["GET", `/api/v3/webhooks/${id}`, undefined],
      ["POST", "/api/v3/webhooks", { callbackUrl: "https://example.com/webhook" }],
      ["PATCH", `/api/v3/webhooks/${id}`, { callbackUrl: "https://example.com/x" }],
      ["DELETE", `/api/v3/webhooks/${id}`, undefined],
    ];
    for (const [method, path, body] of requests) {
      for (const token of [null, "bad"]) {
        const res = await call(method, path, { body, token });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.type).toBe("application/problem+json");
      }
      if (path.endsWith(id))
        expect((await call(method, path, { body, token: "token-other" })).status).toBe(404);
    }
    expect((await call("GET", "/api/v3/webhooks/not-an-object-id")).status).toBe(400);
    expect((await call("GET", `/api/v3/webhooks/${id}`)).json.callbackUrl).toBe(
      "https://example.com/webhook",
    );
  });
});

describe("seed 003: OpenAPI document", () => {
  it("describes the configured paths with 201 create, 200 delete and a write-only secret", async () => {
    const res = await call("GET", "/api/v3/webhooks-openapi.json", { token: null });
    expect(res.status).toBe(200);
    const paths = res.json.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths["/api/v3/webhooks"]!).sort()).toEqual(["get", "post"]);
    expect(paths["/api/v3/webhooks"]!["post"]!.responses).toHaveProperty("201");
    expect(paths["/api/v3/webhooks/{id}"]!["delete"]!.responses).toHaveProperty("200");
    const schemas = res.json.components.schemas;
    expect(Object.keys(schemas.Subscription.properties)).toEqual(KEYS);
    expect(schemas.SubscriptionCreate.properties.secret).toMatchObject({ writeOnly: true });
    expect(schemas.SubscriptionCreate.required).toEqual(["callbackUrl"]);
  });
});

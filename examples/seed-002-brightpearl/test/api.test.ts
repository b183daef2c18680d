import { afterEach, describe, expect, it } from "vitest";
import { createSeedApi } from "../src/api.ts";

const TOKENS: Record<string, string> = { "token-acme": "acme", "token-other": "other" };
const make = () => createSeedApi({ resolveToken: (t) => TOKENS[t] ?? null });
let api = make();
afterEach(async () => {
  await api.close();
  api = make();
});

const BASE = "https://euw1.brightpearlconnect.com/public-api/acme/integration-service";

async function call(method: string, path: string, body?: unknown, token = "token-acme") {
  const headers: Record<string, string> = { "brightpearl-account-token": token };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await api.fetch(
    new Request(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as { response: unknown }) : null };
}

/** The three webhooks of "Example 1", exactly as documented. */
const DOCUMENTED = [
  {
    id: 2,
    subscribeTo: "goods-out-note",
    httpMethod: "POST",
    uriTemplate: "http://www.example.com/callback",
    bodyTemplate:
      '{"accountCode": "${account-code}", "resourceType": "${resource-type}", "id": "${resource-id}", "lifecycleEvent": "${lifecycle-event}", "fullEvent": "${full-event}" }',
    contentType: "application/json",
    idSetAccepted: true,
    qualityOfService: 1,
  },
  {
    id: 3,
    subscribeTo: "product.deleted",
    httpMethod: "GET",
    uriTemplate:
      "http://www.example.com/callback/${account-code}/${resource-type}/${resource-id}/${lifecycle-event}",
    idSetAccepted: true,
    qualityOfService: 1,
  },
  {
    id: 4,
    subscribeTo: "product",
    httpMethod: "POST",
    uriTemplate: "http://www.example.com/callback",
    bodyTemplate:
      '{"accountCode": "${account-code}", "resourceType": "${resource-type}", "id": "${resource-id}", "lifecycleEvent": "${lifecycle-event}" }',
    contentType: "application/json",
    idSetAccepted: true,
    qualityOfService: 0,
  },
];

/** Registers webhook 1 (then deletes it) and the documented 2, 3, 4 with sequential ids. */
async function seed() {
  const first = await call("POST", "/webhook", { ...without(DOCUMENTED[0]!, "id") });
  expect(first.status).toBe(200);
  expect((first.json!.response as { id: number }).id).toBe(1);
  expect((await call("DELETE", "/webhook/1")).status).toBe(200);
  for (const hook of DOCUMENTED) {
    const res = await call("POST", "/webhook", without(hook, "id"));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response: hook });
  }
}

function without(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _, ...rest } = o;
  return rest;
}

describe("seed 002 (Brightpearl webhooks)", () => {
  it("Example 1: GET /webhook returns every webhook in {response: [...]}, exactly as documented", async () => {
    await seed();
    const res = await call("GET", "/webhook");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response: DOCUMENTED });
  });

  // The document's Example 2 shows the same webhooks 2 and 4 with a differently spaced `bodyTemplate` (an
  // inconsistency of the document); the id set must return exactly what was stored for those ids.
  it("Example 2: GET /webhook/2,4 returns the id set; ranges and single ids work too", async () => {
    await seed();
    const res = await call("GET", "/webhook/2,4");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response: [DOCUMENTED[0], DOCUMENTED[2]] });
    expect((await call("GET", "/webhook/2-4")).json).toEqual({ response: DOCUMENTED });
    expect((await call("GET", "/webhook/3")).json).toEqual({ response: [DOCUMENTED[1]] });
    expect((await call("GET", "/webhook/1,99")).json).toEqual({ response: [] });
  });

  it("rejects bad id sets, other accounts' tokens and unknown fields", async () => {
    await seed();
    for (const set of ["2,x", "4-2", "0", "2,,4", "1-500"])
      expect((await call("GET", `/webhook/${set}`)).status).toBe(400);
    expect((await call("GET", "/webhook", undefined, "token-other")).status).toBe(401);
    const bad = await call("POST", "/webhook", { ...without(DOCUMENTED[2]!, "id"), qualityOfService: 2 });
    expect(bad.status).toBe(422);
    const unknown = await call("POST", "/webhook", { ...without(DOCUMENTED[2]!, "id"), colour: "red" });
    expect(unknown.status).toBe(400);
    expect((await call("GET", "/webhook")).json!.response).toHaveLength(3);
  });
});

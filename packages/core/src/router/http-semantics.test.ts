import { describe, expect, it } from "vitest";
import { pathParamAuth } from "./auth.ts";
import { defineCodec } from "./codec-define.ts";
import { resourceRoutes } from "./routes.ts";
import { testApp } from "./test-support.ts";

const A = { "x-api-key": "key-a" };
const input = { url: "https://example.com/hook", eventTypes: ["invoice.paid"] };

describe("createRouter: HEAD", () => {
  it("answers every GET route like GET, without a body, with the body's length", async () => {
    const { call, store } = testApp();
    const id = (await call("POST", "/subscriptions", { body: input, headers: A })).json["id"] as string;
    await call("POST", "/subscriptions", { body: input, headers: A });
    const before = JSON.stringify(await store.listSubscriptions("tenant-a", { limit: 10 }));
    for (const path of [
      `/subscriptions/${id}`,
      "/subscriptions?limit=1",
      `/subscriptions/${id},${id}`,
      `/subscriptions/${id}/deliveries`,
      "/deliveries",
      "/event-types",
      "/openapi.json",
    ]) {
      const get = await call("GET", path, { headers: A });
      const head = await call("HEAD", path, { headers: A });
      expect(get.status, path).toBe(200);
      expect(head.status, path).toBe(200);
      expect(head.text, path).toBe("");
      expect(head.headers.get("content-type"), path).toBe(get.headers.get("content-type"));
      expect(head.headers.get("content-length"), path).toBe(String(Buffer.byteLength(get.text)));
      expect(head.headers.get("link"), path).toBe(get.headers.get("link"));
    }
    expect(JSON.stringify(await store.listSubscriptions("tenant-a", { limit: 10 }))).toBe(before);
  });

  it("keeps the GET status of errors (401, 404, 400) without a body", async () => {
    const { call } = testApp();
    for (const [path, headers, status] of [
      ["/subscriptions", {}, 401],
      ["/subscriptions/nope", A, 404],
      ["/subscriptions?limit=0", A, 400],
      ["/nowhere", A, 404],
    ] as const) {
      const res = await call("HEAD", path, { headers });
      expect(res.status, path).toBe(status);
      expect(res.text, path).toBe("");
      expect(res.headers.get("content-type"), path).toBe("application/problem+json");
    }
  });

  it("is 405 where GET is not allowed; Allow lists HEAD next to GET; OPTIONS keeps working", async () => {
    const { call } = testApp();
    const id = (await call("POST", "/subscriptions", { body: input, headers: A })).json["id"] as string;
    const pause = await call("HEAD", `/subscriptions/${id}/pause`, { headers: A });
    expect(pause.status).toBe(405);
    expect(pause.headers.get("allow")).toBe("POST");
    const options = await call("OPTIONS", `/subscriptions/${id}`);
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, HEAD, PATCH, PUT, DELETE");
    expect((await call("OPTIONS", "/deliveries")).headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("createRouter: Location on create", () => {
  it("points at the new subscription (default routes), and GET there finds it", async () => {
    const { call } = testApp();
    const res = await call("POST", "/subscriptions", { body: input, headers: A });
    expect(res.status).toBe(201);
    const location = res.headers.get("location");
    // relative to the request URL, so it stays right under whatever prefix an adapter mounted the API at
    expect(location).toBe(`subscriptions/${res.json["id"]}`);
    const resolved = new URL(location!, "http://test/subscriptions").pathname;
    expect(resolved).toBe(`/subscriptions/${res.json["id"]}`);
    expect((await call("GET", resolved, { headers: A })).json).toEqual(res.json);
    expect(new URL(location!, "http://host/mounted/webhooks/subscriptions").pathname).toBe(
      `/mounted/webhooks/subscriptions/${res.json["id"]}`,
    );
  });

  it("fills earlier path parameters from the create request, under the base path", async () => {
    const { call } = testApp({
      auth: pathParamAuth("brand", { resolve: (b) => (b === "acme" ? "tenant-a" : null) }),
      basePath: "/api",
      routes: resourceRoutes({ subscriptions: "/brands/:brand/hooks", subscriptionParam: "hook" }),
    });
    const res = await call("POST", "/api/brands/acme/hooks", { body: input });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`hooks/${res.json["id"]}`);
    const resolved = new URL(res.headers.get("location")!, "http://test/api/brands/acme/hooks").pathname;
    expect(resolved).toBe(`/api/brands/acme/hooks/${res.json["id"]}`);
    expect((await call("GET", resolved)).status).toBe(200);
  });

  it("uses the id-set route when get is disabled, and is absent without either or on a 200 create", async () => {
    const viaSet = testApp({ routes: { get: false, getMany: "/hooks/:ids?" } });
    const res = await viaSet.call("POST", "/subscriptions", { body: input, headers: A });
    expect(res.headers.get("location")).toBe(`/hooks/${res.json["id"]}`);

    const none = testApp({ routes: { get: false, getMany: false } });
    const created = await none.call("POST", "/subscriptions", { body: input, headers: A });
    expect(created.status).toBe(201);
    expect(created.headers.has("location")).toBe(false);

    const ok200 = testApp({ codec: defineCodec({ name: "c200", status: { create: 200 } }) });
    const plain = await ok200.call("POST", "/subscriptions", { body: input, headers: A });
    expect(plain.status).toBe(200);
    expect(plain.headers.has("location")).toBe(false);
  });
});

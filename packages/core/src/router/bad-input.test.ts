import { describe, expect, it, vi } from "vitest";
import type { Store } from "../store/types.ts";
import { testApp } from "./test-support.ts";

const A = { "x-api-key": "key-a" };
const input = { url: "https://example.com/hook", eventTypes: ["invoice.paid"] };

async function snapshot(store: Store): Promise<string> {
  const parts = await Promise.all(
    ["tenant-a", "tenant-b"].map((t) => store.listSubscriptions(t, { limit: 1000, includeDeleted: true })),
  );
  return JSON.stringify(parts);
}

async function seeded() {
  const app = testApp({ bodyLimitBytes: 1024 });
  const { json } = await app.call("POST", "/subscriptions", { body: input, headers: A });
  return { ...app, id: json["id"] as string, before: await snapshot(app.store) };
}

describe("createRouter: bad input is a clear 4xx and changes nothing", () => {
  it("malformed JSON → 400", async () => {
    const { call, store, id, before } = await seeded();
    for (const raw of ["{", '{"url":', "nul", "\u0000"]) {
      const res = await call("PATCH", `/subscriptions/${id}`, {
        raw,
        headers: { ...A, "content-type": "application/json" },
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: "bad_request", detail: "request body is not valid JSON" });
    }
    const bytes = new Uint8Array([0x7b, 0xff, 0x7d]);
    const res = await call("POST", "/subscriptions", {
      raw: bytes,
      headers: { ...A, "content-type": "application/json" },
    });
    expect(res.json["detail"]).toBe("request body is not valid UTF-8");
    expect(await snapshot(store)).toBe(before);
  });

  it("a body that is not an object, or missing → 400", async () => {
    const { call, store, before } = await seeded();
    for (const body of [[], "x", 1, null]) {
      expect((await call("POST", "/subscriptions", { body, headers: A })).status).toBe(400);
    }
    expect((await call("POST", "/subscriptions", { headers: A })).status).toBe(400);
    expect(await snapshot(store)).toBe(before);
  });

  it("wrong content type → 415", async () => {
    const { call, store, before } = await seeded();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"]) {
      const res = await call("POST", "/subscriptions", {
        raw: JSON.stringify(input),
        headers: { ...A, "content-type": type },
      });
      expect(res.status).toBe(415);
    }
    const noType = await call("POST", "/subscriptions", {
      raw: new Blob([JSON.stringify(input)]),
      headers: A,
    });
    expect(noType.status).toBe(415);
    expect(await snapshot(store)).toBe(before);
    const ok = await call("POST", "/subscriptions", {
      raw: JSON.stringify(input),
      headers: { ...A, "content-type": "application/merge-patch+json; charset=utf-8" },
    });
    expect(ok.status).toBe(201);
    expect(JSON.parse(await snapshot(store))[0].items).toHaveLength(2);
  });

  it("body over the limit → 413, counted while streaming (never reads past the limit)", async () => {
    const { fetch, call, store, before } = await seeded();
    const big = { ...input, description: "x".repeat(2000) };
    expect((await call("POST", "/subscriptions", { body: big, headers: A })).status).toBe(413);

    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(512).fill(0x20));
        if (pulled > 1000) controller.close();
      },
    });
    const res = await fetch(
      new Request("http://api.test/subscriptions", {
        method: "POST",
        body: stream,
        headers: { ...A, "content-type": "application/json" },
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(10);
    expect(await snapshot(store)).toBe(before);
  });

  it("unknown and read-only fields → 400 naming the field; bad values → 422 naming the field", async () => {
    const { call, store, id, before } = await seeded();
    const unknown = await call("POST", "/subscriptions", { body: { ...input, colour: "red" }, headers: A });
    expect(unknown.status).toBe(400);
    expect(unknown.json["errors"]).toEqual([
      { field: "colour", message: "unknown field", code: "unknown_field" },
    ]);
    const readOnly = await call("PATCH", `/subscriptions/${id}`, { body: { createdAt: "x" }, headers: A });
    expect(readOnly.status).toBe(400);
    expect(readOnly.json["errors"]).toEqual([
      expect.objectContaining({ field: "createdAt", code: "read_only" }),
    ]);
    const badValue = await call("POST", "/subscriptions", { body: { url: 5, eventTypes: [] }, headers: A });
    expect(badValue.status).toBe(422);
    expect((badValue.json["errors"] as { field: string }[]).map((e) => e.field)).toEqual([
      "url",
      "eventTypes",
    ]);
    const badUrl = await call("POST", "/subscriptions", { body: { ...input, url: "ftp://x" }, headers: A });
    expect(badUrl.status).toBe(422);
    expect(badUrl.json["errors"]).toEqual([expect.objectContaining({ field: "url" })]);
    const unknownType = await call("POST", "/subscriptions", {
      body: { ...input, eventTypes: ["nope.nope"] },
      headers: A,
    });
    expect(unknownType.status).toBe(422);
    expect(await snapshot(store)).toBe(before);
  });

  it("invalid ids and bad id sets → 400; unknown ids → 404", async () => {
    const { call, store, before } = await seeded();
    for (const path of ["/subscriptions/%20x", "/subscriptions/-abc", `/subscriptions/${"a".repeat(200)}`]) {
      expect((await call("DELETE", path, { headers: A })).status).toBe(400);
    }
    for (const set of [
      "a,,b",
      ",a",
      "a,",
      `${Array.from({ length: 101 }, (_, i) => `id${i}`).join(",")}`,
      "a,%20",
    ]) {
      expect((await call("GET", `/subscriptions/${set}`, { headers: A })).status).toBe(400);
    }
    expect((await call("GET", "/subscriptions/%E0%A4%A", { headers: A })).status).toBe(404);
    expect((await call("DELETE", "/subscriptions/does-not-exist", { headers: A })).status).toBe(404);
    expect(await snapshot(store)).toBe(before);
  });

  it("bad cursors, limits and filters → 400", async () => {
    const { call } = await seeded();
    for (const q of [
      "cursor=",
      "cursor=%25%25",
      "cursor=abc",
      "limit=0",
      "limit=1001",
      "limit=abc",
      "limit=1.5",
      "status=gone",
    ]) {
      const res = await call("GET", `/subscriptions?${q}`, { headers: A });
      expect(res.status, q).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("methods not allowed → 405 with Allow; OPTIONS → 204 with Allow; unknown paths → 404", async () => {
    const { call, id } = await seeded();
    const res = await call("POST", `/subscriptions/${id}`, { body: input, headers: A });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, PATCH, PUT, DELETE");
    expect((await call("DELETE", "/subscriptions", { headers: A })).headers.get("allow")).toBe(
      "POST, GET, HEAD",
    );
    const options = await call("OPTIONS", "/subscriptions");
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("POST, GET, HEAD");
    expect((await call("GET", "/nope", { headers: A })).status).toBe(404);
  });

  it("missing auth → 401 before the body is read", async () => {
    const { call, store, before } = await seeded();
    const res = await call("POST", "/subscriptions", { body: input });
    expect(res.status).toBe(401);
    expect(await snapshot(store)).toBe(before);
  });

  it("unexpected errors → 500 problem without internals, logged", async () => {
    const error = vi.fn();
    const app = testApp({ logger: { error } });
    const boom = new Error("password=hunter2 at db.internal:5432");
    app.subscriptions.list = () => Promise.reject(boom);
    const res = await app.call("GET", "/subscriptions", { headers: A });
    expect(res.status).toBe(500);
    expect(res.json).toEqual({
      type: "about:blank",
      title: "Internal Server Error",
      status: 500,
      detail: "An unexpected error occurred.",
      code: "internal",
    });
    expect(res.text).not.toContain("hunter2");
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ err: boom }), expect.any(String));
  });
});

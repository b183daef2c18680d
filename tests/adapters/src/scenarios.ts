/**
 * The one adapter suite: the same HTTP scenarios against every framework entry in `servers/`.
 * Adding a framework = one entry file there.
 */
import { connect } from "node:net";
import {
  apiKeyAuth,
  createHookline,
  createHttpClient,
  createSsrfGuard,
  type Hookline,
  type Subscription,
  verifyEndpoint,
} from "@hookline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT, defaultSetup, scheme, secret, signedInit } from "./fixtures.ts";
import type { AdapterServer, RunningServer, ServerSetup } from "./types.ts";

/** Starts a server for the block and gives its base URL. */
export function useServer(entry: AdapterServer, setup: () => ServerSetup): () => string {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await entry.start(setup());
  });
  afterAll(async () => {
    await running?.close();
  });
  return () => running!.url;
}

/** Sends a request with a body whose end never comes, then drops the connection. */
function abortMidBody(base: string, path: string): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"partial":`,
      );
      setTimeout(() => socket.destroy(), 20);
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

export function runAdapterScenarios(entry: AdapterServer): void {
  describe(`${entry.name}: provider routes`, () => {
    const url = useServer(entry, () => defaultSetup());

    it("hands the mounted app the path relative to the prefix, the query and the exact bytes", async () => {
      const body = '{ "b":1,  "a" : [2] }';
      const res = await fetch(`${url()}/webhooks/subscriptions/sub_1?limit=2`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({
        method: "PATCH",
        path: "/subscriptions/sub_1",
        search: "?limit=2",
        contentType: "application/json",
        body,
      });
    });

    it("serves the prefix itself, and leaves other paths to the host", async () => {
      expect((await json(await fetch(`${url()}/webhooks`)))["path"]).toBe("/");
      expect((await fetch(`${url()}/webhooksX`)).status).toBe(404);
      expect(await (await fetch(`${url()}/health`)).text()).toContain("ok");
    });

    it("answers 413 problem+json for a body over the limit (declared length and chunked)", async () => {
      const big = "x".repeat(BODY_LIMIT + 1);
      const declared = await fetch(`${url()}/webhooks/subscriptions`, { method: "POST", body: big });
      expect(declared.status).toBe(413);
      expect(declared.headers.get("content-type")).toContain("application/problem+json");
      const stream = new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      });
      const chunked = await fetch(`${url()}/webhooks/subscriptions`, {
        method: "POST",
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await json(chunked)).toMatchObject({ status: 413, code: "payload_too_large" });
    });

    it("survives a client that disconnects mid-body", async () => {
      await abortMidBody(url(), "/webhooks/subscriptions");
      await abortMidBody(url(), "/receiver");
      expect((await fetch(`${url()}/health`)).status).toBe(200);
      expect((await fetch(`${url()}/webhooks/x`)).status).toBe(200);
    });
  });

  describe(`${entry.name}: receiver verify middleware`, () => {
    const url = useServer(entry, () => defaultSetup());
    const post = (path: string, init: RequestInit) => fetch(`${url()}${path}`, init);

    it("hands the handler the verified, parsed event", async () => {
      const res = await post(
        "/receiver",
        signedInit({ type: "invoice.paid", data: { n: 1 } }, { id: "msg_ok" }),
      );
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ id: "msg_ok", type: "invoice.paid", data: { n: 1 } });
    });

    it.each([
      ["missing headers", { headers: { "webhook-signature": "" } }, 400, "missing_header"],
      ["a wrong secret", { secret: scheme.generateSecret() }, 401, "signature_mismatch"],
      ["a stale timestamp", { atSeconds: Math.floor(Date.now() / 1000) - 3600 }, 401, "timestamp_too_old"],
    ])("rejects %s with problem+json", async (_name, opts, status, code) => {
      const init = signedInit({ type: "x" }, opts);
      if (_name === "missing headers") init.headers = { "content-type": "application/json" };
      const res = await post("/receiver", init);
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(await json(res)).toMatchObject({ status, code });
    });

    it("rejects a tampered body (bad signature) with 401", async () => {
      const init = signedInit({ type: "x", amount: 1 });
      const res = await post("/receiver", { ...init, body: JSON.stringify({ type: "x", amount: 1000 }) });
      expect(res.status).toBe(401);
      expect(await json(res)).toMatchObject({ code: "signature_mismatch" });
    });

    it("rejects a body over the limit with 413", async () => {
      const res = await post("/receiver", signedInit({ pad: "x".repeat(BODY_LIMIT) }));
      expect(res.status).toBe(413);
    });

    it("processes a message id once with dedupe, acknowledging the retry with 200", async () => {
      const first = await post("/receiver-dedupe", signedInit({ type: "x" }, { id: "msg_dup" }));
      const retry = await post("/receiver-dedupe", signedInit({ type: "x" }, { id: "msg_dup" }));
      expect(await json(first)).toMatchObject({ id: "msg_dup", type: "x" });
      expect(retry.status).toBe(200);
      expect(await json(retry)).toEqual({ duplicate: true, id: "msg_dup" });
    });

    it.each([
      ["throws", "throw", 500],
      ["answers 503", "status", 503],
    ])("processes the retry of a request whose handler %s, then dedupes", async (_name, fail, status) => {
      const id = `msg_retry_${fail}`;
      const init = signedInit({ type: "x", fail }, { id }); // the SAME signed request, sent three times
      const first = await post("/receiver-retry", init);
      expect(first.status).toBe(status);
      await first.arrayBuffer();
      const retry = await post("/receiver-retry", init);
      expect(retry.status).toBe(200);
      expect(await json(retry)).toMatchObject({ id, type: "x" }); // the handler ran again
      const third = await post("/receiver-retry", init);
      expect(third.status).toBe(200);
      expect(await json(third)).toEqual({ duplicate: true, id });
    });

    it("answers the endpoint verification handshake without calling the handler", async () => {
      const init = signedInit(
        { type: "webhook.verification", challenge: "c-123" },
        { headers: { "webhook-challenge": "c-123" } },
      );
      const res = await post("/receiver", init);
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ challenge: "c-123" });
    });
  });

  if (entry.bodyParsers) {
    describe(`${entry.name}: a JSON body parser installed first`, () => {
      const consumed = useServer(entry, () => defaultSetup({ parser: "consumes" }));
      const keepsRaw = useServer(entry, () => defaultSetup({ parser: "keeps-raw" }));
      const body = JSON.stringify({ url: "https://example.com/hook" });
      const init = { method: "POST", headers: { "content-type": "application/json" }, body };

      it("fails loudly, saying how to fix the order, when the raw bytes are gone", async () => {
        for (const path of ["/webhooks/subscriptions", "/receiver"]) {
          const res = await fetch(`${consumed()}${path}`, path === "/receiver" ? signedInit({ a: 1 }) : init);
          expect(res.status).toBe(500);
          expect(String((await json(res))["error"])).toMatch(/Fix the order/);
        }
      });

      it("uses the raw bytes the parser kept", async () => {
        const res = await fetch(`${keepsRaw()}/webhooks/subscriptions`, init);
        expect(await json(res)).toMatchObject({ body });
        const verified = await fetch(`${keepsRaw()}/receiver`, signedInit({ type: "x" }, { id: "m1" }));
        expect(verified.status).toBe(200);
        expect(await json(verified)).toMatchObject({ id: "m1" });
      });

      it("still serves requests without a JSON body", async () => {
        expect((await json(await fetch(`${consumed()}/webhooks/subscriptions`)))["method"]).toBe("GET");
      });
    });
  }

  describe(`${entry.name}: the subscription API (createHookline) mounted at /webhooks`, () => {
    let hookline: Hookline;
    const url = useServer(entry, () => {
      hookline = createHookline({
        api: {
          auth: apiKeyAuth({ resolve: (key) => (key === "key_a" ? "tenant_a" : null) }),
          bodyLimitBytes: BODY_LIMIT,
        },
      });
      return defaultSetup({ hookline });
    });
    afterAll(() => hookline.close());
    const api = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
      fetch(`${url()}/webhooks${path}`, {
        method: init.method ?? "GET",
        headers: { "x-api-key": init.key ?? "key_a", "content-type": "application/json" },
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      });

    it("creates, reads, updates, lists and deletes a subscription through the mounted routes", async () => {
      const created = await api("/subscriptions", {
        method: "POST",
        body: { url: "https://example.com/hook", eventTypes: ["invoice.paid"] },
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect(await json(await api(`/subscriptions/${id}`))).toMatchObject({
        id,
        url: "https://example.com/hook",
      });
      const patched = await api(`/subscriptions/${id}`, {
        method: "PATCH",
        body: { description: "billing" },
      });
      expect(await json(patched)).toMatchObject({ id, description: "billing" });
      expect(JSON.stringify(await json(await api("/subscriptions")))).toContain(id);
      expect((await api(`/subscriptions/${id}`, { method: "DELETE" })).status).toBeLessThan(300);
      expect((await api(`/subscriptions/${id}`)).status).toBe(404);
    });

    it("answers a bad URL with 422 naming the field, and a missing key with 401", async () => {
      const bad = await api("/subscriptions", {
        method: "POST",
        body: { url: "not a url", eventTypes: ["a"] },
      });
      expect(bad.status).toBe(422);
      expect(await json(bad)).toMatchObject({ code: "validation_failed", errors: [{ field: "url" }] });
      expect((await api("/subscriptions", { key: "nope" })).status).toBe(401);
    });

    it("answers a body over the limit with 413", async () => {
      const res = await api("/subscriptions", {
        method: "POST",
        body: { url: "https://e.com", pad: "x".repeat(BODY_LIMIT) },
      });
      expect(res.status).toBe(413);
    });

    it("verifies an endpoint by handshake: true only when the receiver holds the secret", async () => {
      const httpClient = createHttpClient({
        guard: createSsrfGuard({ allow: ["127.0.0.1"] }),
        timeoutMs: 5000,
      });
      const sub = (value: string) =>
        ({
          url: `${url()}/receiver`,
          secrets: [{ id: "s", value, createdAt: new Date(), expiresAt: null }],
        }) as Subscription;
      try {
        expect(await verifyEndpoint(sub(secret), { httpClient, scheme })).toBe(true);
        expect(await verifyEndpoint(sub(scheme.generateSecret()), { httpClient, scheme })).toBe(false);
      } finally {
        await httpClient.close();
      }
    });
  });
}

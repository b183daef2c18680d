import { standardWebhooks } from "@hookline/core";
import Fastify from "fastify";
import { expect, it } from "vitest";
import { fastifyHookline, fastifyVerify, verifyWebhookPlugin, webhookPayloadParser } from "./index.ts";

const echo = {
  fetch: async (r: Request) => Response.json({ path: new URL(r.url).pathname, body: await r.text() }),
};

it("keeps its parser change inside the plugin: host routes still get Fastify's JSON parser", async () => {
  const app = Fastify();
  app.post("/host", async (request) => ({ parsed: request.body }));
  await app.register(fastifyHookline, { hookline: echo, prefix: "/webhooks" });
  app.post("/host-after", async (request) => ({ parsed: request.body }));
  const body = '{ "a" : 1 }';
  const headers = { "content-type": "application/json" };
  for (const url of ["/host", "/host-after"]) {
    expect((await app.inject({ method: "POST", url, headers, body })).json()).toEqual({ parsed: { a: 1 } });
  }
  const inside = await app.inject({ method: "POST", url: "/webhooks/subscriptions", headers, body });
  expect(inside.json()).toEqual({ path: "/subscriptions", body });
  const other = await app.inject({
    method: "POST",
    url: "/webhooks/x",
    headers: { "content-type": "text/csv" },
    body: "a,b",
  });
  expect(other.json()).toEqual({ path: "/x", body: "a,b" });
  await app.close();
});

it("fastifyVerify verifies the raw bytes, then the route still gets its parsed body", async () => {
  const scheme = standardWebhooks();
  const secret = scheme.generateSecret();
  const app = Fastify();
  app.post("/hook", { preParsing: fastifyVerify({ secrets: [secret] }) }, async (request) => ({
    id: request.webhook?.id,
    body: request.body,
  }));
  const body = '{"type":"x","data":{"n":1}}';
  const signed = scheme.sign({ id: "m1", timestamp: Math.floor(Date.now() / 1000), body, secrets: [secret] });
  const headers = { "content-type": "application/json", ...signed };
  const ok = await app.inject({ method: "POST", url: "/hook", headers, body });
  expect(ok.json()).toEqual({ id: "m1", body: { type: "x", data: { n: 1 } } });
  const bad = await app.inject({ method: "POST", url: "/hook", headers, body: body.replace("1", "2") });
  expect(bad.statusCode).toBe(401);
  expect(bad.headers["content-type"]).toContain("application/problem+json");
  await app.close();
});

it("fastifyVerify replays the verified bytes as a real stream to any content-type parser", async () => {
  const scheme = standardWebhooks();
  const secret = scheme.generateSecret();
  const app = Fastify();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // A stream parser (no parseAs): it pipes the payload itself, so it needs a genuine Readable.
    scope.addContentTypeParser("application/json", (_request, payload, done) => {
      const chunks: Buffer[] = [];
      payload.on("data", (c: Buffer) => chunks.push(c));
      payload.on("end", () => done(null, { streamed: Buffer.concat(chunks).toString() }));
      payload.on("error", done);
    });
    scope.addContentTypeParser("text/plain", { parseAs: "buffer" }, (_request, body, done) =>
      done(null, { buffered: (body as Buffer).toString() }),
    );
    scope.post("/hook", { preParsing: fastifyVerify({ secrets: [secret] }) }, async (request) => ({
      type: request.webhook?.type,
      body: request.body,
    }));
  });
  const body = '{"type":"x","data":{"n":1}}';
  const signed = scheme.sign({ id: "m1", timestamp: Math.floor(Date.now() / 1000), body, secrets: [secret] });
  for (const [contentType, expected] of [
    ["application/json", { streamed: body }],
    ["text/plain", { buffered: body }],
  ] as const) {
    const res = await app.inject({
      method: "POST",
      url: "/hook",
      headers: { "content-type": contentType, ...signed },
      body,
    });
    expect(res.json()).toEqual({ type: "x", body: expected });
  }
  await app.close();
});

it("webhookPayloadParser hands the route the payload hookline parsed, instead of parsing it again", async () => {
  const scheme = standardWebhooks();
  const secret = scheme.generateSecret();
  const app = Fastify();
  await app.register(async (hooks) => {
    hooks.removeContentTypeParser("application/json");
    hooks.addContentTypeParser("application/json", webhookPayloadParser);
    hooks.post("/hook", { preParsing: fastifyVerify({ secrets: [secret] }) }, async (request) => ({
      handedOver: request.body === request.webhook?.payload,
      body: request.body,
    }));
    hooks.post("/unverified", async (request) => ({ body: request.body }));
  });
  await app.register(async (scoped) => {
    scoped.removeContentTypeParser("application/json");
    scoped.addContentTypeParser("application/json", webhookPayloadParser);
    await scoped.register(verifyWebhookPlugin, { secrets: [secret] });
    scoped.post("/plugin", async (request) => ({ handedOver: request.body === request.webhook?.payload }));
  });
  app.post("/host", async (request) => ({ body: request.body })); // outside: Fastify's own JSON parser
  const body = '{"type":"x","data":{"n":1}}';
  const signed = scheme.sign({ id: "m1", timestamp: Math.floor(Date.now() / 1000), body, secrets: [secret] });
  const headers = { "content-type": "application/json", ...signed };
  const hook = await app.inject({ method: "POST", url: "/hook", headers, body });
  expect(hook.json()).toEqual({ handedOver: true, body: { type: "x", data: { n: 1 } } });
  expect((await app.inject({ method: "POST", url: "/plugin", headers, body })).json()).toEqual({
    handedOver: true,
  });
  const forged = await app.inject({ method: "POST", url: "/hook", headers, body: body.replace("1", "2") });
  expect(forged.statusCode).toBe(401);
  // A route of the scope without the verify hook: nothing to hand over, so a loud 500, never a silent pass.
  const unverified = await app.inject({ method: "POST", url: "/unverified", headers, body });
  expect(unverified.statusCode).toBe(500);
  expect(unverified.json().message).toMatch(/webhookPayloadParser has no verified webhook/);
  const host = await app.inject({ method: "POST", url: "/host", headers, body });
  expect(host.json()).toEqual({ body: { type: "x", data: { n: 1 } } });
  await app.close();
});

it("verifyWebhookPlugin guards the scope that registers it, not its siblings", async () => {
  const scheme = standardWebhooks();
  const app = Fastify();
  await app.register(async (hooks) => {
    await hooks.register(verifyWebhookPlugin, { secrets: [scheme.generateSecret()] });
    hooks.post("/hooks/a", async () => ({ reached: true }));
  });
  app.post("/public", async (request) => ({ parsed: request.body }));
  const headers = { "content-type": "application/json" };
  expect((await app.inject({ method: "POST", url: "/hooks/a", headers, body: "{}" })).statusCode).toBe(400);
  const open = await app.inject({ method: "POST", url: "/public", headers, body: '{"a":1}' });
  expect(open.json()).toEqual({ parsed: { a: 1 } });
  await app.close();
});

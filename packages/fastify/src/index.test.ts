import { standardWebhooks } from "@hookline/core";
import Fastify from "fastify";
import { expect, it } from "vitest";
import { fastifyHookline, fastifyVerify, verifyWebhookPlugin } from "./index.ts";

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

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Router from "@koa/router";
import Koa from "koa";
import { afterAll, expect, it } from "vitest";
import { koaMiddleware } from "./index.ts";

const echo = {
  fetch: async (r: Request) => Response.json({ path: new URL(r.url).pathname, body: await r.text() }),
};
let server: Server;
afterAll(() => {
  server?.closeAllConnections();
  server?.close();
});

it("works behind @koa/router, with the prefix stripped", async () => {
  const app = new Koa();
  const router = new Router();
  router.all("/webhooks{/*rest}", koaMiddleware(echo, { prefix: "/webhooks" }));
  router.get("/other", (ctx) => {
    ctx.body = "other";
  });
  app.use(router.routes());
  server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await fetch(`${base}/webhooks/subscriptions/1`, { method: "POST", body: "raw" });
  expect(await res.json()).toEqual({ path: "/subscriptions/1", body: "raw" });
  expect(await (await fetch(`${base}/webhooks`)).json()).toMatchObject({ path: "/" });
  expect(await (await fetch(`${base}/other`)).text()).toBe("other");
});

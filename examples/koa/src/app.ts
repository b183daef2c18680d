/**
 * A Koa 3 app that offers webhooks, and one that receives them.
 * Provider: hookline's subscription API under /webhooks (`x-api-key` auth), `emit()` from POST /orders.
 * Receiver: POST /hooks behind hookline's verify middleware (on @koa/router).
 */
import { randomUUID } from "node:crypto";
import { json } from "node:stream/consumers";
import { apiKeyAuth, createHookline, standardWebhooks, type WebhookEvent } from "@hookline/core";
import { type KoaWebhookState, koaMiddleware, koaVerify } from "@hookline/koa";
import { sqliteStore } from "@hookline/store-sql";
import Router from "@koa/router";
import Koa from "koa";
import { closeServers, serveHttp } from "../../support/http.ts";

const API_KEYS: Record<string, string> = { "key-acme": "acme" };

export async function startExample({ databasePath }: { databasePath: string }) {
  const webhooks = createHookline({
    store: sqliteStore({ path: databasePath }),
    catalog: { types: { "order.created": { description: "An order was placed." } } },
    api: { auth: apiKeyAuth({ header: "x-api-key", resolve: (key) => API_KEYS[key] ?? null }) },
    // The receiver below runs on loopback, which the SSRF guard refuses unless allow-listed.
    delivery: { ssrf: { allow: ["127.0.0.1"] } },
  });
  await webhooks.start();

  const provider = new Koa();
  provider.use(koaMiddleware(webhooks, { prefix: "/webhooks" })); // before any body parser
  const routes = new Router();
  routes.post("/orders", async (ctx) => {
    const tenant = API_KEYS[ctx.get("x-api-key")];
    if (!tenant) {
      ctx.status = 401;
      return;
    }
    const order = { id: randomUUID(), ...((await json(ctx.req)) as object) };
    await webhooks.emit({ tenant, type: "order.created", data: order });
    ctx.status = 201;
    ctx.body = order;
  });
  provider.use(routes.routes());

  const secret = standardWebhooks().generateSecret();
  const received: WebhookEvent[] = [];
  const receiver = new Koa();
  const hooks = new Router<KoaWebhookState>();
  hooks.post("/hooks", koaVerify({ secrets: [secret] }), (ctx) => {
    received.push(ctx.state.webhook);
    ctx.status = 204;
  });
  receiver.use(hooks.routes());

  const [providerHttp, receiverHttp] = await Promise.all([
    serveHttp(provider.callback()),
    serveHttp(receiver.callback()),
  ]);
  return {
    providerUrl: providerHttp.url,
    receiverUrl: receiverHttp.url,
    authHeaders: { "x-api-key": "key-acme" },
    subscriptionsPath: "/webhooks/subscriptions",
    secret,
    received,
    async close() {
      await webhooks.close({ timeoutMs: 2_000 });
      await closeServers(providerHttp.server, receiverHttp.server);
    },
  };
}

/**
 * An Express 5 app that offers webhooks, and one that receives them.
 * Provider: hookline's subscription API at /webhooks (bearer-token auth), `emit()` from POST /orders.
 * Receiver: POST /hooks behind hookline's verify middleware.
 */
import { randomUUID } from "node:crypto";
import { bearerAuth, createHookline, standardWebhooks, type WebhookEvent } from "@hookline/core";
import { expressRouter, expressVerify, type WebhookRequest } from "@hookline/express";
import { sqliteStore } from "@hookline/store-sql";
import express from "express";
import { closeServers, serveHttp } from "../../support/http.ts";

const TOKENS: Record<string, string> = { "token-acme": "acme" };

export async function startExample({ databasePath }: { databasePath: string }) {
  const webhooks = createHookline({
    store: sqliteStore({ path: databasePath }),
    catalog: { types: { "order.created": { description: "An order was placed." } } },
    api: { auth: bearerAuth({ resolve: (token) => TOKENS[token] ?? null }) },
    // The receiver below runs on loopback, which the SSRF guard refuses unless allow-listed.
    delivery: { ssrf: { allow: ["127.0.0.1"] } },
  });
  await webhooks.start();

  const provider = express();
  provider.use("/webhooks", expressRouter(webhooks)); // before express.json(): hookline reads the raw body
  provider.use(express.json());
  provider.post("/orders", async (req, res) => {
    const tenant = TOKENS[(req.get("authorization") ?? "").replace(/^Bearer /, "")];
    if (!tenant) return void res.status(401).end();
    const order = { id: randomUUID(), ...req.body };
    await webhooks.emit({ tenant, type: "order.created", data: order });
    res.status(201).json(order);
  });

  const secret = standardWebhooks().generateSecret();
  const received: WebhookEvent[] = [];
  const receiver = express();
  receiver.post("/hooks", expressVerify({ secrets: [secret] }), (req, res) => {
    received.push((req as WebhookRequest).webhook);
    res.status(204).end();
  });

  const [providerHttp, receiverHttp] = await Promise.all([serveHttp(provider), serveHttp(receiver)]);
  return {
    providerUrl: providerHttp.url,
    receiverUrl: receiverHttp.url,
    authHeaders: { authorization: "Bearer token-acme" },
    subscriptionsPath: "/webhooks/subscriptions",
    secret,
    received,
    async close() {
      await webhooks.close({ timeoutMs: 2_000 });
      await closeServers(providerHttp.server, receiverHttp.server);
    },
  };
}

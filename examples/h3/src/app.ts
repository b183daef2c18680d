/**
 * An h3 v2 app that offers webhooks, and one that receives them. h3 is fetch-native: hookline mounts as a
 * fetch handler. Provider: the subscription API at /webhooks (`x-api-key` auth), `emit()` from POST /orders.
 * Receiver: POST /hooks behind hookline's verify middleware.
 */
import { randomUUID } from "node:crypto";
import { apiKeyAuth, createHookline, standardWebhooks, type WebhookEvent } from "@hookline/core";
import { h3Handler, h3Verify, webhookOf } from "@hookline/h3";
import { sqliteStore } from "@hookline/store-sql";
import { H3, HTTPError } from "h3";
import { toNodeHandler } from "h3/node";
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

  const provider = new H3();
  provider.mount("/webhooks", h3Handler(webhooks));
  provider.post("/orders", async (event) => {
    const tenant = API_KEYS[event.req.headers.get("x-api-key") ?? ""];
    if (!tenant) throw new HTTPError({ status: 401 });
    const order = { id: randomUUID(), ...((await event.req.json()) as object) };
    await webhooks.emit({ tenant, type: "order.created", data: order });
    event.res.status = 201;
    return order;
  });

  const secret = standardWebhooks().generateSecret();
  const received: WebhookEvent[] = [];
  const receiver = new H3();
  receiver.post(
    "/hooks",
    (event) => {
      received.push(webhookOf(event));
      return new Response(null, { status: 204 });
    },
    { middleware: [h3Verify({ secrets: [secret] })] },
  );

  const [providerHttp, receiverHttp] = await Promise.all([
    serveHttp(toNodeHandler(provider)),
    serveHttp(toNodeHandler(receiver)),
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

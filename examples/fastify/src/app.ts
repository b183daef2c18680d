/**
 * A Fastify 5 app that offers webhooks, and one that receives them.
 * Provider: hookline's subscription API as an encapsulated plugin under /webhooks (bearer auth), `emit()`
 * from POST /orders (which keeps Fastify's own JSON parser). Receiver: POST /hooks with the verify hook.
 */
import { randomUUID } from "node:crypto";
import { bearerAuth, createHookline, standardWebhooks, type WebhookEvent } from "@hookline/core";
import { fastifyHookline, fastifyVerify } from "@hookline/fastify";
import { sqliteStore } from "@hookline/store-sql";
import Fastify from "fastify";

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

  const provider = Fastify();
  await provider.register(fastifyHookline, { hookline: webhooks, prefix: "/webhooks" });
  provider.post<{ Body: Record<string, unknown> }>("/orders", async (request, reply) => {
    const tenant = TOKENS[(request.headers.authorization ?? "").replace(/^Bearer /, "")];
    if (!tenant) return reply.code(401).send();
    const order = { id: randomUUID(), ...request.body };
    await webhooks.emit({ tenant, type: "order.created", data: order });
    return reply.code(201).send(order);
  });

  const secret = standardWebhooks().generateSecret();
  const received: WebhookEvent[] = [];
  const receiver = Fastify();
  receiver.post("/hooks", { preParsing: fastifyVerify({ secrets: [secret] }) }, async (request, reply) => {
    if (request.webhook) received.push(request.webhook);
    return reply.code(204).send();
  });

  const providerUrl = await provider.listen({ port: 0, host: "127.0.0.1" });
  const receiverUrl = await receiver.listen({ port: 0, host: "127.0.0.1" });
  return {
    providerUrl,
    receiverUrl,
    authHeaders: { authorization: "Bearer token-acme" },
    subscriptionsPath: "/webhooks/subscriptions",
    secret,
    received,
    async close() {
      await webhooks.close({ timeoutMs: 2_000 });
      await Promise.all([provider.close(), receiver.close()]);
    },
  };
}

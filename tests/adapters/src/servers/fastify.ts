import { fastifyHookline, verifyWebhookPlugin, type WebhookFastifyRequest } from "@hookline/fastify";
import Fastify from "fastify";
import { failsFirst } from "../fixtures.ts";
import { receivedBody } from "../listen.ts";
import type { AdapterServer, RunningServer } from "../types.ts";

const server: AdapterServer = {
  name: "fastify",
  // Fastify's own JSON parser is always installed at the root: the plugin keeps it out of its scope.
  bodyParsers: false,
  async start(setup): Promise<RunningServer> {
    const app = Fastify();
    app.get("/health", async () => "ok");
    // A host route that relies on Fastify's JSON parser: the plugin must not change it.
    app.post("/json-echo", async (request) => ({ parsed: request.body }));
    app.post("/bare", async (request) => ({ bytes: JSON.stringify(request.body).length }));
    await app.register(fastifyHookline, {
      hookline: setup.hookline,
      prefix: "/webhooks",
      bodyLimitBytes: setup.bodyLimitBytes,
    });
    for (const [path, opts] of [
      ["/receiver", setup.receiver],
      ["/receiver-dedupe", setup.receiverDedupe],
    ] as const) {
      await app.register(async (scope) => {
        await scope.register(verifyWebhookPlugin, opts);
        scope.post(path, async (request) => receivedBody((request as WebhookFastifyRequest).webhook));
      });
    }
    const retryAnswer = failsFirst();
    await app.register(async (scope) => {
      await scope.register(verifyWebhookPlugin, setup.receiverRetry);
      scope.post("/receiver-retry", async (request, reply) => {
        const { webhook } = request as WebhookFastifyRequest;
        const answer = retryAnswer(webhook);
        if (answer === "throw") throw new Error("handler failed");
        return reply.code(answer === "status" ? 503 : 200).send(receivedBody(webhook));
      });
    });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, close: () => app.close() };
  },
};
export default server;

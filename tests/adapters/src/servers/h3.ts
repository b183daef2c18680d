import { createServer } from "node:http";
import { h3Handler, h3Verify, webhookOf } from "@hookline/h3";
import { H3 } from "h3";
import { toNodeHandler } from "h3/node";
import { failsFirst } from "../fixtures.ts";
import { listen, receivedBody } from "../listen.ts";
import type { AdapterServer } from "../types.ts";

const server: AdapterServer = {
  name: "h3",
  bodyParsers: false,
  async start(setup) {
    const app = new H3({ silent: true });
    app.get("/health", () => "ok");
    app.post("/bare", async (event) => ({ bytes: (await event.req.arrayBuffer()).byteLength }));
    app.post("/receiver", (event) => receivedBody(webhookOf(event)), {
      middleware: [h3Verify(setup.receiver)],
    });
    app.post("/receiver-dedupe", (event) => receivedBody(webhookOf(event)), {
      middleware: [h3Verify(setup.receiverDedupe)],
    });
    const retryAnswer = failsFirst();
    app.post(
      "/receiver-retry",
      (event) => {
        const webhook = webhookOf(event);
        const answer = retryAnswer(webhook);
        if (answer === "throw") throw new Error("handler failed");
        return Response.json(receivedBody(webhook), { status: answer === "status" ? 503 : 200 });
      },
      { middleware: [h3Verify(setup.receiverRetry)] },
    );
    app.mount("/webhooks", h3Handler(setup.hookline));
    return listen(createServer(toNodeHandler(app)));
  },
};
export default server;

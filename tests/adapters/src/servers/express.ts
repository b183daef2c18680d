import { createServer } from "node:http";
import { expressRouter, expressVerify, type WebhookRequest } from "@hookline/express";
import { readRawBody } from "@hookline/node";
import express, { type ErrorRequestHandler } from "express";
import { failsFirst } from "../fixtures.ts";
import { listen, receivedBody } from "../listen.ts";
import type { AdapterServer } from "../types.ts";

const server: AdapterServer = {
  name: "express",
  bodyParsers: true,
  async start(setup) {
    const app = express();
    if (setup.parser === "consumes") app.use(express.json());
    if (setup.parser === "keeps-raw")
      app.use(
        express.json({
          verify: (req, _res, buf) => {
            (req as { rawBody?: Buffer }).rawBody = buf;
          },
        }),
      );
    app.get("/health", (_req, res) => {
      res.send("ok");
    });
    app.use("/webhooks", expressRouter(setup.hookline, { bodyLimitBytes: setup.bodyLimitBytes }));
    for (const [path, opts] of [
      ["/receiver", setup.receiver],
      ["/receiver-dedupe", setup.receiverDedupe],
    ] as const) {
      app.post(path, expressVerify(opts), (req, res) => {
        res.json(receivedBody((req as WebhookRequest).webhook));
      });
    }
    const retryAnswer = failsFirst();
    app.post("/receiver-retry", expressVerify(setup.receiverRetry), (req, res) => {
      const { webhook } = req as WebhookRequest;
      const answer = retryAnswer(webhook);
      if (answer === "throw") throw new Error("handler failed");
      res.status(answer === "status" ? 503 : 200).json(receivedBody(webhook));
    });
    app.post("/bare", async (req, res) => {
      res.json({ bytes: (await readRawBody(req)).byteLength });
    });
    const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => {
      res.status(500).json({ error: err.message });
    };
    app.use(onError);
    return listen(createServer(app));
  },
};
export default server;

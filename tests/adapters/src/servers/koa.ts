import { createServer } from "node:http";
import { type KoaWebhookState, koaMiddleware, koaVerify } from "@hookline/koa";
import { readRawBody } from "@hookline/node";
import Router from "@koa/router";
import Koa from "koa";
import { failsFirst } from "../fixtures.ts";
import { listen, receivedBody } from "../listen.ts";
import type { AdapterServer } from "../types.ts";

/** What @koa/bodyparser does: read the stream, parse, leave `ctx.request.body` (and optionally the raw bytes). */
function jsonParser(keepRaw: boolean): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.is("application/json")) {
      const raw = Buffer.from(await readRawBody(ctx.req));
      (ctx.request as { body?: unknown }).body = JSON.parse(raw.toString("utf8"));
      if (keepRaw) (ctx.req as { rawBody?: Buffer }).rawBody = raw;
    }
    await next();
  };
}

const server: AdapterServer = {
  name: "koa",
  bodyParsers: true,
  async start(setup) {
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        ctx.status = 500;
        ctx.body = { error: (err as Error).message };
      }
    });
    if (setup.parser && setup.parser !== "none") app.use(jsonParser(setup.parser === "keeps-raw"));
    app.use(koaMiddleware(setup.hookline, { prefix: "/webhooks", bodyLimitBytes: setup.bodyLimitBytes }));
    const router = new Router<KoaWebhookState>();
    router.get("/health", (ctx) => {
      ctx.body = "ok";
    });
    router.post("/receiver", koaVerify(setup.receiver), (ctx) => {
      ctx.body = receivedBody(ctx.state.webhook);
    });
    router.post("/receiver-dedupe", koaVerify(setup.receiverDedupe), (ctx) => {
      ctx.body = receivedBody(ctx.state.webhook);
    });
    const retryAnswer = failsFirst();
    router.post("/receiver-retry", koaVerify(setup.receiverRetry), (ctx) => {
      const answer = retryAnswer(ctx.state.webhook);
      if (answer === "throw") throw new Error("handler failed");
      ctx.status = answer === "status" ? 503 : 200;
      ctx.body = receivedBody(ctx.state.webhook);
    });
    router.post("/bare", async (ctx) => {
      ctx.body = { bytes: (await readRawBody(ctx.req)).byteLength };
    });
    app.use(router.routes());
    return listen(createServer(app.callback()));
  },
};
export default server;

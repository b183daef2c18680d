import { createServer } from "node:http";
import { collectBody, createVerifier, replyToResponse, runVerifiedHandler } from "@hookline/core";
import { handleNodeRequest } from "@hookline/node";
import { failsFirst } from "../fixtures.ts";
import { listen, receivedBody } from "../listen.ts";
import type { AdapterServer } from "../types.ts";

/**
 * No framework: `hookline.fetch` and `verifier.verifyRequest` called directly on web Requests (as on Bun,
 * Deno or a Next route handler); the Node bridge only carries them over HTTP for the test.
 */
const server: AdapterServer = {
  name: "fetch",
  bodyParsers: false,
  async start(setup) {
    const receiver = createVerifier(setup.receiver);
    const receiverDedupe = createVerifier(setup.receiverDedupe);
    const receiverRetry = createVerifier(setup.receiverRetry);
    const retryAnswer = failsFirst();
    const retryHandler = async (request: Request): Promise<Response> => {
      const result = await receiverRetry.verifyRequest(request);
      if (!result.ok) return replyToResponse(result.reply);
      const { event } = result;
      return runVerifiedHandler(result.release, () => {
        const answer = retryAnswer(event);
        if (answer === "throw") throw new Error("handler failed");
        return Response.json(receivedBody(event), { status: answer === "status" ? 503 : 200 });
      }).catch(() => new Response("handler failed", { status: 500 }));
    };
    const fetch = async (request: Request): Promise<Response> => {
      const { pathname } = new URL(request.url);
      if (pathname === "/health") return new Response("ok");
      if (pathname === "/bare")
        return Response.json({ bytes: (await collectBody(request.body!)).byteLength });
      if (pathname === "/webhooks" || pathname.startsWith("/webhooks/")) {
        const url = new URL(request.url);
        url.pathname = pathname.slice("/webhooks".length) || "/";
        return setup.hookline.fetch(new Request(url, request));
      }
      if (pathname === "/receiver-retry") return retryHandler(request);
      const verifier =
        pathname === "/receiver" ? receiver : pathname === "/receiver-dedupe" ? receiverDedupe : null;
      if (!verifier) return new Response("not found", { status: 404 });
      const result = await verifier.verifyRequest(request);
      return result.ok ? Response.json(receivedBody(result.event)) : replyToResponse(result.reply);
    };
    return listen(createServer((req, res) => void handleNodeRequest({ fetch }, req, res)));
  },
};
export default server;

// This adapter may import only public entry points (@hookline/core, @hookline/node, express's types):
// it translates between Express and hookline and holds no webhook logic of its own.
/**
 * @hookline/express — hookline for Express 5.
 *
 * Provider side: `app.use("/webhooks", expressRouter(hookline))`. Receiver side:
 * `app.post("/hooks", expressVerify({ secrets }), (req, res) => { req.webhook … })`.
 * Mount both BEFORE `express.json()` (or let the parser keep `req.rawBody`): signatures need the raw bytes.
 */
import { createVerifier, type VerifierOptions, type WebhookEvent } from "@hookline/core";
import {
  type FetchApp,
  handleNodeRequest,
  releaseOnFailedResponse,
  sendReply,
  verifyNodeRequest,
} from "@hookline/node";
import type { Request, RequestHandler } from "express";

/** Options of {@link expressRouter}. */
export interface ExpressRouterOptions {
  /** Largest request body accepted (default 1 MiB); larger ones are answered 413. */
  bodyLimitBytes?: number;
}

/**
 * The subscription API as Express middleware, for `app.use("/webhooks", expressRouter(hookline))`.
 * The mount prefix (`req.baseUrl`) is stripped, so hookline sees paths relative to it.
 */
export function expressRouter(hookline: FetchApp, options: ExpressRouterOptions = {}): RequestHandler {
  return (req, res, next) => {
    handleNodeRequest(hookline, req, res, {
      base: req.baseUrl,
      bodyLimitBytes: options.bodyLimitBytes,
    }).catch(next);
  };
}

/** Options of {@link expressVerify}: those of `createVerifier()` (scheme, secrets, tolerance, dedupe, …). */
export type ExpressVerifyOptions = VerifierOptions;

/** An Express request after {@link expressVerify}: `req.webhook` holds the verified, parsed event. */
export type WebhookRequest<TData = unknown> = Request & { webhook: WebhookEvent<TData> };

/**
 * Verify middleware: checks the signature over the raw bytes, then sets `req.webhook` and calls the next
 * handler. Failures are answered 400/401/413 with problem+json; duplicates and handshakes are answered
 * without calling the handler. With `dedupe`, a response that fails (the handler throws or answers ≥ 400)
 * releases the message id, so a retry after a failed handler is processed again.
 */
export function expressVerify<TData = unknown>(options: ExpressVerifyOptions): RequestHandler {
  const verifier = createVerifier<TData>(options);
  return (req, res, next) => {
    verifyNodeRequest(verifier, req).then((result) => {
      if (!result.ok) return sendReply(res, result.reply);
      (req as WebhookRequest<TData>).webhook = result.event;
      releaseOnFailedResponse(res, result.release);
      next();
    }, next);
  };
}

// This adapter may import only public entry points (@hookline/core, @hookline/node, koa's types):
// it translates between Koa and hookline and holds no webhook logic of its own.
/**
 * @hookline/koa — hookline for Koa 3.
 *
 * Provider side: `app.use(koaMiddleware(hookline, { prefix: "/webhooks" }))`. Receiver side:
 * `router.post("/hooks", koaVerify({ secrets }), (ctx) => { ctx.state.webhook … })`.
 * Install both BEFORE a body parser: signatures need the raw bytes.
 */
import { createVerifier, type VerifierOptions, type WebhookEvent } from "@hookline/core";
import { type FetchApp, handleNodeRequest, releaseOnFailedResponse, verifyNodeRequest } from "@hookline/node";
import type { Context, Middleware } from "koa";

/** Options of {@link koaMiddleware}. */
export interface KoaMiddlewareOptions {
  /** Mount prefix, e.g. `/webhooks`: only requests under it are handled, and it is stripped. Default: none. */
  prefix?: string;
  /** Largest request body accepted (default 1 MiB); larger ones are answered 413. */
  bodyLimitBytes?: number;
}

/** What a body parser left on `ctx.request` (koa-bodyparser / @koa/bodyparser). */
const parsedBody = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/**
 * The subscription API as Koa middleware. Requests outside `prefix` pass to the next middleware. Works
 * as plain `app.use(…)` or behind `@koa/router` (`router.all("/webhooks/{*rest}", …)`).
 */
export function koaMiddleware(hookline: FetchApp, options: KoaMiddlewareOptions = {}): Middleware {
  const prefix = options.prefix?.replace(/\/+$/, "") ?? "";
  return async (ctx, next) => {
    if (prefix && ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    ctx.respond = false; // the bridge writes the response itself, with backpressure
    try {
      await handleNodeRequest(hookline, ctx.req, ctx.res, {
        base: prefix,
        bodyLimitBytes: options.bodyLimitBytes,
        parsedBody: parsedBody(ctx),
      });
    } catch (err) {
      ctx.respond = true; // nothing was written: let Koa's error handling answer and report it
      throw err;
    }
  };
}

/** Options of {@link koaVerify}: those of `createVerifier()` (scheme, secrets, tolerance, dedupe, …). */
export type KoaVerifyOptions = VerifierOptions;

/** Koa state after {@link koaVerify}: `ctx.state.webhook` holds the verified, parsed event. */
export interface KoaWebhookState<TData = unknown> {
  webhook: WebhookEvent<TData>;
}

/**
 * Verify middleware: checks the signature over the raw bytes, then sets `ctx.state.webhook` and calls
 * `next()`. Failures are answered 400/401/413 with problem+json; duplicates and handshakes are answered
 * without calling `next()`. With `dedupe`, a response that fails (a later middleware throws or answers
 * ≥ 400) releases the message id, so a retry after a failed handler is processed again.
 */
export function koaVerify<TData = unknown>(options: KoaVerifyOptions): Middleware<KoaWebhookState<TData>> {
  const verifier = createVerifier<TData>(options);
  // A promise chain, not an async function: one promise fewer per request on this hot path.
  return (ctx, next) =>
    verifyNodeRequest(verifier, ctx.req, { parsedBody: parsedBody(ctx) }).then((result) => {
      if (!result.ok) {
        ctx.status = result.reply.status;
        ctx.set(result.reply.headers);
        ctx.body = result.reply.body;
        return;
      }
      ctx.state.webhook = result.event;
      releaseOnFailedResponse(ctx.res, result.release);
      return next();
    });
}

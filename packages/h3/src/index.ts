// This adapter may import only public entry points (@hookline/core, h3's types): it translates between
// h3 and hookline and holds no webhook logic of its own. h3 v2 is fetch-native, so there is little to do.
/**
 * @hookline/h3 — hookline for h3 v2.
 *
 * Provider side: `app.mount("/webhooks", h3Handler(hookline))` (h3 strips the prefix). Receiver side:
 * `app.post("/hooks", (event) => event.context.webhook, { middleware: [h3Verify({ secrets })] })`.
 */
import {
  createVerifier,
  replyToResponse,
  runVerifiedHandler,
  type VerifierOptions,
  type WebhookEvent,
} from "@hookline/core";
import type { H3Event, Middleware } from "h3";

/** Anything with a `.fetch(Request)` method: the hookline facade. */
export interface H3HooklineApp {
  fetch(request: Request): Response | Promise<Response>;
}

/** The subscription API as a fetch handler for `app.mount("/webhooks", h3Handler(hookline))`. */
export function h3Handler(hookline: H3HooklineApp): (request: Request) => Promise<Response> {
  return async (request) => hookline.fetch(request);
}

/** Options of {@link h3Verify}: those of `createVerifier()` (scheme, secrets, tolerance, dedupe, …). */
export type H3VerifyOptions = VerifierOptions;

declare module "h3" {
  interface H3EventContext {
    /** The verified, parsed webhook, set by `h3Verify()`. */
    webhook?: WebhookEvent;
  }
}

/** The verified event of an h3 event, typed (set by {@link h3Verify}; throws when the middleware did not run). */
export function webhookOf<TData = unknown>(event: H3Event): WebhookEvent<TData> {
  const webhook = event.context.webhook;
  if (!webhook)
    throw new Error("[hookline] [h3] no verified webhook on this event: add h3Verify() as middleware");
  return webhook as WebhookEvent<TData>;
}

/** The status h3 will answer for a handler's return value (a `Response`, a returned error, or a value). */
function statusOf(event: H3Event, answer: unknown): number {
  if (answer instanceof Response) return answer.status;
  if (answer instanceof Error) return Number((answer as { status?: unknown }).status) || 500;
  return event.res.status ?? 200;
}

/**
 * Verify middleware: reads the raw body (bounded), checks the signature, then sets
 * `event.context.webhook` and continues. Failures are answered 400/401/413 with problem+json;
 * duplicates and handshakes are answered without calling the handler. With `dedupe`, a handler that
 * fails (throws, or answers ≥ 400) releases the message id, so a retry after it is processed again.
 */
export function h3Verify(options: H3VerifyOptions): Middleware {
  const verifier = createVerifier(options);
  return async (event, next) => {
    const result = await verifier.verifyRequest(event.req);
    if (!result.ok) return replyToResponse(result.reply);
    event.context.webhook = result.event;
    return runVerifiedHandler(result.release, next, (answer) => statusOf(event, answer));
  };
}

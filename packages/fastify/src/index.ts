// This adapter may import only public entry points (@hookline/core, @hookline/node, fastify's types):
// it translates between Fastify and hookline and holds no webhook logic of its own.
/**
 * @hookline/fastify — hookline for Fastify 5.
 *
 * Provider side: `app.register(fastifyHookline, { hookline, prefix: "/webhooks" })`: an encapsulated
 * plugin; its content-type parser change (raw passthrough) stays inside it, so the app's other routes
 * keep Fastify's JSON parser. Receiver side: the `fastifyVerify()` route hook or `verifyWebhookPlugin`, and
 * `webhookPayloadParser` to hand the payload they parsed to the route as `request.body` (parsed once).
 */
import { Readable } from "node:stream";
import {
  createVerifier,
  HooklineError,
  problemOf,
  problemReply,
  type VerifierOptions,
  type WebhookEvent,
} from "@hookline/core";
import {
  type FetchApp,
  handleNodeRequest,
  releaseOnFailedResponse,
  sendReply,
  verifyNodeRequest,
} from "@hookline/node";
import type {
  FastifyContentTypeParser,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preParsingAsyncHookHandler,
  RouteHandlerMethod,
} from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified, parsed webhook, set by `fastifyVerify()` / `verifyWebhookPlugin`. */
    webhook?: WebhookEvent | null;
  }
}

/** Options of {@link fastifyHookline} (plus Fastify's own `prefix`). */
export interface FastifyHooklineOptions {
  /** The hookline instance (anything with `.fetch(Request)`). */
  hookline: FetchApp;
  /** Largest request body accepted (default 1 MiB); larger ones are answered 413. */
  bodyLimitBytes?: number;
}

/**
 * The subscription API as an encapsulated Fastify plugin: `app.register(fastifyHookline, { hookline,
 * prefix: "/webhooks" })`. Inside it the body is left unread, so hookline reads the raw bytes itself.
 */
export const fastifyHookline: FastifyPluginAsync<FastifyHooklineOptions> = async (instance, options) => {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
  const handler: RouteHandlerMethod = async (request, reply) => {
    reply.hijack();
    await handleNodeRequest(options.hookline, request.raw, reply.raw, {
      base: instance.prefix,
      bodyLimitBytes: options.bodyLimitBytes,
    }).catch((err: unknown) => {
      // Hijacked: Fastify no longer answers for us, so report the error and answer a bare 500 here.
      request.log.error({ err }, "[hookline] [fastify] request failed");
      if (!reply.raw.headersSent) sendReply(reply.raw, problemReply(problemOf(err)));
      else reply.raw.destroy();
    });
  };
  instance.all("/", handler);
  instance.all("/*", handler);
};

/** Options of {@link fastifyVerify} / {@link verifyWebhookPlugin}: those of `createVerifier()`. */
export type FastifyVerifyOptions = VerifierOptions;

/** A Fastify request after verification, typed: `request.webhook` holds the event. */
export type WebhookFastifyRequest<TData = unknown> = FastifyRequest & { webhook: WebhookEvent<TData> };

/**
 * Route option: `app.post("/hooks", { preParsing: fastifyVerify({ secrets }) }, handler)`. Verifies the raw
 * bytes before any content-type parser runs, sets `request.webhook`, then hands the same bytes on to the
 * route's parser (so `request.body` is parsed as usual; with {@link webhookPayloadParser} as the scope's JSON
 * parser, `request.body` is the payload hookline already parsed, not parsed again). Failures are answered
 * 400/401/413 problem+json. With `dedupe`, a response that fails (the handler throws or answers ≥ 400)
 * releases the message id, so a retry after a failed handler is processed again.
 */
export function fastifyVerify(options: FastifyVerifyOptions): preParsingAsyncHookHandler {
  const verifier = createVerifier(options);
  return async function verifyWebhook(request: FastifyRequest, reply: FastifyReply) {
    const result = await verifyNodeRequest(verifier, request.raw);
    if (!result.ok) {
      await reply.code(result.reply.status).headers(result.reply.headers).send(result.reply.body);
      return reply as never;
    }
    request.webhook = result.event;
    releaseOnFailedResponse(reply.raw, result.release);
    return new Replay(result.event.raw);
  };
}

/**
 * The verified bytes, replayed to the route's content-type parser: a readable that pushes its one buffer
 * when first read (a `PassThrough` costs a writable side and a transform per request for nothing, and a
 * parser that hands over the parsed payload never reads it at all).
 */
class Replay extends Readable {
  /** What Fastify's body reader checks against `content-length` and the body limit. */
  readonly receivedEncodedLength: number;
  #bytes: Uint8Array | null;
  constructor(bytes: Uint8Array) {
    super();
    this.receivedEncodedLength = bytes.byteLength;
    this.#bytes = bytes;
  }
  override _read(): void {
    const bytes = this.#bytes;
    this.#bytes = null;
    if (bytes !== null) this.push(bytes);
    this.push(null);
  }
}

/**
 * A content-type parser for `application/json` that hands the route the payload hookline already verified
 * and parsed: `request.body` is `request.webhook.payload` (the same value, parsed once by the verifier's
 * `parse`), where Fastify's own JSON parser would read and parse the same bytes a second time. Use it in
 * the scope of verified routes only (a request that was not verified is answered 500):
 * `scope.removeContentTypeParser("application/json")`, then
 * `scope.addContentTypeParser("application/json", webhookPayloadParser)`, with `fastifyVerify()` on the
 * scope's routes or {@link verifyWebhookPlugin} registered in it.
 */
export const webhookPayloadParser: FastifyContentTypeParser = (request, _payload, done) => {
  const webhook = request.webhook;
  if (webhook) done(null, webhook.payload);
  else
    done(
      new HooklineError(
        "internal",
        "[fastify] webhookPayloadParser has no verified webhook to hand over: add fastifyVerify() (or " +
          "verifyWebhookPlugin) to every route of the scope that uses it",
        { status: 500 },
      ),
    );
};

/**
 * Adds {@link fastifyVerify} to every route of the scope that registers it (it changes no parser, only adds
 * a hook, so it is not encapsulated): wrap your webhook routes in their own scope:
 * `app.register(async (hooks) => { await hooks.register(verifyWebhookPlugin, { secrets }); hooks.post(…) })`.
 */
export const verifyWebhookPlugin: FastifyPluginAsync<FastifyVerifyOptions> = Object.assign(
  async (
    instance: Parameters<FastifyPluginAsync<FastifyVerifyOptions>>[0],
    options: FastifyVerifyOptions,
  ) => {
    if (!instance.hasRequestDecorator("webhook")) instance.decorateRequest("webhook", null);
    instance.addHook("preParsing", fastifyVerify(options));
  },
  { [Symbol.for("skip-override")]: true },
);

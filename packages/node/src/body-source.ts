import type { IncomingMessage } from "node:http";
import { HooklineError } from "@hookline/core";

/** What a body parser may have left on the request. */
interface ParsedRequest extends IncomingMessage {
  rawBody?: unknown;
  body?: unknown;
}

/**
 * The raw bytes a body parser already kept (`req.rawBody`, or a `Buffer` body from `express.raw()`),
 * `null` when the stream is still unread, or a loud error when a parser consumed the stream and left only
 * a parsed value: re-serialising it would not give the bytes that were sent (signatures would break).
 *
 * `parsedBody` is where the framework's parser put its result when that is not `req.body` (Koa's
 * `ctx.request.body`). Express 5 leaves `req.body` undefined without a parser: the value is checked, not
 * the property's presence.
 */
export function parserLeftover(req: IncomingMessage, parsedBody?: unknown): Uint8Array | null {
  const r = req as ParsedRequest;
  const parsed = parsedBody !== undefined ? parsedBody : r.body;
  if (r.rawBody instanceof Uint8Array) return r.rawBody;
  if (parsed instanceof Uint8Array) return parsed;
  if (!req.readableEnded && !req.readableDidRead) return null;
  const what =
    parsed === undefined ? "read" : `parsed into ${typeof parsed === "string" ? "a string" : "an object"}`;
  throw new HooklineError(
    "internal",
    `the request body was already ${what} by a body parser that ran before hookline, and its raw bytes are ` +
      "gone (re-serialising a parsed body would change the bytes and break signatures). Fix the order: mount " +
      'hookline before the body parser (e.g. app.use("/webhooks", …) above app.use(express.json()), or ' +
      "koaMiddleware() above bodyParser()), or exclude its path from the parser, or let the parser keep the " +
      "exact bytes in req.rawBody as a Buffer (express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })).",
    { status: 500 },
  );
}

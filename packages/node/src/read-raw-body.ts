import type { IncomingMessage } from "node:http";
import { assertContentLength, collectBody, DEFAULT_BODY_LIMIT_BYTES } from "@hookline/core";
import { parserLeftover } from "./body-source.ts";

/** Options of {@link readRawBody}. */
export interface ReadRawBodyOptions {
  /** Where the framework's body parser put its result, if not `req.body` (Koa: `ctx.request.body`). */
  parsedBody?: unknown;
}

/**
 * Reads the exact request bytes (for signature verification), bounded by `limit` (default 1 MiB):
 * throws `payload_too_large` (413) early from `content-length` or as soon as the limit is passed. Uses the
 * bytes a parser kept (`req.rawBody` / a Buffer `req.body`); fails loudly when a parser consumed the
 * stream and kept only a parsed value.
 */
export async function readRawBody(
  req: IncomingMessage,
  limit: number = DEFAULT_BODY_LIMIT_BYTES,
  opts: ReadRawBodyOptions = {},
): Promise<Uint8Array> {
  const leftover = parserLeftover(req, opts.parsedBody);
  if (leftover !== null) {
    assertContentLength(String(leftover.byteLength), limit);
    return leftover;
  }
  assertContentLength(req.headers["content-length"], limit);
  // Keep the socket on overflow so a 413 can still be written (destroyOnReturn: false).
  return collectBody(req.iterator({ destroyOnReturn: false }), limit);
}

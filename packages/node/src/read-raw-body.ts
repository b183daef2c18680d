import type { IncomingMessage } from "node:http";
import { assertContentLength, bodyTooLarge, DEFAULT_BODY_LIMIT_BYTES, HooklineError } from "@hookline/core";
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
export function readRawBody(
  req: IncomingMessage,
  limit: number = DEFAULT_BODY_LIMIT_BYTES,
  opts: ReadRawBodyOptions = {},
): Promise<Uint8Array> {
  try {
    const leftover = parserLeftover(req, opts.parsedBody);
    if (leftover !== null) {
      assertContentLength(String(leftover.byteLength), limit);
      return Promise.resolve(leftover);
    }
    assertContentLength(req.headers["content-length"], limit);
  } catch (err) {
    return Promise.reject(err); // never throws: every failure is a rejection, as from an async function
  }
  return readStream(req, limit);
}

/**
 * Event-based read (cheaper per request than async iteration). On overflow it stops listening and pauses
 * the stream without destroying the socket, so a 413 can still be written.
 */
function readStream(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      if (!req.complete)
        reject(new HooklineError("bad_request", "the client closed the connection mid-body"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

import type { IncomingMessage, ServerResponse } from "node:http";
import {
  bodyTooLarge,
  DEFAULT_BODY_LIMIT_BYTES,
  HooklineError,
  problemOf,
  problemReply,
  rejection,
  replyToResponse,
  type Verifier,
  type VerifyResult,
  type WebhookReply,
} from "@hookline/core";
import { readRawBody } from "./read-raw-body.ts";
import { bridgeRequest, type ToRequestOptions } from "./to-request.ts";
import type { FetchApp } from "./types.ts";
import { writeResponse } from "./write-response.ts";

/** Options of {@link handleNodeRequest}. */
export type HandleNodeRequestOptions = Omit<ToRequestOptions, "signal">;

/**
 * The whole provider-side bridge, which every Node adapter calls: Node request → `Request` → `app.fetch`
 * → `Response` → Node response with backpressure. A client that disconnects aborts the request's signal
 * and nothing more is written. Bad input (413, 400) is answered as problem+json; a misconfiguration (a
 * body parser consumed the stream) or a bug is rethrown so the framework's error handling reports it.
 */
export async function handleNodeRequest(
  app: FetchApp,
  req: IncomingMessage,
  res: ServerResponse,
  opts: HandleNodeRequestOptions = {},
): Promise<void> {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once("close", onClose);
  try {
    const response = await respond(app, req, { ...opts, signal: controller.signal });
    if (response === null || controller.signal.aborted) {
      await response?.body?.cancel();
      return;
    }
    closeIfUnread(res, response.status);
    await writeResponse(res, response);
  } finally {
    res.off("close", onClose);
  }
}

/** Runs the handler; 4xx hookline errors and body overflows become problem responses, the rest is thrown. */
async function respond(
  app: FetchApp,
  req: IncomingMessage,
  opts: ToRequestOptions,
): Promise<Response | null> {
  let overflowed = () => false;
  try {
    const bridged = bridgeRequest(req, opts);
    overflowed = bridged.overflowed;
    const response = await app.fetch(bridged.request);
    if (!overflowed() || response.status === 413) return response;
    await response.body?.cancel();
  } catch (err) {
    if (opts.signal?.aborted) return null;
    if (!overflowed()) {
      if (!HooklineError.is(err) || err.status >= 500) throw err;
      return errorResponse(err);
    }
  }
  return errorResponse(bodyTooLarge(opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES));
}

/** Options of {@link verifyNodeRequest}. */
export interface VerifyNodeRequestOptions {
  /** Where the framework's body parser put its result, if not `req.body` (Koa: `ctx.request.body`). */
  parsedBody?: unknown;
}

/**
 * The whole receiver-side bridge: reads the raw bytes (bounded by the verifier's limit) and verifies them.
 * 413 and verification failures come back as a `rejected` result; a misconfiguration is thrown.
 */
export function verifyNodeRequest<TData>(
  verifier: Verifier<TData>,
  req: IncomingMessage,
  opts: VerifyNodeRequestOptions = {},
): Promise<VerifyResult<TData>> {
  // One promise from the read to the result: `check` answers at once unless a dedupe claim is pending.
  return readRawBody(req, verifier.bodyLimitBytes, opts).then(
    (body) => verifier.check(req.headers, body),
    rejection,
  );
}

/** Sends a verifier's reply (problem, duplicate acknowledgement, handshake answer) on a Node response. */
export function sendReply(res: ServerResponse, reply: WebhookReply): void {
  closeIfUnread(res, reply.status);
  res.writeHead(reply.status, reply.headers).end(reply.body);
}

function errorResponse(err: unknown): Response {
  return replyToResponse(problemReply(problemOf(err)));
}

/** After a 413 the rest of the body is unread: close the connection instead of draining it. */
function closeIfUnread(res: ServerResponse, status: number): void {
  if (status === 413) res.shouldKeepAlive = false;
}

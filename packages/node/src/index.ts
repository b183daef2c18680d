/**
 * @hookline/node — the one Node.js ⇄ fetch bridge every Node adapter (Express, Koa, Fastify) uses:
 * raw body with a hard size limit, abort on disconnect, "body already consumed" detection, mount prefixes,
 * and response writing with backpressure.
 */
export {
  type HandleNodeRequestOptions,
  handleNodeRequest,
  sendReply,
  type VerifyNodeRequestOptions,
  verifyNodeRequest,
} from "./handle.ts";
export { type ReadRawBodyOptions, readRawBody } from "./read-raw-body.ts";
export { releaseOnFailedResponse } from "./release-on-failure.ts";
export { type ToRequestOptions, toRequest } from "./to-request.ts";
export type { FetchApp, FetchHandler } from "./types.ts";
export { writeResponse } from "./write-response.ts";

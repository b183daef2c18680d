/** The receiving side: verify incoming webhooks over raw bytes, dedupe, and answer the handshake. */
export { assertContentLength, bodyTooLarge, collectBody, DEFAULT_BODY_LIMIT_BYTES } from "./body.ts";
export {
  HANDSHAKE_EVENT_TYPE,
  HANDSHAKE_HEADER,
  handshakeChallenge,
  type VerifyEndpointOptions,
  verifyEndpoint,
} from "./handshake.ts";
export { jsonReply, problemOf, problemReply, replyToResponse, type WebhookReply } from "./problem.ts";
export { runVerifiedHandler } from "./release.ts";
export {
  createVerifier,
  noRelease,
  type ReleaseClaim,
  rejection,
  type Verifier,
  type VerifierOptions,
  type VerifyResult,
  type WebhookEvent,
} from "./verifier.ts";

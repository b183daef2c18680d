/** Signing and verification: schemes, registry and the pure `signWebhook` / `verifyWebhook` functions. */
export type { HmacHeaderOptions, HubSignatureOptions } from "./hmac-header.ts";
export { hmacHeader, hubSignature } from "./hmac-header.ts";
export { MAX_HEADER_BYTES } from "./input.ts";
export type { SchemeRegistry, VerifyWebhookOptions } from "./registry.ts";
export { defaultSchemes, resolveScheme, signWebhook, verifyWebhook } from "./registry.ts";
export { standardWebhooks, WHSEC_PREFIX } from "./standard.ts";
export { publicKeyFor, standardWebhooksEd25519, WHPK_PREFIX, WHSK_PREFIX } from "./standard-ed25519.ts";
export type { StripeSignatureOptions } from "./stripe.ts";
export { stripeSignature } from "./stripe.ts";
export { DEFAULT_TOLERANCE_SECONDS } from "./timestamp.ts";
export type { TokenHeaderOptions } from "./token.ts";
export { tokenHeader } from "./token.ts";
export type * from "./types.ts";
export { unsigned } from "./unsigned.ts";

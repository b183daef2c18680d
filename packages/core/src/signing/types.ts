/**
 * Signing schemes: how an outgoing request is signed and how a receiver verifies it.
 * All schemes work over the raw body bytes; verification never accepts a parsed object.
 */

/** Header access the verifiers accept: a `Headers` object, or a plain record (Node's `IncomingHttpHeaders`). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** Raw request body: the exact bytes that were sent. A string is taken as its UTF-8 bytes. */
export type RawBody = string | Uint8Array;

export interface SignInput {
  /** Message id (stable across retries). */
  id: string;
  /** Attempt time, in seconds since the epoch (fresh per attempt). */
  timestamp: number;
  body: RawBody;
  /** Every live secret; each produces one signature where the scheme allows several. */
  secrets: readonly string[];
}

export interface VerifyOptions {
  /** Accepted secrets (rotation: several at once). For ed25519, public keys (`whpk_…`). */
  secrets: readonly string[];
  /**
   * Two-sided timestamp tolerance in seconds. Default 300. `false` (no window) is accepted only by schemes
   * that sign no timestamp; a scheme that signs one refuses it with a `ValidationError`.
   */
  toleranceSeconds?: number | false;
  /** Clock for tests, in milliseconds since the epoch. */
  now?: () => number;
}

/** What a successful verification learned from the headers. */
export interface VerifiedHeaders {
  /** Message id, when the scheme carries one (`webhook-id`). */
  id: string | null;
  /** Signed timestamp in seconds, when the scheme carries one. */
  timestamp: number | null;
}

/** What a secret is for: signing outgoing requests, or verifying incoming ones. */
export type SecretUse = "sign" | "verify";

export interface SigningScheme {
  /** Stable name used in configuration and stored on subscriptions: `standard`, `standard-v1a`, `hub`, `stripe`, `token`, `none`. */
  readonly name: string;
  /** Whether the scheme signs a timestamp (legacy schemes that do not are weaker against replay). */
  readonly signsTimestamp: boolean;
  /** Headers to add to the outgoing request. */
  sign(input: SignInput): Record<string, string>;
  /** Throws `WebhookVerificationError` with a precise `code` unless the request is authentic. */
  verify(headers: HeaderSource, body: RawBody, opts: VerifyOptions): VerifiedHeaders;
  /** A new secret in this scheme's format. */
  generateSecret(): string;
  /**
   * Throws `invalid_secret` when `secret` is not in a format this scheme can use for `use`: `"sign"` (the
   * default: a subscription's signing secret) or `"verify"` (a receiver's key). Only asymmetric schemes tell
   * them apart (`standard-v1a` signs with `whsk_` keys only, verifies with `whpk_` or `whsk_`).
   */
  assertSecret(secret: string, use?: SecretUse): void;
}

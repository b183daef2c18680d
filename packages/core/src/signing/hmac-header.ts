/**
 * HMAC-SHA256 over the raw body in one header (`X-Hub-Signature-256: sha256=<hex>` and its relatives).
 *
 * WEAKER THAN THE DEFAULT: these schemes sign no timestamp and no message id, so a captured request can be
 * replayed for as long as the secret lives (`signsTimestamp: false`). Use them when a receiver expects them;
 * prefer {@link standardWebhooks} otherwise, and dedupe on a message id at the receiver.
 */
import { WebhookVerificationError } from "../errors.ts";
import {
  hmacSha256,
  hmacSignaturePattern,
  invalidSecret,
  matchesAny,
  noSecretsToSign,
  randomKey,
} from "./crypto.ts";
import { assertRawBody, checkVerifyInput, requireHeader } from "./input.ts";
import type { SigningScheme, VerifiedHeaders } from "./types.ts";

/** Options of {@link hmacHeader}. */
export interface HmacHeaderOptions {
  /** Header carrying the signature, e.g. `x-signature`. Matched case-insensitively. */
  header: string;
  /** Text before the encoded digest, e.g. `sha256=`. Default: none. */
  prefix?: string;
  /** Encoding of the digest. Default `hex`. */
  encoding?: "hex" | "base64";
  /** Scheme name used in configuration. Default `hmac`. */
  name?: string;
}

/** Options of {@link hubSignature}. */
export interface HubSignatureOptions {
  /** Header name. Default `x-hub-signature-256`. */
  header?: string;
}

/** Checks an HMAC secret: any non-empty string (it is used as its UTF-8 bytes). */
export function assertHmacSecret(scheme: string, secret: unknown): asserts secret is string {
  if (typeof secret !== "string" || secret.length === 0)
    throw invalidSecret(scheme, "expected a non-empty string");
}

/** A new HMAC secret: 32 random bytes as 64 hex characters (the shape of seed 001's `key`). */
export function generateHexSecret(): string {
  return randomKey(32).toString("hex");
}

/**
 * Generic HMAC-SHA256 of the raw body in one header: `<prefix><hex|base64 digest>`. Signs with the first
 * secret (one header holds one signature); verifies against every secret given. No timestamp is signed.
 */
export function hmacHeader(options: HmacHeaderOptions): SigningScheme {
  const header = options.header.toLowerCase();
  const prefix = options.prefix ?? "";
  const encoding = options.encoding ?? "hex";
  const name = options.name ?? "hmac";
  const wellFormed = hmacSignaturePattern(prefix, encoding);
  return {
    name,
    signsTimestamp: false,
    sign({ body, secrets }) {
      assertRawBody(body);
      const secret = secrets[0];
      if (secret === undefined) throw noSecretsToSign(name);
      assertHmacSecret(name, secret);
      return { [header]: prefix + hmacSha256(secret, encoding, "", body) };
    },
    verify(headers, body, opts): VerifiedHeaders {
      checkVerifyInput(body, opts);
      for (const s of opts.secrets) assertHmacSecret(name, s);
      const value = requireHeader(headers, header);
      if (!wellFormed.test(value)) {
        throw new WebhookVerificationError(
          "invalid_signature_format",
          `header ${header} is not "${prefix}<${encoding} HMAC-SHA256>"`,
        );
      }
      // The whole canonical text is compared: equal text ⟺ equal digest.
      const received = [Buffer.from(value, "latin1")];
      for (const secret of opts.secrets) {
        if (matchesAny(prefix + hmacSha256(secret, encoding, "", body), received)) {
          return { id: null, timestamp: null };
        }
      }
      throw new WebhookVerificationError("signature_mismatch", `${header} matches no secret`);
    },
    generateSecret: generateHexSecret,
    assertSecret(secret) {
      assertHmacSecret(name, secret);
    },
  };
}

/**
 * `X-Hub-Signature-256: sha256=<hex>` (GitHub style; seed 003), named `hub`. Round-trips with
 * `@octokit/webhooks-methods`. Signs no timestamp: see the module note on replay.
 */
export function hubSignature(options: HubSignatureOptions = {}): SigningScheme {
  return hmacHeader({
    header: options.header ?? "x-hub-signature-256",
    prefix: "sha256=",
    encoding: "hex",
    name: "hub",
  });
}

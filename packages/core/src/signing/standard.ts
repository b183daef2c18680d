/**
 * Standard Webhooks `v1`: HMAC-SHA256 in base64 over `${id}.${timestamp}.${body}`, keyed with a `whsec_`
 * secret. Interoperates with the `standardwebhooks` and `svix` libraries (the latter's `svix-*` headers too).
 */
import { WebhookVerificationError } from "../errors.ts";
import {
  boundedCache,
  canonicalHmacSignature,
  decodeBase64Strict,
  type HmacSha256Pads,
  hmacSha256Pads,
  hmacSha256WithPads,
  invalidSecret,
  matchesAnyText,
  noSecretsToSign,
  randomKey,
} from "./crypto.ts";
import { assertRawBody, checkVerifyInput } from "./input.ts";
import {
  acceptedSignatures,
  checkSignInput,
  readStandardHeaders,
  signedPrefix,
  standardHeaders,
} from "./standard-headers.ts";
import { checkTolerance } from "./timestamp.ts";
import type { SigningScheme, VerifiedHeaders } from "./types.ts";

/** Prefix of Standard Webhooks symmetric secrets. */
export const WHSEC_PREFIX = "whsec_";

const NAME = "standard";
const keys = boundedCache<HmacSha256Pads>();

/**
 * The prepared HMAC pads of a `whsec_<base64>` secret's key (cached). Like the reference library, the bare
 * base64 (no prefix) is accepted too. Throws `invalid_secret` (a `ValidationError`) for anything else.
 */
function decodeWhsec(secret: string): HmacSha256Pads {
  return keys.get(secret, (s) => {
    if (typeof s !== "string") throw invalidSecret(NAME, "secret must be a string");
    const text = s.startsWith(WHSEC_PREFIX) ? s.slice(WHSEC_PREFIX.length) : s;
    const key = decodeBase64Strict(text);
    if (key === null || key.length === 0) {
      throw invalidSecret(NAME, 'expected "whsec_" followed by a non-empty base64 key');
    }
    return hmacSha256Pads(key);
  });
}

/** A carried `v1` signature when it is the canonical base64 of 32 bytes, else `null`. */
const canonicalV1 = (text: string): string | null => canonicalHmacSignature(text, "base64");

/**
 * Standard Webhooks v1 (HMAC-SHA256, base64): the default scheme, named `standard`.
 *
 * - sign: one `v1,<base64>` per live secret, space-separated, in `webhook-signature`;
 * - verify: `webhook-*` or `svix-*` headers, several signatures and several secrets, 300 s two-sided
 *   tolerance unless `toleranceSeconds` says otherwise;
 * - secrets: `whsec_` + base64 of 32 random bytes.
 */
export function standardWebhooks(): SigningScheme {
  return {
    name: NAME,
    signsTimestamp: true,
    sign({ id, timestamp, body, secrets }) {
      checkSignInput(id, timestamp);
      assertRawBody(body);
      const prefix = signedPrefix(id, timestamp);
      if (secrets.length === 0) throw noSecretsToSign(NAME);
      // The key's prepared pads (cached per secret): two one-shot hashes instead of an HMAC context per secret
      // and attempt; the same digest as `createHmac` (tested in standard.test.ts).
      const sigs = secrets.map((s) => "v1," + hmacSha256WithPads(decodeWhsec(s), "base64", prefix, body));
      return standardHeaders(id, timestamp, sigs);
    },
    verify(headers, body, opts): VerifiedHeaders {
      checkVerifyInput(body, opts);
      const keyList = opts.secrets.map(decodeWhsec);
      const h = readStandardHeaders(headers, "v1");
      checkTolerance(h.timestamp, opts);
      const provided = acceptedSignatures(h.signatures, canonicalV1, "v1 signature is 32 bytes of base64");
      const prefix = signedPrefix(h.id, h.timestamp);
      for (const pads of keyList) {
        if (matchesAnyText(hmacSha256WithPads(pads, "base64", prefix, body), provided))
          return { id: h.id, timestamp: h.timestamp };
      }
      throw new WebhookVerificationError("signature_mismatch", "no signature matches any secret");
    },
    generateSecret() {
      return WHSEC_PREFIX + randomKey(32).toString("base64");
    },
    assertSecret(secret) {
      decodeWhsec(secret);
    },
  };
}

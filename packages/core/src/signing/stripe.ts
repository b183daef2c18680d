/**
 * Stripe-style signatures: `stripe-signature: t=<ts>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 in hex over
 * `${ts}.${body}`, keyed with the whole secret string (`whsec_…`) as Stripe does. Round-trips with the
 * `stripe` library's `webhooks.generateTestHeaderString` / `constructEvent`.
 */
import { WebhookVerificationError } from "../errors.ts";
import { hmacSha256, hmacSignatureText, matchesAny, noSecretsToSign, randomKey } from "./crypto.ts";
import { assertHmacSecret } from "./hmac-header.ts";
import { assertRawBody, checkVerifyInput, requireHeader } from "./input.ts";
import { checkSignInput } from "./standard-headers.ts";
import { checkTolerance, parseTimestamp } from "./timestamp.ts";
import type { SigningScheme, VerifiedHeaders } from "./types.ts";

/** Options of {@link stripeSignature}. */
export interface StripeSignatureOptions {
  /** Header name. Default `stripe-signature`. */
  header?: string;
}

const NAME = "stripe";

/**
 * Stripe-style `t=…,v1=…` signatures, named `stripe`. Signs one `v1` per live secret; verifies with a
 * 300 s two-sided tolerance by default (Stripe's own default window, checked on both sides).
 */
export function stripeSignature(options: StripeSignatureOptions = {}): SigningScheme {
  const header = (options.header ?? "stripe-signature").toLowerCase();
  return {
    name: NAME,
    signsTimestamp: true,
    sign({ id, timestamp, body, secrets }) {
      checkSignInput(id, timestamp);
      assertRawBody(body);
      if (secrets.length === 0) throw noSecretsToSign(NAME);
      const prefix = `${timestamp}.`;
      const parts = [`t=${timestamp}`];
      for (const s of secrets) {
        assertHmacSecret(NAME, s);
        parts.push(`v1=${hmacSha256(s, "hex", prefix, body)}`);
      }
      return { [header]: parts.join(",") };
    },
    verify(headers, body, opts): VerifiedHeaders {
      checkVerifyInput(body, opts);
      for (const s of opts.secrets) assertHmacSecret(NAME, s);
      const line = requireHeader(headers, header);
      let timestampText: string | undefined;
      const provided: Buffer[] = [];
      let v1Count = 0;
      for (const item of line.split(",")) {
        const eq = item.indexOf("=");
        if (eq <= 0)
          throw new WebhookVerificationError("invalid_header", `${header} is not "t=<ts>,v1=<hex>"`);
        const key = item.slice(0, eq).trim();
        const value = item.slice(eq + 1).trim();
        if (key === "t") {
          if (timestampText !== undefined) {
            throw new WebhookVerificationError("invalid_header", `${header} carries more than one t=`);
          }
          timestampText = value;
        } else if (key === "v1") {
          v1Count++;
          const sig = hmacSignatureText(value, "hex");
          if (sig !== null) provided.push(sig);
        }
      }
      if (timestampText === undefined) {
        throw new WebhookVerificationError("invalid_header", `${header} carries no t=<timestamp>`);
      }
      const timestamp = parseTimestamp(timestampText, `${header} t=`);
      checkTolerance(timestamp, opts);
      if (provided.length === 0) {
        throw new WebhookVerificationError(
          "invalid_signature_format",
          v1Count === 0
            ? `${header} carries no v1 signature`
            : `no v1 signature in ${header} is 64 hex characters`,
        );
      }
      const prefix = `${timestamp}.`;
      for (const secret of opts.secrets) {
        if (matchesAny(hmacSha256(secret, "hex", prefix, body), provided)) return { id: null, timestamp };
      }
      throw new WebhookVerificationError(
        "signature_mismatch",
        `no v1 signature in ${header} matches any secret`,
      );
    },
    generateSecret() {
      return "whsec_" + randomKey(32).toString("hex");
    },
    assertSecret(secret) {
      assertHmacSecret(NAME, secret);
    },
  };
}

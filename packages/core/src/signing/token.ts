/**
 * A static verification token sent verbatim in a header (seed 000's `secret_id`, a UUID). The token is the
 * secret itself: anyone who sees one request can forge others, and nothing about the body or time is
 * signed (`signsTimestamp: false`). Use it only where a receiver expects it.
 */
import { randomUUID } from "node:crypto";
import { WebhookVerificationError } from "../errors.ts";
import { invalidSecret, noSecretsToSign, safeEqual } from "./crypto.ts";
import { assertRawBody, checkVerifyInput, requireHeader } from "./input.ts";
import type { SigningScheme, VerifiedHeaders } from "./types.ts";

/** Options of {@link tokenHeader}. */
export interface TokenHeaderOptions {
  /** Header carrying the token. Default `x-webhook-token`. */
  header?: string;
}

const NAME = "token";
/** Visible ASCII only: a token must fit in a header value unchanged. */
const TOKEN = /^[\x21-\x7e]{1,1024}$/;

function assertToken(secret: unknown): asserts secret is string {
  if (typeof secret !== "string" || !TOKEN.test(secret)) {
    throw invalidSecret(NAME, "expected 1 to 1024 visible ASCII characters");
  }
}

/**
 * Static token header, named `token`. Signs by sending the first secret; verifies by timing-safe equality
 * with any accepted token. `generateSecret()` returns a random UUID.
 */
export function tokenHeader(options: TokenHeaderOptions = {}): SigningScheme {
  const header = (options.header ?? "x-webhook-token").toLowerCase();
  return {
    name: NAME,
    signsTimestamp: false,
    sign({ body, secrets }) {
      assertRawBody(body);
      const token = secrets[0];
      if (token === undefined) throw noSecretsToSign(NAME);
      assertToken(token);
      return { [header]: token };
    },
    verify(headers, body, opts): VerifiedHeaders {
      checkVerifyInput(body, opts);
      const tokens = opts.secrets.map((s) => {
        assertToken(s);
        return Buffer.from(s);
      });
      const got = Buffer.from(requireHeader(headers, header).trim());
      for (const t of tokens) if (safeEqual(t, got)) return { id: null, timestamp: null };
      throw new WebhookVerificationError("signature_mismatch", `${header} matches no accepted token`);
    },
    generateSecret: randomUUID,
    assertSecret(secret) {
      assertToken(secret);
    },
  };
}

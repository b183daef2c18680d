/**
 * Standard Webhooks `v1a`: ed25519 over `${id}.${timestamp}.${body}`, `webhook-signature: v1a,<base64>`.
 * Signing keys are `whsk_<base64 32-byte seed>`, verifying keys `whpk_<base64 32-byte public key>` (the
 * layout of the reference Go library). No reference JavaScript library verifies v1a; this one signs and verifies.
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from "node:crypto";
import { HooklineError, WebhookVerificationError } from "../errors.ts";
import {
  boundedCache,
  decodeBase64Strict,
  decodeSignature,
  invalidSecret,
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
import type { RawBody, SigningScheme, VerifiedHeaders } from "./types.ts";

/** Prefix of a v1a signing (private) key. */
export const WHSK_PREFIX = "whsk_";
/** Prefix of a v1a verifying (public) key. */
export const WHPK_PREFIX = "whpk_";

const NAME = "standard-v1a";
const ED25519_SIGNATURE_BYTES = 64;
// DER wrappers that turn a raw 32-byte seed / public key into PKCS#8 / SPKI for node:crypto.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

const privateKeys = boundedCache<KeyObject>();
const publicKeys = boundedCache<KeyObject>();

function raw32(key: string, prefix: string, what: string): Buffer {
  if (typeof key !== "string" || !key.startsWith(prefix)) {
    throw invalidSecret(NAME, `expected a ${what} "${prefix}" followed by 32 bytes of base64`);
  }
  const bytes = decodeBase64Strict(key.slice(prefix.length));
  if (bytes === null || bytes.length !== 32) {
    throw invalidSecret(NAME, `expected a ${what} "${prefix}" followed by 32 bytes of base64`);
  }
  return bytes;
}

/** Runs a node:crypto key import, turning its failure into `invalid_secret`. */
function importKey(make: () => KeyObject): KeyObject {
  try {
    return make();
  } catch (err) {
    if (HooklineError.is(err)) throw err;
    throw invalidSecret(NAME, "not a usable ed25519 key");
  }
}

function privateKeyOf(whsk: string): KeyObject {
  return privateKeys.get(whsk, (k) =>
    importKey(() =>
      createPrivateKey({
        key: Buffer.concat([PKCS8_PREFIX, raw32(k, WHSK_PREFIX, "signing key")]),
        format: "der",
        type: "pkcs8",
      }),
    ),
  );
}

/** The verifying key for `key`: a `whpk_` key as given, or the public half of a `whsk_` key. */
function publicKeyOf(key: string): KeyObject {
  return publicKeys.get(key, (k) =>
    importKey(() =>
      typeof k === "string" && k.startsWith(WHSK_PREFIX)
        ? createPublicKey(privateKeyOf(k))
        : createPublicKey({
            key: Buffer.concat([SPKI_PREFIX, raw32(k, WHPK_PREFIX, "public key")]),
            format: "der",
            type: "spki",
          }),
    ),
  );
}

/** The `whpk_` public key that verifies what the `whsk_` signing key signs. */
export function publicKeyFor(whsk: string): string {
  const der = createPublicKey(privateKeyOf(whsk)).export({ format: "der", type: "spki" });
  return WHPK_PREFIX + der.subarray(SPKI_PREFIX.length).toString("base64");
}

function signedContent(id: string, timestamp: number, body: RawBody): Buffer {
  const prefix = Buffer.from(signedPrefix(id, timestamp));
  return Buffer.concat([prefix, typeof body === "string" ? Buffer.from(body) : body]);
}

/**
 * Standard Webhooks v1a (ed25519), named `standard-v1a`.
 *
 * - sign with `whsk_` keys (one `v1a,<base64>` per key); `generateSecret()` returns a new `whsk_` key and
 *   {@link publicKeyFor} its `whpk_` public key, which is what receivers are given;
 * - verify with `whpk_` keys (a `whsk_` key is accepted too: its public half is used).
 */
export function standardWebhooksEd25519(): SigningScheme {
  return {
    name: NAME,
    signsTimestamp: true,
    sign({ id, timestamp, body, secrets }) {
      checkSignInput(id, timestamp);
      assertRawBody(body);
      if (secrets.length === 0) throw noSecretsToSign(NAME);
      const content = signedContent(id, timestamp, body);
      const sigs = secrets.map((s) => "v1a," + edSign(null, content, privateKeyOf(s)).toString("base64"));
      return standardHeaders(id, timestamp, sigs);
    },
    verify(headers, body, opts): VerifiedHeaders {
      checkVerifyInput(body, opts);
      const keyList = opts.secrets.map(publicKeyOf);
      const h = readStandardHeaders(headers, "v1a");
      checkTolerance(h.timestamp, opts);
      const provided = acceptedSignatures(
        h.signatures,
        (text) => decodeSignature(text, "base64", ED25519_SIGNATURE_BYTES),
        "v1a signature is 64 bytes of base64",
      );
      const content = signedContent(h.id, h.timestamp, body);
      for (const key of keyList) {
        for (const sig of provided)
          if (edVerify(null, content, key, sig)) return { id: h.id, timestamp: h.timestamp };
      }
      throw new WebhookVerificationError(
        "signature_mismatch",
        "no v1a signature verifies with any public key",
      );
    },
    generateSecret() {
      return WHSK_PREFIX + randomKey(32).toString("base64");
    },
    assertSecret(secret, use = "sign") {
      // Receivers verify with `whpk_` (or `whsk_`); a sender can sign only with the private `whsk_` key.
      if (use === "verify") publicKeyOf(secret);
      else if (typeof secret === "string" && secret.startsWith(WHPK_PREFIX)) {
        throw invalidSecret(
          NAME,
          `a "${WHPK_PREFIX}" public key cannot sign: give the "${WHSK_PREFIX}" signing key (receivers get its ${WHPK_PREFIX} key from publicKeyFor)`,
        );
      } else privateKeyOf(secret);
    },
  };
}

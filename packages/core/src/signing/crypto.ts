/**
 * Byte-level helpers shared by the schemes: strict signature decoding, timing-safe comparison, HMAC over
 * raw bytes, random secrets and a small bounded cache of decoded keys.
 */
import { createHash, createHmac, hash, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { HooklineError, ValidationError } from "../errors.ts";
import type { RawBody } from "./types.ts";

const LOWER_HEX = /^[0-9a-f]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The one canonical spelling of a 32-byte HMAC-SHA256 digest in each encoding: lower-case hex, and padded
 * base64 whose last character leaves the two unused bits zero. With these, equal text ⟺ equal bytes.
 */
const CANONICAL_SHA256 = {
  hex: "[0-9a-f]{64}",
  base64: "[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=",
} as const;

/**
 * A pattern matching exactly `<prefix><canonical digest>`, for schemes whose header holds one signature
 * after a fixed prefix (`sha256=`); the prefix is matched literally.
 */
export function hmacSignaturePattern(prefix: string, encoding: "hex" | "base64"): RegExp {
  const literal = prefix.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  return new RegExp(`^${literal}${CANONICAL_SHA256[encoding]}$`);
}

const BARE_SHA256 = {
  hex: hmacSignaturePattern("", "hex"),
  base64: hmacSignaturePattern("", "base64"),
};

/**
 * Decodes a signature of exactly `bytes` bytes written in `encoding` (lower-case hex, or padded standard
 * base64), or `null` when its length, alphabet or form is wrong (an empty `v1,` is wrong). `Buffer.from`
 * alone is lenient (it skips bad characters and ignores trailing bits), so the text is checked first and
 * only the canonical spelling of a signature is accepted.
 */
export function decodeSignature(text: string, encoding: "hex" | "base64", bytes: number): Buffer | null {
  if (encoding === "hex") {
    return text.length === bytes * 2 && LOWER_HEX.test(text) ? Buffer.from(text, "hex") : null;
  }
  if (text.length !== Math.ceil(bytes / 3) * 4) return null;
  const out = Buffer.from(text, "base64");
  // The round trip rejects other alphabets (base64url), skipped characters and non-zero trailing bits.
  return out.length === bytes && out.toString("base64") === text ? out : null;
}

/**
 * Standard base64 (padding optional) for keys: the bytes, or `null` when `text` has characters outside the
 * alphabet, misplaced padding or an impossible length. Trailing bits are not checked (keys made by other
 * libraries must keep working).
 */
export function decodeBase64Strict(text: string): Buffer | null {
  if (text.length % 4 === 1 || !BASE64.test(text)) return null;
  if (text.includes("=") && text.length % 4 !== 0) return null;
  return Buffer.from(text, "base64");
}

/** Timing-safe equality of two byte strings; different lengths are unequal (checked first, as it must be). */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * An HMAC key node:crypto uses without per-call preparation: a string (used as UTF-8) or a `KeyObject`.
 * (A `Buffer` key is several times slower per call, so decoded keys are cached as `KeyObject`s.)
 */
export type HmacKey = string | KeyObject;

/**
 * HMAC-SHA256 of `prefix` then `body`, each hashed as bytes (strings as UTF-8, so a Uint8Array body is
 * never decoded), as text in `encoding`.
 */
export function hmacSha256(key: HmacKey, encoding: "hex" | "base64", prefix: string, body: RawBody): string {
  const h = createHmac("sha256", key);
  if (prefix !== "") h.update(prefix);
  return h.update(body).digest(encoding);
}

/** SHA-256 block size: HMAC pads its key to one block (RFC 2104). */
const SHA256_BLOCK = 64;
/** SHA-256 digest size. */
const SHA256_BYTES = 32;

/**
 * An HMAC-SHA256 key prepared once (RFC 2104): the key XOR ipad and the key XOR opad, one block each. With
 * them a MAC is two one-shot hashes, `H(outer ‖ H(inner ‖ message))`, without the per-call HMAC context
 * of `createHmac` (whose set-up costs more than hashing a 1 KiB body).
 */
export interface HmacSha256Pads {
  readonly inner: Buffer;
  readonly outer: Buffer;
}

/** The {@link HmacSha256Pads} of raw key bytes (a key longer than a block is hashed first, as HMAC does). */
export function hmacSha256Pads(key: Uint8Array): HmacSha256Pads {
  const k = key.byteLength > SHA256_BLOCK ? hash("sha256", key, "buffer") : key;
  const inner = Buffer.alloc(SHA256_BLOCK, 0x36);
  const outer = Buffer.alloc(SHA256_BLOCK, 0x5c);
  for (let i = 0; i < k.byteLength; i++) {
    inner[i]! ^= k[i]!;
    outer[i]! ^= k[i]!;
  }
  return { inner, outer };
}

/**
 * Where {@link hmacSha256WithPads} lays out `inner pad ‖ prefix ‖ body`, then `outer pad ‖ inner digest`, for
 * the one-shot hashes. Reused (hashing is synchronous); the pad (key) bytes are wiped after each use.
 * Inputs that may not fit are hashed in a stream instead.
 */
const scratch = Buffer.allocUnsafeSlow(64 * 1024);
/** The outer hash's input: a fixed view, so no view is made per call. */
const outerInput = scratch.subarray(0, SHA256_BLOCK + SHA256_BYTES);

/**
 * HMAC-SHA256 of `prefix` then `body` (strings as UTF-8) with prepared pads: the same digest as
 * {@link hmacSha256} with the key the pads were made from, but with two one-shot `hash()` calls instead of
 * an HMAC context per call; the layout is done with typed-array built-ins, not `Buffer` methods.
 */
export function hmacSha256WithPads(
  pads: HmacSha256Pads,
  encoding: "hex" | "base64",
  prefix: string,
  body: RawBody,
): string {
  // Upper bound of the UTF-8 size: at most 3 bytes per UTF-16 code unit.
  const bodyBound = typeof body === "string" ? 3 * body.length : body.byteLength;
  if (SHA256_BLOCK + 3 * prefix.length + bodyBound > scratch.byteLength) {
    const inner = createHash("sha256").update(pads.inner).update(prefix, "utf8").update(body).digest();
    return createHash("sha256").update(pads.outer).update(inner).digest(encoding);
  }
  scratch.set(pads.inner, 0);
  let end = SHA256_BLOCK;
  for (let i = 0; i < prefix.length; i++) {
    const code = prefix.charCodeAt(i);
    if (code > 0x7f) {
      end = SHA256_BLOCK + scratch.write(prefix, SHA256_BLOCK, "utf8"); // not ASCII: encode it all
      break;
    }
    scratch[end++] = code;
  }
  if (typeof body === "string") end += scratch.write(body, end, "utf8");
  else {
    scratch.set(body, end);
    end += body.byteLength;
  }
  // "binary" (latin1): one character per digest byte, cheaper than a Buffer result.
  const inner = hash("sha256", scratch.subarray(0, end), "binary");
  scratch.set(pads.outer, 0);
  for (let i = 0; i < SHA256_BYTES; i++) scratch[SHA256_BLOCK + i] = inner.charCodeAt(i);
  const mac = hash("sha256", outerInput, encoding);
  wipe(scratch, 0, SHA256_BLOCK);
  return mac;
}

/** `TypedArray.prototype.fill` (a V8 built-in; `Buffer#fill` goes through C++ for the same zeros). */
const wipe = (bytes: Uint8Array, from: number, to: number): void => {
  Uint8Array.prototype.fill.call(bytes, 0, from, to);
};

/**
 * A received HMAC-SHA256 signature, as comparable bytes of its text, or `null` unless it is the canonical
 * spelling of 32 bytes in `encoding` (so wrong lengths, an empty `v1,`, other alphabets and padding
 * tricks are refused before any comparison).
 */
export function hmacSignatureText(text: string, encoding: "hex" | "base64"): Buffer | null {
  return BARE_SHA256[encoding].test(text) ? Buffer.from(text, "latin1") : null;
}

/**
 * A received HMAC-SHA256 signature text itself when it is the canonical spelling of 32 bytes in `encoding`,
 * else `null`: {@link hmacSignatureText} for {@link matchesAnyText}, which compares texts without copying
 * them into new buffers.
 */
export function canonicalHmacSignature(text: string, encoding: "hex" | "base64"): string | null {
  return BARE_SHA256[encoding].test(text) ? text : null;
}

/**
 * {@link matchesAny} for received texts already checked to be canonical signatures: true when one of them
 * equals `expected`. Timing-safe like `timingSafeEqual`, without copying texts into buffers: lengths are
 * public and compared first, then every character of every received text is compared and the differences
 * accumulated (no early exit), as the Standard Webhooks reference library compares signatures.
 */
export function matchesAnyText(expected: string, received: readonly string[]): boolean {
  const n = expected.length;
  let ok = false;
  for (const r of received) {
    if (r.length !== n) continue;
    let diff = 0;
    for (let i = 0; i < n; i++) diff |= expected.charCodeAt(i) ^ r.charCodeAt(i);
    if (diff === 0) ok = true;
  }
  return ok;
}

/** Timing-safe check of an expected digest text against received signature texts; true on any match. */
export function matchesAny(expected: string, received: readonly Buffer[]): boolean {
  const e = Buffer.from(expected, "latin1");
  let ok = false;
  for (const r of received) if (safeEqual(e, r)) ok = true;
  return ok;
}

/** `n` cryptographically random bytes. */
export function randomKey(n = 32): Buffer {
  return randomBytes(n);
}

/** The `invalid_secret` error: a {@link ValidationError} on field `secret`, never echoing the secret. */
export function invalidSecret(scheme: string, why: string): ValidationError {
  return new ValidationError(
    `[hookline] invalid secret for signing scheme ${scheme}: ${why}`,
    [{ field: "secret", message: why, code: "invalid_secret" }],
    "invalid_secret",
  );
}

/** Signing was asked for with an empty secrets list (a configuration error, not bad request input). */
export function noSecretsToSign(scheme: string): HooklineError {
  return new HooklineError(
    "no_secrets",
    `[hookline] signing scheme ${scheme} needs at least one secret to sign with`,
  );
}

/**
 * A small bounded cache (insertion-ordered, oldest evicted first) for decoded secrets, so the hot verify
 * path does not re-decode a `whsec_` key or re-import an ed25519 key on every request.
 */
export function boundedCache<V>(max = 128): { get(key: string, make: (key: string) => V): V } {
  const map = new Map<string, V>();
  return {
    get(key, make) {
      const hit = map.get(key);
      if (hit !== undefined) return hit;
      const value = make(key);
      if (map.size >= max) map.delete(map.keys().next().value as string);
      map.set(key, value);
      return value;
    },
  };
}

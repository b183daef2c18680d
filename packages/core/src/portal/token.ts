/**
 * Signed portal tokens: the short-lived link a provider's app hands to one tenant, and the session cookie the
 * link is exchanged for. A token is `base64url(JSON payload) "." base64url(HMAC-SHA256(secret, kind "." payload))`;
 * the kind is part of the signed text, so a link can never be replayed as a cookie or the other way round.
 */
import { createHmac, randomBytes } from "node:crypto";
import { HooklineError } from "../errors.ts";
import { safeEqual } from "../signing/crypto.ts";

/** What a token is for. */
export type PortalTokenKind = "link" | "session";

/** The signed claims of a portal token. */
export interface PortalClaims {
  /** The tenant the token opens the portal for. */
  tenant: string;
  /** Expiry, in milliseconds since the epoch. */
  expiresAt: number;
  /** Random id of the token (a session's CSRF token is derived from it). */
  id: string;
}

/** Shortest accepted `linkSecret`, in bytes. */
export const MIN_SECRET_BYTES = 32;
/** Longest token accepted for verification (bounded work on hostile input). */
const MAX_TOKEN_LENGTH = 2048;

/** Checks and normalises the portal secret. Throws `invalid_secret` when it is too short. */
export function portalKey(secret: string | Uint8Array): Buffer {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new HooklineError(
      "invalid_secret",
      `[hookline] [portal] linkSecret must be at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  return key;
}

/** HMAC-SHA256 of `text` under `key`, as raw bytes. */
export function mac(key: Buffer, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
}

/** Signs a token of `kind` for `tenant`, valid until `expiresAt` (ms). */
export function signToken(key: Buffer, kind: PortalTokenKind, tenant: string, expiresAt: number): string {
  const claims: PortalClaims = { tenant, expiresAt, id: randomBytes(16).toString("base64url") };
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return `${payload}.${mac(key, `${kind}.${payload}`).toString("base64url")}`;
}

/**
 * Verifies a token of `kind`: signature (timing-safe), shape and expiry at `now` (ms).
 * `null` for anything forged, tampered, malformed or expired.
 */
export function verifyToken(
  key: Buffer,
  kind: PortalTokenKind,
  token: string,
  now: number,
): PortalClaims | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return null;
  const payload = token.slice(0, dot);
  // Compare the signature's text with the canonical base64url of the expected MAC, never its decoded bytes:
  // base64url decoding ignores the unused low bits of the last character (and stray characters), so several
  // spellings decode to the same MAC, and a token must have exactly one.
  const expected = Buffer.from(mac(key, `${kind}.${payload}`).toString("base64url"), "latin1");
  if (!safeEqual(expected, Buffer.from(token.slice(dot + 1), "latin1"))) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!isClaims(claims) || claims.expiresAt <= now) return null;
  return claims;
}

function isClaims(value: unknown): value is PortalClaims {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["tenant"] === "string" &&
    v["tenant"] !== "" &&
    typeof v["id"] === "string" &&
    typeof v["expiresAt"] === "number" &&
    Number.isFinite(v["expiresAt"])
  );
}

/**
 * The header layout Standard Webhooks `v1` and `v1a` share: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: <version>,<signature> [<version>,<signature> …]`, with Svix's `svix-*` names accepted
 * on verify. Signed content is `${id}.${timestamp}.` followed by the raw body bytes.
 */
import { HooklineError, WebhookVerificationError } from "../errors.ts";
import { requireOneOf } from "./input.ts";
import { parseTimestamp } from "./timestamp.ts";
import type { HeaderSource } from "./types.ts";

const ID = ["webhook-id", "svix-id"] as const;
const TIMESTAMP = ["webhook-timestamp", "svix-timestamp"] as const;
const SIGNATURE = ["webhook-signature", "svix-signature"] as const;

/** Signatures are separated by spaces; `, ` also separates (how Node joins a repeated header). */
const SEPARATOR = /,?\s+/;

/** What the Standard Webhooks headers of a request say. */
export interface StandardHeaders {
  id: string;
  timestamp: number;
  /** The signature texts carried for the wanted version (still encoded, not yet checked). */
  signatures: string[];
}

/** Reads and checks the three headers; keeps only signatures of `version` (`v1` or `v1a`). */
export function readStandardHeaders(headers: HeaderSource, version: string): StandardHeaders {
  const id = requireOneOf(headers, ID);
  const timestampText = requireOneOf(headers, TIMESTAMP);
  const signatureLine = requireOneOf(headers, SIGNATURE);
  const timestamp = parseTimestamp(timestampText, "webhook-timestamp");
  const signatures: string[] = [];
  const wanted = version + ",";
  for (const token of signatureLine.trim().split(SEPARATOR)) {
    if (token.startsWith(wanted)) signatures.push(token.slice(wanted.length));
  }
  if (signatures.length === 0) {
    throw new WebhookVerificationError(
      "invalid_signature_format",
      `webhook-signature carries no ${version} signature (expected "${version},<base64>")`,
    );
  }
  return { id, timestamp, signatures };
}

/**
 * The carried signature texts `decode` accepts, decoded; throws `invalid_signature_format` when it accepts
 * none (`form` says what a signature must be, e.g. "v1 signature is 32 bytes of base64").
 */
export function acceptedSignatures<T>(
  texts: readonly string[],
  decode: (text: string) => T | null,
  form: string,
): T[] {
  const accepted: T[] = [];
  for (const text of texts) {
    const sig = decode(text);
    if (sig !== null) accepted.push(sig);
  }
  if (accepted.length === 0) {
    throw new WebhookVerificationError(
      "invalid_signature_format",
      `no ${form} (an empty or truncated signature never matches)`,
    );
  }
  return accepted;
}

/** The part of the signed content before the body: `${id}.${timestamp}.` */
export function signedPrefix(id: string, timestamp: number): string {
  return `${id}.${timestamp}.`;
}

/** Checks a sign input's id and timestamp (they are written into headers and signed). */
export function checkSignInput(id: unknown, timestamp: unknown): void {
  if (typeof id !== "string" || id === "" || /[\r\n\0]/.test(id)) {
    throw new HooklineError("invalid_header", "message id must be a non-empty single-line string");
  }
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new HooklineError("invalid_timestamp", "timestamp must be whole seconds since the epoch");
  }
}

/** The three headers of a signed request. */
export function standardHeaders(id: string, timestamp: number, signatures: string[]): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

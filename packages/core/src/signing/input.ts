/**
 * Reading what a verifier is handed: header values (from `Headers` or Node's `IncomingHttpHeaders`) and the
 * raw body. Everything here throws `WebhookVerificationError` with a precise code on bad input.
 */
import { WebhookVerificationError } from "../errors.ts";
import type { HeaderSource, RawBody, VerifyOptions } from "./types.ts";

/** Longest header value a verifier reads; anything longer is refused before it is parsed. */
export const MAX_HEADER_BYTES = 8 * 1024;

function lookup(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    // Plain records may keep the sender's casing (`Webhook-Id`); Node's own are already lower case.
    for (const key in record) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  // Repeated headers: the values joined as one line, the way `Headers.get()` does.
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  throw new WebhookVerificationError("invalid_header", `header ${name} is not a string`);
}

/**
 * The value of header `name` (lower case), or `undefined` when absent. Values longer than
 * {@link MAX_HEADER_BYTES} are refused with `invalid_header`.
 */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) {
    throw new WebhookVerificationError(
      "invalid_header",
      "headers must be a Headers object or a plain record",
    );
  }
  const value = lookup(headers, name);
  if (value !== undefined && value.length > MAX_HEADER_BYTES) {
    throw new WebhookVerificationError(
      "invalid_header",
      `header ${name} is longer than ${MAX_HEADER_BYTES} bytes`,
    );
  }
  return value;
}

/** Like {@link readHeader}, but absent or empty is `missing_header`. */
export function requireHeader(headers: HeaderSource, name: string): string {
  const value = readHeader(headers, name);
  if (value === undefined || value === "") {
    throw new WebhookVerificationError("missing_header", `missing header ${name}`);
  }
  return value;
}

/**
 * First present header among `names` (e.g. `webhook-id`, then `svix-id`); `missing_header` naming the first
 * when none is present.
 */
export function requireOneOf(headers: HeaderSource, names: readonly string[]): string {
  for (const name of names) {
    const value = readHeader(headers, name);
    if (value !== undefined && value !== "") return value;
  }
  throw new WebhookVerificationError("missing_header", `missing header ${names.join(" or ")}`);
}

/**
 * Checks that `body` is the raw request body. A parsed object (what `express.json()` leaves in `req.body`)
 * is refused: re-serialising it never reproduces the signed bytes.
 */
export function assertRawBody(body: unknown): asserts body is RawBody {
  if (typeof body === "string" || body instanceof Uint8Array) return;
  const what = body === null ? "null" : body === undefined ? "undefined" : typeof body;
  throw new WebhookVerificationError(
    "invalid_body",
    `verification needs the raw body as a string or Uint8Array, got ${what}: pass the raw body, not a parsed object`,
  );
}

/** Validates what every verifier needs before any work: a raw body and at least one secret. */
export function checkVerifyInput(body: unknown, opts: VerifyOptions): asserts body is RawBody {
  assertRawBody(body);
  if (typeof opts !== "object" || opts === null || !Array.isArray(opts.secrets)) {
    throw new WebhookVerificationError("no_secrets", "verify options need a secrets array");
  }
  if (opts.secrets.length === 0) {
    throw new WebhookVerificationError("no_secrets", "no secrets to verify with: pass at least one");
  }
}

/** Signed timestamps: strict parsing and the two-sided tolerance window. */
import { ValidationError, WebhookVerificationError } from "../errors.ts";
import type { VerifyOptions } from "./types.ts";

/** Default two-sided tolerance: 5 minutes, as Standard Webhooks and Stripe use. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Longest canonical timestamp: 12 digits. */
const MAX_DIGITS = 12;

/**
 * Parses a timestamp header (decimal seconds since the epoch); anything else is `invalid_timestamp`. Only
 * canonical decimal seconds are accepted, `/^(?:0|[1-9][0-9]{0,11})$/`: no sign, no leading zero, at most
 * 12 digits (checked digit by digit: this runs on every verified request).
 */
export function parseTimestamp(value: string, header: string): number {
  const n = value.length;
  let valid = n >= 1 && n <= MAX_DIGITS && (n === 1 || value.charCodeAt(0) !== 0x30);
  let seconds = 0;
  for (let i = 0; valid && i < n; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) valid = false;
    else seconds = seconds * 10 + digit;
  }
  if (!valid) {
    throw new WebhookVerificationError("invalid_timestamp", `header ${header} is not a timestamp in seconds`);
  }
  return seconds;
}

/**
 * `toleranceSeconds: false` for a scheme that signs a timestamp: refused (`validation_failed`, field
 * `toleranceSeconds`), since it would accept a captured request forever. It is a configuration error, not a
 * bad request, so it is a {@link ValidationError}, never a `WebhookVerificationError`.
 */
function toleranceOffError(schemeName?: string): ValidationError {
  const scheme = schemeName === undefined ? "a scheme that signs a timestamp" : `scheme ${schemeName}`;
  return new ValidationError(
    `[hookline] toleranceSeconds: false is not allowed for ${scheme}: it would accept replays of any age (set a number of seconds)`,
    [
      {
        field: "toleranceSeconds",
        message: "must be a number for a scheme that signs a timestamp",
        code: "not_allowed",
      },
    ],
  );
}

/**
 * Checks a `toleranceSeconds` option against the scheme it is used with, up front (verifier creation,
 * `verifyWebhook`): a non-negative number, or `false` only for a scheme that signs no timestamp.
 * Throws {@link ValidationError} otherwise.
 */
export function assertToleranceFor(
  scheme: { readonly name: string; readonly signsTimestamp: boolean },
  toleranceSeconds: number | false | undefined,
): void {
  const tolerance = toleranceValue(toleranceSeconds);
  if (tolerance === false && scheme.signsTimestamp) throw toleranceOffError(scheme.name);
}

/** The tolerance in force: 300 s unless set; `false` only when explicitly passed. */
export function toleranceOf(opts: VerifyOptions): number | false {
  return toleranceValue(opts.toleranceSeconds);
}

function toleranceValue(t: unknown): number | false {
  if (t === undefined) return DEFAULT_TOLERANCE_SECONDS;
  if (t === false) return false;
  if (typeof t !== "number" || !Number.isFinite(t) || t < 0) {
    throw new ValidationError(
      "[hookline] toleranceSeconds must be a non-negative number of seconds or false",
      [{ field: "toleranceSeconds", message: "must be a non-negative number or false", code: "invalid" }],
    );
  }
  return t;
}

/**
 * Throws `timestamp_too_old` / `timestamp_in_future` when `timestamp` is outside the tolerance window. Only
 * schemes that sign a timestamp call it, so `toleranceSeconds: false` here is a {@link ValidationError}.
 */
export function checkTolerance(timestamp: number, opts: VerifyOptions): void {
  const tolerance = toleranceOf(opts);
  if (tolerance === false) throw toleranceOffError();
  const nowMs = opts.now ? opts.now() : Date.now();
  if (!Number.isFinite(nowMs)) {
    throw new ValidationError("[hookline] now() must return milliseconds since the epoch", [
      { field: "now", message: "returned a non-finite number", code: "invalid" },
    ]);
  }
  const now = Math.floor(nowMs / 1000);
  if (now - timestamp > tolerance) {
    throw new WebhookVerificationError(
      "timestamp_too_old",
      `timestamp is ${now - timestamp}s old, over the ${tolerance}s tolerance`,
    );
  }
  if (timestamp - now > tolerance) {
    throw new WebhookVerificationError(
      "timestamp_in_future",
      `timestamp is ${timestamp - now}s in the future, over the ${tolerance}s tolerance`,
    );
  }
}

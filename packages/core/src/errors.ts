/**
 * Every error hookline throws is a {@link HooklineError} with a stable `code`.
 * Check errors by code or with the static `is()` helpers — never with `instanceof`, which breaks
 * across duplicated package copies and realms.
 */

/** Stable, documented error codes. */
export type HooklineErrorCode =
  // signing / verification
  | "missing_header"
  | "invalid_header"
  | "invalid_signature_format"
  | "signature_mismatch"
  | "timestamp_too_old"
  | "timestamp_in_future"
  | "invalid_timestamp"
  | "invalid_secret"
  | "invalid_body"
  | "no_secrets"
  | "duplicate_message"
  // model / validation
  | "validation_failed"
  | "unknown_event_type"
  | "not_found"
  | "conflict"
  | "unauthorized"
  | "forbidden"
  | "payload_too_large"
  | "unsupported_media_type"
  | "method_not_allowed"
  | "bad_request"
  // delivery
  | "ssrf_blocked"
  | "delivery_failed"
  | "closed"
  // storage / queue
  | "store_unavailable"
  | "queue_unavailable"
  | "unsupported"
  | "internal";

/** One problem with one input field (RFC 9457 `errors[]` member). */
export interface FieldIssue {
  /** Dotted path of the field in the canonical model, e.g. `url` or `metadata.team`. */
  field: string;
  /** Human-readable explanation. */
  message: string;
  /** Machine code for the issue, e.g. `invalid_url`, `required`, `too_long`. */
  code?: string;
}

const BRAND = Symbol.for("hookline.error");

/** Base class of every error hookline throws. Messages are prefixed `[hookline]`. */
export class HooklineError extends Error {
  readonly code: HooklineErrorCode;
  /** HTTP status the router answers with when this error escapes a handler. */
  readonly status: number;
  /** Field-level issues for validation errors. */
  readonly issues: FieldIssue[];
  readonly [BRAND] = true;

  constructor(
    code: HooklineErrorCode,
    message: string,
    options: { status?: number; issues?: FieldIssue[]; cause?: unknown } = {},
  ) {
    super(message.startsWith("[hookline]") ? message : `[hookline] ${message}`, { cause: options.cause });
    this.name = "HooklineError";
    this.code = code;
    this.status = options.status ?? defaultStatus(code);
    this.issues = options.issues ?? [];
  }

  /** True when `err` is a hookline error (optionally with the given code), across package copies. */
  static is(err: unknown, code?: HooklineErrorCode): err is HooklineError {
    return (
      typeof err === "object" &&
      err !== null &&
      (err as Record<symbol, unknown>)[BRAND] === true &&
      (code === undefined || (err as HooklineError).code === code)
    );
  }
}

/** Raised by `verify()` when a signature, header or timestamp does not check out. */
export class WebhookVerificationError extends HooklineError {
  constructor(code: HooklineErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, {
      status: code === "missing_header" || code === "invalid_body" ? 400 : 401,
      ...options,
    });
    this.name = "WebhookVerificationError";
  }
  static override is(err: unknown, code?: HooklineErrorCode): err is WebhookVerificationError {
    return HooklineError.is(err, code) && (err as Error).name === "WebhookVerificationError";
  }
}

/** Raised when input fails validation; `issues` names each bad field. Nothing was stored. */
export class ValidationError extends HooklineError {
  constructor(message: string, issues: FieldIssue[], code: HooklineErrorCode = "validation_failed") {
    super(code, message, { status: 422, issues });
    this.name = "ValidationError";
  }
  static override is(err: unknown): err is ValidationError {
    return HooklineError.is(err) && (err as Error).name === "ValidationError";
  }
}

function defaultStatus(code: HooklineErrorCode): number {
  switch (code) {
    case "validation_failed":
    case "unknown_event_type":
      return 422;
    case "not_found":
      return 404;
    case "conflict":
    case "duplicate_message":
      return 409;
    case "unauthorized":
    case "signature_mismatch":
    case "timestamp_too_old":
    case "timestamp_in_future":
      return 401;
    case "forbidden":
      return 403;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "method_not_allowed":
      return 405;
    case "bad_request":
    case "missing_header":
    case "invalid_header":
    case "invalid_signature_format":
    case "invalid_timestamp":
    case "invalid_body":
    case "invalid_secret":
    case "ssrf_blocked":
      return 400;
    case "store_unavailable":
    case "queue_unavailable":
    case "closed":
      return 503;
    default:
      return 500;
  }
}
